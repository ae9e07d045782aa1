// Package spillover measures how training with an augmentation at increasing
// strength changes a model's error ratio on each ImageNet-X factor, from a
// table of trained models as the ImageNet-X paper does (imagenet_x/plots.py,
// augmentation_effect): per factor, a least-squares cubic of error ratio
// against strength, the strengths where that fit is lowest and highest, and
// Welch's t-test between the models trained at those two strengths.
//
// The table is an eval.Table: read from the reference's CSV, or built in
// memory from the models' prediction files (eval.Accumulator.Table), which
// also brings the image counts behind each factor, so that a factor seen on
// too few images is flagged rather than called significant
// (Options.MinImages). A model's strength comes from its name
// (StrengthParser) or is given by name (Options.Strengths).
package spillover
