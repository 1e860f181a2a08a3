package session

import (
	"testing"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// RFC 5880 §6.8.16: AdminDown with diag 7; the peer goes Down with diag 3,
// which tells it apart from a failure (diag 1).
func TestAdminDown(t *testing.T) {
	a := newSession(t, 1, params(10*ms, 10*ms, 3), 0)
	b := newSession(t, 2, params(10*ms, 10*ms, 3), 0)
	now := up(t, a, b, 0)
	out := a.SetAdminDown(now)
	if !out.Changed || out.Event.New != packet.StateAdminDown || out.Event.LocalDiag != packet.DiagAdminDown || !out.Send {
		t.Fatalf("%+v", out)
	}
	c, out := deliver(t, a, b, now)
	if c.State != packet.StateAdminDown || c.Diag != packet.DiagAdminDown {
		t.Fatalf("sent %v/%v", c.State, c.Diag)
	}
	if !out.Changed || out.Event.New != packet.StateDown || out.Event.LocalDiag != packet.DiagNeighborDown ||
		out.Event.RemoteDiag != packet.DiagAdminDown {
		t.Fatalf("peer event %+v", out.Event)
	}
	// AdminDown sessions ignore what they receive and never time out.
	if _, out := deliver(t, b, a, now); out.Drop != packet.DropSessionAdminDown {
		t.Fatalf("%v", out.Drop)
	}
	if a.NextDeadline() < now.Add(750*ms) {
		t.Fatal("AdminDown session not at the slow rate")
	}
	out = a.SetAdminUp(now)
	if out.Event.New != packet.StateDown || a.Snapshot().LocalDiag != packet.DiagNone {
		t.Fatalf("%+v", out.Event)
	}
	up(t, a, b, now)
}

// RFC 5880 §6.1, §6.8.7: a passive session sends nothing until it knows the
// remote discriminator.
func TestPassive(t *testing.T) {
	p := params(10*ms, 10*ms, 3)
	p.Passive = true
	s := newSession(t, 1, p, 0)
	if s.NextDeadline() != Never {
		t.Fatal("passive session has a deadline before hearing the peer")
	}
	if n := s.BuildControl(0, make([]byte, 64)); n != 0 {
		t.Fatal("passive session built a packet")
	}
	if out := rx(t, s, 0, ctl(down, 0)); !out.Send {
		t.Fatal("no reply after hearing the peer")
	}
	c, _ := build(t, s, 0)
	if c.YourDiscr != 99 || c.State != packet.StateInit {
		t.Fatalf("%+v", c)
	}
}

// RFC 5880 §6.6, §6.8.7: with the peer in Demand mode and both Up, periodic
// packets stop; a Poll Sequence resumes them until the Final; the D bit is
// sent only while both are Up and changing it starts a Poll.
func TestDemandMode(t *testing.T) {
	pa := params(10*ms, 10*ms, 3)
	pa.Demand = true
	a := newSession(t, 1, params(10*ms, 10*ms, 3), 0)
	b := newSession(t, 2, params(10*ms, 10*ms, 3), 0)
	now := up(t, a, b, 0)
	b.SetParams(now, pa) // b asks a to stop
	c, _ := deliver(t, b, a, now)
	if !c.Demand || !c.Poll {
		t.Fatalf("D=%v P=%v, want both (D changed)", c.Demand, c.Poll)
	}
	deliver(t, a, b, now) // Final
	if a.txAt != Never {
		t.Fatal("a still transmits periodically with the peer in Demand mode")
	}
	if b.Snapshot().DetectionTime != 30*ms { // local mult x local tx interval
		t.Fatal("demand-mode detection time")
	}
	if b.NextDeadline() == Never {
		t.Fatal("b (not in the peer's demand) keeps sending periodically")
	}
	// b verifies connectivity with a Poll; an unanswered Poll means Down
	// after the Detection Time (§6.8.4).
	now = now.Add(5 * ms)
	b.Poll(now)
	p, _ := build(t, b, now)
	if !p.Poll {
		t.Fatal("no Poll")
	}
	for b.State() == packet.StateUp {
		now = b.NextDeadline()
		if out := b.HandleTimer(now); out.Send {
			build(t, b, now)
		}
	}
	if d := b.Snapshot().LocalDiag; d != packet.DiagControlDetectExpired {
		t.Fatalf("diag %v", d)
	}
}

// RFC 5880 §6.8.9: Echo packets only while Up and while the peer advertises
// a non-zero Required Min Echo RX Interval, no faster than that; §6.8.5:
// missing echoes mean Down with diag 2.
func TestEcho(t *testing.T) {
	pa := params(10*ms, 10*ms, 3)
	pa.EchoTx = 20 * ms
	pb := params(10*ms, 10*ms, 3)
	pb.RequiredMinEchoRx = 50 * ms
	a := newSession(t, 1, pa, 0)
	b := newSession(t, 2, pb, 0)
	now := up(t, a, b, 0)
	if !a.Snapshot().EchoActive || b.Snapshot().EchoActive {
		t.Fatal("echo state")
	}
	var prev Time = -1
	for i := 0; i < 10; i++ {
		now = a.NextDeadline()
		out := a.HandleTimer(now)
		if out.Send {
			c, raw := build(t, a, now)
			b.HandlePacket(now, &c, raw)
			deliver(t, b, a, now)
		}
		if out.SendEcho {
			if prev >= 0 && now.Sub(prev) < 375*ms/10 {
				t.Fatalf("echo gap %v below 75%% of 50ms", now.Sub(prev))
			}
			prev = now
			a.EchoSent(now)
			a.HandleEcho(now.Add(ms))
		}
	}
	// Echoes stop returning; control packets keep flowing.
	for a.State() == packet.StateUp {
		now = a.NextDeadline()
		out := a.HandleTimer(now)
		if out.Changed {
			if out.Event.LocalDiag != packet.DiagEchoFailed {
				t.Fatalf("diag %v", out.Event.LocalDiag)
			}
			break
		}
		if out.SendEcho {
			a.EchoSent(now)
		}
		if out.Send {
			c, raw := build(t, a, now)
			b.HandlePacket(now, &c, raw)
			deliver(t, b, a, now)
		}
	}
	// The peer withdrawing its echo interval stops echo at once.
	up(t, a, b, now)
	pb.RequiredMinEchoRx = 0
	b.SetParams(now, pb)
	deliver(t, b, a, now)
	if a.Snapshot().EchoActive {
		t.Fatal("echo continues after Required Min Echo RX became 0")
	}
}

func TestSignalDown(t *testing.T) {
	a := newSession(t, 1, params(10*ms, 10*ms, 3), 0)
	b := newSession(t, 2, params(10*ms, 10*ms, 3), 0)
	now := up(t, a, b, 0)
	out := a.SignalDown(now, packet.DiagForwardingPlaneReset)
	if out.Event.New != packet.StateDown || out.Event.LocalDiag != packet.DiagForwardingPlaneReset {
		t.Fatalf("%+v", out)
	}
}
