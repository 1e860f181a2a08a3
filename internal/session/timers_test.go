package session

import (
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// RFC 5880 §6.8.4: Up, then silence: Down with diag 1 exactly when the
// Detection Time (remote Detect Mult x max(RequiredMinRx, remote
// DesiredMinTx)) has passed since the last packet.
func TestDetectionTimeExpiry(t *testing.T) {
	a := newSession(t, 1, params(50*ms, 50*ms, 3), 0)
	b := newSession(t, 2, params(100*ms, 20*ms, 5), 0)
	now := up(t, a, b, 0)
	deliver(t, b, a, now)
	sa := a.Snapshot()
	// a: remote mult 5 x max(a.RequiredMinRx 50, b.DesiredMinTx 100) = 500 ms
	if sa.DetectionTime != 500*ms {
		t.Fatalf("detection time %v, want 500ms", sa.DetectionTime)
	}
	if sa.TxInterval != 50*ms { // max(a.DesiredMinTx 50, b.RequiredMinRx 20)
		t.Fatalf("tx interval %v, want 50ms", sa.TxInterval)
	}
	last := now
	for a.NextDeadline() < last.Add(500*ms) {
		now = a.NextDeadline()
		out := a.HandleTimer(now)
		if out.Changed {
			t.Fatalf("went %v before the detection time", out.Event.New)
		}
		if out.Send {
			build(t, a, now)
		}
	}
	if got := a.NextDeadline(); got != last.Add(500*ms) {
		t.Fatalf("next deadline %v, want the detection deadline", time.Duration(got-last))
	}
	out := a.HandleTimer(last.Add(500 * ms))
	if !out.Changed || out.Event.New != packet.StateDown || out.Event.LocalDiag != packet.DiagControlDetectExpired {
		t.Fatalf("want Down diag 1, got %+v", out)
	}
	// §6.8.1: bfd.RemoteDiscr is zeroed after a Detection Time of silence.
	if a.RemoteDiscr() != 0 {
		t.Fatal("bfd.RemoteDiscr not cleared")
	}
	c, _ := build(t, a, last.Add(500*ms))
	if c.State != packet.StateDown || c.Diag != packet.DiagControlDetectExpired || c.YourDiscr != 0 {
		t.Fatalf("packet after failure: %+v", c)
	}
}

// RFC 5880 §6.8.3: while not Up, bfd.DesiredMinTxInterval is at least 1 s;
// §6.8.7: the interval is jittered down by at most 25 %.
func TestSlowTxWhileNotUp(t *testing.T) {
	s := newSession(t, 1, params(10*ms, 10*ms, 3), 0)
	if s.NextDeadline() != 0 {
		t.Fatalf("first packet not due at once")
	}
	var now, prev Time
	for i := 0; i < 200; i++ {
		now = s.NextDeadline()
		out := s.HandleTimer(now)
		if !out.Send {
			t.Fatal("timer fired without Send")
		}
		c, _ := build(t, s, now)
		if c.DesiredMinTx != 1_000_000 {
			t.Fatalf("advertised DesiredMinTx %d µs while Down, want 1000000", c.DesiredMinTx)
		}
		if i > 0 {
			if gap := now.Sub(prev); gap < 750*ms || gap > time.Second {
				t.Fatalf("gap %v outside 750ms..1s", gap)
			}
		}
		prev = now
	}
}

// DelayFirstTx: the first packet leaves at the given instant instead of
// at once, never later than one initial interval (1 s while Down, §6.8.3)
// after creation; later packets follow it with the usual jitter; a session
// that has sent is not moved.
func TestDelayFirstTx(t *testing.T) {
	s := newSession(t, 1, params(10*ms, 10*ms, 3), 0)
	s.DelayFirstTx(Time(300 * ms))
	if got := s.NextDeadline(); got != Time(300*ms) {
		t.Fatalf("first packet due at %v, want 300ms", time.Duration(got))
	}
	if out := s.HandleTimer(Time(299 * ms)); out.Send {
		t.Fatal("sent before the delayed first packet was due")
	}
	if out := s.HandleTimer(Time(300 * ms)); !out.Send {
		t.Fatal("nothing sent when the delayed first packet was due")
	}
	build(t, s, Time(300*ms))
	if gap := time.Duration(s.NextDeadline()) - 300*ms; gap < 750*ms || gap > time.Second {
		t.Fatalf("second packet %v after the first, want 750ms..1s", gap)
	}
	s.DelayFirstTx(Time(5 * time.Second))
	if got := time.Duration(s.NextDeadline()); got > 1300*ms {
		t.Fatalf("a session that has sent was moved to %v", got)
	}

	// Never beyond one initial interval.
	s2 := newSession(t, 2, params(10*ms, 10*ms, 3), 0)
	s2.DelayFirstTx(Time(5 * time.Second))
	if got := s2.NextDeadline(); got != Time(time.Second) {
		t.Fatalf("first packet due at %v, want at most 1s", time.Duration(got))
	}
	// A passive session sends nothing before it hears its peer (§6.1).
	p := params(10*ms, 10*ms, 3)
	p.Passive = true
	s3 := newSession(t, 3, p, 0)
	s3.DelayFirstTx(Time(300 * ms))
	if s3.NextDeadline() != Never {
		t.Fatal("a passive session got a transmission")
	}
}

// RFC 5880 §6.8.7: jitter 0–25 %, and 10–25 % when bfd.DetectMult is 1.
func TestJitterBounds(t *testing.T) {
	for _, mult := range []uint8{1, 3} {
		a := newSession(t, 1, params(100*ms, 100*ms, mult), 0)
		b := newSession(t, 2, params(100*ms, 100*ms, 3), 0)
		up(t, a, b, 0)
		var now Time
		lo, hi := 75*ms, 100*ms
		if mult == 1 {
			hi = 90 * ms
		}
		minGap, maxGap := time.Hour, time.Duration(0)
		prev := Time(-1)
		for i := 0; i < 2000; i++ {
			now = a.NextDeadline()
			a.HandleTimer(now)
			c, raw := build(t, a, now)
			b.HandlePacket(now, &c, raw)
			deliver(t, b, a, now) // keep a's detection timer fed
			if prev >= 0 {
				g := now.Sub(prev)
				minGap, maxGap = min(minGap, g), max(maxGap, g)
			}
			prev = now
		}
		if minGap < lo || maxGap > hi {
			t.Fatalf("mult %d: gaps %v..%v outside %v..%v", mult, minGap, maxGap, lo, hi)
		}
		if maxGap-minGap < (hi-lo)*8/10 {
			t.Fatalf("mult %d: gaps %v..%v do not use the jitter range", mult, minGap, maxGap)
		}
	}
}

// RFC 5880 §6.8.7: no periodic packets while bfd.RemoteMinRxInterval is 0.
func TestRemoteMinRxZeroStopsPeriodic(t *testing.T) {
	s := newSession(t, 1, params(100*ms, 100*ms, 3), 0)
	c := ctl(down, 0)
	c.RequiredMinRx = 0
	rx(t, s, 0, c)
	if s.txAt != Never {
		t.Fatalf("periodic TX still scheduled at %d", s.txAt)
	}
	// §6.8.18: after a Detection Time of silence the peer's wish lapses
	// (bfd.RemoteMinRxInterval back to 1 µs) and we transmit again.
	now := s.NextDeadline()
	s.HandleTimer(now)
	if s.Snapshot().RemoteMinRx != time.Microsecond || s.txAt == Never {
		t.Fatalf("RemoteMinRx %v, txAt %d", s.Snapshot().RemoteMinRx, s.txAt)
	}
}

// RFC 5880 §6.8.3: a reduced bfd.RemoteMinRxInterval is honoured at once.
func TestRemoteMinRxReductionHonouredImmediately(t *testing.T) {
	a := newSession(t, 1, params(10*ms, 10*ms, 3), 0)
	b := newSession(t, 2, params(10*ms, 500*ms, 3), 0)
	now := up(t, a, b, 0)
	build(t, a, now)
	if a.txAt.Sub(now) < 375*ms {
		t.Fatalf("a sends faster than b's RequiredMinRx: next in %v", a.txAt.Sub(now))
	}
	now = now.Add(50 * ms)
	c := ctl(upS, 1)
	c.MyDiscr = b.LocalDiscr()
	c.RequiredMinRx = 10_000
	out := rx(t, a, now, c)
	if !out.Send {
		t.Fatal("a reduced interval that has already passed must send as soon as practicable")
	}
}

// RFC 5880 §6.8.7 with a transmission grid (SetTxGrid): every periodic
// packet leaves on a multiple of the grid, and every interval still lies
// in the jitter window (75–100 %, 75–90 % with Detect Mult 1) — the
// grid moves packets earlier or later inside the window, never past it.
// A grid too coarse for the window (fewer than three points in it) is not
// applied: the jitter would collapse to one value.
func TestJitterOnGrid(t *testing.T) {
	for _, tc := range []struct {
		mult uint8
		grid time.Duration
		on   bool // every packet on the grid
	}{
		{3, 5 * ms, true}, {3, 2500 * time.Microsecond, true}, {3, 8 * ms, true}, {3, 12500 * time.Microsecond, false},
		{1, 5 * ms, true}, {1, 7 * ms, false}, {3, 10 * ms, false},
	} {
		a := newSession(t, 1, params(100*ms, 100*ms, tc.mult), 0)
		b := newSession(t, 2, params(100*ms, 100*ms, 3), 0)
		up(t, a, b, 0)
		a.SetTxGrid(tc.grid)
		lo, hi := 75*ms, 100*ms
		if tc.mult == 1 {
			hi = 90 * ms
		}
		// The first packet after SetTxGrid was scheduled before it.
		now := a.NextDeadline()
		a.HandleTimer(now)
		build(t, a, now)
		prev, offGrid := now, 0
		seen := map[time.Duration]bool{}
		for i := 0; i < 2000; i++ {
			now = a.NextDeadline()
			if out := a.HandleTimer(now); !out.Send {
				t.Fatalf("grid %v: deadline without a packet", tc.grid)
			}
			c, raw := build(t, a, now)
			b.HandlePacket(now, &c, raw)
			deliver(t, b, a, now)
			if g := now.Sub(prev); g < lo || g > hi {
				t.Fatalf("mult %d grid %v: interval %v outside %v..%v", tc.mult, tc.grid, g, lo, hi)
			}
			if time.Duration(now)%tc.grid != 0 {
				offGrid++
			}
			seen[now.Sub(prev)] = true
			prev = now
		}
		if tc.on && offGrid > 0 {
			t.Fatalf("mult %d grid %v: %d packets off the grid", tc.mult, tc.grid, offGrid)
		}
		if !tc.on && offGrid == 0 {
			t.Fatalf("grid %v too coarse for the window was applied", tc.grid)
		}
		if len(seen) < 3 {
			t.Fatalf("grid %v: intervals %v are not jittered", tc.grid, seen)
		}
	}
}
