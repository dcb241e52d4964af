package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"godarts/data"
	"godarts/progress"
	"godarts/rundir"
)

// version is stamped into every config.json.
const version = "0.1.0"

// commonFlags are the flags every training command shares.
type commonFlags struct {
	data, dataDir  string
	subset         int
	seed           uint64
	device         string
	threads        int
	out, resume    string
	quiet, logJSON bool
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.data, "data", "embedded", "dataset: embedded, fashion-mnist, mnist, cifar10, cifar100, medmnist:FILE.npz")
	fs.StringVar(&c.dataDir, "data-dir", "", "directory holding the dataset files (default: where Debian's package puts them)")
	fs.IntVar(&c.subset, "subset", 0, "use a stratified subset of N training images (0 = all)")
	fs.Uint64Var(&c.seed, "seed", 0, "random seed (0 = the method's default)")
	fs.StringVar(&c.device, "device", "cpu", "cpu, vulkan, vulkan:N or auto")
	fs.IntVar(&c.threads, "threads", 0, "CPU threads (0 = all cores)")
	fs.StringVar(&c.out, "out", "", "run directory (default runs/<command>-<timestamp>)")
	fs.StringVar(&c.resume, "resume", "", "continue the run in DIR from its last checkpoint")
	fs.BoolVar(&c.quiet, "quiet", false, "print nothing but errors and the result")
	fs.BoolVar(&c.logJSON, "log-json", false, "progress as JSON lines on stderr")
}

func (c *commonFlags) reporter(stderr io.Writer) *progress.Reporter {
	switch {
	case c.logJSON:
		return progress.New(stderr, progress.JSON)
	case c.quiet:
		return progress.New(stderr, progress.Quiet)
	}
	return progress.New(stderr, progress.Auto)
}

// loadData opens the dataset and applies --subset.
func (c *commonFlags) loadData() (train, test *data.Dataset, err error) {
	known := strings.HasPrefix(c.data, "medmnist:")
	for _, n := range data.Names {
		known = known || n == c.data
	}
	if !known {
		return nil, nil, usagef("--data %q: want one of %s", c.data, strings.Join(data.Names, ", "))
	}
	if c.subset < 0 {
		return nil, nil, usagef("--subset %d: want ≥ 0", c.subset)
	}
	train, test, err = data.Open(c.data, c.dataDir)
	if err != nil {
		return nil, nil, fmt.Errorf("--data %s: %w", c.data, err)
	}
	if c.subset > 0 {
		if train, err = train.Subset(c.subset, c.seed); err != nil {
			return nil, nil, fmt.Errorf("--subset %d: %w", c.subset, err)
		}
	}
	return train, test, nil
}

// runConfig is config.json.
type runConfig struct {
	Command string            `json:"command"`
	Version string            `json:"version"`
	Device  string            `json:"device"`
	Seed    uint64            `json:"seed"`
	Started string            `json:"started"`
	Flags   map[string]string `json:"flags"`
	Args    []string          `json:"args"`
	Details any               `json:"details,omitempty"`
}

// allFlags records every flag's value, set or default.
func allFlags(fs *flag.FlagSet) map[string]string {
	m := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { m[f.Name] = f.Value.String() })
	return m
}

// setFlags lists the flags given on the command line, for resume.
func setFlags(fs *flag.FlagSet) []string {
	var args []string
	fs.Visit(func(f *flag.Flag) { args = append(args, "--"+f.Name+"="+f.Value.String()) })
	sort.Strings(args)
	return args
}

// openRunDir creates the run directory of a new run, or opens the one to resume.
func (c *commonFlags) openRunDir(command string) (*rundir.Dir, error) {
	if c.resume != "" {
		d, err := rundir.Open(c.resume)
		if err != nil {
			return nil, fmt.Errorf("--resume: %w", err)
		}
		if _, err := os.Stat(d.File(rundir.State)); err != nil {
			return nil, fmt.Errorf("--resume %s: no %s there (no finished epoch to continue from)", c.resume, rundir.State)
		}
		return d, nil
	}
	out := c.out
	if out == "" {
		out = rundir.Default(command, time.Now())
	}
	if _, err := os.Stat(out + "/" + rundir.State); err == nil {
		return nil, fmt.Errorf("--out %s: holds a run already; use --resume %s to continue it or another --out", out, out)
	}
	return rundir.Create(out)
}

// parseRunFlags parses the flags of a training command (the common ones and those define
// adds, into the caller's variables) and opens its run directory. With --resume it parses
// instead the flags the run was started with (config.json), keeping this call's device
// flags, so a resumed run repeats the same settings.
func parseRunFlags(command string, args []string, stderr io.Writer, cf *commonFlags, define func(*flag.FlagSet)) (*flag.FlagSet, *rundir.Dir, error) {
	fs := newFlags(command, stderr)
	cf.register(fs)
	define(fs)
	if err := parseFlags(fs, args); err != nil {
		return nil, nil, err
	}
	dir, err := cf.openRunDir(command)
	if err != nil || cf.resume == "" {
		return fs, dir, err
	}
	resume := cf.resume
	saved, err := resumeArgs(dir, setFlags(fs), fs)
	if err != nil {
		return nil, nil, err
	}
	// Defining the flags again on a fresh set resets the variables to their defaults.
	fs2 := newFlags(command, stderr)
	cf.register(fs2)
	define(fs2)
	if err := parseFlags(fs2, saved); err != nil {
		return nil, nil, fmt.Errorf("--resume %s: saved flags: %w", dir.Path, err)
	}
	cf.resume = resume
	return fs2, dir, nil
}

// resumeArgs returns the flags a run was started with (config.json), with the device
// flags of this call in force, so a resumed run repeats the same settings.
func resumeArgs(dir *rundir.Dir, now []string, fs *flag.FlagSet) ([]string, error) {
	var rc runConfig
	if err := dir.ReadJSON(rundir.Config, &rc); err != nil {
		return nil, err
	}
	override := map[string]bool{"device": true, "threads": true, "quiet": true, "log-json": true, "resume": true}
	var args []string
	for _, a := range rc.Args {
		name := a[2:]
		if i := indexByte(name, '='); i >= 0 {
			name = name[:i]
		}
		if !override[name] && fs.Lookup(name) != nil {
			args = append(args, a)
		}
	}
	for _, a := range now {
		name := a[2:]
		if i := indexByte(name, '='); i >= 0 {
			name = name[:i]
		}
		if override[name] {
			args = append(args, a)
		}
	}
	return args, nil
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}

// Many numeric flags default to 0, which stands for "the method's default" (their help
// says which). An explicit 0 must not be silently replaced: refuseZero turns it into a
// usage error where 0 is no setting (--epochs 0), and zeroSet tells the caller where 0 is
// one (--lr-min 0), so it can put the 0 back after the defaults are filled in.

// refuseZero returns a usage error for the first of names set explicitly to zero.
func refuseZero(fs *flag.FlagSet, names ...string) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if err == nil && isZeroFlag(f) && contains(names, f.Name) {
			err = &usageError{msg: fmt.Sprintf("--%s 0: want a positive value (leave the flag out for the default)", f.Name)}
		}
	})
	return err
}

// zeroSet reports whether the flag name was set explicitly to zero.
func zeroSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || (f.Name == name && isZeroFlag(f)) })
	return set
}

func isZeroFlag(f *flag.Flag) bool {
	var v float64
	_, err := fmt.Sscan(f.Value.String(), &v)
	return err == nil && v == 0
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}
