package eval

import "fmt"

// TopKNote is one line on the model's top-1 and top-k over the annotated
// images it predicted: "m: top-1 80/100 = 0.8000, top-5 95/100 = 0.9500
// over the annotated images it predicted".
func (s ModelSummary) TopKNote() string {
	return fmt.Sprintf("%s: top-1 %d/%d = %.4f, top-%d %d/%d = %.4f over the annotated images it predicted",
		s.Model, s.Top1.Correct, s.Top1.N, s.Top1.Value, s.K, s.TopK.Correct, s.TopK.N, s.TopK.Value)
}
