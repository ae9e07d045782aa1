package cli

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

// A Command is one subcommand: what `PROGRAM help` lists, what -h shows,
// its flags, and what it does.
type Command struct {
	// Name is the word after the program's name.
	Name string
	// Usage is the usage line (more lines for other forms), without
	// "usage: "; Short the one line `PROGRAM help` lists; Long the
	// description -h shows.
	Usage, Short, Long string
	// Args names the positional arguments, as in Usage ("SHARD..."); a
	// command without Args refuses any. MinArgs and MaxArgs bound their
	// number (MaxArgs < 0: no bound).
	Args             string
	MinArgs, MaxArgs int
	// Flags registers the command's flags.
	Flags func(fs *flag.FlagSet)
	// Renamed maps a flag the command no longer has to what to use
	// instead: given, it is a usage error saying so.
	Renamed map[string]string
	// Run does the work once the flags and arguments are checked.
	Run func(ctx context.Context, env *Env, args []string) error
}

// Env is what a command runs with: its streams, and the command line that
// reports record as their provenance.
type Env struct {
	Stdout, Stderr io.Writer
	// Line is the command line, the program's name first.
	Line []string
}

// CommandLine is the invocation, as reports note it.
func (e *Env) CommandLine() string { return strings.Join(e.Line, " ") }

// WriteOutput writes a command's output: "" and "-" are the command's
// standard output; any other path goes by atomicfile's rule (a device or
// FIFO written in place, a file replaced only when whole, a link written
// through).
func (e *Env) WriteOutput(path string, fill func(w io.Writer) error) error {
	if path == "" || path == "-" {
		if err := fill(e.Stdout); err != nil {
			return fmt.Errorf("write standard output: %w", err)
		}
		return nil
	}
	return atomicfile.Write(path, fill)
}

// UsageError is a command line that cannot be parsed (an unknown command
// or flag, a malformed flag value, a stray or missing argument): exit
// status 2.
type UsageError struct {
	Err error
	// shown: the usage is already on stderr; the message adds nothing.
	shown bool
}

func (u UsageError) Error() string { return u.Err.Error() }
func (u UsageError) Unwrap() error { return u.Err }

// Usagef is a UsageError with a formatted message.
func Usagef(format string, args ...any) error { return UsageError{Err: fmt.Errorf(format, args...)} }

// ErrHelp is returned when help was asked for and shown: exit status 0.
var ErrHelp = flag.ErrHelp

// ErrIncomplete marks a run that finished but could not process every
// input: exit status 3, so that scripts can tell it from a failure.
var ErrIncomplete = errors.New("incomplete")

// A Program is a set of commands under one name.
type Program struct {
	// Name is the program's name; Summary says in one sentence what it
	// does.
	Name, Summary string
	// Commands are the constructors of its commands.
	Commands []func() *Command
}

// Execute runs `PROGRAM args…` with the given streams and returns the
// command's error: nil, ErrHelp, a UsageError, or what the command
// returned.
func (p *Program) Execute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		p.writeUsage(stderr)
		return UsageError{Err: errors.New("no command given"), shown: true}
	}
	switch args[0] {
	case "-h", "-help", "--help":
		p.writeUsage(stdout)
		return ErrHelp
	case "help":
		return p.help(args[1:], stdout)
	}
	c, ok := p.Lookup(args[0])
	if !ok {
		return Usagef("unknown command %q", args[0])
	}
	return c.execute(ctx, &Env{Stdout: stdout, Stderr: stderr, Line: append([]string{p.Name}, args...)}, args[1:])
}

// ExitStatus maps Execute's error for args to the exit status, saying what
// went wrong on stderr.
func (p *Program) ExitStatus(args []string, err error, stderr io.Writer) int {
	prefix, helpCmd := p.Name, p.Name+" help"
	if len(args) > 0 {
		if _, ok := p.Lookup(args[0]); ok {
			prefix, helpCmd = p.Name+" "+args[0], p.Name+" help "+args[0]
		}
	}
	var usage UsageError
	if err != nil && !errors.Is(err, ErrHelp) {
		err = clipped{err}
	}
	switch {
	case err == nil, errors.Is(err, ErrHelp):
		return 0
	case errors.As(err, &usage):
		if !usage.shown {
			fmt.Fprintf(stderr, "%s: %v\nRun '%s' for usage.\n", prefix, err, helpCmd)
		}
		return 2
	case errors.Is(err, ErrIncomplete):
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 3
	case errors.Is(err, context.Canceled):
		// Say what the command said about where it stopped and how to go
		// on (--resume), without Go's "context canceled".
		msg := strings.TrimSuffix(err.Error(), ": "+context.Canceled.Error())
		if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasSuffix(msg, " signal received") {
			msg = msg[:i] // signal.NotifyContext's cause
		}
		if msg == context.Canceled.Error() || strings.HasSuffix(msg, " signal received") {
			fmt.Fprintf(stderr, "%s: interrupted\n", prefix)
		} else {
			fmt.Fprintf(stderr, "%s: interrupted: %s\n", prefix, msg)
		}
		return 130
	}
	fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
	return 1
}

// maxMessage bounds what an error prints: the messages quote input values
// clipped (package clip), and this catches one that still echoes an input
// whole (a 50 MB CSV field must not become 50 MB on stderr).
const maxMessage = 4096

// clipped is an error whose message is cut in the middle past maxMessage
// bytes, keeping its start (the command and file) and its end (the cause).
type clipped struct{ error }

func (c clipped) Error() string {
	msg := c.error.Error()
	if len(msg) <= maxMessage {
		return msg
	}
	head, tail := msg[:maxMessage/2], msg[len(msg)-maxMessage/4:]
	return strings.ToValidUTF8(head, "") + fmt.Sprintf(" … (%d bytes left out) … ", len(msg)-len(head)-len(tail)) + strings.ToValidUTF8(tail, "")
}

func (c clipped) Unwrap() error { return c.error }

// help is `PROGRAM help [COMMAND]`.
func (p *Program) help(args []string, stdout io.Writer) error {
	switch {
	case len(args) == 0:
		p.writeUsage(stdout)
		return ErrHelp
	case len(args) > 1:
		return Usagef("help takes one command, got %q", args)
	}
	c, ok := p.Lookup(args[0])
	if !ok {
		return Usagef("unknown command %q", args[0])
	}
	c.WriteUsage(stdout, c.FlagSet())
	return ErrHelp
}

// Lookup makes the named command.
func (p *Program) Lookup(name string) (*Command, bool) {
	for _, newCommand := range p.Commands {
		if c := newCommand(); c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// writeUsage lists the commands.
func (p *Program) writeUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s COMMAND [flags]\n\n%s\n\ncommands:\n", p.Name, p.Summary)
	var cmds []*Command
	for _, newCommand := range p.Commands {
		cmds = append(cmds, newCommand())
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-12s %s\n", c.Name, c.Short)
	}
	fmt.Fprintf(w, "\nRun '%s help COMMAND' (or '%[1]s COMMAND -h') for a command's description and flags.\n", p.Name)
}

// FlagSet is a fresh flag set with the command's flags, reporting nothing
// itself: Execute and WriteUsage say what went wrong and what the flags
// are.
func (c *Command) FlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if c.Flags != nil {
		c.Flags(fs)
	}
	return fs
}

// execute parses the command line, checks the positional arguments and
// runs the command; -h shows its usage on stdout.
func (c *Command) execute(ctx context.Context, e *Env, args []string) error {
	fs := c.FlagSet()
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c.WriteUsage(e.Stdout, fs)
		return ErrHelp
	}
	if err != nil {
		if name, ok := undefinedFlag(err); ok && c.Renamed[name] != "" {
			return Usagef("--%s is no longer a flag of %s: %s", name, c.Name, c.Renamed[name])
		}
		return UsageError{Err: errors.New(sayValueOnce(LongFlagNames(err.Error())))}
	}
	switch {
	case c.Args == "" && len(pos) > 0:
		return Usagef("unexpected argument %q", pos[0])
	case len(pos) < c.MinArgs:
		return Usagef("%s is required", c.Args)
	case c.MaxArgs >= 0 && len(pos) > c.MaxArgs:
		return Usagef("unexpected argument %q", pos[c.MaxArgs])
	}
	return c.Run(ctx, e, pos)
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

// undefinedFlag is the name in package flag's "flag provided but not
// defined: -name".
func undefinedFlag(err error) (string, bool) {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	return strings.TrimLeft(name, "-"), ok
}

// sayValueOnce drops the second naming of the flag and value from package
// flag's message when the value's parser named them too: `invalid value
// "x" for flag --f: f "x": why` becomes `invalid value "x" for flag --f:
// why`.
func sayValueOnce(msg string) string {
	rest, ok := strings.CutPrefix(msg, "invalid value ")
	if !ok {
		return msg
	}
	end := strings.Index(rest, " for flag ")
	if end < 0 {
		return msg
	}
	value := rest[:end]
	colon := strings.Index(rest[end:], ": ")
	if colon < 0 {
		return msg
	}
	head := len(msg) - len(rest) + end + colon + 2 // through "for flag --f: "
	inner := msg[head:]
	i := strings.Index(inner, value+": ")
	if i < 0 || strings.ContainsAny(inner[:i], ":\"") {
		return msg
	}
	return msg[:head] + inner[i+len(value)+2:]
}

// LongFlagNames spells the long flags in package flag's messages with two
// dashes, as the help and the documentation do: "invalid value "0" for
// flag --alpha", "flag provided but not defined: --bogus".
func LongFlagNames(msg string) string {
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

// WriteUsage is -h: the usage line, the description and every flag of fs,
// each with its argument's name and its default (none for off, 0 and
// empty, which say nothing a user needs).
func (c *Command) WriteUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", strings.ReplaceAll(c.Usage, "\n", "\n       "), strings.TrimSpace(c.Long))
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprintln(w, "\nflags:")
			first = false
		}
		arg, text := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if len(f.Name) == 1 {
			line = "  -" + f.Name
		}
		if arg != "" {
			line += " " + arg
		}
		switch f.DefValue {
		case "", "0", "false":
		default:
			if !strings.Contains(text, "(default") {
				text += " (default " + f.DefValue + ")"
			}
		}
		fmt.Fprintf(w, "%s\n%s\n", line, wrap(text, "      ", 80))
	})
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
