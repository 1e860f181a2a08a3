package engine

import (
	"testing"
	"time"
)

// A shard that gets no CPU for longer than the detection time must not
// declare sessions Down whose packets arrived in time: received packets are
// stamped when the reader takes them from the kernel and are processed
// before the timers (RFC 5880 §6.8.4 counts a packet when it is received).
func TestShardStallIsNotAFailure(t *testing.T) {
	// A detects B's silence after 3 x 100 ms; B detects A's after
	// 25 x 100 ms, well beyond the stall, so B stays Up throughout.
	// (Intervals long enough that a loaded machine running this under the
	// race detector does not flap them for other reasons.)
	w := newWorld(t, 20, params(100*ms, 25), params(100*ms, 3))
	waitEvents(t, w.subA, 20, isUp, 10*time.Second)
	waitEvents(t, w.subB, 20, isUp, 10*time.Second)
	time.Sleep(500 * time.Millisecond)
	drain := func(s *Subscription) {
		for {
			select {
			case <-s.C:
			default:
				return
			}
		}
	}
	drain(w.subA)
	for _, sh := range w.a.shards {
		// Stall every shard of A for 750 ms (2.5 of A's detection times)
		// while B keeps sending; a stall stands in for a descheduled
		// process.
		go w.a.do(sh, func(*shard) { time.Sleep(750 * time.Millisecond) })
	}
	deadline := time.After(2 * time.Second)
	for {
		select {
		case ev := <-w.subA.C:
			t.Fatalf("false failure after a stall: %v %v -> %v (diag %v)", ev.Key, ev.Old, ev.New, ev.LocalDiag)
		case <-deadline:
			return
		}
	}
}
