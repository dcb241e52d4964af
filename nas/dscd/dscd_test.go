package dscd

import (
	"encoding/json"
	"math"
	"testing"

	"godarts/internal/betadist"
)

func TestConcentrationSchedule(t *testing.T) {
	cases := []struct {
		step, total int
		want        float64
	}{
		{0, 100, 0}, {-3, 100, 0}, {100, 100, 1}, {150, 100, 1}, {50, 100, 0.5},
		{25, 100, 0.5 * (1 - math.Sqrt2/2)}, {75, 100, 0.5 * (1 + math.Sqrt2/2)}, {5, 0, 1},
	}
	for _, c := range cases {
		if got := Concentration(c.step, c.total); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Concentration(%d, %d) = %v, want %v", c.step, c.total, got, c.want)
		}
	}
	prev := -1.0
	for s := 0; s <= 1000; s++ {
		c := Concentration(s, 1000)
		if c < prev {
			t.Fatalf("Concentration decreases at step %d: %v after %v", s, c, prev)
		}
		prev = c
	}
}

func TestProposalEndPoints(t *testing.T) {
	for _, u := range []float64{0, 0.1, 0.5, 0.93, 1} {
		// c = 0: the uniform distribution, whatever the position.
		a, b := ProposalParams(0, u, 1e-3)
		if math.Abs(a-1) > 1e-9 || math.Abs(b-1) > 1e-9 {
			t.Errorf("ProposalParams(0, %v) = Beta(%v, %v), want Beta(1, 1)", u, a, b)
		}
		// c = 1: mean at the (clamped) position, std at the floor or its cap.
		m, s := ProposalMoments(1, u, 1e-3)
		uc := math.Min(math.Max(u, 1e-4), 1-1e-4)
		if math.Abs(m-uc) > 1e-12 {
			t.Errorf("ProposalMoments(1, %v): mean %v, want %v", u, m, uc)
		}
		if wantS := math.Min(1e-3, 0.99*math.Sqrt(uc*(1-uc))); math.Abs(s-wantS) > 1e-12 {
			t.Errorf("ProposalMoments(1, %v): std %v, want %v", u, s, wantS)
		}
	}
}

func TestProposalMomentMatching(t *testing.T) {
	for _, c := range []float64{0, 0.1, 0.3, 0.5, 0.8, 0.99, 1} {
		for _, u := range []float64{0, 0.02, 0.3, 0.5, 0.77, 1} {
			wantM, wantS := ProposalMoments(c, u, 1e-3)
			// Linear interpolation between the two extremes (appendix C, eq. 3-4), before guards.
			uc := math.Min(math.Max(u, 1e-4), 1-1e-4)
			if lin := (1-c)*0.5 + c*uc; math.Abs(wantM-lin) > 1e-12 {
				t.Errorf("c=%v u=%v: mean %v, want the interpolation %v", c, u, wantM, lin)
			}
			if lin := (1-c)/math.Sqrt(12) + c*1e-3; wantS > lin+1e-12 {
				t.Errorf("c=%v u=%v: std %v above the interpolation %v", c, u, wantS, lin)
			}
			a, b := ProposalParams(c, u, 1e-3)
			if !(a > 0 && b > 0) {
				t.Fatalf("c=%v u=%v: Beta(%v, %v), want positive parameters", c, u, a, b)
			}
			if m := betadist.Mean(a, b); math.Abs(m-wantM) > 1e-9 {
				t.Errorf("c=%v u=%v: Beta(%v, %v) has mean %v, want %v", c, u, a, b, m, wantM)
			}
			if s := math.Sqrt(betadist.Var(a, b)); math.Abs(s-wantS) > 1e-9*math.Max(1, wantS) {
				t.Errorf("c=%v u=%v: Beta(%v, %v) has std %v, want %v", c, u, a, b, s, wantS)
			}
		}
	}
}

func newCtrl(t *testing.T, cfg Config) *Controller {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSwitching scripts the losses and checks the step types of §3: switch after N
// consecutive steps of one type at the first step that did not improve.
func TestSwitching(t *testing.T) {
	c := newCtrl(t, Config{N: 3, K: 3, TotalSteps: 100, Seed: 1})
	c.Start(10)
	x := []float64{0, 0}
	steps := []struct {
		want Kind
		loss float64
		kept bool
	}{
		{Local, 9, true},   // improving local steps never switch
		{Local, 8, true},   //
		{Local, 7, true},   // N reached but improved
		{Local, 7, true},   // not improved, N reached: switch
		{Global, 8, false}, // worse than the window's best 7: rejected
		{Global, 6, true},  // better: accepted
		{Global, 5, true},  // run of 3 but improved: stay global
		{Global, 5, false}, // rejected = not improved: switch
		{Local, 6, true},   // local steps are always kept
		{Local, 5.5, true},
		{Local, 5.6, true},  // not improved at run 3: switch
		{Global, 5.2, true}, // beats the best of the last K=3 current losses {6, 5.5, 5.6}
	}
	for i, s := range steps {
		if got := c.Next(); got != s.want {
			t.Fatalf("step %d: Next() = %v, want %v", i, got, s.want)
		}
		if s.want == Global {
			moves := c.Propose(x)
			Apply(x, moves)
		}
		if kept := c.Report(s.loss); kept != s.kept {
			t.Fatalf("step %d (%v, loss %v): kept = %v, want %v", i, s.want, s.loss, kept, s.kept)
		}
	}
	if st := c.State(); st.Proposed != 5 || st.Accepted != 3 || st.Step != len(steps) {
		t.Errorf("counters: proposed %d accepted %d steps %d, want 5, 3, %d", st.Proposed, st.Accepted, st.Step, len(steps))
	}
}

// TestWindow checks that a proposal must beat the best loss of the last K steps, not the
// current loss and not the best ever.
func TestWindow(t *testing.T) {
	c := newCtrl(t, Config{N: 1, K: 3, TotalSteps: 100})
	x := []float64{1}
	c.Report(1)   // local, improved (first)
	c.Report(1.5) // local, not improved: switch
	c.Propose(x)
	if c.Report(1.2) { // window {1, 1.5}: best 1
		t.Fatal("1.2 kept although the window holds 1")
	}
	// The rejected step pushed the current loss 1.5, the window is now {1, 1.5, 1.5}; the
	// rejection also switched back to local.
	c.Report(1.4)  // local, improved; window {1.5, 1.5, 1.4}: 1 has left it
	c.Report(1.45) // local, not improved: switch
	c.Propose(x)
	if !c.Report(1.3) { // window {1.5, 1.4, 1.45}: best 1.4
		t.Fatal("1.3 rejected although the last K=3 losses are all above it")
	}
}

func TestNonFiniteLoss(t *testing.T) {
	c := newCtrl(t, Config{N: 1, K: 10, TotalSteps: 10})
	x := []float64{0}
	c.Report(2)
	c.Report(3) // switch
	for _, bad := range []float64{math.NaN(), math.Inf(-1), math.Inf(1)} {
		c.Propose(x)
		if c.Report(bad) {
			t.Errorf("global loss %v kept", bad)
		}
		for c.Next() == Local { // a rejection does not improve: back to local until a
			c.Report(5) // step fails to improve
		}
	}
	if _, err := json.Marshal(c); err != nil {
		t.Errorf("state after non-finite losses does not marshal: %v", err)
	}
}

func TestProposeDomainAndCoords(t *testing.T) {
	cfg := Config{N: 1, Coords: 3, Lo: -2, Hi: 5, TotalSteps: 50, Seed: 9}
	c := newCtrl(t, cfg)
	x := []float64{0, 1, 2, 3, 100} // the last lies outside the domain
	c.Report(1)
	c.Report(1)
	for i := 0; i < 40; i++ {
		moves := c.Propose(x)
		if len(moves) != 3 {
			t.Fatalf("%d moves, want 3", len(moves))
		}
		seen := map[int]bool{}
		for _, m := range moves {
			if seen[m.Coord] {
				t.Fatalf("coordinate %d proposed twice", m.Coord)
			}
			seen[m.Coord] = true
			if m.Old != x[m.Coord] {
				t.Fatalf("move of %d: old %v, x holds %v", m.Coord, m.Old, x[m.Coord])
			}
			if !(m.New >= -2 && m.New <= 5) {
				t.Fatalf("proposal %v outside [-2, 5]", m.New)
			}
		}
		c.Report(2) // rejected: not improved, switches to local
		for c.Next() == Local {
			c.Report(1)
		}
	}
}

// TestProposalsFollowAnnealing checks that early proposals spread over the domain and late
// ones concentrate at the current position.
func TestProposalsFollowAnnealing(t *testing.T) {
	propose := func(step int) (mean, std float64) {
		c := newCtrl(t, Config{N: 1, Lo: 0, Hi: 10, TotalSteps: 1000, Seed: uint64(step)})
		st := c.State()
		st.Kind, st.Step = Global, step
		if err := c.Restore(st); err != nil {
			t.Fatal(err)
		}
		const n = 4000
		var xs [n]float64
		for i := range xs {
			xs[i] = c.Propose([]float64{8})[0].New
			c.st.Pending = nil // draw again at the same step
		}
		for _, v := range xs {
			mean += v
		}
		mean /= n
		for _, v := range xs {
			std += (v - mean) * (v - mean)
		}
		return mean, math.Sqrt(std / n)
	}
	if m, s := propose(0); math.Abs(m-5) > 0.2 || math.Abs(s-10/math.Sqrt(12)) > 0.15 {
		t.Errorf("step 0: proposals mean %.3f std %.3f, want uniform on [0, 10] (5, 2.887)", m, s)
	}
	if m, s := propose(1000); math.Abs(m-8) > 0.01 || s > 0.02 {
		t.Errorf("last step: proposals mean %.4f std %.4f, want concentrated at 8", m, s)
	}
	m, s := propose(500) // c = 0.5: mean 6.5, std (2.887+0.01)/2
	if math.Abs(m-6.5) > 0.1 || math.Abs(s-1.4484) > 0.1 {
		t.Errorf("mid-search: proposals mean %.3f std %.3f, want 6.5, 1.448", m, s)
	}
}

// TestResume saves a Controller's state mid-search, restores it into a fresh one and checks
// that both then take identical steps.
func TestResume(t *testing.T) {
	cfg := Config{N: 2, K: 4, TotalSteps: 300, Seed: 42}
	loss := func(x []float64) float64 {
		var s float64
		for _, v := range x {
			s += math.Sin(3*v) + 0.1*v*v
		}
		return s
	}
	// drive takes steps and returns a trace of every proposal, decision and step type.
	drive := func(c *Controller, x []float64, steps int) []float64 {
		var trace []float64
		for i := 0; i < steps; i++ {
			if c.Next() == Local {
				x[i%len(x)] -= 0.05
				c.Report(loss(x))
			} else {
				moves := c.Propose(x)
				Apply(x, moves)
				kept := c.Report(loss(x))
				if !kept {
					Revert(x, moves)
				}
				trace = append(trace, float64(moves[0].Coord), moves[0].New, b2f(kept))
			}
			trace = append(trace, float64(c.Next()))
		}
		return trace
	}
	a := newCtrl(t, cfg)
	xa := []float64{1, 2, 3}
	drive(a, xa, 100)
	blob, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	b := newCtrl(t, cfg)
	if err := json.Unmarshal(blob, b); err != nil {
		t.Fatal(err)
	}
	xb := append([]float64(nil), xa...)
	ta := drive(a, xa, 150)
	tb := drive(b, xb, 150)
	if st := a.State(); st.Proposed < 10 || st.Accepted < 1 {
		t.Fatalf("the trace took %d global steps, %d kept; want a few of each", st.Proposed, st.Accepted)
	}
	if len(ta) != len(tb) {
		t.Fatalf("traces of %d and %d entries after resume", len(ta), len(tb))
	}
	for i := range ta {
		if ta[i] != tb[i] {
			t.Fatalf("entry %d differs after resume: %v vs %v", i, ta[i], tb[i])
		}
	}
}

func TestConfigErrors(t *testing.T) {
	bad := []Config{
		{TotalSteps: 0},
		{N: -1, TotalSteps: 5},
		{K: -2, TotalSteps: 5},
		{Lo: 3, Hi: 1, TotalSteps: 5},
		{Coords: -1, TotalSteps: 5},
		{SMin: 0.7, TotalSteps: 5},
	}
	for _, cfg := range bad {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v): no error", cfg)
		}
	}
	c := newCtrl(t, Config{TotalSteps: 5})
	if got := c.Config(); got.N != 10 || got.K != 100 || got.Lo != -6 || got.Hi != 6 || got.Coords != 1 || got.SMin != 1e-3 || got.MinImprovement != 1e-3 {
		t.Errorf("defaults: %+v", got)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TestMinImprovement checks that a decrease smaller than MinImprovement·|prev| counts as no
// improvement for switching, and that a negative MinImprovement reads "improve" strictly.
func TestMinImprovement(t *testing.T) {
	cases := []struct {
		tol  float64
		next float64
		want Kind
	}{
		{1e-3, 100 - 0.05, Global}, // 5e-4 relative: too small
		{1e-3, 100 - 0.2, Local},   // 2e-3 relative: improved
		{-1, 100 - 1e-9, Local},    // strict: any decrease improves
		{-1, 100, Global},
	}
	for _, c := range cases {
		ctrl := newCtrl(t, Config{N: 1, MinImprovement: c.tol, TotalSteps: 10})
		ctrl.Start(100)
		ctrl.Report(c.next)
		if got := ctrl.Next(); got != c.want {
			t.Errorf("tol %v, 100 → %v: next %v, want %v", c.tol, c.next, got, c.want)
		}
	}
}
