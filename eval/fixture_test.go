package eval

import (
	"fmt"
	"testing"
)

// fixtureImage is one annotated image of a generated fixture.
type fixtureImage struct {
	file    string
	class   int
	factors []string
}

// fixtureDataset builds a tiny dataset: classes 0 and 1 are "dog", 2 is
// not a reported metaclass ("other"), 3 is "bird", every other class
// "other". real, when not nil, holds the ReaL labels of
// ILSVRC2012_val_00000001 onwards.
func fixtureDataset(t testing.TB, images []fixtureImage, real [][]int) *Dataset {
	t.Helper()
	var classMetaclass [NumClasses]int
	for c := range classMetaclass {
		classMetaclass[c] = OtherMetaclass
	}
	dog, _ := MetaclassIndex("dog")
	bird, _ := MetaclassIndex("bird")
	classMetaclass[0], classMetaclass[1], classMetaclass[3] = dog, dog, bird
	var ims []Image
	for _, im := range images {
		var fs uint16
		for _, f := range im.factors {
			i, err := FactorIndex(f)
			if err != nil {
				t.Fatal(err)
			}
			fs |= 1 << i
		}
		ims = append(ims, Image{FileName: im.file, Class: im.class, Factors: fs, Justification: `why "quoted"`, OneWord: "word"})
	}
	ds, err := NewDataset(DatasetOptions{}, classMetaclass, ims)
	if err != nil {
		t.Fatal(err)
	}
	if real != nil {
		if err := ds.SetRealLabels(real); err != nil {
			t.Fatal(err)
		}
	}
	return ds
}

func valName(i int) string { return fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i) }
