package engine

import (
	"math/rand/v2"
	"sort"
	"testing"

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
			if x.index != i {
				t.Fatal("index out of date")
			}
		}
	}
}
