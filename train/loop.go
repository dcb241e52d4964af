package train

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"godarts/autograd"
	"godarts/data"
	"godarts/layers"
	"godarts/optim"
	"godarts/progress"
	"godarts/rundir"
	"godarts/tensor"
)

// Model is a classifier the loop can train: the CNN baseline or a genotype's network.
type Model interface {
	// Forward returns the logits and, for networks with an auxiliary head in training,
	// the auxiliary logits (nil otherwise). tp may be nil (evaluation).
	Forward(tp *autograd.Tape, x *autograd.Var) (logits, aux *autograd.Var)
	Params() []layers.Named
	Buffers() []layers.NamedTensor
	SetTraining(on bool)
}

// DropPathSetter is a model with drop-path, whose probability the loop ramps linearly
// over the epochs (train.py: drop_path_prob · epoch / epochs).
type DropPathSetter interface {
	SetDropPath(p float64)
}

// Config is every setting of a training run.
type Config struct {
	Epochs      int     `json:"epochs"`
	Batch       int     `json:"batch"`
	Optimizer   string  `json:"optimizer"` // adam or sgd
	LR          float64 `json:"lr"`
	LRMin       float64 `json:"lr_min"`
	Momentum    float64 `json:"momentum"`
	WeightDecay float64 `json:"weight_decay"`
	GradClip    float64 `json:"grad_clip"` // 0: no clipping
	AuxWeight   float64 `json:"aux_weight"`
	DropPath    float64 `json:"drop_path"`
	Cutout      int     `json:"cutout"`
	// Augment is "dataset" (the dataset's default crop and flip, data.DefaultAugment) or
	// "none".
	Augment string `json:"augment"`
	Seed    uint64 `json:"seed"`
}

// Metrics is one line of metrics.jsonl.
type Metrics struct {
	Epoch     int     `json:"epoch"`
	LR        float64 `json:"lr"`
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_acc"`
	TestLoss  float64 `json:"test_loss"`
	TestAcc   float64 `json:"test_acc"`
	Seconds   float64 `json:"seconds"`
}

// State is state.json of a training run.
type State struct {
	Epoch   int               `json:"epoch"`
	RNG     string            `json:"rng"`
	Batcher data.BatcherState `json:"batcher"`
	Optim   optim.State       `json:"optim"`
	Config  Config            `json:"config"`
}

// Trainer trains one model on one dataset, epoch by epoch, with a checkpoint after each.
type Trainer struct {
	Cfg   Config
	Dev   tensor.Backend
	Model Model
	RNG   *tensor.RNG
	Epoch int

	opt   optim.Optimizer
	train *data.Batcher
	test  *data.Batcher
	dir   *rundir.Dir
	rep   *progress.Reporter
}

// NewTrainer prepares a run of model on trainSet, evaluated on testSet every epoch.
func NewTrainer(cfg Config, dev tensor.Backend, model Model, rng *tensor.RNG, trainSet, testSet *data.Dataset, dir *rundir.Dir, rep *progress.Reporter) (*Trainer, error) {
	if cfg.Epochs < 1 || cfg.Batch < 2 || !(cfg.LR > 0) {
		return nil, fmt.Errorf("--epochs %d --batch %d --lr %v: want ≥ 1 epoch, batch ≥ 2, lr > 0", cfg.Epochs, cfg.Batch, cfg.LR)
	}
	if cfg.Batch > trainSet.N { // the last partial batch is dropped: no step would run
		return nil, fmt.Errorf("--batch %d: larger than the training set (%d images)", cfg.Batch, trainSet.N)
	}
	mean, std := trainSet.ChannelStats()
	var aug data.Augment
	switch cfg.Augment {
	case "dataset", "":
		aug = data.DefaultAugment(trainSet.Name)
	case "none":
	default:
		return nil, fmt.Errorf("--augment %q: want dataset or none", cfg.Augment)
	}
	aug.Cutout = cfg.Cutout
	t := &Trainer{Cfg: cfg, Dev: dev, Model: model, RNG: rng, dir: dir, rep: rep}
	var err error
	if t.train, err = data.NewBatcher(trainSet, data.BatcherConfig{Batch: cfg.Batch, Shuffle: true, DropLast: true, Seed: cfg.Seed + 1, Mean: mean, Std: std, Augment: aug}); err != nil {
		return nil, err
	}
	if t.test, err = data.NewBatcher(testSet, data.BatcherConfig{Batch: 256, Mean: mean, Std: std}); err != nil {
		return nil, err
	}
	vars := make([]*autograd.Var, 0)
	for _, p := range model.Params() {
		vars = append(vars, p.V)
	}
	switch cfg.Optimizer {
	case "adam":
		t.opt = optim.NewAdam(vars, optim.AdamConfig{LR: cfg.LR, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: cfg.WeightDecay})
	case "sgd":
		t.opt = optim.NewSGD(vars, optim.SGDConfig{LR: cfg.LR, Momentum: cfg.Momentum, WeightDecay: cfg.WeightDecay})
	default:
		return nil, fmt.Errorf("--optimizer %q: want adam or sgd", cfg.Optimizer)
	}
	return t, nil
}

func (t *Trainer) tensors() []Tensor {
	var ts []Tensor
	for _, p := range t.Model.Params() {
		ts = append(ts, Tensor{Name: p.Name, T: p.V.Value})
	}
	for _, b := range t.Model.Buffers() {
		ts = append(ts, Tensor{Name: b.Name, T: b.T})
	}
	for _, o := range t.opt.StateTensors() {
		ts = append(ts, Tensor{Name: "optim." + o.Name, T: o.T})
	}
	return ts
}

func (t *Trainer) save() error {
	if err := SaveTensors(t.dir.File(rundir.Checkpoint), t.tensors(), map[string]string{"epoch": fmt.Sprint(t.Epoch)}); err != nil {
		return err
	}
	rng, _ := t.RNG.MarshalBinary()
	return t.dir.WriteJSON(rundir.State, State{Epoch: t.Epoch, RNG: base64.StdEncoding.EncodeToString(rng), Batcher: t.train.State(), Optim: t.opt.State(), Config: t.Cfg})
}

// Resume restores the last checkpoint of dir.
func (t *Trainer) Resume(dir *rundir.Dir) error {
	var st State
	if err := dir.ReadJSON(rundir.State, &st); err != nil {
		return err
	}
	if st.Config != t.Cfg {
		return fmt.Errorf("--resume %s: the run was made with other settings (%+v)", dir.Path, st.Config)
	}
	if _, err := LoadTensors(dir.File(rundir.Checkpoint), t.tensors()); err != nil {
		return err
	}
	rng, err := base64.StdEncoding.DecodeString(st.RNG)
	if err == nil {
		err = t.RNG.UnmarshalBinary(rng)
	}
	if err != nil {
		return fmt.Errorf("read %s: field rng: %v", dir.File(rundir.State), err)
	}
	if err := t.train.Restore(st.Batcher); err != nil {
		return fmt.Errorf("read %s: field batcher: %v", dir.File(rundir.State), err)
	}
	t.opt.SetState(st.Optim)
	t.Epoch = st.Epoch
	return dir.TruncateJSONL(rundir.Metrics, func(m map[string]any) bool { e, ok := m["epoch"].(float64); return ok && int(e) < t.Epoch })
}

// Run trains the remaining epochs. A cancelled ctx stops after the current batch; the
// last epoch's checkpoint stays on disk.
func (t *Trainer) Run(ctx context.Context) ([]Metrics, error) {
	var all []Metrics
	vars := make([]*autograd.Var, 0)
	for _, p := range t.Model.Params() {
		vars = append(vars, p.V)
	}
	for t.Epoch < t.Cfg.Epochs {
		start := time.Now()
		lr := CosineLR(t.Cfg.LR, t.Cfg.LRMin, t.Epoch, t.Cfg.Epochs)
		t.opt.SetLR(lr)
		if d, ok := t.Model.(DropPathSetter); ok {
			d.SetDropPath(t.Cfg.DropPath * float64(t.Epoch) / float64(t.Cfg.Epochs))
		}
		t.Model.SetTraining(true)
		m := NewMeter(t.Dev)
		bar := t.rep.Bar(fmt.Sprintf("epoch %d/%d", t.Epoch+1, t.Cfg.Epochs), t.train.BatchesPerEpoch())
		var hb data.Batch
		for t.train.Next(&hb) {
			b := Upload(t.Dev, &hb)
			autograd.ZeroGrad(vars)
			tp := autograd.NewTape()
			logits, aux := t.Model.Forward(tp, autograd.Const(b.X))
			loss := tp.CrossEntropy(logits, b.Y)
			m.Add(loss.Value, logits.Value, b.Y)
			if aux != nil && t.Cfg.AuxWeight > 0 {
				loss = tp.Add(loss, tp.Scale(tp.CrossEntropy(aux, b.Y), float32(t.Cfg.AuxWeight)))
			}
			tp.Backward(loss)
			tp.Release()
			if t.Cfg.GradClip > 0 {
				optim.ClipGradNorm(vars, float32(t.Cfg.GradClip))
			}
			t.opt.Step()
			b.Free()
			bar.Add(1, "")
			if ctx.Err() != nil {
				bar.Done()
				return all, ctx.Err()
			}
		}
		bar.Done()
		res := Metrics{Epoch: t.Epoch, LR: lr}
		res.TrainLoss, res.TrainAcc = m.Read()
		res.TestLoss, res.TestAcc = Evaluate(t.Dev, t.Model, t.test)
		res.Seconds = time.Since(start).Seconds()
		if err := t.dir.AppendJSONL(rundir.Metrics, res); err != nil {
			return all, err
		}
		t.Epoch++
		if err := t.save(); err != nil {
			return all, err
		}
		t.rep.Linef("epoch %d/%d lr %.3g train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%% | %.1fs",
			res.Epoch+1, t.Cfg.Epochs, lr, res.TrainLoss, 100*res.TrainAcc, res.TestLoss, 100*res.TestAcc, res.Seconds)
		t.rep.Event(map[string]any{"event": "epoch", "metrics": res})
		all = append(all, res)
	}
	return all, nil
}

// Evaluate returns the mean loss and accuracy of model (in evaluation mode) over one pass
// of b.
func Evaluate(dev tensor.Backend, model Model, b *data.Batcher) (loss, acc float64) {
	model.SetTraining(false)
	defer model.SetTraining(true)
	m := NewMeter(dev)
	var hb data.Batch
	for b.Next(&hb) {
		db := Upload(dev, &hb)
		tp := autograd.NoGrad() // records nothing; frees what the forward made
		logits, _ := model.Forward(tp, autograd.Const(db.X))
		m.Add(tp.CrossEntropy(logits, db.Y).Value, logits.Value, db.Y)
		tp.Release()
		db.Free()
	}
	return m.Read()
}
