package nas

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"time"

	"godarts/autograd"
	"godarts/data"
	"godarts/nas/dscd"
	"godarts/nas/genotype"
	"godarts/optim"
	"godarts/progress"
	"godarts/rundir"
	"godarts/tensor"
	"godarts/train"
)

// Search is one architecture search: the supernet, both optimisers, the data iterators
// and the run directory. Run drives it epoch by epoch; every epoch ends with a checkpoint
// from which Resume continues bit-identically (on the CPU).
type Search struct {
	Cfg   SearchConfig
	Dev   tensor.Backend
	Net   Supernet
	Space *genotype.Space
	// darts and nb201 are Net as its concrete type; one of them is nil.
	darts *SearchNetwork
	nb201 *NB201Network

	wOpt  *optim.SGD
	aOpt  *optim.Adam
	arch  ArchOptimizer
	rng   *tensor.RNG
	dir   *rundir.Dir
	rep   *progress.Reporter
	train *data.Batcher
	valid *data.Batcher
	test  *data.Batcher
	extra *data.Batcher // more training batches for ZARTS's weight copies
	dscd  *DSCD
	pen   schedPenalty

	// Epoch is the next epoch to run; Iter counts iterations over the whole search.
	Epoch, Iter int
	// History holds the genotype text of every finished epoch (for "did it change").
	History []string
	// OnEpoch, when set, is called after each epoch's checkpoint is written.
	OnEpoch func(EpochMetrics)
}

// SearchState is state.json of a search run.
type SearchState struct {
	Epoch   int               `json:"epoch"`
	Iter    int               `json:"iter"`
	RNG     string            `json:"rng"`
	Train   data.BatcherState `json:"train_batcher"`
	Valid   data.BatcherState `json:"valid_batcher"`
	Optim   optim.State       `json:"optim"`
	ArchOpt optim.State       `json:"arch_optim"`
	History []string          `json:"history"`
	Config  SearchConfig      `json:"config"`
	ExtraB  data.BatcherState `json:"extra_batcher"`
	DSCD    *dscd.State       `json:"dscd,omitempty"`
	Method  *MethodState      `json:"method,omitempty"`
}

// NewSearch builds a search on dev over trainSet (split into weight and α halves by
// TrainPortion) and testSet, writing into dir.
func NewSearch(cfg SearchConfig, dev tensor.Backend, trainSet, testSet *data.Dataset, dir *rundir.Dir, rep *progress.Reporter) (*Search, error) {
	cfg, err := cfg.Defaults()
	if err != nil {
		return nil, err
	}
	space, _ := genotype.SpaceByName(cfg.Space)
	relax, _ := RelaxationByName(cfg.Relaxation, 1)
	wSet, aSet, err := trainSet.Split(cfg.TrainPortion)
	if err != nil {
		return nil, fmt.Errorf("--train-portion: %w", err)
	}
	if wSet.N < cfg.Batch || aSet.N < cfg.Batch {
		return nil, fmt.Errorf("--batch %d: larger than the weight half (%d images) or the α half (%d images) of the data", cfg.Batch, wSet.N, aSet.N)
	}
	mean, std := trainSet.ChannelStats()
	aug := data.DefaultAugment(trainSet.Name)
	mk := func(d *data.Dataset, seed uint64, shuffle bool, a data.Augment, drop bool) (*data.Batcher, error) {
		return data.NewBatcher(d, data.BatcherConfig{Batch: cfg.Batch, Shuffle: shuffle, DropLast: drop, Seed: seed, Mean: mean, Std: std, Augment: a})
	}
	s := &Search{Cfg: cfg, Dev: dev, Space: space, dir: dir, rep: rep, rng: tensor.NewRNG(cfg.Seed)}
	if s.train, err = mk(wSet, cfg.Seed+1, true, aug, true); err != nil {
		return nil, err
	}
	if s.valid, err = mk(aSet, cfg.Seed+2, true, aug, true); err != nil {
		return nil, err
	}
	if s.test, err = mk(testSet, 0, false, data.Augment{}, false); err != nil {
		return nil, err
	}
	if s.extra, err = mk(wSet, cfg.Seed+3, true, aug, true); err != nil {
		return nil, err
	}
	if space.Topology == genotype.TopologyNB201 {
		s.nb201, err = NewNB201Network(dev, s.rng, space, NB201Config{
			C: cfg.Channels, N: cfg.Layers, Classes: trainSet.Classes, InChannels: trainSet.C,
			KernelSearch: cfg.SizeSearch(), ExitSearch: cfg.SizeSearch(),
		}, relax, cfg.AlphaInitStd)
		s.Net = s.nb201
	} else {
		s.darts, err = NewSearchNetwork(dev, s.rng, space, NetConfig{
			C: cfg.Channels, Layers: cfg.Layers, Classes: trainSet.Classes, InChannels: trainSet.C,
		}, relax, cfg.AlphaInitStd)
		s.Net = s.darts
	}
	if err != nil {
		return nil, err
	}
	s.wOpt = optim.NewSGD(weightVars(s.Net), optim.SGDConfig{LR: cfg.LR, Momentum: cfg.Momentum, WeightDecay: cfg.WeightDecay})
	s.aOpt = s.newArchAdam()
	total := cfg.Epochs * s.train.BatchesPerEpoch()
	switch cfg.Method {
	case "dscd":
		d, err := NewDSCD(s.aOpt, dscd.Config{N: cfg.DSCDN, K: cfg.DSCDK, Lo: cfg.DSCDLo, Hi: cfg.DSCDHi, Coords: cfg.DSCDCoords, TotalSteps: total, Seed: cfg.Seed})
		if err != nil {
			return nil, fmt.Errorf("--method dscd: %w", err)
		}
		s.arch, s.dscd = d, d
	case "zarts-rs", "zarts-mgs", "zarts-gld":
		s.arch = &ZARTS{Variant: cfg.Method[len("zarts-"):], Samples: cfg.ZSamples, M: cfg.ZSteps, Sigma0: cfg.ZSigma, Tau: cfg.ZTau,
			Lambda: cfg.ZLambda, Every: cfg.ZEvery, Warmup: cfg.ZWarmup, Radius: cfg.ZRadius, Rng: s.rng.Split()}
	case "zo-darts++":
		s.arch = &ZODARTS{Adam: s.aOpt, Rounds: cfg.ZORounds, MuScale: cfg.ZOMu, Rng: s.rng.Split()}
		if cfg.BudgetHigh > 0 && s.darts != nil {
			s.pen = NewParamPenalty(s.darts, cfg.BudgetLow, cfg.BudgetHigh)
		} else if cfg.BudgetHigh > 0 {
			s.pen = NewNB201Penalty(s.nb201, cfg.BudgetLow, cfg.BudgetHigh)
		}
	case "darts", "fairdarts":
		if cfg.Order == 2 {
			s.arch = &SecondOrder{Adam: s.aOpt, Momentum: cfg.Momentum, WeightDecay: cfg.WeightDecay}
		} else {
			s.arch = &FirstOrder{Adam: s.aOpt}
		}
	}
	s.setEpochSchedule()
	return s, nil
}

func (s *Search) objective() Objective {
	o := Objective{ZeroOneWeight: s.Cfg.ZeroOneWeight}
	if s.pen != nil {
		o.Penalty = s.pen
	}
	return o
}

// schedPenalty is a parameter penalty whose temperature and switch follow the epochs.
type schedPenalty interface {
	archPenalty
	schedule(T float64, active bool)
}

func (p *ParamPenalty) schedule(T float64, active bool) { p.T, p.Active = T, active }

// newArchAdam makes the α optimiser over the α groups searched now.
func (s *Search) newArchAdam() *optim.Adam {
	c := s.Cfg
	return optim.NewAdam(alphaVars(s.Net), optim.AdamConfig{LR: c.ArchLR, Beta1: c.ArchBeta1, Beta2: c.ArchBeta2, Eps: 1e-8, WeightDecay: c.ArchWeightDecay})
}

// setEpochSchedule sets what changes per epoch besides the learning rate: the sparsemax
// temperature T0·decay^⌊e/every⌋ (ZO-DARTS+), whether the parameter penalty is on, and
// the start of ZO-DARTS++'s size-variable phase.
func (s *Search) setEpochSchedule() {
	if s.nb201 != nil && s.Cfg.SizeSearch() && s.Epoch >= s.Cfg.SizeStart() && !s.nb201.Sized() {
		s.startSizeSearch()
	}
	if s.Cfg.Relaxation != "sparsemax" {
		return
	}
	T := s.Cfg.Temperature * math.Pow(s.Cfg.TempDecay, float64(s.Epoch/s.Cfg.TempEvery))
	s.Net.setRelaxation(&Sparsemax{T: T})
	if s.pen != nil {
		s.pen.schedule(T, s.Epoch >= s.Cfg.PenaltyFrom)
	}
}

// startSizeSearch begins ZO-DARTS++ phase 2 (ZO-DARTS_SAMVR.py at epoch_threshold): the
// 5×5 and 3×3 kernels start from the centre of the trained 7×7, α_mix and α_exit join
// α, Adam is recreated over all three groups, and the zeroth-order round restarts so its
// direction spans them all.
func (s *Search) startSizeSearch() {
	s.nb201.SetSized(true, true)
	for _, t := range s.aOpt.StateTensors() {
		t.T.Free()
	}
	s.aOpt = s.newArchAdam()
	if zo, ok := s.arch.(*ZODARTS); ok {
		zo.Adam = s.aOpt
		zo.z = nil
	}
}

// checkpointTensors lists everything on the device that a resume must restore.
func (s *Search) checkpointTensors() []train.Tensor {
	var ts []train.Tensor
	for _, p := range s.Net.Weights() {
		ts = append(ts, train.Tensor{Name: p.Name, T: p.V.Value})
	}
	for _, b := range s.Net.Buffers() {
		ts = append(ts, train.Tensor{Name: b.Name, T: b.T})
	}
	for _, a := range s.Net.Alphas() {
		ts = append(ts, train.Tensor{Name: a.Name, T: a.V.Value})
	}
	for _, o := range s.wOpt.StateTensors() {
		ts = append(ts, train.Tensor{Name: "optim." + o.Name, T: o.T})
	}
	for _, o := range s.aOpt.StateTensors() {
		ts = append(ts, train.Tensor{Name: "arch_optim." + o.Name, T: o.T})
	}
	return append(ts, s.methodTensors()...)
}

// saveCheckpoint writes checkpoint.safetensors then state.json; state.json is written
// last, so a crash between the two leaves the previous state naming the previous epoch.
func (s *Search) saveCheckpoint() error {
	if err := train.SaveTensors(s.dir.File(rundir.Checkpoint), s.checkpointTensors(), map[string]string{"epoch": fmt.Sprint(s.Epoch)}); err != nil {
		return err
	}
	rng, _ := s.rng.MarshalBinary()
	st := SearchState{
		Epoch: s.Epoch, Iter: s.Iter, RNG: base64.StdEncoding.EncodeToString(rng),
		Train: s.train.State(), Valid: s.valid.State(),
		Optim: s.wOpt.State(), ArchOpt: s.aOpt.State(), History: s.History, Config: s.Cfg,
		ExtraB: s.extra.State(), Method: s.methodState(),
	}
	if s.dscd != nil {
		ds := s.dscd.Ctrl.State()
		st.DSCD = &ds
	}
	return s.dir.WriteJSON(rundir.State, st)
}

// Resume restores the state of dir into s (built with the same config).
func (s *Search) Resume(dir *rundir.Dir) error {
	var st SearchState
	if err := dir.ReadJSON(rundir.State, &st); err != nil {
		return err
	}
	if st.Config != s.Cfg {
		return fmt.Errorf("--resume %s: the run was made with other settings (%+v); resume it with the same flags", dir.Path, st.Config)
	}
	// The checkpoint holds the α groups and α optimiser of the phase its last epoch ran
	// in; the phase of the next epoch starts after the load, as in an uninterrupted run.
	if s.nb201 != nil && s.Cfg.SizeSearch() && st.Epoch-1 >= s.Cfg.SizeStart() && !s.nb201.Sized() {
		s.startSizeSearch()
	}
	if err := s.restoreMethod(st.Method, dir.File(rundir.State)); err != nil {
		return err
	}
	if _, err := train.LoadTensors(dir.File(rundir.Checkpoint), s.checkpointTensors()); err != nil {
		return err
	}
	rng, err := base64.StdEncoding.DecodeString(st.RNG)
	if err != nil {
		return fmt.Errorf("read %s: field rng: %v", dir.File(rundir.State), err)
	}
	if err := s.rng.UnmarshalBinary(rng); err != nil {
		return fmt.Errorf("read %s: field rng: %v", dir.File(rundir.State), err)
	}
	if err := s.train.Restore(st.Train); err != nil {
		return fmt.Errorf("read %s: field train_batcher: %v", dir.File(rundir.State), err)
	}
	if err := s.valid.Restore(st.Valid); err != nil {
		return fmt.Errorf("read %s: field valid_batcher: %v", dir.File(rundir.State), err)
	}
	if err := s.extra.Restore(st.ExtraB); err != nil {
		return fmt.Errorf("read %s: field extra_batcher: %v", dir.File(rundir.State), err)
	}
	if s.dscd != nil {
		if st.DSCD == nil {
			return fmt.Errorf("read %s: field dscd missing for --method dscd", dir.File(rundir.State))
		}
		if err := s.dscd.Ctrl.Restore(*st.DSCD); err != nil {
			return fmt.Errorf("read %s: field dscd: %v", dir.File(rundir.State), err)
		}
	}
	s.wOpt.SetState(st.Optim)
	s.aOpt.SetState(st.ArchOpt)
	s.Epoch, s.Iter, s.History = st.Epoch, st.Iter, st.History
	s.setEpochSchedule()
	// Drop log lines of epochs after the checkpoint (a run killed mid-way may have
	// logged an epoch whose checkpoint it never finished).
	keep := func(m map[string]any) bool { e, ok := m["epoch"].(float64); return ok && int(e) < s.Epoch }
	if err := dir.TruncateJSONL(rundir.Metrics, keep); err != nil {
		return err
	}
	return dir.TruncateJSONL(rundir.Alphas, keep)
}

// EpochMetrics is one line of metrics.jsonl.
type EpochMetrics struct {
	Epoch         int     `json:"epoch"`
	LR            float64 `json:"lr"`
	TrainLoss     float64 `json:"train_loss"`
	TrainAcc      float64 `json:"train_acc"`
	ValidLoss     float64 `json:"valid_loss"`
	ValidAcc      float64 `json:"valid_acc"`
	TestLoss      float64 `json:"test_loss"`
	TestAcc       float64 `json:"test_acc"`
	Seconds       float64 `json:"seconds"`
	Genotype      string  `json:"genotype"`
	SkipCount     int     `json:"skip_count"`
	DerivedParams int     `json:"derived_params"`
	Collapsed     bool    `json:"collapsed,omitempty"`
	Note          string  `json:"note,omitempty"`
}

// Result is what a finished search returns: the DARTS genotype (Genotype, Empty) or, on
// an NB201 space, the stage network (NB201).
type Result struct {
	Genotype *genotype.Genotype
	Empty    genotype.EmptyNodes
	NB201    *genotype.NB201Net
	Metrics  []EpochMetrics
}

// Run trains until the last epoch or until ctx is cancelled. A cancelled run stops after
// the current iteration and returns ctx.Err(); the checkpoint of the last finished epoch
// stays on disk, and Resume repeats the interrupted epoch.
func (s *Search) Run(ctx context.Context) (*Result, error) {
	res := &Result{}
	total := s.Cfg.Epochs * s.train.BatchesPerEpoch()
	for s.Epoch < s.Cfg.Epochs {
		start := time.Now()
		lr := train.CosineLR(s.Cfg.LR, s.Cfg.LRMin, s.Epoch, s.Cfg.Epochs)
		s.wOpt.SetLR(lr)
		s.setEpochSchedule()
		trainM := train.NewMeter(s.Dev)
		bar := s.rep.Bar(fmt.Sprintf("epoch %d/%d", s.Epoch+1, s.Cfg.Epochs), s.train.BatchesPerEpoch())
		var tb, vb data.Batch
		for s.train.Next(&tb) {
			if !s.valid.Next(&vb) { // the α half may end first: start its next pass
				s.valid.Next(&vb)
			}
			trainB, validB := train.Upload(s.Dev, &tb), train.Upload(s.Dev, &vb)
			s.iteration(trainB, validB, lr, total, trainM)
			trainB.Free()
			validB.Free()
			s.Iter++
			bar.Add(1, "")
			if ctx.Err() != nil {
				bar.Done()
				// Finish nothing half-way: the epoch restarts on resume from the last
				// epoch-end checkpoint, which is already on disk.
				return res, ctx.Err()
			}
		}
		bar.Done()
		m, err := s.endEpoch(start, lr, trainM)
		if err != nil {
			return res, err
		}
		res.Metrics = append(res.Metrics, m)
		if s.OnEpoch != nil {
			s.OnEpoch(m)
		}
	}
	d, err := s.derive()
	if err != nil {
		return res, err
	}
	res.Genotype, res.Empty, res.NB201 = d.g, d.empty, d.nb201
	return res, nil
}

// iteration is one bilevel step: α on the validation batch, then w on the training batch.
func (s *Search) iteration(tb, vb train.DeviceBatch, lr float64, total int, trainM *train.Meter) {
	ctx := &StepContext{
		Net: s.Net, Train: Batch{tb.X, tb.Y}, Valid: Batch{vb.X, vb.Y}, WeightOpt: s.wOpt,
		LR: lr, Iter: s.Iter, TotalIters: total, Objective: s.objective(),
		Extra: func() Batch {
			var hb data.Batch
			if !s.extra.Next(&hb) {
				s.extra.Next(&hb)
			}
			b := train.Upload(s.Dev, &hb)
			return Batch{b.X, b.Y}
		},
	}
	s.arch.Step(ctx)
	s.weightStep(tb, trainM)
}

// weightStep is the SGD step on the weights from a training batch, with the gradient
// clipped to norm GradClip (weights only, never α).
func (s *Search) weightStep(b train.DeviceBatch, m *train.Meter) {
	weightGradient(s.Net, Batch{b.X, b.Y}, func(loss, logits *tensor.Tensor) { m.Add(loss, logits, b.Y) })
	optim.ClipGradNorm(weightVars(s.Net), float32(s.Cfg.GradClip))
	s.wOpt.Step()
}

// evaluate runs the network in eval mode over a batcher and returns mean loss and accuracy.
func (s *Search) evaluate(b *data.Batcher) (loss, acc float64) {
	s.Net.SetTraining(false)
	defer s.Net.SetTraining(true)
	m := train.NewMeter(s.Dev)
	var hb data.Batch
	for b.Next(&hb) {
		db := train.Upload(s.Dev, &hb)
		tp := autograd.NoGrad() // records nothing; frees what the forward made
		logits, _ := s.Net.Logits(tp, autograd.Const(db.X))
		m.Add(tp.CrossEntropy(logits, db.Y).Value, logits.Value, db.Y)
		tp.Release()
		db.Free()
	}
	return m.Read()
}

// Genotype discretises the current α of a DARTS-space search (NB201: see NB201Genotype).
func (s *Search) Genotype() (*genotype.Genotype, genotype.EmptyNodes, error) {
	if s.darts == nil {
		return nil, genotype.EmptyNodes{}, fmt.Errorf("space %s: an NB201 search derives an NB201 stage network, not a DARTS genotype", s.Space.Name)
	}
	an, ar := s.darts.HostAlphas()
	wn, wr := s.darts.Relax.Host(an), s.darts.Relax.Host(ar)
	if s.Cfg.Relaxation == "sigmoid" {
		return genotype.DeriveFairDARTS(s.Space, wn, wr, s.Cfg.Threshold)
	}
	if s.Cfg.Relaxation == "sparsemax" { // sparsemax ties at zero; softmax keeps α's order
		wn, wr = Softmax{}.Host(an), Softmax{}.Host(ar)
	}
	g, err := genotype.DeriveDARTS(s.Space, wn, wr)
	return g, genotype.EmptyNodes{}, err
}

// endEpoch evaluates, derives the genotype, logs and checkpoints.
func (s *Search) endEpoch(start time.Time, lr float64, trainM *train.Meter) (EpochMetrics, error) {
	m := EpochMetrics{Epoch: s.Epoch, LR: lr}
	m.TrainLoss, m.TrainAcc = trainM.Read()
	m.ValidLoss, m.ValidAcc = s.evaluateValid()
	m.TestLoss, m.TestAcc = s.evaluate(s.test)
	d, err := s.derive()
	if err != nil {
		return m, err
	}
	var gj any = d.g
	if d.nb201 != nil {
		gj = d.nb201
		m.Genotype = d.nb201.Text()
		for _, st := range d.nb201.Stages {
			m.SkipCount += st.Cells * st.Cell.Count(genotype.SkipConnect)
		}
		m.DerivedParams = NB201DerivedParams(d.nb201, s.nb201.Config.C, s.nb201.Config.InChannels, s.nb201.Config.Classes)
	} else {
		m.Genotype = d.g.Python()
		m.SkipCount = genotype.SkipCount(d.g.Normal)
		m.DerivedParams = DerivedParams(d.g, s.darts.Config)
		if d.empty.NormalCollapsed {
			m.Collapsed = true
			m.Note = d.empty.String()
		}
	}
	m.Seconds = time.Since(start).Seconds()
	if err := s.dir.AppendJSONL(rundir.Metrics, m); err != nil {
		return m, err
	}
	if err := s.dir.AppendJSONL(rundir.Alphas, s.alphaRecord()); err != nil {
		return m, err
	}
	if err := s.dir.WriteJSON(rundir.Genotype, gj); err != nil {
		return m, err
	}
	s.History = append(s.History, m.Genotype)
	s.Epoch++
	if err := s.saveCheckpoint(); err != nil {
		return m, err
	}
	s.rep.Linef("epoch %d/%d lr %.3g train loss %.4f acc %.2f%% | valid loss %.4f acc %.2f%% | test acc %.2f%% | skips %d | %.1fs",
		m.Epoch+1, s.Cfg.Epochs, lr, m.TrainLoss, 100*m.TrainAcc, m.ValidLoss, 100*m.ValidAcc, 100*m.TestAcc, m.SkipCount, m.Seconds)
	s.rep.Event(map[string]any{"event": "epoch", "metrics": m})
	return m, nil
}

// evaluateValid measures the architecture objective's data term on the α half in eval
// mode, without disturbing the α batcher's position (a copy iterates it).
func (s *Search) evaluateValid() (float64, float64) {
	st := s.valid.State()
	defer s.valid.Restore(st)
	n := s.valid.BatchesPerEpoch()
	s.Net.SetTraining(false)
	defer s.Net.SetTraining(true)
	m := train.NewMeter(s.Dev)
	var hb data.Batch
	for i := 0; i < n; i++ {
		if !s.valid.Next(&hb) {
			s.valid.Next(&hb)
		}
		db := train.Upload(s.Dev, &hb)
		tp := autograd.NoGrad()
		logits, _ := s.Net.Logits(tp, autograd.Const(db.X))
		m.Add(tp.CrossEntropy(logits, db.Y).Value, logits.Value, db.Y)
		tp.Release()
		db.Free()
	}
	return m.Read()
}

// derived is the discrete architecture: a DARTS genotype or an NB201 stage network.
type derived struct {
	g     *genotype.Genotype
	empty genotype.EmptyNodes
	nb201 *genotype.NB201Net
}

func (s *Search) derive() (derived, error) {
	if s.nb201 != nil {
		g, err := s.nb201.Derive()
		return derived{nb201: g}, err
	}
	g, empty, err := s.Genotype()
	return derived{g: g, empty: empty}, err
}

// NB201Genotype discretises the current α of an NB201 search.
func (s *Search) NB201Genotype() (*genotype.NB201Net, error) {
	if s.nb201 == nil {
		return nil, fmt.Errorf("space %s: not an NB201 space", s.Space.Name)
	}
	return s.nb201.Derive()
}

// alphaRecord is one line of alphas.jsonl: the relaxed weight of every op on every edge.
func (s *Search) alphaRecord() map[string]any {
	if s.nb201 != nil {
		return s.nb201AlphaRecord()
	}
	an, ar := s.darts.HostAlphas()
	cells := map[string]any{}
	for _, c := range []struct {
		kind genotype.CellKind
		a    [][]float64
	}{{genotype.Normal, an}, {genotype.Reduce, ar}} {
		w := s.darts.Relax.Host(c.a)
		var edges []map[string]any
		for e, edge := range s.Space.Edges() {
			edges = append(edges, map[string]any{
				"from": edge.From, "to": edge.To, "ops": s.Space.Ops(c.kind, e), "weights": roundAll(w[e]), "alpha": roundAll(c.a[e]),
			})
		}
		cells[c.kind.String()] = map[string]any{"edges": edges}
	}
	return map[string]any{"epoch": s.Epoch, "space": s.Space.Name, "relaxation": s.darts.Relax.Name(), "cells": cells}
}

func roundAll(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Round(x*1e6) / 1e6
	}
	return out
}
