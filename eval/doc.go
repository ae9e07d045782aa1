// Package eval is the ImageNet-X factor-breakdown evaluator: it joins
// models' predictions with the factor annotations and produces the
// per-factor accuracy and error-ratio tables of the paper, exactly as the
// reference toolkit (imagenet_x, pandas based) computes them, with
// confidence intervals and paired comparisons between models.
//
// The package holds values and the computations on them; it reads no file
// itself. Its files follow the data:
//
//   - factors.go: the one authoritative list of factors and metaclasses;
//   - dataset.go: the annotated images (Dataset, NewDataset);
//   - accumulator.go: predictions joined with a Dataset (Accumulator): per
//     model the counts every table needs, tallied as predictions arrive,
//     and the per-image predictions unless AccumulatorOptions.CountsOnly
//     (thousands of models in bounded memory); with
//     AccumulatorOptions.TopK, the counts of top-k accuracy too (TopKTable);
//     rows.go: the hot path that takes rows read without allocation
//     (AddModelRows);
//   - table*.go: factor tables (Table, Row), summed from those counts
//     (table_counts.go), written in the reference's CSV layout or as JSON or
//     markdown (flagging small samples), and read back; Table.Counts is
//     the companion giving the images behind every value;
//   - intervals.go: Wilson intervals for accuracies and, built from them,
//     for error ratios (stats.ErrorRatioInterval);
//   - samples.go: the one small-sample rule (Enough, DefaultMinImages):
//     a factor is singled out only with enough images behind it; and when
//     worst_factor and worst_100_classes mislead (Row's caveats);
//   - summary.go: one model's headline numbers (ModelSummary): top-1 and
//     top-k, per factor counts, intervals and whether it may be singled
//     out — what an audit summary or a report shows (TopKNote says it in
//     a line); coverage.go: how each model's predictions joined the
//     annotations (Coverage, CoverageNotes);
//   - compare*.go: paired comparisons of two models (exact McNemar,
//     Holm/BH) and their write-up.
//
// Around it, one job per package:
//
//   - eval/load reads the ImageNet-X release files into a Dataset and
//     streams prediction files into an Accumulator;
//   - eval/tabular writes any table (CSV for pandas, JSON, markdown) and
//     formats numbers;
//   - eval/stats holds plain statistics (checked against scipy);
//   - eval/analysis (calibration, prevalence, co-occurrence),
//     eval/spillover (spill-over from trained models) and eval/sweep
//     (test-time spill-over) build on the tables.
package eval
