// Command nas is the one CLI of godarts: search, train, inspect, bench, optbench, devices,
// report and genotype.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
)

// A command is one subcommand. Each lives in its own file of this package and registers
// itself in init with register.
type command struct {
	name    string
	summary string
	// run parses args (the words after the command name) and does the work. Output meant
	// for the user goes to stdout; progress and diagnostics to stderr.
	run func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("nas: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// usageError marks a mistake in how the command was called (exit code 2); every other
// error is a failure at run time (exit code 1).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func main() {
	// Tensors are large and short-lived: a training step allocates its activations anew
	// and frees them at the end. The default GOGC=100 lets the heap grow to twice what is
	// live; 25 keeps the peak resident size at PyTorch's (nas bench, issue 4 notes) at no
	// measured cost in speed. GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit code. It turns every error,
// and any panic that escapes a command (a device failure, say), into one line on stderr.
func run(args []string, stdout, stderr io.Writer) (code int) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "nas: unknown command %q; expected one of %s\n", args[0], commandNames())
		return 2
	}
	defer func() {
		if r := recover(); r != nil {
			if os.Getenv("GODARTS_TRACE") != "" { // developers: keep the stack trace
				panic(r)
			}
			fmt.Fprintf(stderr, "nas %s: %v\n", c.name, r)
			code = 1
		}
	}()
	err := c.run(args[1:], stdout, stderr)
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "nas %s: %v\n", c.name, err)
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: nas COMMAND [flags]   (nas COMMAND -h for the flags of one command)")
	fmt.Fprintln(w, "commands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}

// newFlags returns a flag set for one command. Mistakes come back as one-line errors;
// only -h prints the list of flags (to stderr).
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("nas "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	helpOut[fs] = stderr
	return fs
}

var helpOut = map[*flag.FlagSet]io.Writer{}

// parseFlags parses args and turns every mistake into a usage error naming the flag.
// -h prints the flags and returns errHelp, which run treats as success.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			w := helpOut[fs]
			fmt.Fprintf(w, "usage: %s [flags]\n", fs.Name())
			fs.SetOutput(w)
			fs.PrintDefaults()
			return errHelp
		}
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (flags go before it? see %s -h)", fs.Arg(0), fs.Name())
	}
	return nil
}

var errHelp = errors.New("help shown")
