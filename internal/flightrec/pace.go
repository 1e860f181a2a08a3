package flightrec

import (
	"runtime"
	"runtime/metrics"
)

// The runtime's flight recorder copies the trace into the Go heap as it
// arrives and drops the oldest part as the window moves: garbage at the
// trace's data rate (about 0.5 MB/s with 1,000 sessions at 50 ms). The
// deployment guide runs gobfd with GOGC=off and a GOMEMLIMIT, where the
// collector would only run near the limit: RSS would climb to GOMEMLIMIT.
// So while the collector is off the recorder collects its own garbage:
// once the heap has grown by budget bytes since the last collection, it
// runs one. With the collector on, the runtime paces itself and this does
// nothing.

// pacer decides when the recorder's garbage is due for a collection.
type pacer struct {
	budget uint64
	stats  func() (gcOff bool, allocs, cycles uint64) // runtimeStats (tests: a fake)
	gc     func()                                     // runtime.GC (tests: a fake)
	cycles uint64                                     // GC cycles completed at the last look
	base   uint64                                     // heap bytes allocated then
}

func newPacer(budget uint64) *pacer {
	return &pacer{budget: budget, stats: runtimeStats(), gc: runtime.GC}
}

// runtimeStats reads whether GOGC is off, the heap bytes allocated so far
// and the GC cycles completed, without allocating.
func runtimeStats() func() (bool, uint64, uint64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	return func() (bool, uint64, uint64) {
		metrics.Read(s)
		return int64(s[0].Value.Uint64()) < 0, s[1].Value.Uint64(), s[2].Value.Uint64() // GOGC=off reads as -1
	}
}

// tick runs a collection if the collector is off (GOGC=off) and more than
// budget bytes were allocated since the last collection; it reports
// whether it ran one.
func (p *pacer) tick() bool {
	off, allocs, cycles := p.stats()
	if cycles != p.cycles { // a collection ran since the last look
		p.cycles, p.base = cycles, allocs
		return false
	}
	if !off || allocs-p.base < p.budget {
		return false
	}
	p.gc()
	_, p.base, p.cycles = p.stats()
	return true
}
