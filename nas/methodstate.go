package nas

import (
	"encoding/base64"
	"fmt"

	"godarts/optim"
	"godarts/tensor"
	"godarts/train"
)

// MethodState is the part of an architecture optimiser's state that lives on the host, in
// state.json: the random generator of ZARTS and ZO-DARTS++, and ZO-DARTS++'s current round
// (direction z, μ, steps taken; the perturbed copy's weights and optimiser buffers go into
// the checkpoint as zo.*). With it a resumed search continues the round where it stopped.
type MethodState struct {
	RNG     string       `json:"rng"`
	Z       []float64    `json:"zo_z,omitempty"`
	Mu      float64      `json:"zo_mu,omitempty"`
	Steps   int          `json:"zo_steps,omitempty"`
	PertOpt *optim.State `json:"zo_pert_optim,omitempty"`
}

func methodRNG(a ArchOptimizer) *tensor.RNG {
	switch m := a.(type) {
	case *ZODARTS:
		return m.Rng
	case *ZARTS:
		return m.Rng
	}
	return nil
}

// methodState returns the host state of the architecture optimiser, nil when it has none.
func (s *Search) methodState() *MethodState {
	rng := methodRNG(s.arch)
	if rng == nil {
		return nil
	}
	b, _ := rng.MarshalBinary()
	st := &MethodState{RNG: base64.StdEncoding.EncodeToString(b)}
	if zo, ok := s.arch.(*ZODARTS); ok && zo.z != nil {
		st.Z, st.Mu, st.Steps = zo.z, zo.mu, zo.steps
		o := zo.pertOpt.State()
		st.PertOpt = &o
	}
	return st
}

// methodTensors lists the device state of a ZO-DARTS++ round in progress.
func (s *Search) methodTensors() []train.Tensor {
	zo, ok := s.arch.(*ZODARTS)
	if !ok || zo.z == nil {
		return nil
	}
	var ts []train.Tensor
	for _, p := range zo.pert.Weights() {
		ts = append(ts, train.Tensor{Name: "zo.pert." + p.Name, T: p.V.Value})
	}
	for _, b := range zo.pert.Buffers() {
		ts = append(ts, train.Tensor{Name: "zo.pert." + b.Name, T: b.T})
	}
	for _, a := range zo.pert.Alphas() {
		ts = append(ts, train.Tensor{Name: "zo.pert." + a.Name, T: a.V.Value})
	}
	for _, o := range zo.pertOpt.StateTensors() {
		ts = append(ts, train.Tensor{Name: "zo.pert_optim." + o.Name, T: o.T})
	}
	return ts
}

// restoreMethod sets the host state from st and, for a ZO round in progress, builds the
// perturbed copy and its optimiser so that the checkpoint load fills them. A state without
// the field (older runs) leaves the method fresh: ZO-DARTS++ then starts a new round.
func (s *Search) restoreMethod(st *MethodState, file string) error {
	rng := methodRNG(s.arch)
	if rng == nil || st == nil {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(st.RNG)
	if err == nil {
		err = rng.UnmarshalBinary(b)
	}
	if err != nil {
		return fmt.Errorf("read %s: field method.rng: %v", file, err)
	}
	zo, ok := s.arch.(*ZODARTS)
	if !ok || st.Z == nil {
		return nil
	}
	if n := len(alphaVector(s.Net)); len(st.Z) != n || st.PertOpt == nil {
		return fmt.Errorf("read %s: field method.zo_z has %d values, want %d (and zo_pert_optim)", file, len(st.Z), n)
	}
	zo.z, zo.mu, zo.steps = st.Z, st.Mu, st.Steps
	zo.pert = s.Net.twin()
	zo.pertOpt = zo.newPertOpt(s.wOpt.Cfg.LR)
	zo.pertOpt.SetState(*st.PertOpt)
	return nil
}
