// Package sweep measures test-time spill-over: one model's predictions on the
// same images under a variant at several strengths, compared per factor with
// the baseline (the first strength, normally 0). For each factor and
// strength it gives the accuracy and error ratio, the change of the error
// ratio against the baseline with a paired bootstrap interval (resampling
// images), and an exact McNemar test on the factor's images' correctness,
// corrected across factors (Holm or Benjamini–Hochberg).
//
// It owns everything a sweep's results go through, so that they flow in
// memory from the analysis to the report:
//   - ParseStrengths reads a list of strengths (0, the baseline, among
//     them) and Analyze computes the Result (sweep.go);
//   - Row.Judge is the one verdict rule (verdict.go), behind the markdown
//     summary, the table's spillover column and the report's highlights;
//   - Result.Curves gives each factor's error ratios with the fitted
//     polynomial (the degree of eval/spillover's cubic) and its verdict, the
//     form report draws (curves.go);
//   - Records, FactorTable and WriteMarkdown write the results (write.go),
//     and ReadCSV/LoadDir read a written spill-over table back into the
//     same Curves (read.go), for `imagenetx report --sweep DIR`.
package sweep
