package engine

import (
	"time"

	"github.com/dantte-lp/gobfd/internal/session"
)

// stallMin is how much later than planned a shard must wake, or how long
// a round must take, to count as a stall. Ordinary wake-ups are late by
// tens of microseconds (p99.9 about 1 ms on a loaded 2-core machine) and
// rounds take less; a gap beyond this is time in which the shard's thread
// — or the whole machine — did not run.
const stallMin = 2 * time.Millisecond

// stallWindow is the last gap in a shard's run (noteWake).
//
// The gap starts where the shard last ran, not where it planned to wake:
// a shard sleeps until its earliest deadline, so the deadlines a pause
// takes are the ones it planned to wake for — and the machine may have
// stopped at any instant of that sleep, the packets that would have moved
// them with it.
type stallWindow struct {
	from, to session.Time
}

// noteWake, at the start of a round at now, records the shard's last
// stall: a wake-up stallMin or more past its plan (sh.expect), the gap
// from the end of the last round; or a last round that took stallMin or
// more — a pause of the machine in the middle of a round, after its timers
// were served with the time read at its start — the gap from that start.
// A long round that was only work is counted too: its deadlines are held
// by at most its length, and what it delayed is mostly packets, which are
// read before the timers anyway.
func (sh *shard) noteWake(now session.Time) {
	prev := sh.wokeAt
	sh.wokeAt = now
	if sh.expect == 0 {
		return
	}
	late, round := now.Sub(sh.expect), sh.ranAt.Sub(prev)
	switch {
	case round >= stallMin:
		sh.stall = stallWindow{from: prev, to: now}
		sh.stalls.observe(max(late, round))
	case late >= stallMin:
		sh.stall = stallWindow{from: sh.ranAt, to: now}
		sh.stalls.observe(late)
	}
}

// holdInStall holds a Detection Time that expired inside the shard's last
// stall: it runs again from the stall's end, but for no longer than the
// stall lasted (session.HoldDetection says why); it reports whether it
// did.
//
// Why: a shard whose process alone lost the CPU finds the packets that
// arrived meanwhile queued on its sockets and reads them before any timer
// (readSockets, fireTimers). But when the whole machine stops — a virtual
// machine paused by its hypervisor for tens of milliseconds, which the
// guest's steal time does not show — nothing is queued: the host's
// network stack did not run either, and a peer on the same host did not
// send. Declaring every session whose deadline fell in the gap Down at
// once was the flap of 500 sessions at 10 ms × 3 that bench/bfdbench
// measured up to three times a minute on such a machine, an independent
// process seeing the same 25–31 ms gaps (docs/en/12-benchmarks.md). After
// the gap the peer gets what RFC 5880 §6.8.4 gives it, a Detection Time
// in which to be heard, counted from when the shard runs again: a peer
// frozen with it sends its overdue packets at once and a remote one's were
// held by the host, but right after a pause every thread of the machine
// wants the CPU at once, and one transmit interval (the first version) was
// not always enough for a peer on the same host (an 85 ms pause at 500 @
// 10 ms). A deadline held once lies past the stall's end and is not held
// again; a peer that is really gone is declared Down at the held deadline,
// late by at most one Detection Time beyond the stall.
func (sh *shard) holdInStall(e *entry, detDue session.Time) bool {
	w := sh.stall
	if detDue <= w.from || detDue > w.to {
		return false
	}
	e.s.HoldDetection(w.to.Add(min(w.to.Sub(w.from), e.s.DetectionTime())))
	sh.eng.held.Add(1)
	return true
}

// Stalls is the distribution of the shards' stalls (noteWake): wake-ups
// stallMin or more late, and rounds that took that long.
func (e *Engine) Stalls() Histogram { return e.sum(func(sh *shard) *histogram { return &sh.stalls }) }

// DetectionsHeld counts Detection Time expiries that fell inside a stall
// and were held (shard.holdInStall).
func (e *Engine) DetectionsHeld() uint64 { return e.held.Load() }
