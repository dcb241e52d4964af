package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"godarts/nas"
	"godarts/nas/genotype"
)

func init() {
	register(command{name: "inspect", summary: "parameter count and mult-adds of a genotype's network", run: runInspect})
}

// datasetShapes are the input geometry `nas inspect --dataset` knows.
var datasetShapes = map[string]struct{ c, size, classes int }{
	"cifar10":       {3, 32, 10},
	"cifar100":      {3, 32, 100},
	"fashion-mnist": {1, 28, 10},
	"mnist":         {1, 28, 10},
}

func runInspect(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("inspect", stderr)
	gname := fs.String("genotype", "DARTS_V2", "a built-in genotype name, a .json/.py file, or genotype.json of an nb201 search")
	C := fs.Int("channels", 36, "initial channels (default 16 for an NB201 genotype)")
	L := fs.Int("layers", 20, "cells (DARTS genotypes; an NB201 genotype fixes its own)")
	ds := fs.String("dataset", "cifar10", "input geometry: cifar10, cifar100, fashion-mnist, mnist")
	aux := fs.Bool("auxiliary", false, "count the auxiliary head too (DARTS genotypes)")
	asJSON := fs.Bool("json", false, "print {\"params\": N, \"mult_adds\": M}")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	shape, ok := datasetShapes[*ds]
	if !ok {
		return usagef("--dataset %q: want cifar10, cifar100, fashion-mnist or mnist", *ds)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var (
		params int
		madds  int64
		what   string
	)
	if b, err := os.ReadFile(*gname); err == nil && genotype.IsNB201Net(b) {
		// genotype.json of a search on an nb201 space: the stage network as nas train builds it.
		if set["layers"] {
			return usagef("--layers with the NB201 genotype %s: its stages fix their cell counts", *gname)
		}
		if *aux {
			return usagef("--auxiliary with the NB201 genotype %s: the NB201 network has no auxiliary head", *gname)
		}
		if !set["channels"] {
			*C = 16
		}
		g, err := genotype.ParseNB201Net(b)
		if err != nil {
			return fmt.Errorf("--genotype %s: %w", *gname, err)
		}
		if params, madds, err = nas.InspectNB201(g, *C, shape.c, shape.classes, shape.size); err != nil {
			return fmt.Errorf("--genotype %s: %w", *gname, err)
		}
		what = fmt.Sprintf("%s: NB201 stages %s, C %d, %s input\nparameters: %d (%.2fM)", *gname, g.Text(), *C, *ds, params, float64(params)/1e6)
	} else {
		g, err := genotype.Load(*gname)
		if err != nil {
			return fmt.Errorf("--genotype: %w", err)
		}
		params, madds, err = nas.Inspect(g, nas.EvalConfig{C: *C, Layers: *L, Classes: shape.classes, InChannels: shape.c, Auxiliary: *aux}, shape.size)
		if err != nil {
			return fmt.Errorf("--genotype %s: %w", *gname, err)
		}
		auxNote := "auxiliary head excluded"
		if *aux {
			auxNote = "auxiliary head included"
		}
		what = fmt.Sprintf("%s: C %d, %d cells, %s input\nparameters: %d (%.2fM, %s)", *gname, *C, *L, *ds, params, float64(params)/1e6, auxNote)
	}
	if *asJSON {
		b, _ := json.Marshal(map[string]int64{"params": int64(params), "mult_adds": madds})
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	fmt.Fprintf(stdout, "%s\nmult-adds:  %d (%.1fM per image)\n", what, madds, float64(madds)/1e6)
	return nil
}
