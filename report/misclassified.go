package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/preprocess"
)

// misclassifiedID is the id of factor f's list of misclassified images.
func misclassifiedID(f int) string { return "mis-" + eval.Factors[f] }

// misclassifiedSection lists, for every factor, each image with the factor
// that some model misclassified: those most models got wrong first, then
// the most confident mistakes. The first perFactor of each list get a
// thumbnail when the image is found in dir, and are shown as cards with the
// annotators' words too.
func (m *models) misclassifiedSection(ctx context.Context, p *page, dir string, perFactor int, decode preprocess.DecodeOptions) error {
	ds := m.acc.Dataset()
	var files map[string]string
	if dir != "" {
		var err error
		if files, err = indexImages(dir); err != nil {
			return err
		}
	}
	wrong, confidence := m.mistakes()
	found := 0
	for i := range ds.Images {
		if _, ok := files[ds.Images[i].FileName]; ok {
			found++
		}
	}
	th := newThumbnails(decode)
	for _, f := range m.order {
		if err := ctx.Err(); err != nil {
			return err
		}
		var idx []int
		for i := range ds.Images {
			if wrong[i] > 0 && ds.Images[i].Has(f) {
				idx = append(idx, i)
			}
		}
		slices.SortFunc(idx, func(a, b int) int {
			return cmp.Or(cmp.Compare(wrong[b], wrong[a]), cmp.Compare(confidence[b], confidence[a]),
				strings.Compare(ds.Images[a].FileName, ds.Images[b].FileName))
		})
		p.Misclassified = append(p.Misclassified, m.factorList(f, idx, files, th, perFactor))
	}
	p.ThumbCSS = th.css()
	p.MisclassifiedNote = m.misclassifiedNote(dir, found, perFactor, th.count())
	return nil
}

// factorList is one factor's list of misclassified images idx.
func (m *models) factorList(f int, idx []int, files map[string]string, th *thumbnails, perFactor int) factorImages {
	ds := m.acc.Dataset()
	n := m.factorImages(f)
	fi := factorImages{ID: misclassifiedID(f), Factor: eval.Factors[f]}
	switch {
	case n == 0:
		fi.Summary, fi.Empty = "no images", "No annotated image has this factor."
		return fi
	case len(idx) == 0:
		fi.Summary = fmt.Sprintf("%s, no mistakes", plural(n, "image", "images"))
		fi.Empty = fmt.Sprintf("No mistakes: every model classified all %s with this factor correctly.", plural(n, "image", "images"))
		return fi
	}
	fi.Summary = fmt.Sprintf("%s misclassified of %s", count(len(idx)), plural(n, "image", "images"))
	if len(m.outcomes) > 1 {
		fi.Summary = fmt.Sprintf("%s misclassified by at least one model, of %s", count(len(idx)), plural(n, "image", "images"))
	}
	t := &table{ID: "list-" + eval.Factors[f], Sortable: true, Class: "list"}
	if files != nil {
		t.Head = append(t.Head, column{Text: "image", Fixed: true})
	}
	t.Head = append(t.Head, column{Text: "file"}, column{Text: "true class"})
	if len(m.outcomes) > 1 {
		t.Groups = []group{{Span: len(t.Head)}}
	}
	for _, o := range m.outcomes {
		if len(m.outcomes) > 1 {
			t.Groups = append(t.Groups, group{Text: o.model.Name, Span: 2})
		}
		t.Head = append(t.Head, column{Text: "predicted"}, column{Text: "p", Title: "the model's probability of its predicted class"})
	}
	for _, i := range idx {
		im := &ds.Images[i]
		var thumbClass, thumbErr string
		path, found := files[im.FileName]
		shown := found && len(fi.Cards) < perFactor
		if shown {
			thumbClass, thumbErr = th.of(path)
		}
		row := make([]cell, 0, 3+2*len(m.outcomes))
		if files != nil {
			var c cell
			switch {
			case thumbClass != "":
				c = cell{Thumb: thumbClass, Title: im.FileName}
			case thumbErr != "":
				c = cell{Text: "⚠", Title: thumbErr}
			}
			row = append(row, c)
		}
		row = append(row, cell{Text: im.FileName}, cell{Text: shortClassName(ds, im.Class)})
		for _, o := range m.outcomes {
			row = append(row, predictionCells(ds, o, i)...)
		}
		t.Rows = append(t.Rows, row)
		if shown {
			fi.Cards = append(fi.Cards, m.card(i, thumbClass, thumbErr))
		}
	}
	fi.Table = t
	return fi
}

// predictionCells are a model's answer on image i: the class, marked
// right or wrong, and its probability.
func predictionCells(ds *eval.Dataset, o outcome, i int) []cell {
	if !o.joined[i] {
		return []cell{{Text: "–", Title: "no prediction"}, {Text: "–"}}
	}
	class := "ok"
	if !o.correct[i] {
		class = "x"
	}
	return []cell{{Text: shortClassName(ds, int(o.model.Class[i])), Class: class}, {Text: fmt2(o.model.Prob[i])}}
}

// card is image i as a card: thumbnail, true class, every model's answer
// and the annotators' words.
func (m *models) card(i int, thumbClass, thumbErr string) example {
	ds := m.acc.Dataset()
	im := &ds.Images[i]
	ex := example{Thumb: thumbClass, ThumbError: thumbErr, File: im.FileName, True: className(ds, im.Class), OneWord: im.OneWord, Why: im.Justification}
	for _, o := range m.outcomes {
		if !o.joined[i] {
			continue
		}
		ex.Predictions = append(ex.Predictions, prediction{
			Text:  fmt.Sprintf("%s: %s (%.2f)", o.model.Name, className(ds, int(o.model.Class[i])), o.model.Prob[i]),
			Wrong: !o.correct[i],
		})
	}
	return ex
}

func (m *models) misclassifiedNote(dir string, found, perFactor, thumbs int) string {
	s := "Every annotated image that a model misclassified, by factor: those most models got wrong first, then the most confident mistakes. Predictions in red are wrong, in green right. Click a column head to sort."
	if dir == "" {
		return s + " No image folder was given, so there are no thumbnails."
	}
	return s + fmt.Sprintf(" %s of the %s annotated images are in %s; the first %d of each list found there get a thumbnail (%d thumbnails in all, each embedded once, so that the page stays small however many images are listed).",
		count(found), count(len(m.acc.Dataset().Images)), dir, perFactor, thumbs)
}

// className is the readable name of a class, or its number.
func className(ds *eval.Dataset, c int) string {
	if c >= 0 && c < len(ds.ClassNames) && ds.ClassNames[c] != "" {
		return ds.ClassNames[c]
	}
	return fmt.Sprintf("class %d", c)
}

// shortClassName is the first of a class's synonyms ("tabby" of "tabby,
// tabby cat"): the lists name thousands of classes.
func shortClassName(ds *eval.Dataset, c int) string {
	name, _, _ := strings.Cut(className(ds, c), ",")
	return name
}
