package session

import (
	"testing"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// RFC 5880 §6.8.4 with HoldDetection: a Detection Time held past its
// deadline (the host did not run) expires at the hold, not before; a
// packet received meanwhile resets it as usual; a hold earlier than the
// deadline changes nothing; and the hold ends with the expiry.
func TestHoldDetection(t *testing.T) {
	a := newSession(t, 1, params(10*ms, 10*ms, 3), 0)
	b := newSession(t, 2, params(10*ms, 10*ms, 3), 0)
	now := up(t, a, b, 0)
	deliver(t, b, a, now)
	d := a.DetectDue()
	if d != now.Add(30*ms) {
		t.Fatalf("detection deadline %v after the last packet, want 30ms", d.Sub(now))
	}

	a.HoldDetection(d - 5*Time(ms)) // earlier than the deadline
	if a.DetectDue() != d {
		t.Fatalf("an earlier hold moved the deadline to %v", a.DetectDue().Sub(now))
	}

	hold := d.Add(20 * ms)
	a.HoldDetection(hold)
	if a.DetectDue() != hold || a.NextDeadline() > hold {
		t.Fatalf("deadline %v, next %v, want the hold at %v", a.DetectDue().Sub(now), a.NextDeadline().Sub(now), hold.Sub(now))
	}
	if out := a.HandleTimer(d.Add(10 * ms)); out.Changed {
		t.Fatalf("expired inside the hold: %+v", out.Event)
	}

	// A packet inside the hold resets the Detection Time from its receipt.
	at := d.Add(15 * ms)
	deliver(t, b, a, at)
	if got := a.DetectDue(); got != at.Add(30*ms) {
		t.Fatalf("deadline %v after a packet in the hold, want 30ms after it", got.Sub(at))
	}

	// Silence after that: the hold (now in the past) does not delay it.
	a.HoldDetection(at.Add(40 * ms))
	out := a.HandleTimer(at.Add(40 * ms))
	if !out.Changed || out.Event.New != packet.StateDown || out.Event.LocalDiag != packet.DiagControlDetectExpired {
		t.Fatalf("want Down diag 1 at the hold, got %+v", out)
	}
	if a.detectHold != 0 {
		t.Fatal("the hold outlived the expiry")
	}
}
