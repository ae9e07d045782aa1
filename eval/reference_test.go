package eval_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/imagenetx/imagenetx/eval"
	"github.com/imagenetx/imagenetx/eval/load"
	"github.com/imagenetx/imagenetx/eval/tabular"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// The digests are of the CSV files the reference toolkit's pandas code
// (imagenet_x 0.0.7 semantics: load_annotations, augment_model_predictions,
// compute_factor_accuracies, worst_k_class_acc, .to_csv) wrote for the four
// base models; imagenetx must reproduce them byte for byte.
var referenceDigests = []struct {
	factors          eval.FactorSet
	keepPrototypes   bool
	errType          eval.ErrorType
	table, metaTable string
}{
	{eval.TopFactor, false, eval.ErrorClass, "702bc254ac83c83f476faa19d05858094e90fa689ccfd89f93c804fd627dec2d", "30a5dc1552886f9d602aecf0c5a0469a4b3df15c6fee007f8f50057367c5fe49"},
	{eval.TopFactor, false, eval.ErrorMetaclass, "5879eab1f8c00b14956cd09a8ebe685075ce8416bac2a2eabe6f88c434a6055f", "2201166127eec404c88b71968fb659971ed3a8614a5f91c9e378f9690ced3d33"},
	{eval.TopFactor, false, eval.ErrorReal, "bc19b8aad26f84196fddc0b66947b11e7e076dabc156f9f385a8e94c491a11f0", "bf951a2fddb71c1eace849e8b62d78a60faee60b15a87a5029eadbab9c05878e"},
	{eval.MultiFactor, false, eval.ErrorClass, "d6153e5534f23088c12d5f597c0df7b2a8ad1245d1181fa1add2d5ccff88b2a0", "00a07d146d5ccd442f1aea9b80d7876951279f1ec074718ef061b0febcba5415"},
	{eval.MultiFactor, false, eval.ErrorMetaclass, "513d526311f7dce411adbf0e381c3bb34aeff899c94b139dfa7148f76dc6ce6c", "638b36bcc5ee0937177a947ca576b66cff415513b729119214f9b9966f5d37a5"},
	{eval.MultiFactor, false, eval.ErrorReal, "0a650af236902ca94ca35f1327ece4a32589b5fbe361575f357787e73a17920b", "484096faf0e91289bb901974bc06663ed98d4bb522a18c7394fa14f07038ae2a"},
	{eval.TopFactor, true, eval.ErrorClass, "e5354eeb1c47a47c2abbd5c269ef1669d85bb8c353ceb1970786c0243c4b3db4", "08aa5020491e0feb722a49d1e0c69c4c82c4713c078301a9d98fb789a29a88a2"},
	{eval.TopFactor, true, eval.ErrorMetaclass, "845e584c7b74df11bb2451a8dfb34ca8f82cd6fc0d5bd15d4983ba9f99928e74", "a88468966e403af527a5dc74260ce61093454c2faff33376f2ce61d6fef68925"},
	{eval.TopFactor, true, eval.ErrorReal, "f5315fbac9db351fd3e90c32dfef19c8d3da8b4d1b1feb2a10a8f79e8e40d3ea", "349785a333c5961b26049b5e8b68164ec43c2ce789eff0d3f83f531edbfd0a18"},
}

func loadBase(t testing.TB, opts eval.DatasetOptions) *eval.Accumulator {
	t.Helper()
	ann := shareddata.Require(t, "annotations")
	preds := shareddata.Require(t, "predictions", "base")
	ds, err := load.Annotations(ann, opts)
	if err != nil {
		t.Fatal(err)
	}
	sources, err := load.Sources([]string{preds})
	if err != nil {
		t.Fatal(err)
	}
	acc := eval.NewAccumulator(ds)
	if err := load.Predictions(context.Background(), acc, sources); err != nil {
		t.Fatal(err)
	}
	return acc
}

func digest(t *testing.T, tbl *eval.Table, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := eval.WriteTable(&buf, tbl, tabular.CSV, eval.ViewAccuracy); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

func TestMatchesReferenceToolkit(t *testing.T) {
	type key struct {
		factors        eval.FactorSet
		keepPrototypes bool
	}
	accs := map[key]*eval.Accumulator{}
	for _, c := range referenceDigests {
		opts := eval.DatasetOptions{Factors: c.factors, Partition: eval.Val, KeepPrototypes: c.keepPrototypes}
		k := key{c.factors, c.keepPrototypes}
		if accs[k] == nil {
			accs[k] = loadBase(t, opts)
		}
		acc := accs[k]
		name := c.factors.String() + "/" + c.errType.String()
		if c.keepPrototypes {
			name += "/keep-prototypes"
		}
		t.Run(name, func(t *testing.T) {
			tbl, err := acc.Table(c.errType)
			if got := digest(t, tbl, err); got != c.table {
				t.Errorf("table digest %s, want %s", got, c.table)
			}
			mtbl, err := acc.MetaclassTable(c.errType)
			if got := digest(t, mtbl, err); got != c.metaTable {
				t.Errorf("metaclass table digest %s, want %s", got, c.metaTable)
			}
		})
	}
}

func TestSpotValues(t *testing.T) {
	acc := loadBase(t, eval.DatasetOptions{})
	tbl, err := acc.Table(eval.ErrorClass)
	if err != nil {
		t.Fatal(err)
	}
	pose, _ := eval.FactorIndex("pose")
	texture, _ := eval.FactorIndex("texture")
	resnet, ok := tbl.Row("ResNet50")
	if !ok {
		t.Fatal("no ResNet50 row")
	}
	vit, _ := tbl.Row("ViT")
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"ResNet50 average", resnet.Average, 0.7466926913901539},
		{"ResNet50 pose", resnet.Factor[pose], 0.8240175252257037},
		{"ViT texture", vit.Factor[texture], 0.524822695035461},
		{"ResNet50 texture error ratio", resnet.ErrorRatio(texture), errorRatio(0.39361702127659576, 0.7466926913901539)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	m, _ := acc.Model("ResNet50")
	if cov := m.Coverage(); cov != (eval.Coverage{Annotated: 46110, Joined: 46110, Missing: 0, Unannotated: 3890}) {
		t.Errorf("coverage %+v", cov)
	}
	real, err := acc.Table(eval.ErrorReal)
	if err != nil {
		t.Fatal(err)
	}
	var models []string
	for _, r := range real.Rows {
		models = append(models, r.Model)
	}
	// pandas sorts group keys bytewise, so the human baseline comes last.
	if want := []string{"DINO", "ResNet50", "SimCLR", "ViT", eval.HumanModel}; !slices.Equal(models, want) {
		t.Errorf("ReaL table models %q, want %q", models, want)
	}
}

// errorRatio computes in float64 at run time (a constant expression would
// be computed exactly by the compiler).
func errorRatio(factor, average float64) float64 { return (1 - factor) / (1 - average) }
