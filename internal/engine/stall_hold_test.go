package engine

import (
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

const msT = session.Time(time.Millisecond)

// shardAfterRun is upShard's shard and session, d being the session's
// Detection Time deadline, after a round that began at d+woke, ended at
// d+ran planning to run again at d+expect, and a wake-up at d+wake.
func shardAfterRun(t *testing.T, woke, ran, expect, wake session.Time) (*shard, *entry, session.Time) {
	sh, _ := upShard(t)
	e := sh.byDiscr[1]
	d := e.s.DetectDue()
	if d == session.Never {
		t.Fatal("detection timer not running")
	}
	sh.wokeAt, sh.ranAt, sh.expect = d+woke, d+ran, d+expect
	sh.noteWake(d + wake)
	return sh, e, d
}

// stalledShard: the shard last ran at d+from, planned to run again then
// too, and ran only at d+to.
func stalledShard(t *testing.T, from, to session.Time) (*shard, *entry, session.Time) {
	return shardAfterRun(t, from, from, from, to)
}

// RFC 5880 §6.8.4 when the shard itself did not run: a Detection Time that
// expired inside the gap is held to a Detection Time (30 ms) after the
// gap, no longer than the gap lasted, so that the peer's
// packets — which the host takes in only once it runs again — can still
// reset it; a peer that stays silent is declared Down at the held
// deadline, not later.
func TestStallHoldsDetectionInside(t *testing.T) {
	sh, e, d := stalledShard(t, -10*msT, 20*msT) // a 30 ms gap around d
	sh.fireTimers(d+20*msT, session.Never)
	if e.s.State() != packet.StateUp {
		t.Fatalf("declared %v at the end of the shard's own stall", e.s.State())
	}
	if got, want := e.s.DetectDue(), d+50*msT; got != want {
		t.Fatalf("held deadline %v after d, want the gap's end + 30 ms", time.Duration(got-d))
	}
	if sh.eng.DetectionsHeld() != 1 || sh.eng.Stalls().Count() != 1 {
		t.Fatalf("held %d, stalls %d; want 1 and 1", sh.eng.DetectionsHeld(), sh.eng.Stalls().Count())
	}
	sh.fireTimers(d+50*msT-1, session.Never)
	if e.s.State() != packet.StateUp {
		t.Fatal("declared Down before the held deadline")
	}
	sh.fireTimers(d+50*msT, session.Never)
	if e.s.State() != packet.StateDown {
		t.Fatalf("a silent peer not declared at the held deadline: %v", e.s.State())
	}
}

// A packet that arrives after the stall keeps the session Up.
func TestStallThenPacketStaysUp(t *testing.T) {
	sh, e, d := stalledShard(t, -10*msT, 20*msT)
	sh.fireTimers(d+20*msT, session.Never)
	_, m := upShard(t) // the peer's packet, as it comes off the socket
	sh.dispatch(d+21*msT, &m)
	sh.fireTimers(d+50*msT, session.Never)
	if e.s.State() != packet.StateUp {
		t.Fatalf("state %v after the peer was heard following the stall, want Up", e.s.State())
	}
}

// The hold covers only deadlines inside the gap, for a Detection Time
// after it but no longer than the gap, and a wake-up late by less than
// stallMin is no stall.
func TestStallHoldBounds(t *testing.T) {
	// The deadline passed before the shard last ran: not the stall's.
	sh, e, d := stalledShard(t, 1*msT, 25*msT)
	sh.fireTimers(d+25*msT, session.Never)
	if e.s.State() != packet.StateDown {
		t.Fatalf("a deadline before the stall was held: %v", e.s.State())
	}

	// A gap of a second: held for one Detection Time after it, not a second.
	sh, e, d = stalledShard(t, -500*msT, 500*msT)
	sh.fireTimers(d+500*msT, session.Never)
	if got, want := e.s.DetectDue(), d+530*msT; got != want || e.s.State() != packet.StateUp {
		t.Fatalf("held to %v after d (state %v), want the gap's end + 30 ms", time.Duration(got-d), e.s.State())
	}

	// A gap of 3 ms: held for 3 ms after it, not a whole interval.
	sh, e, d = stalledShard(t, -1*msT, 2*msT)
	sh.fireTimers(d+2*msT, session.Never)
	if got, want := e.s.DetectDue(), d+5*msT; got != want {
		t.Fatalf("held to %v after d, want the gap's end + its 3 ms", time.Duration(got-d))
	}

	// Late by less than stallMin: no stall, no hold.
	sh, e, d = stalledShard(t, -1*msT, session.Time(stallMin)-1*msT-1)
	sh.fireTimers(d+session.Time(stallMin), session.Never)
	if e.s.State() != packet.StateDown || sh.eng.Stalls().Count() != 0 {
		t.Fatalf("a wake-up late by less than %v counted as a stall (state %v)", stallMin, e.s.State())
	}
}

// RFC 5880 §6.8.4 counts a packet when it is received: one that arrived
// after a round of reads took its clock readings (the thread stalled in
// the middle of the round) is dated by its kernel stamp, not by the
// earlier readings.
func TestPacketAfterReadingsDatedByStamp(t *testing.T) {
	start := time.Now().Add(-time.Second)
	var c rxClock
	c.read(start)
	// The readings are 60 ms old when the packet, just received, is read.
	c.wall = c.wall.Add(-60 * time.Millisecond)
	c.at -= 60 * msT
	c.wallNs -= int64(60 * time.Millisecond)
	stamp := time.Now().UnixNano()
	got := c.date(start, stamp)
	want := session.Time(time.Unix(0, stamp).Sub(start))
	if d := time.Duration(got - want); d < -5*time.Millisecond || d > 5*time.Millisecond {
		t.Fatalf("dated %v off its receive time (the stale readings would give -60ms)", d)
	}
	// A packet stamped before the readings keeps its stamp.
	c.read(start)
	old := c.wallNs - int64(20*time.Millisecond)
	if got := c.date(start, old); got != c.at-20*msT {
		t.Fatalf("a queued packet dated %v from the readings, want -20ms", time.Duration(got-c.at))
	}
}

// The deadline a shard sleeps for is the one a pause takes: a shard that
// went to sleep 5 ms before d, planning to wake at d, and woke 25 ms late
// holds it.
func TestStallHoldsTheDeadlineSleptFor(t *testing.T) {
	sh, e, d := shardAfterRun(t, -6*msT, -5*msT, 0, 25*msT)
	sh.fireTimers(d+25*msT, session.Never)
	if e.s.State() != packet.StateUp || e.s.DetectDue() != d+55*msT {
		t.Fatalf("state %v, deadline %v after d; want Up, held to the gap's end + 30 ms", e.s.State(), time.Duration(e.s.DetectDue()-d))
	}
}

// A pause in the middle of a round: the round served its timers with the
// time read at its start, then took 30 ms; the deadline that fell inside
// it is held at the next round although that one began on time.
func TestStallInsideARound(t *testing.T) {
	sh, e, d := shardAfterRun(t, -10*msT, 20*msT, 20*msT, 20*msT)
	sh.fireTimers(d+20*msT, session.Never)
	if e.s.State() != packet.StateUp || e.s.DetectDue() != d+50*msT {
		t.Fatalf("state %v, deadline %v after d; want Up, held to the gap's end + 30 ms", e.s.State(), time.Duration(e.s.DetectDue()-d))
	}
}
