package main

import (
	"encoding/json"
	"fmt"
	"io"

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
	gname := fs.String("genotype", "DARTS_V2", "a built-in genotype name or a .json/.py file")
	C := fs.Int("channels", 36, "initial channels")
	L := fs.Int("layers", 20, "cells")
	ds := fs.String("dataset", "cifar10", "input geometry: cifar10, cifar100, fashion-mnist, mnist")
	aux := fs.Bool("auxiliary", false, "count the auxiliary head too")
	asJSON := fs.Bool("json", false, "print {\"params\": N, \"mult_adds\": M}")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	shape, ok := datasetShapes[*ds]
	if !ok {
		return usagef("--dataset %q: want cifar10, cifar100, fashion-mnist or mnist", *ds)
	}
	g, err := genotype.Load(*gname)
	if err != nil {
		return fmt.Errorf("--genotype: %w", err)
	}
	params, madds, err := nas.Inspect(g, nas.EvalConfig{C: *C, Layers: *L, Classes: shape.classes, InChannels: shape.c, Auxiliary: *aux}, shape.size)
	if err != nil {
		return fmt.Errorf("--genotype %s: %w", *gname, err)
	}
	if *asJSON {
		b, _ := json.Marshal(map[string]int64{"params": int64(params), "mult_adds": madds})
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	auxNote := "auxiliary head excluded"
	if *aux {
		auxNote = "auxiliary head included"
	}
	fmt.Fprintf(stdout, "%s: C %d, %d cells, %s input\nparameters: %d (%.2fM, %s)\nmult-adds:  %d (%.1fM per image)\n",
		*gname, *C, *L, *ds, params, float64(params)/1e6, auxNote, madds, float64(madds)/1e6)
	return nil
}
