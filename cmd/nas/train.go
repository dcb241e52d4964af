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
	"godarts/nas/genotype"
	"godarts/rundir"
	"godarts/tensor"
	"godarts/train"
)

func init() {
	register(command{name: "train", summary: "train the CNN baseline or a genotype's network", run: runTrain})
}

type trainFlags struct {
	model, genotype  string
	channels, layers int
	auxiliary        bool
	cfg              train.Config
}

func registerTrainFlags(fs *flag.FlagSet, tf *trainFlags) {
	fs.StringVar(&tf.model, "model", "", "cnn: the plain CNN baseline (or use --genotype)")
	fs.StringVar(&tf.genotype, "genotype", "", "train the evaluation network of a genotype: a built-in name (DARTS_V2, ...) or a .json/.py file")
	fs.IntVar(&tf.channels, "channels", 0, "genotype network: initial channels (default 36; 16 on the embedded data)")
	fs.IntVar(&tf.layers, "layers", 0, "genotype network: cells (default 20; 8 on the embedded data)")
	fs.BoolVar(&tf.auxiliary, "auxiliary", false, "genotype network: auxiliary head at 2/3 depth (loss weight --aux-weight)")
	fs.Float64Var(&tf.cfg.AuxWeight, "aux-weight", 0.4, "auxiliary loss weight")
	fs.Float64Var(&tf.cfg.DropPath, "drop-path", -1, "drop-path probability, ramped linearly (default 0.2 for genotypes, 0 for cnn)")
	fs.StringVar(&tf.cfg.Augment, "augment", "", "dataset (random crop and flip as the dataset suits) or none (default: cnn none; genotype dataset)")
	fs.IntVar(&tf.cfg.Cutout, "cutout", 0, "cutout length in pixels (0 = off; DARTS uses 16 on CIFAR)")
	fs.IntVar(&tf.cfg.Epochs, "epochs", 0, "epochs (default: cnn 3; genotype 600, 10 on the embedded data)")
	fs.IntVar(&tf.cfg.Batch, "batch", 0, "batch size (default: cnn 64; genotype 96)")
	fs.StringVar(&tf.cfg.Optimizer, "optimizer", "", "adam or sgd (default: cnn adam; genotype sgd)")
	fs.Float64Var(&tf.cfg.LR, "lr", 0, "initial learning rate, cosine-annealed (default: cnn 0.003; genotype 0.025)")
	fs.Float64Var(&tf.cfg.WeightDecay, "weight-decay", -1, "weight decay (default: cnn 0; genotype 3e-4)")
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	var cf commonFlags
	var tf trainFlags
	fs, dir, err := parseRunFlags("train", args, stderr, &cf, func(fs *flag.FlagSet) { registerTrainFlags(fs, &tf) })
	if err != nil {
		return err
	}
	if err := trainRun(cf, tf, fs, dir, stdout, stderr); err != nil {
		dir.Discard() // an empty run directory made by this call
		return err
	}
	return nil
}

func trainRun(cf commonFlags, tf trainFlags, fs *flag.FlagSet, dir *rundir.Dir, stdout, stderr io.Writer) error {
	if (tf.model == "") == (tf.genotype == "") {
		return usagef("give exactly one of --model cnn or --genotype NAME|FILE")
	}
	if tf.model != "" && tf.model != "cnn" {
		return usagef("--model %q: want cnn", tf.model)
	}
	if err := refuseZero(fs, "channels", "layers", "epochs", "batch", "lr"); err != nil {
		return err
	}
	c := &tf.cfg
	embedded := cf.data == "embedded"
	// An NB201 stage genotype (genotype.json of a search on an nb201 space).
	var nb *genotype.NB201Net
	if b, err := os.ReadFile(tf.genotype); tf.genotype != "" && err == nil && genotype.IsNB201Net(b) {
		if nb, err = genotype.ParseNB201Net(b); err != nil {
			return fmt.Errorf("--genotype %s: %w", tf.genotype, err)
		}
	}
	setI := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setF := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	setNeg := func(p *float64, v float64) {
		if *p < 0 {
			*p = v
		}
	}
	if tf.model == "cnn" {
		setI(&c.Epochs, 3)
		setI(&c.Batch, 64)
		setF(&c.LR, 0.003)
		if c.Augment == "" {
			c.Augment = "none" // three epochs are too few for augmentation to pay off
		}
		setNeg(&c.WeightDecay, 0)
		setNeg(&c.DropPath, 0)
		if c.Optimizer == "" {
			c.Optimizer = "adam"
		}
	} else {
		// quark0/darts cnn/train.py (nas-algorithms.md §1.7); an NB201 network has C 16
		// (ZO-DARTS_PP retrain) and no drop-path.
		if nb != nil {
			setI(&tf.channels, 16)
			setNeg(&c.DropPath, 0)
		}
		if embedded {
			setI(&c.Epochs, 10)
			setI(&tf.channels, 16)
			setI(&tf.layers, 8)
		}
		setI(&c.Epochs, 600)
		setI(&tf.channels, 36)
		setI(&tf.layers, 20)
		setI(&c.Batch, 96)
		setF(&c.LR, 0.025)
		setNeg(&c.WeightDecay, 3e-4)
		setNeg(&c.DropPath, 0.2)
		c.Momentum, c.GradClip = 0.9, 5
		if c.Augment == "" {
			c.Augment = "dataset"
		}
		if c.Optimizer == "" {
			c.Optimizer = "sgd"
		}
	}
	if cf.seed == 0 {
		cf.seed = 2
	}
	c.Seed = cf.seed
	if c.Optimizer != "adam" && c.Optimizer != "sgd" {
		return usagef("--optimizer %q: want adam or sgd", c.Optimizer)
	}
	if c.DropPath >= 1 {
		return usagef("--drop-path %v: want a probability below 1", c.DropPath)
	}
	dev, desc, err := openDevice(cf.device, cf.threads, stderr)
	if err != nil {
		return err
	}
	trainSet, testSet, err := cf.loadData()
	if err != nil {
		return err
	}
	rng := tensor.NewRNG(cf.seed)
	var model train.Model
	var what string
	if tf.model == "cnn" {
		m, err := train.NewCNN(dev, rng, trainSet.C, trainSet.H, trainSet.W, trainSet.Classes)
		if err != nil {
			return err
		}
		model, what = m, "cnn"
	} else if nb != nil {
		net, err := nas.NewNB201EvalNetwork(dev, rng, nb, tf.channels, trainSet.C, trainSet.Classes)
		if err != nil {
			return fmt.Errorf("--genotype %s: %w", tf.genotype, err)
		}
		model, what = net, fmt.Sprintf("NB201 network %s (C %d, %s, %d weights)", tf.genotype, tf.channels, nb.Text(), net.ParamCount())
	} else {
		g, err := genotype.Load(tf.genotype)
		if err != nil {
			return fmt.Errorf("--genotype: %w", err)
		}
		net, err := nas.NewEvalNetwork(dev, rng, g, nas.EvalConfig{C: tf.channels, Layers: tf.layers, Classes: trainSet.Classes, InChannels: trainSet.C, Auxiliary: tf.auxiliary}, trainSet.H)
		if err != nil {
			return fmt.Errorf("--genotype %s: %w", tf.genotype, err)
		}
		model, what = evalModel{net}, fmt.Sprintf("genotype %s (C %d, %d cells, %d weights)", tf.genotype, tf.channels, tf.layers, net.ParamCount(false))
	}
	rep := cf.reporter(stderr)
	t, err := train.NewTrainer(*c, dev, model, rng, trainSet, testSet, dir, rep)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	if cf.resume != "" {
		if err := t.Resume(dir); err != nil {
			return err
		}
		if t.Epoch >= c.Epochs {
			rep.Linef("resuming %s: it already finished its %d epochs", dir.Path, c.Epochs)
		} else {
			rep.Linef("resuming %s at epoch %d/%d", dir.Path, t.Epoch+1, c.Epochs)
		}
	} else {
		rc := runConfig{Command: "train", Version: version, Device: desc, Seed: cf.seed, Started: time.Now().UTC().Format(time.RFC3339),
			Flags: allFlags(fs), Args: setFlags(fs), Details: c}
		rc.Args = append(rc.Args, fmt.Sprintf("--seed=%d", cf.seed))
		if err := dir.WriteJSON(rundir.Config, rc); err != nil {
			return err
		}
		rep.Linef("train: %s on %s (%d images, test %d), %d epochs, batch %d, %s lr %g, device %s; run directory %s",
			what, trainSet.Name, trainSet.N, testSet.N, c.Epochs, c.Batch, c.Optimizer, c.LR, desc, dir.Path)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	ms, err := t.Run(ctx)
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted; the checkpoint of epoch %d is in %s; continue with: nas train --resume %s", t.Epoch, dir.Path, dir.Path)
	}
	if err != nil {
		return err
	}
	if len(ms) > 0 {
		last := ms[len(ms)-1]
		fmt.Fprintf(stdout, "test accuracy %.2f%% (loss %.4f) after %d epochs, %.1fs on %s\n", 100*last.TestAcc, last.TestLoss, last.Epoch+1, time.Since(start).Seconds(), desc)
	}
	return nil
}

// evalModel adapts nas.EvalNetwork to train.Model.
type evalModel struct{ *nas.EvalNetwork }

func (m evalModel) SetDropPath(p float64) { m.DropPathProb = p }
