package dscd

import (
	"math"

	"godarts/internal/betadist"
)

// Beta annealing, appendix C of papers/dscd-making-darts-less-local.txt.
//
// What the paper text says: a proposal is a Beta-distributed unit position in the
// min-max-normalised proposal domain; a concentration c (the paper's symbol was lost in
// extraction) runs from 0, a uniform distribution over the unit domain, to 1, a Dirac delta
// at the current unit position; c starts at 0 and is annealed to 1 at the final epoch with
// cosine annealing (SGDR, its reference 12); the mean and the standard deviation of the two
// extremes are interpolated linearly and Beta(a, b) is solved from them; "the standard
// deviation will approach (but never reach) zero".
//
// Reconstructions (formulas lost in extraction; to confirm against the PDF): the exact
// cosine form λ = ½(1 − cos(π t/T)), the floor SMin of the standard deviation at c = 1, and
// the numerical guards below (reference/nas-algorithms.md §3.3).

const (
	// uniformStd is the standard deviation of Uniform(0, 1) = Beta(1, 1).
	uniformStd = 0.28867513459481287 // 1/√12

	// unitMargin keeps the current unit position away from 0 and 1, where a Beta with
	// mean exactly 0 or 1 does not exist (reference/nas-algorithms.md §3.3: δ ≈ 1e-4).
	unitMargin = 1e-4

	// maxStdFraction caps the standard deviation at this fraction of its largest possible
	// value √(m(1−m)) so that the method of moments gives a, b > 0 (§3.3: c < 1, e.g. 0.99).
	maxStdFraction = 0.99
)

// Concentration returns the annealed concentration c ∈ [0, 1] after step of total steps:
// ½(1 − cos(π·step/total)), 0 at the start (uniform proposals) and 1 at the end (proposals
// collapse onto the current position). Steps past total stay at 1; total ≤ 0 gives 1.
func Concentration(step, total int) float64 {
	if total <= 0 || step >= total {
		return 1
	}
	if step <= 0 {
		return 0
	}
	return 0.5 * (1 - math.Cos(math.Pi*float64(step)/float64(total)))
}

// ProposalMoments returns the mean and standard deviation of the proposal at concentration
// c for the current unit position u: mean = (1−c)·½ + c·u, std = (1−c)/√12 + c·sMin, with u
// clamped into [1e-4, 1 − 1e-4] and std capped at 0.99·√(mean(1−mean)).
func ProposalMoments(c, u, sMin float64) (mean, std float64) {
	c = math.Min(math.Max(c, 0), 1)
	u = math.Min(math.Max(u, unitMargin), 1-unitMargin)
	mean = (1-c)*0.5 + c*u
	std = (1-c)*uniformStd + c*sMin
	if limit := maxStdFraction * math.Sqrt(mean*(1-mean)); std > limit {
		std = limit
	}
	return mean, std
}

// ProposalParams returns the Beta(a, b) of the proposal at concentration c around the unit
// position u (see ProposalMoments). c = 0 gives Beta(1, 1), the uniform distribution.
// sMin must be positive.
func ProposalParams(c, u, sMin float64) (a, b float64) {
	m, s := ProposalMoments(c, u, sMin)
	a, b, err := betadist.FromMoments(m, s)
	if err != nil {
		// ProposalMoments keeps m in (0, 1) and s below its bound; only sMin ≤ 0 gets here.
		panic("dscd.ProposalParams: " + err.Error())
	}
	return a, b
}
