package train

import "math"

// CosineLR is the learning rate of epoch e (0-based) of E under PyTorch's
// CosineAnnealingLR stepped once per epoch, as DARTS uses it (nas-algorithms.md §1.5, §9.1):
// η_e = η_min + ½(η_max − η_min)(1 + cos(π e/E)).
func CosineLR(base, min float64, e, E int) float64 {
	if E <= 0 {
		return base
	}
	return min + 0.5*(base-min)*(1+math.Cos(math.Pi*float64(e)/float64(E)))
}
