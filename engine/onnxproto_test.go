package engine

import (
	"encoding/binary"
	"math"
)

// A minimal ONNX protobuf writer, enough to assemble tiny models for the
// tests (no onnx package is needed): field numbers follow onnx.proto.

type pb []byte

func (b pb) varint(v uint64) pb { return binary.AppendUvarint(b, v) }

func (b pb) tag(field, wire int) pb { return b.varint(uint64(field<<3 | wire)) }

// int writes a varint field.
func (b pb) int(field int, v int64) pb { return b.tag(field, 0).varint(uint64(v)) }

// bytes writes a length-delimited field (strings, bytes, messages).
func (b pb) bytes(field int, v []byte) pb {
	return append(b.tag(field, 2).varint(uint64(len(v))), v...)
}

func (b pb) str(field int, s string) pb { return b.bytes(field, []byte(s)) }

// ONNX element type and the opset the test models use.
const (
	onnxFloat = 1
	onnxOpset = 13
)

// dim is a tensor dimension: a size, or a symbolic name when param is set.
type dim struct {
	size  int64
	param string
}

func valueInfo(name string, dims ...dim) pb {
	var shape pb
	for _, d := range dims {
		var dm pb
		if d.param != "" {
			dm = dm.str(2, d.param)
		} else {
			dm = dm.int(1, d.size)
		}
		shape = shape.bytes(1, dm)
	}
	tensor := pb{}.int(1, onnxFloat).bytes(2, shape)
	typ := pb{}.bytes(1, tensor)
	return pb{}.str(1, name).bytes(2, typ)
}

func node(op string, inputs []string, outputs ...string) pb {
	var n pb
	for _, in := range inputs {
		n = n.str(1, in)
	}
	for _, out := range outputs {
		n = n.str(2, out)
	}
	return n.str(3, op+"_"+outputs[0]).str(4, op)
}

// initializer is a float tensor constant.
func initializer(name string, dims []int64, values []float32) pb {
	var t pb
	for _, d := range dims {
		t = t.int(1, d)
	}
	t = t.int(2, onnxFloat)
	raw := make([]byte, 0, 4*len(values))
	for _, v := range values {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
	}
	return t.str(8, name).bytes(9, raw)
}

// graph is a model's parts.
type graph struct {
	nodes, inits, inputs, outputs []pb
}

func (g graph) model() []byte {
	var gr pb
	for _, n := range g.nodes {
		gr = gr.bytes(1, n)
	}
	gr = gr.str(2, "test")
	for _, t := range g.inits {
		gr = gr.bytes(5, t)
	}
	for _, in := range g.inputs {
		gr = gr.bytes(11, in)
	}
	for _, out := range g.outputs {
		gr = gr.bytes(12, out)
	}
	opset := pb{}.str(1, "").int(2, onnxOpset)
	return pb{}.int(1, 7).str(2, "imagenetx-test").bytes(7, gr).bytes(8, opset)
}

var batchDim = dim{param: "N"}

// imageToScores is a model taking [N,3,size,size] images to [N,classes]
// scores: each score is the image's mean of the first channel (after
// normalisation), passed through op ("" for none).
func imageToScores(size, classes int64, op string) []byte {
	w := make([]float32, 3*classes)
	for c := int64(0); c < classes; c++ {
		w[c] = 1 // row 0: the first channel's mean feeds every class
	}
	g := graph{
		nodes: []pb{
			node("GlobalAveragePool", []string{"x"}, "pooled"),
			node("Flatten", []string{"pooled"}, "flat"),
			node("MatMul", []string{"flat", "w"}, "scores"),
		},
		inits:   []pb{initializer("w", []int64{3, classes}, w)},
		inputs:  []pb{valueInfo("x", batchDim, dim{size: 3}, dim{size: size}, dim{size: size})},
		outputs: []pb{valueInfo("y", batchDim, dim{size: classes})},
	}
	switch op {
	case "":
		g.nodes = append(g.nodes, node("Identity", []string{"scores"}, "y"))
	case "DivByZero":
		g.inits = append(g.inits, initializer("zero", nil, []float32{0}))
		g.nodes = append(g.nodes, node("Div", []string{"scores", "zero"}, "y"))
	default:
		g.nodes = append(g.nodes, node(op, []string{"scores"}, "y"))
	}
	return g.model()
}

// identityModel passes a tensor of the given shape through unchanged.
func identityModel(dims ...dim) []byte {
	return graph{
		nodes:   []pb{node("Identity", []string{"x"}, "y")},
		inputs:  []pb{valueInfo("x", dims...)},
		outputs: []pb{valueInfo("y", dims...)},
	}.model()
}
