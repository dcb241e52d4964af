package optim

import "math"

// CosineAnnealingLR is the learning rate of epoch e (0-based) of T under PyTorch's
// CosineAnnealingLR stepped once per epoch, as DARTS uses it (nas-algorithms.md §1.5):
// lr_e = min + (base − min)(1 + cos(π e/T))/2. T ≤ 0 gives base.
func CosineAnnealingLR(base, min float64, e, T int) float64 {
	if T <= 0 {
		return base
	}
	return min + 0.5*(base-min)*(1+math.Cos(math.Pi*float64(e)/float64(T)))
}
