// Package population compares models as the ImageNet-X paper's first
// finding does: failure modes across a population of published models, by
// model type (supervised on ImageNet-1K or on more data, self-supervised,
// robustness intervention) and by architecture (transformer or
// convolutional), and places a user's model among them.
//
// A population is a table: the paper's published factor tables
// (results/val/{top,multi}_factor/{imagenet_testbed,modelvshuman,base}/…,
// read with eval.ReadTable) are rows like any eval output, and a model's
// type and architecture are columns joined from results/model_types.csv.
// Everything else is a plain function over rows:
//
//   - published.go: the published tables and the model types
//     (LoadPublished, ReadModelTypes) and the populations the toolkit
//     builds from them (Published.ByType, Published.ByArchitecture,
//     Published.Scatter);
//   - compare.go: the error ratio's mean and spread per factor and group,
//     with the Alexander–Govern test across the groups (Compare), and how
//     consistent the groups' failure modes are (Consistency);
//   - scatter.go: the order of the high-level scatter's panels
//     (ScatterOrder);
//   - placement.go: a model's error ratio per factor against the
//     population — its percentile, the ratio expected at its accuracy from
//     the population's least-squares line with a 95% prediction interval,
//     and whether its own interval separates from that (Place).
//
// The computations follow the reference toolkit's plots.py
// (model_comparison, factor_scatterplot), and are tested against it
// (pandas, scipy) within 1e-9 for both releases and all error types.
package population
