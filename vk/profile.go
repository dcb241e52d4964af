//go:build !novulkan && cgo

package vk

import (
	"fmt"
	"os"

	vulkan "github.com/vulkan-go/vulkan"

	"godarts/tensor"
)

// The profiler (GODARTS_VK_PROFILE=1) brackets every dispatch with two timestamps in a
// query pool of the command buffer's slot, reset at the start of each batch, and reads them
// when the batch's fence is found signalled (retire), so it adds no host waits. Off, there
// is no query pool and no command is recorded beyond the dispatch.

// queriesPerBatch holds two timestamps for each of the at most flushEvery dispatches of a
// batch (countRecorded submits a batch at flushEvery commands).
const queriesPerBatch = 2 * flushEvery

// A profiler sums the timed dispatches per pipeline.
type profiler struct {
	mask    uint64  // timestampValidBits of the queue, as a mask
	period  float64 // nanoseconds per tick
	index   map[pipeKey]int32
	entries []profEntry
	untimed int64 // dispatches past a batch's queries (none while flushEvery bounds batches)
	buf     []uint64
}

type profEntry struct {
	key   pipeKey
	calls int64
	ticks uint64
}

// newProfiler returns the profiler for info's compute queue, or nil with a one-line notice
// on stderr when that queue writes no timestamps.
func newProfiler(info DeviceInfo) *profiler {
	if info.TimestampValidBits == 0 || info.TimestampPeriod <= 0 {
		fmt.Fprintf(os.Stderr, "vk: GODARTS_VK_PROFILE: the compute queue of %s has no timestamps; profiling off\n", info.Name)
		return nil
	}
	mask := ^uint64(0)
	if info.TimestampValidBits < 64 {
		mask = 1<<uint(info.TimestampValidBits) - 1
	}
	return &profiler{mask: mask, period: float64(info.TimestampPeriod), index: map[pipeKey]int32{},
		buf: make([]uint64, queriesPerBatch)}
}

func (p *profiler) entry(k pipeKey) int32 {
	if i, ok := p.index[k]; ok {
		return i
	}
	i := int32(len(p.entries))
	p.entries = append(p.entries, profEntry{key: k})
	p.index[k] = i
	return i
}

// beginBatch gives slot s its query pool on first use and records the reset of its queries.
func (b *Backend) profBeginBatch(s *slot) {
	if s.qp == nil {
		qp, r := b.rec.createQueryPool(queriesPerBatch)
		if r != vulkan.Success {
			b.deviceFailed("create timestamp query pool", r)
		}
		s.qp = qp
	}
	b.rec.resetQueries(s.cb, s.qp, queriesPerBatch)
	s.timed = s.timed[:0]
}

// profQuery returns the query pool and first query for the next dispatch of the batch being
// recorded, or a null pool when profiling is off.
func (b *Backend) profQuery(k pipeKey) (vulkan.QueryPool, uint32) {
	if b.prof == nil {
		return nil, 0
	}
	s := b.cur
	if len(s.timed) >= flushEvery {
		b.prof.untimed++
		return nil, 0
	}
	q := uint32(2 * len(s.timed))
	s.timed = append(s.timed, b.prof.entry(k))
	return s.qp, q
}

// profCollect adds the timestamps of finished slot s to the totals.
func (b *Backend) profCollect(s *slot) {
	n := len(s.timed)
	if b.prof == nil || n == 0 {
		return
	}
	p := b.prof
	ts := p.buf[:2*n]
	if r := b.rec.queryResults(s.qp, ts); r != vulkan.Success {
		b.deviceFailed("read timestamps", r)
	}
	for i, e := range s.timed {
		d := (ts[2*i+1] - ts[2*i]) & p.mask
		p.entries[e].calls++
		p.entries[e].ticks += d
	}
	s.timed = s.timed[:0]
}

// Profile returns the GPU time of every shader dispatched so far (bySpec: of every
// pipeline, a shader with its workgroup size and constants), most time first. It waits for
// the work recorded so far, so the totals are complete. ok is false when tb is not a Vulkan
// backend or was not opened with GODARTS_VK_PROFILE=1 (or its queue has no timestamps).
func Profile(tb tensor.Backend, bySpec bool) (rows []ProfileRow, ok bool) {
	b, isVK := tb.(*Backend)
	if !isVK {
		return nil, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.prof == nil {
		return nil, false
	}
	b.waitAll()
	p := b.prof
	at := map[string]int{}
	var total uint64
	for _, e := range p.entries {
		name := e.key.shader
		if bySpec {
			name += "\x00" + specString(e.key.spec)
		}
		i, seen := at[name]
		if !seen {
			i = len(rows)
			at[name] = i
			r := ProfileRow{Shader: e.key.shader}
			if bySpec {
				r.Spec = specString(e.key.spec)
			}
			rows = append(rows, r)
		}
		rows[i].Calls += e.calls
		rows[i].TotalMs += float64(e.ticks) * p.period / 1e6
		total += e.ticks
	}
	return finishRows(rows, float64(total)*p.period/1e6), true
}

// specString spells a pipeline's constants: the workgroup size, then the op constants up
// to the last non-zero one.
func specString(s [specCount]uint32) string {
	out := fmt.Sprintf("wg %dx%dx%d", s[0], s[1], s[2])
	last := 2
	for i := 3; i < specCount; i++ {
		if s[i] != 0 {
			last = i
		}
	}
	if last > 2 {
		out += fmt.Sprint(" ", s[3:last+1])
	}
	return out
}
