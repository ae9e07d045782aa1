package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestHugeInputValuesAreNotEchoed feeds every command that reads tables a
// file with one 8 MB value (a field, a header column, a file name, a
// label) where an error quotes it: each fails, naming the file, and says
// so in a few kilobytes at most, quoting the start of the value only.
func TestHugeInputValuesAreNotEchoed(t *testing.T) {
	ann := writeAnnotationFixture(t)
	dir := t.TempDir()
	huge := strings.Repeat("A", 8<<20)
	good := writePredictionFixture(t, dir, "good", []fixturePrediction{{1, 0.5}, {2, 0.5}})
	file := func(name, content string) string {
		path := filepath.Join(dir, name)
		writeTestFile(t, path, content)
		return path
	}
	badClass := file("class.csv", fmt.Sprintf("file_name,predicted_class,predicted_probability\n%s,%s,0.5\n", fixtureName(0), huge))
	badProb := file("prob.csv", fmt.Sprintf("file_name,predicted_class,predicted_probability\n%s,1,%s\n", fixtureName(0), huge))
	badHeader := file("header.csv", fmt.Sprintf("file_name,%s,predicted_probability\nx,1,0.5\n", huge))
	annFile := file("ann.jsonl", fmt.Sprintf(`{"file_name": "%s", "class": 1}`+"\n", huge))
	shard := file("shard.csv", fmt.Sprintf("file_name,%s,predicted_probability\n", huge))
	file("shard.csv.run.json", `{"name":"m","model":"m","shard":{"index":0,"count":1},"images":1,"images_sha256":"00","shard_images":1,"topk":1,"batch":1}`)
	tests := []struct {
		name string
		args []string
		path string
	}{
		{"eval, a class", []string{"eval", "--annotations", ann, "--predictions", badClass}, badClass},
		{"eval, a probability", []string{"eval", "--annotations", ann, "--predictions", badProb}, badProb},
		{"eval, a header", []string{"eval", "--annotations", ann, "--predictions", badHeader}, badHeader},
		{"compare", []string{"compare", "--annotations", ann, "--predictions", good, "--predictions", badClass}, badClass},
		{"report", []string{"report", "--annotations", ann, "--predictions", badClass, "-o", filepath.Join(dir, "r.html")}, badClass},
		{"merge", []string{"merge", "-o", filepath.Join(dir, "m.csv"), shard}, shard},
		{"--annotations-file", []string{"eval", "--annotations", ann, "--annotations-file", annFile, "--predictions", good}, annFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := execute(context.Background(), tc.args, &stdout, &stderr)
			if rc := exitStatus(tc.args, err, &stderr); rc != 1 {
				t.Fatalf("exit status %d, want 1", rc)
			}
			msg := stderr.String()
			if len(msg) > 4096+200 || !strings.Contains(msg, tc.path) || !strings.Contains(msg, "AAAAAAAAAA") {
				t.Fatalf("%d bytes on stderr, want at most a few KB naming %s and quoting the value's start; it begins %q",
					len(msg), tc.path, msg[:min(len(msg), 600)])
			}
		})
	}
}
