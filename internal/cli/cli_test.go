package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"
)

// testProgram has one command with a flag of each kind and, with args, a
// positional argument; run records what it was given.
func testProgram(got *[]string) *Program {
	return &Program{Name: "prog", Summary: "prog does things.", Commands: []func() *Command{
		func() *Command {
			var n int
			var kind string
			var quiet bool
			return &Command{Name: "do", Usage: "prog do [flags] THING", Short: "do a thing", Long: "Does THING.",
				Args: "THING", MinArgs: 1, MaxArgs: 1, Renamed: map[string]string{"number": "it is now --count"},
				Flags: func(fs *flag.FlagSet) {
					Var(fs, &n, "count", "3", AtLeast(1), "do it `N` times")
					Var(fs, &kind, "kind", "", OneOf("a", "b"), "the `KIND`: a or b")
					fs.Func("filter", "a `FILTER`", func(s string) error { return fmt.Errorf("filter %q: want bilinear", s) })
					fs.BoolVar(&quiet, "quiet", false, "say nothing")
				},
				Run: func(_ context.Context, e *Env, args []string) error {
					*got = append(*got, fmt.Sprintf("%v %d %s %v", args, n, kind, quiet), e.CommandLine())
					switch args[0] {
					case "fail":
						return errors.New("it failed")
					case "partly":
						return fmt.Errorf("%w: 1 of 2", ErrIncomplete)
					case "stop":
						return context.Canceled
					case "stopat":
						return fmt.Errorf("stopped after 3 of 9 images; continue with --resume: %w", context.Cause(canceledBySignal()))
					}
					return nil
				}}
		},
		func() *Command {
			return &Command{Name: "plain", Usage: "prog plain", Short: "nothing", Long: "Nothing.",
				Run: func(context.Context, *Env, []string) error { return nil }}
		},
	}}
}

// canceledBySignal is a context cancelled as signal.NotifyContext cancels
// one, with its cause.
func canceledBySignal() context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(fmt.Errorf("interrupt signal received: %w", context.Canceled))
	return ctx
}

func TestExecuteAndExitStatus(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		status int
		ran    string
		stderr string
	}{
		{[]string{"do", "x"}, 0, "[x] 3  false", ""},
		{[]string{"do", "x", "--count", "2", "--kind", "b", "--quiet"}, 0, "[x] 2 b true", ""},
		{[]string{"do", "--count=5", "--", "-x"}, 0, "[-x] 5  false", ""},
		{[]string{"do", "fail"}, 1, "[fail] 3  false", "prog do: it failed\n"},
		{[]string{"do", "partly"}, 3, "[partly] 3  false", "prog do: incomplete: 1 of 2\n"},
		{[]string{"do", "stop"}, 130, "[stop] 3  false", "prog do: interrupted\n"},
		// An interrupt says how to go on, once, without Go's words.
		{[]string{"do", "stopat"}, 130, "[stopat] 3  false", "prog do: interrupted: stopped after 3 of 9 images; continue with --resume\n"},
		// The value is named once, though the parser names it too.
		{[]string{"do", "x", "--filter", "lanczos"}, 2, "", "prog do: invalid value \"lanczos\" for flag --filter: want bilinear\n"},
		{[]string{"do", "x", "--number", "2"}, 2, "", "prog do: --number is no longer a flag of do: it is now --count\n"},
		{[]string{"do"}, 2, "", "prog do: THING is required\nRun 'prog help do' for usage.\n"},
		{[]string{"do", "x", "y"}, 2, "", `prog do: unexpected argument "y"`},
		{[]string{"plain", "y"}, 2, "", `prog plain: unexpected argument "y"`},
		{[]string{"do", "x", "--count", "0"}, 2, "", `invalid value "0" for flag --count: want an integer ≥ 1`},
		{[]string{"do", "x", "--kind", "c"}, 2, "", "for flag --kind: want a or b"},
		{[]string{"do", "x", "--bogus"}, 2, "", "flag provided but not defined: --bogus"},
		{[]string{"nope"}, 2, "", "prog: unknown command \"nope\"\nRun 'prog help' for usage.\n"},
		{nil, 2, "", "usage: prog COMMAND"},
	} {
		var got []string
		p := testProgram(&got)
		var stderr bytes.Buffer
		status := p.ExitStatus(tc.args, p.Execute(context.Background(), tc.args, io.Discard, &stderr), &stderr)
		ran := ""
		if len(got) > 0 {
			ran = got[0]
			if want := "prog " + strings.Join(tc.args, " "); got[1] != want {
				t.Errorf("%q: command line %q, want %q", tc.args, got[1], want)
			}
		}
		if status != tc.status || ran != tc.ran || !strings.Contains(stderr.String(), tc.stderr) || strings.Count(stderr.String(), "lanczos") > 1 {
			t.Errorf("%q: status %d, ran %q, stderr %q; want %d, %q, %q", tc.args, status, ran, stderr.String(), tc.status, tc.ran, tc.stderr)
		}
	}
}

func TestHelp(t *testing.T) {
	var got []string
	p := testProgram(&got)
	for _, args := range [][]string{{"do", "-h"}, {"help", "do"}, {"do", "x", "--help"}} {
		var stdout, stderr bytes.Buffer
		err := p.Execute(context.Background(), args, &stdout, &stderr)
		want := "usage: prog do [flags] THING\n\nDoes THING.\n\nflags:\n  --count N\n      do it N times (default 3)\n" +
			"  --filter FILTER\n      a FILTER\n  --kind KIND\n      the KIND: a or b\n  --quiet\n      say nothing\n"
		if p.ExitStatus(args, err, &stderr) != 0 || stdout.String() != want || stderr.Len() != 0 || len(got) != 0 {
			t.Errorf("%q: %v\n%s\nwant\n%s", args, err, stdout.String(), want)
		}
	}
	var stdout bytes.Buffer
	if err := p.Execute(context.Background(), []string{"help"}, &stdout, io.Discard); !errors.Is(err, ErrHelp) ||
		!strings.Contains(stdout.String(), "  do           do a thing\n  plain        nothing\n") {
		t.Errorf("help: %v\n%s", err, stdout.String())
	}
}

func TestLongFlagNames(t *testing.T) {
	for in, want := range map[string]string{
		`invalid value "0" for flag -alpha: want a level`: `invalid value "0" for flag --alpha: want a level`,
		"flag provided but not defined: -bogus":           "flag provided but not defined: --bogus",
		"flag needs an argument: -o":                      "flag needs an argument: -o",
		`invalid value "-1" for flag -o: x -1 -0.5`:       `invalid value "-1" for flag -o: x -1 -0.5`,
	} {
		if got := LongFlagNames(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc dddddddddd e", "  ", 10)
	if want := "  aaa bbb\n  ccc\n  dddddddddd\n  e"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestValues(t *testing.T) {
	for s, ok := range map[string]bool{"0.5": true, "1": false, "0": false, "x": false} {
		if _, err := Level(false)(s); (err == nil) != ok {
			t.Errorf("Level(false)(%q): %v", s, err)
		}
	}
	if _, err := Level(true)("1"); err != nil {
		t.Error(err)
	}
	if _, err := AtLeast[int64](0)("-1"); err == nil {
		t.Error("AtLeast(0) took -1")
	}
	if got := OrList([]string{"a", "b", "c"}); got != "a, b or c" {
		t.Error(got)
	}
}
