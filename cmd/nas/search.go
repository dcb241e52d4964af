package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"godarts/nas"
	"godarts/rundir"
	"godarts/vk"
)

func init() {
	register(command{name: "search", summary: "search a cell architecture (DARTS, FairDARTS, ...)", run: runSearch})
}

// Settings of a search on the embedded data when the flags leave them unset: a network
// small enough that `nas search` with no flags finishes in under 10 minutes on two cores
// (the paper's C 16, 8 cells, 50 epochs, batch 64 take hours there).
var embeddedSearch = nas.SearchConfig{Channels: 8, Layers: 5, Batch: 32, Epochs: 4}

// embeddedSearchSubset is the number of the 3,000 embedded training images a search uses
// when --subset is unset (half train the weights, half α).
const embeddedSearchSubset = 1600

func runSearch(args []string, stdout, stderr io.Writer) error {
	var cf commonFlags
	var cfg nas.SearchConfig
	fs, dir, err := parseRunFlags("search", args, stderr, &cf, func(fs *flag.FlagSet) { registerSearchFlags(fs, &cfg) })
	if err != nil {
		return err
	}
	if err := search(cf, cfg, fs, dir, stdout, stderr); err != nil {
		dir.Discard() // an empty run directory made by this call
		return err
	}
	return nil
}

// registerSearchFlags defines the flags of the search settings.
func registerSearchFlags(fs *flag.FlagSet, cfg *nas.SearchConfig) {
	fs.StringVar(&cfg.Space, "space", "", "search space: darts, fair7, s1, s2, s3, s4, nb201, nb201-varied (default: the method's)")
	fs.StringVar(&cfg.Method, "method", "darts", "architecture optimiser: darts, fairdarts, dscd, zarts-rs, zarts-mgs, zarts-gld, zo-darts++")
	fs.IntVar(&cfg.Order, "order", 1, "DARTS gradient order: 1 or 2 (unrolled)")
	fs.IntVar(&cfg.Epochs, "epochs", 0, "epochs (default 50; 4 on the embedded data, with --subset 1600)")
	fs.IntVar(&cfg.Batch, "batch", 0, "batch size of both halves (default: the method's; 32 on the embedded data)")
	fs.IntVar(&cfg.Channels, "channels", 0, "initial channels C (default 16; 8 on the embedded data)")
	fs.IntVar(&cfg.Layers, "layers", 0, "cells (default 8; 5 on the embedded data); on nb201 spaces cells per stage (default 3)")
	fs.Float64Var(&cfg.TrainPortion, "train-portion", 0, "fraction of the training set for the weights; the rest trains α (default 0.5)")
	fs.Float64Var(&cfg.LR, "lr", 0, "weight learning rate (default: the method's)")
	fs.Float64Var(&cfg.LRMin, "lr-min", 0, "final weight learning rate of the cosine schedule (default 0.001; an explicit 0 is 0)")
	fs.Float64Var(&cfg.ArchLR, "arch-lr", 0, "architecture (α) learning rate (default: the method's)")
	fs.Float64Var(&cfg.ZeroOneWeight, "zero-one-weight", 0, "FairDARTS zero-one loss weight (default 10; 0 turns the loss off)")
	fs.Float64Var(&cfg.Threshold, "threshold", 0, "FairDARTS σ threshold for keeping an op (default 0.85)")
	fs.IntVar(&cfg.DSCDN, "dscd-n", 0, "DSCD: consecutive non-improving steps before switching step type (default 10)")
	fs.IntVar(&cfg.DSCDK, "dscd-k", 0, "DSCD: acceptance window in steps (default 100)")
	fs.Var(rangeFlag{&cfg.DSCDLo, &cfg.DSCDHi}, "dscd-domain", "DSCD: proposal domain LO:HI in sigmoid-input space (default -6:6)")
	fs.IntVar(&cfg.DSCDCoords, "dscd-coords", 0, "DSCD: coordinates changed per global step (default 1)")
	fs.IntVar(&cfg.ZSamples, "zarts-samples", 0, "ZARTS: candidates per α update (default 4)")
	fs.IntVar(&cfg.ZSteps, "zarts-steps", 0, "ZARTS: SGD steps of each candidate's weight copy, M (default 10)")
	fs.Float64Var(&cfg.ZSigma, "zarts-sigma", 0, "ZARTS: sampling σ, cosine-decayed (default 0.025)")
	fs.Float64Var(&cfg.ZTau, "zarts-tau", 0, "ZARTS-MGS: temperature τ (default 0.01)")
	fs.IntVar(&cfg.ZEvery, "zarts-every", 0, "ZARTS: α update every N iterations (default 10)")
	fs.Float64Var(&cfg.ZWarmup, "zarts-warmup", 0, "ZARTS: fraction of the search before α updates (default 0.2; 0 for none)")
	fs.Float64Var(&cfg.ZRadius, "zarts-radius", 0, "ZARTS-GLD: largest search radius (default 0.1)")
	fs.IntVar(&cfg.ZORounds, "zo-rounds", 0, "ZO-DARTS++: iterations per zeroth-order estimate, R (default 10)")
	fs.Float64Var(&cfg.ZOMu, "zo-mu", 0, "ZO-DARTS++: perturbation μ as a fraction of ‖α‖ (default 0.005)")
	fs.Float64Var(&cfg.Temperature, "temperature", 0, "sparsemax initial temperature (default 1.5, ×0.75 every 5 epochs)")
	fs.Var(budgetFlag{rangeFlag{&cfg.BudgetLow, &cfg.BudgetHigh}}, "param-budget", "ZO-DARTS++: LOW:HIGH expected parameter count, or organs-small, organs-medium, organs-large; penalised outside (off by default)")
	fs.Var(sizeFromFlag{&cfg.SizeFrom}, "size-search-from", "ZO-DARTS++ on nb201 spaces: first epoch of the kernel-size and cell-count search (default 20)")
	fs.IntVar(&cfg.PenaltyFrom, "penalty-from", 0, "ZO-DARTS++: first epoch of the parameter penalty (default 40% of the epochs; or the size-search start on nb201 spaces)")
}

// searchSettings fills in the method's defaults for the flags left out. An explicit 0 is
// refused where 0 is no setting and kept where it is one (--lr-min 0, --zero-one-weight
// 0, --zarts-warmup 0, --penalty-from 0), not replaced by the default.
func searchSettings(fs *flag.FlagSet, cfg nas.SearchConfig) (nas.SearchConfig, error) {
	if err := refuseZero(fs, "epochs", "batch", "channels", "layers", "train-portion", "lr", "arch-lr",
		"threshold", "dscd-n", "dscd-k", "dscd-coords", "zarts-samples", "zarts-steps", "zarts-sigma",
		"zarts-tau", "zarts-every", "zarts-radius", "zo-rounds", "zo-mu", "temperature"); err != nil {
		return cfg, err
	}
	full, err := cfg.Defaults()
	if err != nil {
		return cfg, &usageError{msg: err.Error()}
	}
	for _, z := range []struct {
		name string
		f    *float64
		i    *int
	}{
		{"lr-min", &full.LRMin, nil}, {"zero-one-weight", &full.ZeroOneWeight, nil},
		{"zarts-warmup", &full.ZWarmup, nil}, {"penalty-from", nil, &full.PenaltyFrom},
	} {
		if zeroSet(fs, z.name) {
			if z.f != nil {
				*z.f = 0
			} else {
				*z.i = 0
			}
		}
	}
	return full, nil
}

// namedBudgets are the parameter budgets of ZO-DARTS++'s size classes (HikariX/ZO-DARTS_PP
// size_p02.txt, size_p46.txt, size_p8X.txt, as nas-algorithms.md §6.3 quotes them for
// OrganSMNIST; the other datasets' values are not in the note).
var namedBudgets = map[string][2]float64{
	"organs-small":  {0, 135160},
	"organs-medium": {226917, 330120},
	"organs-large":  {498411, 742321},
}

// budgetFlag is --param-budget: LOW:HIGH or a name of namedBudgets.
type budgetFlag struct{ rangeFlag }

func (b budgetFlag) Set(s string) error {
	if v, ok := namedBudgets[s]; ok {
		*b.lo, *b.hi = v[0], v[1]
		return nil
	}
	if err := b.rangeFlag.Set(s); err != nil {
		return fmt.Errorf("want LO:HI (two numbers) or organs-small, organs-medium, organs-large, got %q", s)
	}
	return nil
}

// sizeFromFlag is --size-search-from; an explicit 0 is stored as -1 (SearchConfig's
// "from epoch 0"), since 0 there means the default 20.
type sizeFromFlag struct{ v *int }

func (f sizeFromFlag) String() string {
	if f.v == nil || *f.v == 0 {
		return "20"
	}
	return fmt.Sprint(max(*f.v, 0))
}

func (f sizeFromFlag) Set(s string) error {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n < 0 {
		return fmt.Errorf("want an epoch number ≥ 0, got %q", s)
	}
	if n == 0 {
		n = -1
	}
	*f.v = n
	return nil
}

// rangeFlag parses LO:HI into two floats.
type rangeFlag struct{ lo, hi *float64 }

func (r rangeFlag) String() string {
	if r.lo == nil || (*r.lo == 0 && *r.hi == 0) {
		return ""
	}
	return fmt.Sprintf("%v:%v", *r.lo, *r.hi)
}

func (r rangeFlag) Set(s string) error {
	var lo, hi float64
	if _, err := fmt.Sscanf(strings.Replace(s, ":", " ", 1), "%g %g", &lo, &hi); err != nil || strings.Count(s, ":") != 1 {
		return fmt.Errorf("want LO:HI (two numbers), got %q", s)
	}
	*r.lo, *r.hi = lo, hi
	return nil
}

func search(cf commonFlags, cfg nas.SearchConfig, fs *flag.FlagSet, dir *rundir.Dir, stdout, stderr io.Writer) error {
	nb201 := strings.HasPrefix(cfg.Space, "nb201")
	if cf.data == "embedded" {
		for _, p := range []struct {
			dst *int
			v   int
		}{
			{&cfg.Channels, embeddedSearch.Channels}, {&cfg.Layers, embeddedSearch.Layers},
			{&cfg.Batch, embeddedSearch.Batch}, {&cfg.Epochs, embeddedSearch.Epochs},
		} {
			if *p.dst == 0 && !(nb201 && p.dst == &cfg.Layers) { // NB201: 3 cells per stage
				*p.dst = p.v
			}
		}
	}
	if cf.data == "embedded" && cf.subset == 0 {
		cf.subset = embeddedSearchSubset
	}
	cfg.Seed = cf.seed
	full, err := searchSettings(fs, cfg)
	if err != nil {
		return err
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
		if s.Epoch >= full.Epochs {
			rep.Linef("resuming %s: it already finished its %d epochs", dir.Path, full.Epochs)
		} else {
			rep.Linef("resuming %s at epoch %d/%d", dir.Path, s.Epoch+1, full.Epochs)
		}
	} else {
		rc := runConfig{Command: "search", Version: version, Device: desc, Seed: full.Seed,
			Started: time.Now().UTC().Format(time.RFC3339), Flags: allFlags(fs), Args: setFlags(fs), Details: full}
		if err := dir.WriteJSON(rundir.Config, rc); err != nil {
			return err
		}
		cells := fmt.Sprintf("%d cells", full.Layers)
		if nb201 {
			cells = fmt.Sprintf("3 stages of %d cells", full.Layers)
		}
		rep.Linef("search: %s on %s (%d images: %d for w, %d for α), space %s, C %d, %s, %d epochs, batch %d, device %s, %d weights; run directory %s",
			full.Method, trainSet.Name, trainSet.N, int(float64(trainSet.N)*full.TrainPortion+0.5), trainSet.N-int(float64(trainSet.N)*full.TrainPortion+0.5),
			full.Space, full.Channels, cells, full.Epochs, full.Batch, desc, s.Net.ParamCount(), dir.Path)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := s.Run(ctx)
	vk.WriteProfile(stderr, dev) // GODARTS_VK_PROFILE=1: GPU time per shader
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
	if res.NB201 != nil {
		b, _ := json.MarshalIndent(res.NB201, "", "  ")
		fmt.Fprintf(stdout, "architecture (NB201 stages: cell x cells per stage):\n%s\n", res.NB201.Text())
		fmt.Fprintf(stdout, "genotype (JSON, also in %s):\n%s\n", dir.File(rundir.Genotype), b)
		return nil
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
