package eval

// nameIndex maps file names to image positions. Validation images are named
// ILSVRC2012_val_%08d.JPEG, so their number indexes a slice directly; a map
// holds any other name. Lookups run once per prediction of every model, and
// a string-keyed map was the largest cost of a whole evaluation.
type nameIndex struct {
	val   []int32 // val number → position+1 (0: absent)
	other map[string]int32
}

// maxValIndex bounds the validation-image numbers that index a slice.
const maxValIndex = 1 << 24

func newNameIndex() *nameIndex { return &nameIndex{other: map[string]int32{}} }

// get returns the position of a name.
func (x *nameIndex) get(name string) (int, bool) {
	i, ok, _ := x.lookup(name)
	return i, ok
}

// lookup returns the position of a name and, for a validation image name,
// its number (valIndex; -1 for other names).
func (x *nameIndex) lookup(name string) (i int, ok bool, val int) {
	var s int32
	val = -1
	if n, ok := valIndex(name); ok && n < maxValIndex {
		val = n
		if n < len(x.val) {
			s = x.val[n]
		}
	} else {
		s = x.other[name]
	}
	return int(s) - 1, s > 0, val
}

// put records a name at position i.
func (x *nameIndex) put(name string, i int) {
	v := int32(i + 1)
	if n, ok := valIndex(name); ok && n < maxValIndex {
		if n >= len(x.val) {
			x.val = append(x.val, make([]int32, n+1-len(x.val)+1024)...)
		}
		x.val[n] = v
		return
	}
	x.other[name] = v
}
