package torchexport

import (
	"context"
	"os"
	"testing"
)

// Require exports (or finds cached) what req asks for, for a test. Where
// PyTorch is absent the test is skipped on a developer machine but fails
// under CI (CI set), which installs python3-torch and python3-torchvision.
func Require(tb testing.TB, req Request) Export {
	tb.Helper()
	ctx := context.Background()
	if err := Available(ctx); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal(err)
		}
		tb.Skip(err)
	}
	exp, err := Run(ctx, req)
	if err != nil {
		tb.Fatal(err)
	}
	return exp
}
