package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"godarts/report"
)

func init() {
	register(command{name: "report", summary: "write RUN_DIR/report.html: curves, α trajectories, cells, timings", run: runReport})
	// nas search writes the report at the end of every run.
	reportHook = report.Write
}

func runReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nas report RUN_DIR\n\nWrites RUN_DIR/report.html, one self-contained page (inline SVG, no JavaScript).")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usagef("%v", err)
	}
	switch fs.NArg() {
	case 0:
		return usagef("missing RUN_DIR (a directory written by nas search or nas train)")
	case 1:
	default:
		return usagef("one RUN_DIR expected, found %d", fs.NArg())
	}
	path, err := report.Write(fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, path)
	return nil
}
