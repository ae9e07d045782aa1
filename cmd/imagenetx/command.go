package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/imagenetx/imagenetx/internal/atomicfile"
)

// A command is one imagenetx subcommand, in the manner of cmd/go's
// base.Command: what `imagenetx help` lists, what `-h` shows, the flags,
// and what it does. Each command is made afresh for every invocation by its
// constructor (runCommand, evalCommand, …), whose flags bind into the
// command's own configuration, so nothing outlives a call and commands run
// in-process in tests.
type command struct {
	// name is the word after imagenetx.
	name string
	// usage is the usage line (more lines for other forms), without
	// "usage: ".
	usage string
	// short is the one line `imagenetx help` lists.
	short string
	// long describes the command for -h and `imagenetx help NAME`.
	long string
	// args names the positional arguments, as in usage ("SHARD..."); a
	// command without args refuses any. minArgs and maxArgs bound their
	// number (maxArgs < 0: no bound).
	args             string
	minArgs, maxArgs int
	// flags registers the command's flags.
	flags func(fs *flag.FlagSet)
	// run does the work once the flags and arguments are checked.
	run func(ctx context.Context, env *env, args []string) error
}

// env is what a command runs with: its streams, and the command line that
// reports record as their provenance.
type env struct {
	stdout, stderr io.Writer
	// line is the command line after "imagenetx".
	line []string
}

// commandLine is the invocation, as reports note it.
func (e *env) commandLine() string { return "imagenetx " + strings.Join(e.line, " ") }

// writeOutput writes a command's output: "" and "-" are the command's
// standard output; any other path goes by atomicfile's rule (a device or
// FIFO written in place, a file replaced only when whole, a link written
// through).
func (e *env) writeOutput(path string, fill func(w io.Writer) error) error {
	if path == "" || path == "-" {
		if err := fill(e.stdout); err != nil {
			return fmt.Errorf("write standard output: %w", err)
		}
		return nil
	}
	return atomicfile.Write(path, fill)
}

// usageError is a command line that cannot be parsed (an unknown command or
// flag, a malformed flag value, a stray or missing argument): exit status 2.
type usageError struct {
	err error
	// shown: the usage is already on stderr; the message adds nothing.
	shown bool
}

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// usagef is a usageError with a formatted message.
func usagef(format string, args ...any) error { return usageError{err: fmt.Errorf(format, args...)} }

// errHelp is returned when help was asked for and shown: exit status 0.
var errHelp = flag.ErrHelp

// errIncomplete marks a run that finished but could not process every
// input: exit status 3, so that scripts can tell it from a failure.
var errIncomplete = errors.New("incomplete")

// execute runs `imagenetx args…` with the given streams and returns the
// command's error: nil, errHelp, a usageError, or what the command returned.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		writeTopUsage(stderr)
		return usageError{err: errors.New("no command given"), shown: true}
	}
	switch args[0] {
	case "-h", "-help", "--help":
		writeTopUsage(stdout)
		return errHelp
	case "help":
		return help(args[1:], stdout)
	}
	c, ok := lookup(args[0])
	if !ok {
		return usagef("unknown command %q", args[0])
	}
	return c.execute(ctx, &env{stdout: stdout, stderr: stderr, line: args}, args[1:])
}

// help is `imagenetx help [COMMAND]`.
func help(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		writeTopUsage(stdout)
		return errHelp
	}
	if len(args) > 1 {
		return usagef("help takes one command, got %q", args)
	}
	c, ok := lookup(args[0])
	if !ok {
		return usagef("unknown command %q", args[0])
	}
	c.writeUsage(stdout, c.flagSet())
	return errHelp
}

// lookup makes the named command.
func lookup(name string) (*command, bool) {
	for _, newCommand := range commands() {
		if c := newCommand(); c.name == name {
			return c, true
		}
	}
	return nil, false
}

// flagSet is a fresh flag set with the command's flags, reporting nothing
// itself: execute and writeUsage say what went wrong and what the flags are.
func (c *command) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if c.flags != nil {
		c.flags(fs)
	}
	return fs
}

// execute parses the command line, checks the positional arguments and
// runs the command; -h shows its usage on stdout.
func (c *command) execute(ctx context.Context, e *env, args []string) error {
	fs := c.flagSet()
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c.writeUsage(e.stdout, fs)
		return errHelp
	}
	if err != nil {
		return usageError{err: errors.New(longFlagNames(err.Error()))}
	}
	switch {
	case c.args == "" && len(pos) > 0:
		return usagef("unexpected argument %q", pos[0])
	case len(pos) < c.minArgs:
		return usagef("%s is required", c.args)
	case c.maxArgs >= 0 && len(pos) > c.maxArgs:
		return usagef("unexpected argument %q", pos[c.maxArgs])
	}
	return c.run(ctx, e, pos)
}

// parseInterspersed parses flags that may also come after the positional
// arguments (`merge a.csv b.csv -o out.csv`), returning the positional
// ones; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// longFlagNames spells the long flags in package flag's messages with two
// dashes, as the help and the documentation do: "invalid value "0" for
// flag --alpha", "flag provided but not defined: --bogus".
func longFlagNames(msg string) string {
	var b strings.Builder
	for i, word := range strings.Split(msg, " ") {
		if i > 0 {
			b.WriteByte(' ')
		}
		if name := strings.TrimPrefix(word, "-"); len(word) > 2 && word[0] == '-' && 'a' <= name[0] && name[0] <= 'z' && name[1] != ':' {
			b.WriteByte('-')
		}
		b.WriteString(word)
	}
	return b.String()
}

// writeUsage is -h: the usage line, the description and every flag.
func (c *command) writeUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", strings.ReplaceAll(c.usage, "\n", "\n       "), strings.TrimSpace(c.long))
	var flags []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f) })
	if len(flags) == 0 {
		return
	}
	fmt.Fprintln(w, "\nflags:")
	for _, f := range flags {
		arg, text := flag.UnquoteUsage(f)
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		line := "  " + dash + f.Name
		if arg != "" {
			line += " " + arg
		}
		if def := defaultOf(f); def != "" && !strings.Contains(text, "(default") {
			text += " (default " + def + ")"
		}
		fmt.Fprintf(w, "%s\n%s\n", line, wrap(text, "      ", 80))
	}
}

// wrap breaks text into lines of at most width characters, each starting
// with indent (a longer word gets a line of its own).
func wrap(text, indent string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		switch {
		case n == 0:
			b.WriteString(indent)
			n = len(indent)
		case n+1+utf8.RuneCountInString(word) > width:
			b.WriteString("\n" + indent)
			n = len(indent)
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += utf8.RuneCountInString(word)
	}
	return b.String()
}

// defaultOf is the default a flag's help shows: none for the zero values
// (off, 0, empty), which say nothing a user needs.
func defaultOf(f *flag.Flag) string {
	switch f.DefValue {
	case "", "0", "false", "[]":
		return ""
	}
	return f.DefValue
}

// writeTopUsage lists the commands.
func writeTopUsage(w io.Writer) {
	fmt.Fprint(w, "usage: imagenetx COMMAND [flags]\n\n"+
		"imagenetx audits ImageNet classifiers with the ImageNet-X factor annotations.\n\ncommands:\n")
	var cmds []*command
	for _, newCommand := range commands() {
		cmds = append(cmds, newCommand())
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w, "\nRun 'imagenetx help COMMAND' (or 'imagenetx COMMAND -h') for a command's description and flags.")
}
