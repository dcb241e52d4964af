package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"godarts/internal/atomicfile"
	"godarts/nas/genotype"
)

func init() {
	register(command{
		name:    "genotype",
		summary: "show, draw or list genotypes (built-in names or files)",
		run:     runGenotype,
	})
}

const genotypeUsage = `usage:
  nas genotype show GENOTYPE [--json | --python] [--space NAME]
  nas genotype draw GENOTYPE (--svg FILE | --dot FILE) [--cell normal|reduce|both] [--space NAME]
  nas genotype list
GENOTYPE is a built-in name (nas genotype list) or a .json / Python text file.`

func runGenotype(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("missing subcommand\n%s", genotypeUsage)
	}
	switch args[0] {
	case "show":
		return genotypeShow(args[1:], stdout, stderr)
	case "draw":
		return genotypeDraw(args[1:], stdout, stderr)
	case "list":
		if len(args) > 1 {
			return usagef("genotype list takes no arguments")
		}
		for _, n := range genotype.Names() {
			fmt.Fprintln(stdout, n)
		}
		return nil
	case "-h", "--help", "help":
		fmt.Fprintln(stderr, genotypeUsage)
		return errHelp
	}
	return usagef("unknown subcommand %q\n%s", args[0], genotypeUsage)
}

func genotypeShow(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("genotype show", stderr)
	asJSON := fs.Bool("json", false, "print only the JSON form")
	asPython := fs.Bool("python", false, "print only the DARTS Python text form")
	space := fs.String("space", "", "space a Python text file is checked against (default: darts for pairs, fair7 for triples)")
	name, err := parseGenotypeArgs(fs, args)
	if err != nil {
		return err
	}
	if *asJSON && *asPython {
		return usagef("--json and --python exclude each other (give neither for both)")
	}
	g, err := loadGenotype(name, *space)
	if err != nil {
		return err
	}
	if !*asPython {
		if _, err := stdout.Write(g.JSON()); err != nil {
			return err
		}
	}
	if !*asJSON {
		fmt.Fprintln(stdout, g.Python())
	}
	if e := g.Empty(); e.Any() {
		fmt.Fprintf(stderr, "note: %s\n", e)
	}
	return nil
}

func genotypeDraw(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("genotype draw", stderr)
	svgPath := fs.String("svg", "", "write the cell diagram as SVG to `FILE`")
	dotPath := fs.String("dot", "", "write the cell diagram as graphviz DOT to `FILE`")
	cell := fs.String("cell", "both", "which cell to draw: normal, reduce or both")
	space := fs.String("space", "", "space a Python text file is checked against (default: darts for pairs, fair7 for triples)")
	name, err := parseGenotypeArgs(fs, args)
	if err != nil {
		return err
	}
	if *svgPath == "" && *dotPath == "" {
		return usagef("give --svg FILE or --dot FILE (or both)")
	}
	var kinds []genotype.CellKind
	switch *cell {
	case "normal":
		kinds = []genotype.CellKind{genotype.Normal}
	case "reduce":
		kinds = []genotype.CellKind{genotype.Reduce}
	case "both":
	default:
		return usagef("--cell %q: want normal, reduce or both", *cell)
	}
	g, err := loadGenotype(name, *space)
	if err != nil {
		return err
	}
	if *svgPath != "" {
		if err := atomicfile.WriteFile(*svgPath, genotype.SVG(g, kinds...)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *svgPath)
	}
	if *dotPath != "" {
		if err := atomicfile.WriteFile(*dotPath, genotype.DOT(g, kinds...)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *dotPath)
	}
	return nil
}

// parseGenotypeArgs parses flags given before or after the one GENOTYPE argument.
func parseGenotypeArgs(fs *flag.FlagSet, args []string) (string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", errHelp
			}
			return "", usagef("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch len(pos) {
	case 0:
		return "", usagef("missing GENOTYPE (a built-in name: %s; or a file)", strings.Join(genotype.Names(), ", "))
	case 1:
		return pos[0], nil
	}
	return "", usagef("one GENOTYPE expected, found %d: %s", len(pos), strings.Join(pos, " "))
}

func loadGenotype(name, space string) (*genotype.Genotype, error) {
	if space != "" {
		if _, err := genotype.SpaceByName(space); err != nil {
			return nil, usagef("--space: %v", err)
		}
		if _, err := genotype.ByName(name); err != nil {
			return genotype.LoadFile(name, space)
		}
	}
	return genotype.Load(name)
}
