package engine

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/imagenetx/imagenetx/preprocess"
)

// Provider is the ONNX Runtime execution provider a session runs on. The
// providers differ only in how a session is opened and in what a run
// records; nothing else in the pipeline knows which one ran.
type Provider int

const (
	// ProviderCPU is ONNX Runtime's CPU execution provider.
	ProviderCPU Provider = iota
	// ProviderWebGPU is the WebGPU execution provider (Dawn on Vulkan on
	// Linux): any GPU with a Vulkan driver, and Mesa's lavapipe in CI. The
	// default library (onnxruntime-node 1.24.3) has it built in.
	ProviderWebGPU
	// ProviderCUDA is the CUDA execution provider, which needs a
	// CUDA-enabled library with its provider libraries beside it.
	ProviderCUDA
)

// String is the provider's device name as ParseDevice reads it.
func (p Provider) String() string {
	switch p {
	case ProviderWebGPU:
		return "webgpu"
	case ProviderCUDA:
		return "cuda"
	}
	return "cpu"
}

// ORTName is the provider's name in ONNX Runtime (and in its node
// placement report).
func (p Provider) ORTName() string {
	switch p {
	case ProviderWebGPU:
		return "WebGpuExecutionProvider"
	case ProviderCUDA:
		return "CUDAExecutionProvider"
	}
	return "CPUExecutionProvider"
}

// Device says where a session runs.
type Device struct {
	Provider Provider
	// ID is the CUDA GPU number.
	ID int
	// MemLimit caps the CUDA memory arena in bytes (0: no cap), so that a
	// shared workstation GPU keeps room for others.
	MemLimit int64
	// ConvAlgoSearch is cuDNN's convolution algorithm search: "EXHAUSTIVE"
	// (the default: time every algorithm once per shape, fastest), or
	// "HEURISTIC" / "DEFAULT", which pick without timing and so give the
	// same algorithm, and bit-identical scores, on every run.
	ConvAlgoSearch string
}

// ParseDevice reads "cpu", "webgpu", "cuda" (GPU 0) or "cuda:N".
func ParseDevice(s string) (Device, error) {
	switch {
	case s == "" || s == "cpu":
		return Device{}, nil
	case s == "webgpu":
		return Device{Provider: ProviderWebGPU}, nil
	case s == "cuda":
		return Device{Provider: ProviderCUDA}, nil
	case strings.HasPrefix(s, "cuda:"):
		id, err := strconv.Atoi(s[len("cuda:"):])
		if err != nil || id < 0 {
			return Device{}, fmt.Errorf("device %q: want cuda:N with N a GPU number", s)
		}
		return Device{Provider: ProviderCUDA, ID: id}, nil
	}
	return Device{}, fmt.Errorf("device %q: want cpu, webgpu, cuda or cuda:N", s)
}

func (d Device) String() string {
	if d.Provider == ProviderCUDA {
		return "cuda:" + strconv.Itoa(d.ID)
	}
	return d.Provider.String()
}

// ModelIO is what the model file says about its image input and class output.
type ModelIO struct {
	InputName, OutputName string
	// Layout is NCHW for [N,3,H,W] inputs and NHWC for [N,H,W,3].
	Layout preprocess.Layout
	// Height and Width are the input's spatial size, 0 where the model leaves
	// it dynamic.
	Height, Width int
	// FixedBatch is the batch size the model requires, 0 when dynamic.
	FixedBatch int
	// Classes is the number of output scores per image.
	Classes int
	// outputDims is the output shape; its batch entry is filled per run.
	outputDims []int64
}

// Inspect reads a model's input and output description. Init must have run.
func Inspect(modelPath string) (ModelIO, error) {
	if st, err := os.Stat(modelPath); err == nil && st.Mode().IsRegular() && st.Size() == 0 {
		return ModelIO{}, fmt.Errorf("model %s: not a loadable ONNX model: the file is empty (0 bytes)", modelPath)
	}
	ins, outs, err := ort.GetInputOutputInfo(modelPath)
	if err != nil {
		return ModelIO{}, fmt.Errorf("model %s: not a loadable ONNX model: %s", modelPath, ortReason(err))
	}
	io, err := describeIO(ins, outs)
	if err != nil {
		return ModelIO{}, fmt.Errorf("model %s: %w", modelPath, err)
	}
	return io, nil
}

// ortReason is why ONNX Runtime refused a model, without the source file,
// line and C++ signature it puts before the reason ("Load model from F
// failed:/onnxruntime_src/…/model.cc:166 onnxruntime::Model::Model(…)
// ModelProto does not have a graph."): a user can act on the reason only.
func ortReason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, " failed:"); i >= 0 {
		msg = msg[i+len(" failed:"):]
	}
	if strings.Contains(msg, "onnxruntime::") || strings.Contains(msg, "onnxruntime_src") {
		if i := strings.LastIndex(msg, ") "); i >= 0 {
			msg = msg[i+2:]
		}
	}
	return strings.TrimSpace(msg)
}

// describeIO checks that the model takes one float image tensor and produces
// float scores, and records their shapes.
func describeIO(ins, outs []ort.InputOutputInfo) (ModelIO, error) {
	if len(ins) != 1 {
		return ModelIO{}, fmt.Errorf("has %d inputs, want one image tensor", len(ins))
	}
	if len(outs) == 0 {
		return ModelIO{}, errors.New("has no output")
	}
	in, out := ins[0], outs[0]
	if in.OrtValueType != ort.ONNXTypeTensor || in.DataType != ort.TensorElementDataTypeFloat {
		return ModelIO{}, fmt.Errorf("input %s: want a float32 image tensor", in.String())
	}
	if out.OrtValueType != ort.ONNXTypeTensor || out.DataType != ort.TensorElementDataTypeFloat {
		return ModelIO{}, fmt.Errorf("output %s: want float32 class scores", out.String())
	}
	io := ModelIO{InputName: in.Name, OutputName: out.Name}
	d := in.Dimensions
	if len(d) != 4 {
		return ModelIO{}, fmt.Errorf("input %s is not an image batch [N,3,H,W] or [N,H,W,3]", in.String())
	}
	switch {
	case d[1] == 3:
		io.Layout, io.Height, io.Width = preprocess.NCHW, dynZero(d[2]), dynZero(d[3])
	case d[3] == 3:
		io.Layout, io.Height, io.Width = preprocess.NHWC, dynZero(d[1]), dynZero(d[2])
	default:
		return ModelIO{}, fmt.Errorf("input %s has no 3-channel axis: want [N,3,H,W] or [N,H,W,3]", in.String())
	}
	io.FixedBatch = dynZero(d[0])
	classes, err := classCount(out.Dimensions)
	if err != nil {
		return ModelIO{}, fmt.Errorf("output %s: %w", out.String(), err)
	}
	io.Classes = classes
	io.outputDims = append([]int64(nil), out.Dimensions...)
	return io, nil
}

func dynZero(d int64) int {
	if d <= 0 {
		return 0
	}
	return int(d)
}

// classCount accepts [N,C] and [N,C,1,...] outputs.
func classCount(d ort.Shape) (int, error) {
	if len(d) < 2 {
		return 0, errors.New("want per-image class scores [N,C]")
	}
	if d[1] <= 0 {
		return 0, errors.New("number of classes is not fixed in the model")
	}
	for _, x := range d[2:] {
		if x != 1 {
			return 0, errors.New("want per-image class scores [N,C]")
		}
	}
	return int(d[1]), nil
}

// SessionOptions tunes a session.
type SessionOptions struct {
	// Threads is ONNX Runtime's intra-op thread count; 0 uses every CPU.
	Threads int
	Device  Device
}

// Session runs one model. Run may be called from several goroutines.
type Session struct {
	s         *ort.DynamicAdvancedSession
	io        ModelIO
	size      int // the input's spatial size (square)
	placement Placement
	log       *sessionLog
}

// OpenSession loads modelPath for inference on images of size×size pixels
// (the preprocessing crop). A fixed spatial size in the model must equal it.
// The session records where ONNX Runtime placed the model's nodes
// (Placement). On a GPU provider it is refused when the provider takes too
// little of the model (Placement.check) or fails on a first batch of zeros:
// the model would run on the CPU, or not at all, under a GPU label.
func OpenSession(modelPath string, io ModelIO, size int, opts SessionOptions) (*Session, error) {
	if (io.Height != 0 && io.Height != size) || (io.Width != 0 && io.Width != size) {
		return nil, fmt.Errorf("model %s takes %dx%d images but preprocessing crops to %dx%d", modelPath, io.Height, io.Width, size, size)
	}
	so, err := sessionOptions(opts)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	log, err := attachSessionLog(so)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", modelPath, err)
	}
	s, err := ort.NewDynamicAdvancedSession(modelPath, []string{io.InputName}, []string{io.OutputName}, so)
	placements, problems := log.stop()
	if err != nil {
		log.release()
		return nil, explainSessionError(modelPath, opts.Device, err, problems)
	}
	sess := &Session{s: s, io: io, size: size, log: log}
	sess.placement, err = parsePlacement(opts.Device.Provider, placements)
	if errors.Is(err, errNoPlacement) && opts.Device.Provider == ProviderCPU {
		err = nil // a CPU session has nowhere else to fall back to
	}
	if err == nil {
		err = sess.placement.check()
	}
	if err == nil && opts.Device.Provider != ProviderCPU {
		err = sess.probe()
	}
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("model %s: %w", modelPath, err)
	}
	return sess, nil
}

// probe runs one batch of zeros, so that a provider that accepts a model's
// nodes but cannot run them (a kernel that fails on the model's shapes)
// is refused when the session opens, not on every batch of a long run.
func (s *Session) probe() error {
	n := max(s.io.FixedBatch, 1)
	in := make([]float32, n*s.InputLen())
	out := make([]float32, n*s.io.Classes)
	if err := s.Run(in, n, out); err != nil {
		return fmt.Errorf("the %s execution provider cannot run this model (%s): %w", s.placement.Provider, s.placement, err)
	}
	return nil
}

func sessionOptions(opts SessionOptions) (*ort.SessionOptions, error) {
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("session options: %w", err)
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	err = errors.Join(
		so.SetIntraOpNumThreads(threads),
		so.SetInterOpNumThreads(1),
		so.SetExecutionMode(ort.ExecutionModeSequential),
		so.SetGraphOptimizationLevel(ort.GraphOptimizationLevelEnableAll),
		// Idle intra-op threads would otherwise spin and steal the CPU the
		// preprocessing workers need while the next batch is being prepared.
		so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"),
		// x86-64 CPUs without VNNI (AVX2, AVX-512F) multiply quantised
		// u8×s8 operands with VPMADDUBSW, whose 16-bit intermediate sums
		// saturate: mobilenetv2-12-int8 then scores 977/1300 on val_227
		// instead of 1038 on a VNNI CPU. The exact u8×u8 path costs some
		// speed on such CPUs (BenchmarkPipeline's inference alone, AVX2:
		// 138 img/s against 174) and nothing elsewhere, and makes a
		// model's predictions the same on every machine.
		so.AddSessionConfigEntry("session.x64quantprecision", "1"),
	)
	if err == nil {
		switch opts.Device.Provider {
		case ProviderCUDA:
			err = appendCUDA(so, opts.Device)
		case ProviderWebGPU:
			err = appendWebGPU(so)
		}
	}
	if err != nil {
		so.Destroy()
		return nil, err
	}
	return so, nil
}

// Placement returns where ONNX Runtime put the session's nodes.
func (s *Session) Placement() Placement { return s.placement }

// IO returns the model's input/output description.
func (s *Session) IO() ModelIO { return s.io }

// InputLen is the number of float32 values of one image's tensor.
func (s *Session) InputLen() int { return 3 * s.size * s.size }

// Run infers n images: in holds n input tensors back to back, out receives
// n×Classes scores. A fixed-batch model needs n equal to its batch.
func (s *Session) Run(in []float32, n int, out []float32) error {
	if s.io.FixedBatch != 0 && n != s.io.FixedBatch {
		return fmt.Errorf("model takes batches of exactly %d images, got %d", s.io.FixedBatch, n)
	}
	if len(in) < n*s.InputLen() || len(out) < n*s.io.Classes {
		return fmt.Errorf("run: buffers too small for %d images", n)
	}
	inShape := ort.NewShape(int64(n), 3, int64(s.size), int64(s.size))
	if s.io.Layout == preprocess.NHWC {
		inShape = ort.NewShape(int64(n), int64(s.size), int64(s.size), 3)
	}
	outShape := append(ort.Shape{int64(n)}, s.io.outputDims[1:]...)
	inT, err := ort.NewTensor(inShape, in)
	if err != nil {
		return fmt.Errorf("input tensor: %w", err)
	}
	defer inT.Destroy()
	outT, err := ort.NewTensor(outShape, out)
	if err != nil {
		return fmt.Errorf("output tensor: %w", err)
	}
	defer outT.Destroy()
	if err := s.s.Run([]ort.Value{inT}, []ort.Value{outT}); err != nil {
		return fmt.Errorf("inference: %w", err)
	}
	return nil
}

// Close releases the session.
func (s *Session) Close() error {
	err := s.s.Destroy()
	s.log.release()
	return err
}
