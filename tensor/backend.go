package tensor

// Buffer is a backend's storage for float32 elements. Only the backend that made it
// looks inside.
type Buffer interface {
	// Len is the number of float32 elements the buffer holds.
	Len() int
}

// Backend runs (CPU) or records (Vulkan) ops on its own buffers.
//
// The host waits for the device only in Download and Sync. Every other method returns at
// once on an asynchronous backend: Run records the op, Upload records a copy that is
// ordered with the ops recorded before and after it. Nothing in autograd, layers, the
// optimisers or nas may call Download inside a training step, except for a value the
// caller asked for (a loss to print, say).
type Backend interface {
	// Name says which backend this is ("ref", "cpu", "vulkan:0 llvmpipe", ...).
	Name() string
	// Alloc returns a zeroed buffer of n float32 elements. A device that cannot provide it
	// panics with a *DeviceError; the CLI turns that into one line.
	Alloc(n int) Buffer
	// Free gives a buffer back. The backend reuses it only after the work that touches it
	// has finished. Freeing is optional: unreachable buffers are reclaimed as well.
	Free(b Buffer)
	// Upload copies src into dst starting at element off.
	Upload(dst Buffer, off int, src []float32)
	// Download copies len(dst) elements of src starting at element off into dst, after all
	// work recorded before it has finished.
	Download(dst []float32, src Buffer, off int)
	// Run executes op (or records it) reading the tensors in and writing the tensors out.
	// Each op's doc comment in ops.go says what in and out hold. The shape checks are
	// done by the functions in this package (Conv2D, MatMul, ...) before Run is called, so
	// backends may trust shapes. Unless an op's doc says otherwise, every tensor passed
	// to Run is contiguous (IsContiguous), and out tensors never overlap in tensors
	// except where an op's doc allows it (elementwise ops may write in place: out == in).
	Run(op Op, out, in []*Tensor)
	// Sync waits until every recorded op has finished.
	Sync()
}

// DeviceError is what a backend panics with when the device itself fails: out of memory,
// device lost. It carries one line for the user.
type DeviceError struct {
	Backend string
	Msg     string
}

func (e *DeviceError) Error() string { return e.Backend + ": " + e.Msg }
