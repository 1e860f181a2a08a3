package engine

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/session"
)

// The deadline heap against a sorted reference under random set/remove.
func TestDeadlineHeap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var h deadlines
	es := make([]*entry, 200)
	for i := range es {
		es[i] = &entry{index: -1, deadline: session.Never}
	}
	for range 20000 {
		e := es[r.IntN(len(es))]
		switch r.IntN(4) {
		case 0:
			h.remove(e)
			e.deadline = session.Never
		case 1:
			h.set(e, session.Never)
		default:
			h.set(e, session.Time(r.IntN(1000)))
		}
		var want []session.Time
		for _, x := range es {
			if x.deadline != session.Never {
				want = append(want, x.deadline)
			}
		}
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		if len(want) != len(h) {
			t.Fatalf("heap has %d, want %d", len(h), len(want))
		}
		if len(want) > 0 && h.peek().deadline != want[0] {
			t.Fatalf("min %d, want %d", h.peek().deadline, want[0])
		}
		for i, x := range h {
			if x.e.index != i || x.at != x.e.deadline {
				t.Fatal("index or deadline out of date")
			}
			if p := (i - 1) / heapArity; i > 0 && h[p].at > x.at {
				t.Fatal("heap order broken")
			}
		}
	}
}

// A shard's steady state at 25,000 sessions of 1 s (half of the 50,000
// system benchmark): the earliest session transmits and moves a second
// later, down the whole heap. Entries are allocated apart, as sessions are.
func BenchmarkDeadlinesTransmit25k(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var h deadlines
	const n = 25000
	es := make([]*entry, n)
	var pad [][]byte
	for i := range es {
		es[i] = &entry{index: -1}
		pad = append(pad, make([]byte, 900)) // an entry's session and counters lie between
		h.set(es[i], session.Time(r.Int64N(int64(time.Second))))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e := h.peek()
		h.set(e, e.deadline+session.Time(time.Second)-session.Time(r.Int64N(int64(250*time.Millisecond))))
	}
	_ = pad
}
