package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"godarts/nas"
	"godarts/rundir"
)

func init() {
	register(command{name: "search", summary: "search a cell architecture (DARTS, FairDARTS, ...)", run: runSearch})
}

// Settings of a search on the embedded data when the flags leave them unset: a network
// small enough that `nas search` with no flags finishes in minutes on two cores
// (the paper's C 16, 8 cells, 50 epochs, batch 64 take hours there).
var embeddedSearch = nas.SearchConfig{Channels: 8, Layers: 5, Batch: 32, Epochs: 6}

func runSearch(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("search", stderr)
	var cf commonFlags
	cf.register(fs)
	var cfg nas.SearchConfig
	registerSearchFlags(fs, &cfg)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if cf.resume != "" {
		dir, err := cf.openRunDir("search")
		if err != nil {
			return err
		}
		saved, err := resumeArgs(dir, setFlags(fs), fs)
		if err != nil {
			return err
		}
		fs2 := newFlags("search", stderr)
		var cf2 commonFlags
		cf2.register(fs2)
		var cfg2 nas.SearchConfig
		registerSearchFlags(fs2, &cfg2)
		if err := parseFlags(fs2, saved); err != nil {
			return fmt.Errorf("--resume %s: saved flags: %w", dir.Path, err)
		}
		cf2.resume = cf.resume
		return search(cf2, cfg2, dir, stdout, stderr)
	}
	dir, err := cf.openRunDir("search")
	if err != nil {
		return err
	}
	return search(cf, cfg, dir, stdout, stderr)
}

// registerSearchFlags defines the flags of the search settings.
func registerSearchFlags(fs *flag.FlagSet, cfg *nas.SearchConfig) {
	fs.StringVar(&cfg.Space, "space", "", "search space: darts, fair7, s1, s2, s3, s4 (default: the method's)")
	fs.StringVar(&cfg.Method, "method", "darts", "architecture optimiser: darts, fairdarts")
	fs.IntVar(&cfg.Order, "order", 1, "DARTS gradient order: 1 or 2 (unrolled)")
	fs.IntVar(&cfg.Epochs, "epochs", 0, "epochs (default 50; 6 on the embedded data)")
	fs.IntVar(&cfg.Batch, "batch", 0, "batch size of both halves (default: the method's; 32 on the embedded data)")
	fs.IntVar(&cfg.Channels, "channels", 0, "initial channels C (default 16; 8 on the embedded data)")
	fs.IntVar(&cfg.Layers, "layers", 0, "cells (default 8; 5 on the embedded data)")
	fs.Float64Var(&cfg.TrainPortion, "train-portion", 0, "fraction of the training set for the weights; the rest trains α (default 0.5)")
	fs.Float64Var(&cfg.LR, "lr", 0, "weight learning rate (default: the method's)")
	fs.Float64Var(&cfg.LRMin, "lr-min", 0, "final weight learning rate of the cosine schedule (default 0.001)")
	fs.Float64Var(&cfg.ArchLR, "arch-lr", 0, "architecture (α) learning rate (default: the method's)")
	fs.Float64Var(&cfg.ZeroOneWeight, "zero-one-weight", 0, "FairDARTS zero-one loss weight (default 10)")
	fs.Float64Var(&cfg.Threshold, "threshold", 0, "FairDARTS σ threshold for keeping an op (default 0.85)")
}

func search(cf commonFlags, cfg nas.SearchConfig, dir *rundir.Dir, stdout, stderr io.Writer) error {
	if cf.data == "embedded" {
		for _, p := range []struct {
			dst *int
			v   int
		}{
			{&cfg.Channels, embeddedSearch.Channels}, {&cfg.Layers, embeddedSearch.Layers},
			{&cfg.Batch, embeddedSearch.Batch}, {&cfg.Epochs, embeddedSearch.Epochs},
		} {
			if *p.dst == 0 {
				*p.dst = p.v
			}
		}
	}
	cfg.Seed = cf.seed
	full, err := cfg.Defaults()
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	dev, desc, err := openDevice(cf.device, cf.threads, stderr)
	if err != nil {
		return err
	}
	if cf.seed == 0 {
		cf.seed = full.Seed
	}
	trainSet, testSet, err := cf.loadData()
	if err != nil {
		return err
	}
	rep := cf.reporter(stderr)
	s, err := nas.NewSearch(full, dev, trainSet, testSet, dir, rep)
	if err != nil {
		return err
	}
	if cf.resume != "" {
		if err := s.Resume(dir); err != nil {
			return err
		}
		rep.Linef("resuming %s at epoch %d/%d", dir.Path, s.Epoch+1, full.Epochs)
	} else {
		rc := runConfig{Command: "search", Version: version, Device: desc, Seed: full.Seed,
			Started: time.Now().UTC().Format(time.RFC3339), Flags: map[string]string{}, Args: nil, Details: full}
		for k, v := range map[string]string{"data": cf.data, "data-dir": cf.dataDir, "subset": fmt.Sprint(cf.subset), "device": cf.device, "threads": fmt.Sprint(cf.threads)} {
			rc.Flags[k] = v
		}
		rc.Args = []string{"--data=" + cf.data, "--data-dir=" + cf.dataDir, fmt.Sprintf("--subset=%d", cf.subset), fmt.Sprintf("--seed=%d", full.Seed),
			"--method=" + full.Method, "--space=" + full.Space, fmt.Sprintf("--order=%d", full.Order), fmt.Sprintf("--epochs=%d", full.Epochs),
			fmt.Sprintf("--batch=%d", full.Batch), fmt.Sprintf("--channels=%d", full.Channels), fmt.Sprintf("--layers=%d", full.Layers),
			fmt.Sprintf("--train-portion=%v", full.TrainPortion), fmt.Sprintf("--lr=%v", full.LR), fmt.Sprintf("--lr-min=%v", full.LRMin),
			fmt.Sprintf("--arch-lr=%v", full.ArchLR), fmt.Sprintf("--zero-one-weight=%v", full.ZeroOneWeight), fmt.Sprintf("--threshold=%v", full.Threshold)}
		for _, a := range rc.Args {
			name, val := a[2:indexByte(a, '=')], a[indexByte(a, '=')+1:]
			rc.Flags[name] = val
		}
		if err := dir.WriteJSON(rundir.Config, rc); err != nil {
			return err
		}
		rep.Linef("search: %s on %s (%d images: %d for w, %d for α), space %s, C %d, %d cells, %d epochs, batch %d, device %s, %d weights; run directory %s",
			full.Method, trainSet.Name, trainSet.N, int(float64(trainSet.N)*full.TrainPortion+0.5), trainSet.N-int(float64(trainSet.N)*full.TrainPortion+0.5),
			full.Space, full.Channels, full.Layers, full.Epochs, full.Batch, desc, s.Net.ParamCount(), dir.Path)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := s.Run(ctx)
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted; the checkpoint of epoch %d is in %s; continue with: nas search --resume %s", s.Epoch, dir.Path, dir.Path)
	}
	if err != nil {
		return err
	}
	if reportHook != nil {
		if p, err := reportHook(dir.Path); err != nil {
			fmt.Fprintf(stderr, "nas search: report: %v\n", err)
		} else {
			rep.Linef("report: %s", p)
		}
	}
	if res.Empty.NormalCollapsed || res.Empty.ReduceCollapsed {
		fmt.Fprintf(stdout, "WARNING: %s: every op weight of the cell fell below the threshold %.2f (FairDARTS collapse); the genotype has no usable cell\n", res.Empty, full.Threshold)
	} else if res.Empty.Any() {
		fmt.Fprintf(stdout, "note: %s\n", res.Empty)
	}
	fmt.Fprintf(stdout, "genotype (DARTS text):\n%s\n", res.Genotype.Python())
	fmt.Fprintf(stdout, "genotype (JSON, also in %s):\n%s\n", dir.File(rundir.Genotype), res.Genotype.JSON())
	return nil
}

// reportHook writes report.html at the end of a search, when the report package is built in.
var reportHook func(runDir string) (string, error)
