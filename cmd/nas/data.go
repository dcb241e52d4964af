package main

import (
	"fmt"
	"io"
	"strings"

	"godarts/data"
)

func init() {
	register(command{
		name:    "data",
		summary: "load a dataset and print its size, classes and per-channel statistics",
		run:     runData,
	})
}

func runData(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("data", stderr)
	name := fs.String("data", "embedded", "dataset: "+strings.Join(data.Names, ", "))
	dir := fs.String("data-dir", "", "directory holding the dataset files (default: the dataset's usual place)")
	subset := fs.Int("subset", 0, "stratified subset of this many training images (0: all)")
	seed := fs.Uint64("seed", 1, "seed of the subset")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *subset < 0 {
		return usagef("--subset %d, want 0 (all) or a positive count", *subset)
	}
	train, test, err := data.Open(*name, *dir)
	if err != nil {
		return err
	}
	if *subset > 0 {
		if train, err = train.Subset(*subset, *seed); err != nil {
			return usagef("--subset: %v", err)
		}
	}
	mean, std := train.ChannelStats()
	fmt.Fprintf(stdout, "dataset %s: %d classes, images %dx%dx%d (CxHxW)\n", train.Name, train.Classes, train.C, train.H, train.W)
	fmt.Fprintf(stdout, "train %d images, per class %v\n", train.N, train.ClassCounts())
	fmt.Fprintf(stdout, "test  %d images, per class %v\n", test.N, test.ClassCounts())
	fmt.Fprintf(stdout, "train mean %v std %v (per channel, pixels in [0, 1])\n", mean, std)
	fmt.Fprintf(stdout, "default augmentation %+v\n", data.DefaultAugment(train.Name))
	return nil
}
