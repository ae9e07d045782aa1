// Package npy reads and writes NumPy .npy files (format versions 1-3) holding
// uint8 or little-endian float32 arrays in C order: what the preprocessing
// references and the preprocess command exchange.
package npy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Array is a decoded array: exactly one of U8 and F32 is set.
type Array struct {
	Shape []int
	U8    []uint8
	F32   []float32
}

// DType returns "uint8" or "float32".
func (a *Array) DType() string {
	if a.F32 != nil {
		return "float32"
	}
	return "uint8"
}

var magic = []byte("\x93NUMPY")

// maxElems bounds what Read accepts (1 GiB of float32s).
const maxElems = 1 << 28

// ReadFile reads one .npy file; errors name the path.
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := Read(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("npy %s: %w", path, err)
	}
	return a, nil
}

var (
	descrRe   = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	fortranRe = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	shapeRe   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// Read decodes an .npy stream.
func Read(r io.Reader) (*Array, error) {
	header, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	descr, fortran, shape := descrRe.FindStringSubmatch(header), fortranRe.FindStringSubmatch(header), shapeRe.FindStringSubmatch(header)
	if descr == nil || fortran == nil || shape == nil {
		return nil, fmt.Errorf("malformed header %q", header)
	}
	if fortran[1] == "True" {
		return nil, errors.New("fortran_order arrays are not supported")
	}
	a := &Array{}
	n := 1
	for _, s := range strings.Split(shape[1], ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		d, err := strconv.Atoi(s)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("bad shape %q", shape[1])
		}
		if d > 0 && n > maxElems/d {
			return nil, fmt.Errorf("shape %q too large", shape[1])
		}
		n *= d
		a.Shape = append(a.Shape, d)
	}
	switch descr[1] {
	case "|u1", "<u1", "u1":
		a.U8 = make([]uint8, n)
		_, err = io.ReadFull(r, a.U8)
	case "<f4":
		buf := make([]byte, 4*n)
		if _, err = io.ReadFull(r, buf); err == nil {
			a.F32 = make([]float32, n)
			for i := range a.F32 {
				a.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
			}
		}
	default:
		return nil, fmt.Errorf("dtype %q not supported (want |u1 or <f4)", descr[1])
	}
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return a, nil
}

func readHeader(r io.Reader) (string, error) {
	pre := make([]byte, 8)
	if _, err := io.ReadFull(r, pre); err != nil {
		return "", fmt.Errorf("preamble: %w", err)
	}
	if string(pre[:6]) != string(magic) {
		return "", errors.New("not an .npy file (bad magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		b := make([]byte, 2)
		if _, err := io.ReadFull(r, b); err != nil {
			return "", fmt.Errorf("header length: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint16(b))
	case 2, 3:
		b := make([]byte, 4)
		if _, err := io.ReadFull(r, b); err != nil {
			return "", fmt.Errorf("header length: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint32(b))
	default:
		return "", fmt.Errorf("unsupported .npy version %d", pre[6])
	}
	if hlen > 1<<20 {
		return "", fmt.Errorf("header length %d too large", hlen)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(r, h); err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	return string(h), nil
}

// WriteUint8 writes a uint8 array of the given shape as .npy version 1.0.
func WriteUint8(w io.Writer, shape []int, data []uint8) error {
	if err := writeHeader(w, "|u1", shape, len(data)); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// WriteFloat32 writes a little-endian float32 array as .npy version 1.0.
func WriteFloat32(w io.Writer, shape []int, data []float32) error {
	if err := writeHeader(w, "<f4", shape, len(data)); err != nil {
		return err
	}
	buf := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
	}
	_, err := w.Write(buf)
	return err
}

func writeHeader(w io.Writer, descr string, shape []int, n int) error {
	total := 1
	dims := make([]string, len(shape))
	for i, d := range shape {
		total *= d
		dims[i] = strconv.Itoa(d)
	}
	if total != n {
		return fmt.Errorf("npy: shape %v holds %d values, data has %d", shape, total, n)
	}
	sh := strings.Join(dims, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, sh)
	// Pad with spaces so that the data starts on a 64-byte boundary, newline-terminated.
	pad := 64 - (len(magic)+4+len(h)+1)%64
	h += strings.Repeat(" ", pad%64) + "\n"
	pre := append([]byte{}, magic...)
	pre = append(pre, 1, 0, byte(len(h)), byte(len(h)>>8))
	if _, err := w.Write(pre); err != nil {
		return err
	}
	_, err := io.WriteString(w, h)
	return err
}
