package engine

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The messages below are ONNX Runtime 1.24.3's own (its placement report
// for registry models on the WebGPU provider, trimmed).
func TestParsePlacement(t *testing.T) {
	qlinear := []string{
		" Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 5",
		"  DequantizeLinear (627_DequantizeLinear)",
		"  Shape (Shape_98)",
		"  DequantizeLinear (output_DequantizeLinear)",
		"  MemcpyFromHost (Memcpy)",
		"  MemcpyFromHost (Memcpy_token_1)",
		" Node(s) placed on [CPUExecutionProvider]. Number of nodes: 6",
		"  QuantizeLinear (input_QuantizeLinear)",
		"  QLinearConv (Conv_0_quant)",
		"  QLinearConv (Conv_2_quant)",
		"  QLinearAdd (Add_15_quant)",
		"  QLinearMatMul (MatMul_quant)",
		"  Gather (Gather_99)",
	}
	qdq := []string{
		" Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 7",
		"  DequantizeLinear (a)", "  Conv (b)", "  Conv (c)", "  Gemm (d)", "  Shape (e)",
		"  MemcpyFromHost (f)", "  MemcpyToHost (g)",
		" Node(s) placed on [CPUExecutionProvider]. Number of nodes: 3",
		"  QuantizeLinear (h)", "  QuantizeLinear (i)", "  Gather (j)",
	}
	tests := []struct {
		name    string
		asked   Provider
		msgs    []string
		wantErr string // from parsePlacement
		// want: OnProvider, OnCPU, Total, Copies; the String; check's error
		on, cpu, total, copies int
		str, refuse            string
	}{
		{name: "cpu, all nodes", asked: ProviderCPU,
			msgs: []string{" All nodes placed on [CPUExecutionProvider]. Number of nodes: 76"},
			on:   76, total: 76, str: "CPUExecutionProvider: 76 of 76 nodes"},
		{name: "webgpu, all nodes", asked: ProviderWebGPU,
			msgs: []string{"Node placements", " All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 67"},
			on:   67, total: 67, str: "WebGpuExecutionProvider: 67 of 67 nodes"},
		{name: "webgpu, whole model on the cpu", asked: ProviderWebGPU,
			msgs: []string{" All nodes placed on [CPUExecutionProvider]. Number of nodes: 12"},
			cpu:  12, total: 12, str: "WebGpuExecutionProvider: 0 of 12 nodes; 12 on the CPU",
			refuse: "takes 0 of this model's 12 nodes"},
		{name: "webgpu, qlinear model", asked: ProviderWebGPU, msgs: qlinear,
			on: 3, cpu: 6, total: 9, copies: 2,
			str:    "WebGpuExecutionProvider: 3 of 9 nodes; 6 on the CPU (QLinearConv×2, Gather, QLinearAdd, QLinearMatMul, QuantizeLinear); 2 device copies",
			refuse: "takes 0 of this model's 3 convolution and matrix-product nodes"},
		{name: "webgpu, qdq model", asked: ProviderWebGPU, msgs: qdq,
			on: 5, cpu: 3, total: 8, copies: 2,
			str: "WebGpuExecutionProvider: 5 of 8 nodes; 3 on the CPU (QuantizeLinear×2, Gather); 2 device copies"},
		{name: "unrelated messages around the report", asked: ProviderCPU,
			msgs: []string{"Session successfully initialized.", " All nodes placed on [CPUExecutionProvider]. Number of nodes: 3", "  not (a node line"},
			on:   3, total: 3, str: "CPUExecutionProvider: 3 of 3 nodes"},
		{name: "no report", asked: ProviderWebGPU, msgs: []string{"Initializing session."}, wantErr: errNoPlacement.Error()},
		{name: "list shorter than announced", asked: ProviderWebGPU,
			msgs:    []string{" Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 3", "  Conv (a)"},
			wantErr: "announced 3 nodes but lists 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsePlacement(tc.asked, tc.msgs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.OnProvider() != tc.on || p.OnCPU() != tc.cpu || p.Total() != tc.total || p.Copies() != tc.copies {
				t.Errorf("on %d cpu %d total %d copies %d; want %d %d %d %d", p.OnProvider(), p.OnCPU(), p.Total(), p.Copies(), tc.on, tc.cpu, tc.total, tc.copies)
			}
			if p.String() != tc.str {
				t.Errorf("String() = %q\nwant       %q", p.String(), tc.str)
			}
			err = p.check()
			switch {
			case tc.refuse == "" && err != nil:
				t.Errorf("check refused: %v", err)
			case tc.refuse != "" && (err == nil || !strings.Contains(err.Error(), tc.refuse) || !strings.Contains(err.Error(), "use device cpu")):
				t.Errorf("check = %v, want a refusal with %q that points to device cpu", err, tc.refuse)
			}
		})
	}
}

// TestOrtAPIIndices compiles a C program against the onnxruntime_c_api.h
// that onnxruntime_go ships and checks that the OrtApi positions
// sessionlog.go calls through are the header's.
func TestOrtAPIIndices(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc (the build needs it for cgo anyway)")
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/yalue/onnxruntime_go").Output()
	if err != nil {
		t.Fatalf("go list onnxruntime_go: %v", err)
	}
	hdrDir := strings.TrimSpace(string(out))
	src, err := os.ReadFile("sessionlog.go")
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{
		"ORTAPI_GET_ERROR_MESSAGE":         "GetErrorMessage",
		"ORTAPI_RELEASE_STATUS":            "ReleaseStatus",
		"ORTAPI_SET_USER_LOGGING_FUNCTION": "SetUserLoggingFunction",
	}
	prog := "#include <stdio.h>\n#include <stddef.h>\n#include \"onnxruntime_c_api.h\"\nint main(void) {\n"
	for enum, field := range fields {
		prog += `printf("` + enum + ` %zu\n", offsetof(OrtApi, ` + field + `) / sizeof(void *));` + "\n"
	}
	prog += "return 0; }\n"
	dir := t.TempDir()
	cfile, bin := filepath.Join(dir, "idx.c"), filepath.Join(dir, "idx")
	if err := os.WriteFile(cfile, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-I", hdrDir, "-o", bin, cfile).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	got, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(got)), "\n") {
		enum, idx, _ := strings.Cut(line, " ")
		m := regexp.MustCompile(enum + ` = (\d+)`).FindSubmatch(src)
		if m == nil {
			t.Fatalf("sessionlog.go has no %s", enum)
		}
		if want, _ := strconv.Atoi(idx); string(m[1]) != strconv.Itoa(want) {
			t.Errorf("%s = %s in sessionlog.go, but the header puts %s at %d", enum, m[1], fields[enum], want)
		}
	}
}

func TestPlainTextDropsTerminalCodes(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b[0;93m2026-12-07 [W:onnxruntime:, x.cc:1] slow\x1b[m": "2026-12-07 [W:onnxruntime:, x.cc:1] slow",
		"\x1b[1;31mfailed\x1b[0m":                                  "failed",
		"plain [W] line":                                           "plain [W] line",
	} {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}
