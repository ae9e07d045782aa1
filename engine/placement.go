package engine

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Placement says where ONNX Runtime put a session's nodes (after graph
// optimisation), as its node placement report states it.
type Placement struct {
	// Provider is the execution provider the session was opened for.
	Provider Provider
	// Nodes counts nodes per ONNX Runtime provider name
	// ("CPUExecutionProvider", "WebGpuExecutionProvider", ...), including
	// the copies ONNX Runtime inserts between devices (MemcpyFromHost,
	// MemcpyToHost).
	Nodes map[string]int
	// Ops breaks Nodes down by operator type where the report lists the
	// nodes (it does when the nodes are split between providers).
	Ops map[string]map[string]int
}

// isCopy tells the device copies ONNX Runtime inserts from the model's
// own nodes.
func isCopy(op string) bool { return op == "MemcpyFromHost" || op == "MemcpyToHost" }

// count is the number of nodes on provider, without or with the copies.
func (p Placement) count(provider string, copies bool) int {
	n := p.Nodes[provider]
	if !copies {
		for op, c := range p.Ops[provider] {
			if isCopy(op) {
				n -= c
			}
		}
	}
	return n
}

// OnProvider is the number of the model's nodes (copies not counted) that
// the session's own provider took.
func (p Placement) OnProvider() int { return p.count(p.Provider.ORTName(), false) }

// OnCPU is the number of the model's nodes left to the CPU provider while
// another was asked for (0 for a CPU session).
func (p Placement) OnCPU() int {
	if p.Provider == ProviderCPU {
		return 0
	}
	return p.count(ProviderCPU.ORTName(), false)
}

// Copies is the number of device copies ONNX Runtime inserted between the
// provider's nodes and the CPU's.
func (p Placement) Copies() int {
	n := 0
	for name := range p.Nodes {
		n += p.count(name, true) - p.count(name, false)
	}
	return n
}

// Total is the number of the model's nodes in the optimised graph, copies
// not counted.
func (p Placement) Total() int {
	n := 0
	for name := range p.Nodes {
		n += p.count(name, false)
	}
	return n
}

// CPUOps lists the operator types placed on the CPU while another provider
// was asked for, most frequent first, with counts above one ("Shape×2").
func (p Placement) CPUOps() []string {
	if p.Provider == ProviderCPU {
		return nil
	}
	return opList(p.Ops[ProviderCPU.ORTName()])
}

// cpuOpsNote is " (QuantizeLinear×2, Gather)", or "" when the report did
// not list the nodes.
func (p Placement) cpuOpsNote() string {
	ops := p.CPUOps()
	if len(ops) == 0 {
		return ""
	}
	return " (" + strings.Join(ops, ", ") + ")"
}

// String is a one-line account, e.g. "WebGpuExecutionProvider: 120 of 123
// nodes; 3 on the CPU (Shape×2, Gather); 2 device copies".
func (p Placement) String() string {
	if len(p.Nodes) == 0 {
		return p.Provider.ORTName() + " (ONNX Runtime gave no node placement report)"
	}
	s := fmt.Sprintf("%s: %d of %d nodes", p.Provider.ORTName(), p.OnProvider(), p.Total())
	if n := p.OnCPU(); n > 0 {
		s += fmt.Sprintf("; %d on the CPU%s", n, p.cpuOpsNote())
	}
	for _, name := range p.others() {
		s += fmt.Sprintf("; %d on %s", p.count(name, false), name)
	}
	if n := p.Copies(); n > 0 {
		s += fmt.Sprintf("; %d device copies", n)
	}
	return s
}

// others are providers neither asked for nor the CPU, by name.
func (p Placement) others() []string {
	var out []string
	for name := range p.Nodes {
		if name != p.Provider.ORTName() && name != ProviderCPU.ORTName() {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// isCompute tells the operators that carry a classifier's arithmetic
// (convolutions and matrix products, float or integer: Conv, QLinearConv,
// ConvInteger, FusedConv, MatMul, MatMulInteger, QLinearMatMul, Gemm, ...)
// from the cheap ones around them.
func isCompute(op string) bool {
	return strings.Contains(op, "Conv") || strings.Contains(op, "MatMul") || strings.Contains(op, "Gemm")
}

// computeNodes counts the compute nodes on provider.
func (p Placement) computeNodes(provider string) int {
	n := 0
	for op, c := range p.Ops[provider] {
		if isCompute(op) {
			n += c
		}
	}
	return n
}

// check refuses a session whose GPU provider took fewer than half of the
// model's compute nodes (convolutions and matrix products; of all nodes
// when it has none): the model's arithmetic would run on the CPU, with
// copies to and fro, while the run says GPU. A few other nodes on the CPU
// are normal (ONNX Runtime keeps shape computations there on purpose) and
// are reported, not refused.
func (p Placement) check() error {
	if p.Provider == ProviderCPU {
		return nil
	}
	on, total, what := 0, 0, "nodes"
	for name := range p.Nodes {
		total += p.computeNodes(name)
	}
	if total > 0 {
		on, what = p.computeNodes(p.Provider.ORTName()), "convolution and matrix-product nodes"
	} else {
		on, total = p.OnProvider(), p.Total()
	}
	if 2*on > total {
		return nil
	}
	return fmt.Errorf("the %s execution provider takes %d of this model's %d %s, so the model would run mostly on the CPU "+
		"(%d nodes there%s); imagenetx does not fall back to the CPU silently: use device cpu for this model",
		p.Provider, on, total, what, p.OnCPU(), p.cpuOpsNote())
}

// The messages of ONNX Runtime's verbose node placement report
// (InferenceSession::VerifyEachNodeIsAssignedToAnEp), one per line:
//
//	Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 120
//	  Conv (conv1)
//	  Relu (relu1)
//	Node(s) placed on [CPUExecutionProvider]. Number of nodes: 3
//	  Shape (Shape_98)
//
// or, with a single provider, only "All nodes placed on
// [CPUExecutionProvider]. Number of nodes: 105".
var (
	placementHeaderRE = regexp.MustCompile(`(?:All nodes|Node\(s\)) placed on \[([^\]]+)\]\. Number of nodes: (\d+)`)
	placementNodeRE   = regexp.MustCompile(`^\s+(\S+) \(.*\)\s*$`)
)

func isPlacementHeader(msg string) bool { return placementHeaderRE.MatchString(msg) }
func isPlacementNode(msg string) bool   { return placementNodeRE.MatchString(msg) }

// errNoPlacement means ONNX Runtime wrote no placement report: a GPU
// session is then refused (nothing shows it did not fall back to the CPU);
// a CPU session goes on with an empty Placement.
var errNoPlacement = errors.New("ONNX Runtime reported no node placement")

// parsePlacement reads the placement report's messages. Where a header's
// nodes are listed, the list must be as long as the header says.
func parsePlacement(asked Provider, msgs []string) (Placement, error) {
	p := Placement{Provider: asked, Nodes: map[string]int{}, Ops: map[string]map[string]int{}}
	var provider string
	for _, m := range msgs {
		if sub := placementHeaderRE.FindStringSubmatch(m); sub != nil {
			n, err := strconv.Atoi(sub[2])
			if err != nil {
				return p, fmt.Errorf("node placement report %q: %w", m, err)
			}
			provider = sub[1]
			p.Nodes[provider] += n
			continue
		}
		if sub := placementNodeRE.FindStringSubmatch(m); sub != nil && provider != "" {
			if p.Ops[provider] == nil {
				p.Ops[provider] = map[string]int{}
			}
			p.Ops[provider][sub[1]]++
		}
	}
	if len(p.Nodes) == 0 {
		return p, errNoPlacement
	}
	for name, ops := range p.Ops {
		listed := 0
		for _, c := range ops {
			listed += c
		}
		if listed != p.Nodes[name] {
			return p, fmt.Errorf("node placement report: %s announced %d nodes but lists %d", name, p.Nodes[name], listed)
		}
	}
	return p, nil
}

// opList turns op counts into "Shape×2", "Gather", most frequent first,
// then by name.
func opList(counts map[string]int) []string {
	ops := make([]string, 0, len(counts))
	for op := range counts {
		if !isCopy(op) {
			ops = append(ops, op)
		}
	}
	slices.SortFunc(ops, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	for i, op := range ops {
		if counts[op] > 1 {
			ops[i] = fmt.Sprintf("%s×%d", op, counts[op])
		}
	}
	return ops
}

// explainSessionError turns a failed session creation into an error that
// says what is missing, using what ONNX Runtime logged on the way.
// ansiEscape matches a terminal control sequence (CSI), such as the colour
// codes ONNX Runtime's and Dawn's loggers put around a line.
var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]")

// plainText is a logged line without terminal control sequences, so that
// an error quoting it prints no stray "[0;93m" where the terminal is not
// one (a log file, CI).
func plainText(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	return ansiEscape.ReplaceAllString(s, "")
}

func explainSessionError(modelPath string, dev Device, err error, logged []string) error {
	if len(logged) > 0 {
		return fmt.Errorf("load model %s on %s: %w; ONNX Runtime logged: %s", modelPath, dev, err, strings.Join(logged, " | "))
	}
	return fmt.Errorf("load model %s on %s: %w", modelPath, dev, err)
}
