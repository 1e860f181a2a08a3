package engine

import (
	"context"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netio"
)

type discard struct{}

func (discard) Send([]netio.Message) error { return nil }

// BenchmarkSessionMemory reports the heap one more session costs in a
// running engine (target in docs/en/12-benchmarks.md: under 2 KiB of RSS per
// session between 1,000 and 50,000 sessions, daemon included).
func BenchmarkSessionMemory(b *testing.B) {
	const base, n = 1000, 50000
	heap := func() uint64 {
		runtime.GC()
		var st runtime.MemStats
		runtime.ReadMemStats(&st)
		return st.HeapAlloc
	}
	for b.Loop() {
		e := New(discard{}, Options{Shards: 2})
		e.Start(context.Background())
		cfgs := make([]SessionConfig, n)
		for i := range cfgs {
			cfgs[i] = SessionConfig{Key: Key{
				Peer:  netip.AddrFrom4([4]byte{198, 19, byte(i / 250), byte(i % 250)}),
				Local: netip.AddrFrom4([4]byte{198, 18, 0, 1})},
				Params: params(time.Second, 3)}
		}
		e.AddAll(cfgs[:base])
		h0 := heap()
		e.AddAll(cfgs[base:])
		h1 := heap()
		b.ReportMetric(float64(h1-h0)/float64(n-base), "B/session")
		runtime.KeepAlive(cfgs)
		e.Stop()
	}
}
