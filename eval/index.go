package eval

// nameIndex maps file names to image positions. Validation images are named
// ILSVRC2012_val_%08d.JPEG, so their number indexes a slice directly; a map
// holds any other name. Lookups run once per prediction of every model, and
// a string-keyed map was the largest cost of a whole evaluation.
type nameIndex struct {
	val   []int32 // val number → position+1 (0: absent, -1: excluded)
	other map[string]int32
}

// excluded marks a name that is annotated but left out (a prototype).
const excluded = -1

func newNameIndex() *nameIndex { return &nameIndex{other: map[string]int32{}} }

// slot returns the stored value of a name (0 when absent).
func (x *nameIndex) slot(name string) int32 {
	if n, ok := valIndex(name); ok && n < 1<<24 {
		if n < len(x.val) {
			return x.val[n]
		}
		return 0
	}
	return x.other[name]
}

// get returns the position of an included name.
func (x *nameIndex) get(name string) (int, bool) {
	s := x.slot(name)
	return int(s) - 1, s > 0
}

// has reports whether the name was put, included or not.
func (x *nameIndex) has(name string) bool { return x.slot(name) != 0 }

// put records a name at position i, or as excluded when i is excluded.
func (x *nameIndex) put(name string, i int) {
	v := int32(i + 1)
	if i == excluded {
		v = excluded
	}
	if n, ok := valIndex(name); ok && n < 1<<24 {
		if n >= len(x.val) {
			x.val = append(x.val, make([]int32, n+1-len(x.val)+1024)...)
		}
		x.val[n] = v
		return
	}
	x.other[name] = v
}
