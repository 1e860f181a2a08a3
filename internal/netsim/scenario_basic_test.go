package netsim

import (
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

func bothUp(a, b *Endpoint) func() bool {
	return func() bool { return a.State() == packet.StateUp && b.State() == packet.StateUp }
}

func states(evs []Record) []packet.State {
	var out []packet.State
	for _, e := range evs {
		out = append(out, e.New)
	}
	return out
}

// RFC 5880 §6.2: two systems start Down and reach Up by the three-way
// handshake: Down → Init → Up on one side, Down → Up on the other, with
// Down, Init and Up packets on the wire in that order.
func TestThreeWayHandshake(t *testing.T) {
	s, a, b, l := Pair(1, params(50*ms, 50*ms, 3), params(50*ms, 50*ms, 3))
	l.Set(Impairment{Delay: ms})
	a.RecordTx, b.RecordTx = true, true
	if !s.WaitFor(bothUp(a, b), 3*time.Second) {
		t.Fatalf("not Up: a=%v b=%v", a.State(), b.State())
	}
	seq := map[string][]packet.State{"a": states(a.Events), "b": states(b.Events)}
	if !(eq(seq["a"], packet.StateInit, packet.StateUp) && eq(seq["b"], packet.StateUp)) &&
		!(eq(seq["b"], packet.StateInit, packet.StateUp) && eq(seq["a"], packet.StateUp)) &&
		!(eq(seq["a"], packet.StateInit, packet.StateUp) && eq(seq["b"], packet.StateInit, packet.StateUp)) {
		t.Fatalf("transitions a=%v b=%v", seq["a"], seq["b"])
	}
	var wire []packet.State
	for _, p := range append(a.Tx, b.Tx...) {
		if len(wire) == 0 || wire[len(wire)-1] != p.Ctl.State {
			wire = append(wire, p.Ctl.State)
		}
	}
	if wire[0] != packet.StateDown {
		t.Fatalf("first packet in %v", wire[0])
	}
	for _, ep := range []*Endpoint{a, b} {
		if len(ep.HandshakeViolations) > 0 {
			t.Fatal(ep.HandshakeViolations)
		}
	}
}

func eq(got []packet.State, want ...packet.State) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// RFC 5880 §6.1, §6.8.7: the passive side sends nothing until it hears its
// peer, then the session comes Up.
func TestPassiveWaitsForPeer(t *testing.T) {
	pp := params(50*ms, 50*ms, 3)
	pp.Passive = true
	s, a, b, l := Pair(2, params(50*ms, 50*ms, 3), pp)
	b.RecordTx = true
	l.SetDir(a, Impairment{Cut: true})
	s.RunFor(5 * time.Second)
	if len(b.Tx) != 0 {
		t.Fatalf("passive side sent %d packets before hearing its peer", len(b.Tx))
	}
	l.SetDir(a, Impairment{})
	if !s.WaitFor(bothUp(a, b), 3*time.Second) {
		t.Fatal("not Up")
	}
}

// RFC 5880 §6.8.4: cut the link at T; each side declares Down with diag 1
// within [T + detection time − one TX interval, T + detection time + one TX
// interval]; heal it and both come back Up.
func TestLinkCutDetection(t *testing.T) {
	s, a, b, l := Pair(3, params(20*ms, 20*ms, 3), params(30*ms, 10*ms, 4))
	if !s.WaitFor(bothUp(a, b), 5*time.Second) {
		t.Fatal("not Up")
	}
	s.RunFor(2 * time.Second)
	snaps := map[*Endpoint]session.Snapshot{a: a.S.Snapshot(), b: b.S.Snapshot()}
	cut := s.Now()
	l.Cut(true)
	s.RunFor(2 * time.Second)
	for ep, sn := range snaps {
		ev, ok := ep.LastEvent()
		if !ok || ev.New != packet.StateDown || ev.LocalDiag != packet.DiagControlDetectExpired {
			t.Fatalf("%s: last event %+v, want Down diag 1", ep.Name, ev)
		}
		took := ev.At.Sub(cut)
		if took > sn.DetectionTime+sn.TxInterval || took < sn.DetectionTime-sn.TxInterval {
			t.Fatalf("%s: Down after %v, detection time %v, tx interval %v", ep.Name, took, sn.DetectionTime, sn.TxInterval)
		}
	}
	l.Cut(false)
	if !s.WaitFor(bothUp(a, b), 5*time.Second) {
		t.Fatal("not Up after the link healed")
	}
}

// RFC 5880 §6.8.16: A goes AdminDown: it sends AdminDown with diag 7, B goes
// Down with diag 3 (not 1) and learns the peer's diag; AdminUp brings both
// back Up.
func TestAdminDownPropagation(t *testing.T) {
	s, a, b, _ := Pair(4, params(20*ms, 20*ms, 3), params(20*ms, 20*ms, 3))
	s.WaitFor(bothUp(a, b), 5*time.Second)
	a.SetAdminDown()
	s.RunFor(time.Second)
	ev, _ := b.LastEvent()
	if ev.New != packet.StateDown || ev.LocalDiag != packet.DiagNeighborDown || ev.RemoteDiag != packet.DiagAdminDown {
		t.Fatalf("b: %+v", ev)
	}
	if a.State() != packet.StateAdminDown {
		t.Fatal(a.State())
	}
	s.RunFor(10 * time.Second) // AdminDown holds; nothing times out
	if a.State() != packet.StateAdminDown || b.State() != packet.StateDown {
		t.Fatalf("a=%v b=%v", a.State(), b.State())
	}
	a.SetAdminUp()
	if !s.WaitFor(bothUp(a, b), 5*time.Second) {
		t.Fatal("not Up after AdminUp")
	}
}

// RFC 5880 §6.8.6: a peer restart (new discriminator, Down) is noticed at
// once (Down, diag 3) and the session comes back Up with the new peer.
func TestPeerRestart(t *testing.T) {
	pb := params(20*ms, 20*ms, 3)
	s, a, b, _ := Pair(5, params(20*ms, 20*ms, 3), pb)
	s.WaitFor(bothUp(a, b), 5*time.Second)
	old := b.S.LocalDiscr()
	b.Restart(pb)
	if b.S.LocalDiscr() == old {
		t.Fatal("same discriminator")
	}
	if !s.WaitFor(func() bool {
		return bothUp(a, b)() && a.S.RemoteDiscr() == b.S.LocalDiscr()
	}, 3*time.Second) {
		t.Fatalf("not Up with the restarted peer: a=%v b=%v", a.State(), b.State())
	}
	for _, e := range a.Events {
		if e.New == packet.StateDown && e.LocalDiag == packet.DiagControlDetectExpired {
			t.Fatal("restart was detected as a timeout, not as the peer's Down")
		}
	}
}

// RFC 5880 §6.8.3: while not Up, packets are at least ~1 s apart
// (0.75 s with jitter).
func TestSlowWhileNotUp(t *testing.T) {
	s, a, _, l := Pair(6, params(10*ms, 10*ms, 3), params(10*ms, 10*ms, 3))
	l.SetDir(a, Impairment{Cut: true}) // b never hears a: a stays Down
	a.RecordTx = true
	s.RunFor(20 * time.Second)
	for i := 1; i < len(a.Tx); i++ {
		if a.Tx[i].Ctl.State != a.Tx[i-1].Ctl.State {
			continue // a change of state is announced at once (§6.8.7)
		}
		if g := a.Tx[i].At.Sub(a.Tx[i-1].At); g < 750*ms {
			t.Fatalf("gap %v while %v", g, a.Tx[i].Ctl.State)
		}
	}
	if len(a.Tx) < 20 {
		t.Fatalf("only %d packets in 20 s", len(a.Tx))
	}
}

// RFC 5880 §6.8.7: periodic intervals are 75–100 % of the negotiated
// interval (75–90 % at Detect Mult 1).
func TestJitterOnTheWire(t *testing.T) {
	for _, mult := range []uint8{1, 3} {
		s, a, b, _ := Pair(7, params(40*ms, 40*ms, mult), params(40*ms, 40*ms, 3))
		s.WaitFor(bothUp(a, b), 5*time.Second)
		s.RunFor(time.Second)
		a.RecordTx = true
		s.RunFor(30 * time.Second)
		hi := 40 * ms
		if mult == 1 {
			hi = 36 * ms
		}
		for i := 1; i < len(a.Tx); i++ {
			g := a.Tx[i].At.Sub(a.Tx[i-1].At)
			if a.Tx[i].Ctl.Final || a.Tx[i-1].Ctl.Final {
				continue // Finals go out at once, outside the schedule
			}
			if g < 30*ms || g > hi {
				t.Fatalf("mult %d: gap %v outside 30ms..%v", mult, g, hi)
			}
		}
	}
}
