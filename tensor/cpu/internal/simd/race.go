//go:build race

package simd

import (
	"runtime"
	"unsafe"
)

// The race detector cannot see memory touched by assembly, so the exported
// functions report their slices' ranges themselves (as klauspost's
// generated code does).
const raceEnabled = true

func raceRead(x []float32) {
	if len(x) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&x[0]), len(x)*4)
	}
}

func raceWrite(x []float32) {
	if len(x) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&x[0]), len(x)*4)
	}
}
