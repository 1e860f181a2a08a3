package netsim

import (
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// RFC 5880 §6.5, §6.8.3: raising and lowering the timers of an Up session
// runs a Poll Sequence, the new interval shows on the wire, and the session
// never changes state — also with 20 % loss on the link.
func TestRenegotiationWithoutFlap(t *testing.T) {
	for _, loss := range []float64{0, 0.2} {
		s, a, b, l := Pair(10, params(20*ms, 20*ms, 3), params(20*ms, 20*ms, 3))
		l.Set(Impairment{Loss: loss, MaxBurst: 1, Delay: ms})
		if !s.WaitFor(bothUp(a, b), 10*time.Second) {
			t.Fatal("not Up")
		}
		s.RunFor(time.Second)
		base := len(a.Events) + len(b.Events)
		a.RecordTx = true
		for _, tx := range []time.Duration{300 * ms, 10 * ms, 150 * ms, 20 * ms} {
			from := len(a.Tx)
			if err := a.SetParams(params(tx, tx, 3)); err != nil {
				t.Fatal(err)
			}
			s.RunFor(3 * time.Second)
			sawPoll := false
			for _, p := range a.Tx[from:] {
				sawPoll = sawPoll || p.Ctl.Poll
			}
			if !sawPoll {
				t.Fatalf("loss %v: no Poll for %v", loss, tx)
			}
			if sn := a.S.Snapshot(); sn.PollActive || sn.TxInterval != max(tx, 20*ms) {
				t.Fatalf("loss %v, tx %v: poll=%v interval %v", loss, tx, sn.PollActive, sn.TxInterval)
			}
			// The last second of packets is at the new rate.
			n := len(a.Tx)
			g := a.Tx[n-1].At.Sub(a.Tx[n-2].At)
			want := max(tx, 20*ms)
			if !a.Tx[n-1].Ctl.Final && !a.Tx[n-2].Ctl.Final && (g > want || g < want*3/4) {
				t.Fatalf("loss %v: gap %v for interval %v", loss, g, want)
			}
		}
		if got := len(a.Events) + len(b.Events); got != base {
			t.Fatalf("loss %v: %d state changes during renegotiation: a=%v b=%v", loss, got-base, a.Events[len(a.Events)-1], b.Events)
		}
	}
}

// RFC 5880 §6.6: one side enters Demand mode; the other stops periodic
// transmission and the session stays Up; Poll Sequences still work; leaving
// Demand mode resumes periodic packets; in Demand mode a cut link is found
// when a Poll goes unanswered.
func TestDemandMode(t *testing.T) {
	s, a, b, l := Pair(11, params(20*ms, 20*ms, 3), params(20*ms, 20*ms, 3))
	s.WaitFor(bothUp(a, b), 5*time.Second)
	pd := params(20*ms, 20*ms, 3)
	pd.Demand = true
	a.SetParams(pd)
	s.RunFor(time.Second)
	b.RecordTx = true
	s.RunFor(5 * time.Second)
	if len(b.Tx) != 0 {
		t.Fatalf("b sent %d packets while a is in Demand mode", len(b.Tx))
	}
	if a.State() != packet.StateUp || b.State() != packet.StateUp {
		t.Fatal("demand mode dropped the session")
	}
	a.Poll()
	s.RunFor(time.Second)
	if len(b.Tx) == 0 || !b.Tx[len(b.Tx)-1].Ctl.Final {
		t.Fatal("no Final for a's Poll")
	}
	if a.S.Snapshot().PollActive {
		t.Fatal("poll not terminated")
	}
	// Leave Demand mode: b resumes periodic transmission.
	a.SetParams(params(20*ms, 20*ms, 3))
	s.RunFor(time.Second)
	from := len(b.Tx)
	s.RunFor(time.Second)
	if n := len(b.Tx) - from; n < 40 {
		t.Fatalf("b sent %d packets in 1 s after Demand mode ended", n)
	}
	// Demand again, then cut: only a Poll finds out.
	a.SetParams(pd)
	s.RunFor(time.Second)
	l.Cut(true)
	s.RunFor(5 * time.Second)
	if a.State() != packet.StateUp {
		t.Fatal("a in Demand mode went Down without a Poll")
	}
	a.Poll()
	at := s.Now()
	s.RunFor(time.Second)
	ev, _ := a.LastEvent()
	if ev.New != packet.StateDown || ev.LocalDiag != packet.DiagControlDetectExpired {
		t.Fatalf("%+v", ev)
	}
	if d := ev.At.Sub(at); d > 60*ms+20*ms { // DetectMult × local TX interval (+ one interval)
		t.Fatalf("unanswered Poll detected after %v", d)
	}
}

// RFC 5880 §6.4, §6.8.9: echo packets flow once Up, no faster than the
// peer's Required Min Echo RX; a path that loses echoes goes Down with
// diag 2.
func TestEchoFunction(t *testing.T) {
	pa := params(300*ms, 300*ms, 3)
	pa.EchoTx = 20 * ms
	pb := params(300*ms, 300*ms, 3)
	pb.RequiredMinEchoRx = 50 * ms
	s, a, b, l := Pair(12, pa, pb)
	s.WaitFor(bothUp(a, b), 5*time.Second)
	s.RunFor(2 * time.Second)
	start := a.EchoBack
	s.RunFor(10 * time.Second)
	n := a.EchoBack - start
	if n < 100 || n > 10_000/(50*75/100) {
		t.Fatalf("%d echoes in 10 s at ≥ 50 ms", n)
	}
	if !a.S.Snapshot().EchoActive || b.S.Snapshot().EchoActive {
		t.Fatal("echo active on the wrong side")
	}
	// Echoes are lost but control packets still cross: only the echo
	// function can see this failure.
	l.Set(Impairment{NoEcho: true})
	deadline := s.Now()
	s.WaitFor(func() bool { return a.State() != packet.StateUp }, 5*time.Second)
	ev, _ := a.LastEvent()
	if ev.New != packet.StateDown || ev.LocalDiag != packet.DiagEchoFailed {
		t.Fatalf("%+v", ev)
	}
	if d := ev.At.Sub(deadline); d > 3*50*ms+50*ms { // DetectMult echo intervals, + one

		t.Fatalf("echo failure found after %v", d)
	}
}
