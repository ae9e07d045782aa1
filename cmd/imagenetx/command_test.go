package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/imagenetx/imagenetx/internal/cli"
)

// invoke runs `imagenetx name args…` in process, its output discarded.
func invoke(ctx context.Context, name string, args []string) error {
	return invokeTo(ctx, name, args, io.Discard, io.Discard)
}

// invokeTo is invoke with the given streams.
func invokeTo(ctx context.Context, name string, args []string, stdout, stderr io.Writer) error {
	return execute(ctx, append([]string{name}, args...), stdout, stderr)
}

// allCommands makes every command.
func allCommands() []*cli.Command {
	var cmds []*cli.Command
	for _, newCommand := range program().Commands {
		cmds = append(cmds, newCommand())
	}
	return cmds
}

// placeholder is the argument name a flag's help shows: a word in capitals
// (NAME|FILE, R,G,B, NAME=S, i/n).
var placeholder = regexp.MustCompile(`^([A-Z][A-Z0-9_.]*([|,=][A-Z][A-Z0-9_.]*)*|i/n)$`)

// TestHelpOfEveryCommand runs -h, --help and `imagenetx help NAME` for every
// command: each prints, on stdout, the usage line, the description and
// every flag with a placeholder for its argument, and no malformed default
// (a second "(default", Go's bare "Usage of", a leftover backquote, a -1).
func TestHelpOfEveryCommand(t *testing.T) {
	cmds := allCommands()
	if len(cmds) != 16 {
		t.Fatalf("%d commands", len(cmds))
	}
	for _, c := range cmds {
		t.Run(c.Name, func(t *testing.T) {
			if c.Usage == "" || c.Short == "" || strings.TrimSpace(c.Long) == "" || !strings.HasPrefix(c.Usage, "imagenetx "+c.Name) {
				t.Fatalf("usage %q, short %q, long %q", c.Usage, c.Short, c.Long)
			}
			var help []string
			for _, args := range [][]string{{c.Name, "-h"}, {c.Name, "--help"}, {"help", c.Name}} {
				var stdout, stderr bytes.Buffer
				err := execute(context.Background(), args, &stdout, &stderr)
				if !errors.Is(err, cli.ErrHelp) || exitStatus(args, err, &stderr) != 0 || stderr.Len() != 0 {
					t.Fatalf("%q: %v, stderr %q", args, err, stderr.String())
				}
				help = append(help, stdout.String())
			}
			if help[0] != help[1] || help[0] != help[2] {
				t.Errorf("-h, --help and help %s differ", c.Name)
			}
			text := help[0]
			// Every line fits a 100-column terminal unwrapped.
			for _, l := range strings.Split(text, "\n") {
				if n := utf8.RuneCountInString(l); n > 100 {
					t.Errorf("a help line of %d characters: %q", n, l)
				}
			}
			firstLine := strings.SplitN(c.Usage, "\n", 2)[0]
			for _, want := range []string{"usage: " + firstLine, strings.Fields(c.Long)[0]} {
				if !strings.Contains(text, want) {
					t.Errorf("help lacks %q:\n%s", want, text)
				}
			}
			for _, bad := range []string{"Usage of", "`", "(default -1)", "(default: the model's) (default", "\t"} {
				if strings.Contains(text, bad) {
					t.Errorf("help holds %q:\n%s", bad, text)
				}
			}
			fs := c.FlagSet()
			fs.VisitAll(func(f *flag.Flag) {
				entry := flagEntry(text, f.Name)
				if entry == "" {
					t.Errorf("help lacks --%s:\n%s", f.Name, text)
					return
				}
				if strings.Count(entry, "(default") > 1 {
					t.Errorf("--%s: two defaults: %q", f.Name, entry)
				}
				head := strings.Fields(strings.SplitN(entry, "\n", 2)[0])
				isBool := false
				if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
					isBool = true
				}
				switch {
				case isBool && len(head) != 1:
					t.Errorf("--%s is a switch but shows an argument: %q", f.Name, entry)
				case !isBool && (len(head) != 2 || !placeholder.MatchString(head[1])):
					t.Errorf("--%s: argument placeholder %q is not a name in capitals", f.Name, head[1:])
				}
			})
		})
	}
}

// flagEntry is a flag's lines in the help ("" when absent).
func flagEntry(help, name string) string {
	dash := "--"
	if len(name) == 1 {
		dash = "-"
	}
	lines := strings.Split(help, "\n")
	for i, l := range lines {
		if f := strings.Fields(l); strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "   ") && len(f) > 0 && f[0] == dash+name && i+1 < len(lines) {
			return l + "\n" + lines[i+1]
		}
	}
	return ""
}

// TestTopLevelHelp: -h, --help and help list every command with its
// summary; no command is a usage error.
func TestTopLevelHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		var stdout, stderr bytes.Buffer
		err := execute(context.Background(), args, &stdout, &stderr)
		if exitStatus(args, err, &stderr) != 0 {
			t.Fatalf("%q: %v", args, err)
		}
		for _, l := range strings.Split(stdout.String(), "\n") {
			if n := utf8.RuneCountInString(l); n > 100 {
				t.Errorf("%q: a line of %d characters: %q", args, n, l)
			}
		}
		for _, c := range allCommands() {
			if !strings.Contains(stdout.String(), "  "+c.Name+" ") || !strings.Contains(stdout.String(), c.Short) {
				t.Errorf("%q does not list %s:\n%s", args, c.Name, stdout.String())
			}
		}
	}
	for _, args := range [][]string{nil, {"nope"}, {"help", "nope"}, {"help", "run", "eval"}} {
		var stderr bytes.Buffer
		if rc := exitStatus(args, execute(context.Background(), args, io.Discard, &stderr), &stderr); rc != 2 || stderr.Len() == 0 {
			t.Errorf("%q: exit status %d, stderr %q; want 2 and a message", args, rc, stderr.String())
		}
	}
}

// TestEveryCommandRefusesStrayArguments gives every command an argument it
// does not take (after its own positional ones) and an unknown flag: both
// are usage errors (exit status 2) naming the culprit, before anything runs.
func TestEveryCommandRefusesStrayArguments(t *testing.T) {
	positional := map[string][]string{"plot": {"accuracy"}}
	for _, c := range allCommands() {
		if c.MaxArgs < 0 {
			continue // merge takes any number of shards
		}
		t.Run(c.Name, func(t *testing.T) {
			for _, tc := range []struct {
				args []string
				want string
			}{
				{append(append([]string{c.Name}, positional[c.Name]...), "stray"), `unexpected argument "stray"`},
				{append(append([]string{c.Name}, positional[c.Name]...), "--no-such-flag"), "--no-such-flag"},
			} {
				var stderr bytes.Buffer
				err := execute(context.Background(), tc.args, io.Discard, &stderr)
				if rc := exitStatus(tc.args, err, &stderr); rc != 2 || !strings.Contains(stderr.String(), tc.want) ||
					!strings.Contains(stderr.String(), "imagenetx help "+c.Name) {
					t.Errorf("%q: exit status %d, stderr %q; want 2 and %q", tc.args, rc, stderr.String(), tc.want)
				}
			}
		})
	}
}
