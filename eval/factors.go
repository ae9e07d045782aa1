package eval

import (
	"fmt"
	"strings"
)

// NumFactors is the number of factors of variation annotated by ImageNet-X.
const NumFactors = 16

// Factors lists the factors in the reference toolkit's order, which every
// table and chart follows.
var Factors = [NumFactors]string{
	"pose", "background", "pattern", "color", "smaller", "shape",
	"partial_view", "subcategory", "texture", "larger", "darker",
	"object_blocking", "person_blocking", "style", "brighter",
	"multiple_objects",
}

// NumMetaclasses is the number of metaclasses the reference toolkit reports.
const NumMetaclasses = 17

// Metaclasses lists the metaclasses in the reference toolkit's order; any
// class whose 100-metaclass name is not one of the first 16 maps to "other".
var Metaclasses = [NumMetaclasses]string{
	"device", "dog", "commodity", "bird", "structure", "covering",
	"wheeled_vehicle", "food", "equipment", "insect", "vehicle", "furniture",
	"primate", "vessel", "snake", "natural_object", "other",
}

// OtherMetaclass is the index of "other" in Metaclasses.
const OtherMetaclass = NumMetaclasses - 1

// NumClasses is the number of ImageNet-1k classes.
const NumClasses = 1000

// FactorIndex returns the position of a factor name in Factors.
func FactorIndex(name string) (int, error) {
	for i, f := range Factors {
		if f == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("unknown factor %q", name)
}

// ParseFactors reads a comma-separated list of factor names ("pose,color")
// into their positions in Factors; an empty list is nil (all factors).
func ParseFactors(list string) ([]int, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []int
	for _, name := range strings.Split(list, ",") {
		i, err := FactorIndex(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, nil
}

// MetaclassIndex returns the position of a metaclass name in Metaclasses.
func MetaclassIndex(name string) (int, error) {
	for i, m := range Metaclasses {
		if m == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("unknown metaclass %q", name)
}
