// Package cli is the command type of the imagenetx command line, in the
// manner of cmd/go's base.Command, kept apart from the commands so that
// cmd/imagenetx holds only what each command is: its flags, turned into the
// configuration of a library call.
//
// A Program is a set of Commands. Each Command has a name, a usage line, a
// one-line summary, a description, a function registering its flags and a
// Run function that receives an Env (standard output and error, the
// command line) instead of touching os.Stdout and os.Stderr, so that
// commands run in-process in tests. Commands are made afresh for every
// invocation by their constructors, their flags binding into each
// command's own configuration.
//
// Program.Execute parses a command line: flags may follow positional
// arguments, "-h" shows the usage line, the description and every flag,
// stray arguments and unknown flags are usage errors. Program.ExitStatus
// maps the outcome to the exit status: 0 done or help shown, 1 failed, 2 a
// usage error, 3 a run that finished with inputs that failed
// (ErrIncomplete), 130 interrupted.
//
// Var and the parsers beside it (AtLeast, OneOf, Level) make flags whose
// text is parsed as the command line is read, straight into library types,
// so that a malformed value is a usage error naming the flag.
package cli
