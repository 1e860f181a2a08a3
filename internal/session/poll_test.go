package session

import (
	"testing"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// RFC 5880 §6.5, §6.8.7: a Poll is answered at once with a packet that has
// F set and P clear, whatever the timers say.
func TestPollAnsweredWithFinal(t *testing.T) {
	s := newSession(t, 1, params(100*ms, 100*ms, 3), 0)
	build(t, s, 0)
	c := ctl(down, 0)
	c.Poll = true
	out := rx(t, s, Time(5*ms), c)
	if !out.Send {
		t.Fatal("no immediate send for a Poll")
	}
	f, _ := build(t, s, Time(5*ms))
	if !f.Final || f.Poll {
		t.Fatalf("reply P=%v F=%v, want P=0 F=1", f.Poll, f.Final)
	}
	n, _ := build(t, s, Time(6*ms))
	if n.Final {
		t.Fatal("F set on a packet that answers no Poll")
	}
}

// RFC 5880 §6.8.3: raising DesiredMinTx while Up starts a Poll Sequence on
// the periodic packets (no extra packet), and the old interval stays in use
// until the Final arrives.
func TestIncreaseTxWaitsForFinal(t *testing.T) {
	a := newSession(t, 1, params(50*ms, 50*ms, 3), 0)
	b := newSession(t, 2, params(50*ms, 50*ms, 3), 0)
	now := up(t, a, b, 0)
	build(t, a, now)
	out, err := a.SetParams(now, params(300*ms, 50*ms, 3))
	if err != nil {
		t.Fatal(err)
	}
	if out.Send {
		t.Fatal("a Poll on periodic transmissions MUST NOT add packets (§6.5)")
	}
	if a.Snapshot().TxInterval != 50*ms {
		t.Fatal("TX interval raised before the Poll Sequence terminated")
	}
	now = a.NextDeadline()
	a.HandleTimer(now)
	p, raw := build(t, a, now)
	if !p.Poll || p.DesiredMinTx != 300_000 {
		t.Fatalf("periodic packet P=%v DesiredMinTx=%d", p.Poll, p.DesiredMinTx)
	}
	if out := b.HandlePacket(now, &p, raw); !out.Send || out.Changed {
		t.Fatalf("peer: %+v", out)
	}
	deliver(t, b, a, now) // the Final
	sn := a.Snapshot()
	if sn.PollActive || sn.TxInterval != 300*ms {
		t.Fatalf("after Final: poll=%v tx=%v", sn.PollActive, sn.TxInterval)
	}
	if a.State() != packet.StateUp || b.State() != packet.StateUp {
		t.Fatal("flap")
	}
}

// RFC 5880 §6.8.3: reducing RequiredMinRx keeps the old value for the
// Detection Time until the Final; raising it applies at once.
func TestRequiredMinRxChange(t *testing.T) {
	a := newSession(t, 1, params(10*ms, 200*ms, 3), 0)
	b := newSession(t, 2, params(10*ms, 10*ms, 3), 0)
	now := up(t, a, b, 0)
	if d := a.Snapshot().DetectionTime; d != 600*ms {
		t.Fatalf("detection %v, want 600ms", d)
	}
	a.SetParams(now, params(10*ms, 20*ms, 3))
	if d := a.Snapshot().DetectionTime; d != 600*ms {
		t.Fatalf("detection shortened to %v before the Final", d)
	}
	_, raw := build(t, a, now)
	var p packet.Control
	packet.Decode(raw, &p)
	b.HandlePacket(now, &p, raw)
	deliver(t, b, a, now)
	if d := a.Snapshot().DetectionTime; d != 60*ms {
		t.Fatalf("detection %v after Final, want 60ms", d)
	}
	a.SetParams(now, params(10*ms, 100*ms, 3))
	if d := a.Snapshot().DetectionTime; d != 300*ms {
		t.Fatalf("raised RequiredMinRx not applied at once: %v", d)
	}
}

// One Poll Sequence at a time: a second change waits for the first Final
// and then runs its own Poll.
func TestChangesQueueBehindPoll(t *testing.T) {
	a := newSession(t, 1, params(50*ms, 50*ms, 3), 0)
	b := newSession(t, 2, params(50*ms, 50*ms, 3), 0)
	now := up(t, a, b, 0)
	a.SetParams(now, params(100*ms, 50*ms, 3))
	a.SetParams(now, params(200*ms, 50*ms, 3))
	p, _ := build(t, a, now)
	if p.DesiredMinTx != 100_000 || !p.Poll {
		t.Fatalf("first poll carries %d", p.DesiredMinTx)
	}
	deliver(t, b, a, now) // b has not seen the poll: no Final yet
	if !a.Snapshot().PollActive {
		t.Fatal("poll ended without a Final")
	}
	deliver(t, a, b, now)
	deliver(t, b, a, now) // Final
	p, _ = build(t, a, now)
	if p.DesiredMinTx != 200_000 || !p.Poll {
		t.Fatalf("queued change: DesiredMinTx %d P=%v", p.DesiredMinTx, p.Poll)
	}
	deliver(t, a, b, now)
	deliver(t, b, a, now)
	if sn := a.Snapshot(); sn.PollActive || sn.TxInterval != 200*ms {
		t.Fatalf("after second Final: %+v", sn)
	}
}

// Going Up lifts the one-second floor: a Poll Sequence announces the faster
// rate (RFC 5880 §6.8.3), which takes effect at once.
func TestUpStartsPollForFastTimers(t *testing.T) {
	a := newSession(t, 1, params(20*ms, 20*ms, 3), 0)
	rx(t, a, 0, ctl(ini, 1))
	if a.State() != packet.StateUp {
		t.Fatal("not Up")
	}
	p, _ := build(t, a, 0)
	if !p.Poll || p.DesiredMinTx != 20_000 {
		t.Fatalf("first Up packet P=%v DesiredMinTx=%d", p.Poll, p.DesiredMinTx)
	}
}

func TestSetParamsValidation(t *testing.T) {
	s := newSession(t, 1, params(10*ms, 10*ms, 3), 0)
	for name, p := range map[string]Params{
		"desired_min_tx": params(0, 10*ms, 3),
		"detect_mult":    params(10*ms, 10*ms, 0),
		"auth.tx_key_id": {DesiredMinTx: ms, DetectMult: 3, Auth: Auth{Type: packet.AuthKeyedSHA1, Keys: []Key{{ID: 1, Secret: []byte("k")}}, TxKeyID: 2}},
		"auth.keys[0].secret": {DesiredMinTx: ms, DetectMult: 3, Auth: Auth{Type: packet.AuthKeyedMD5,
			Keys: []Key{{ID: 1, Secret: make([]byte, 17)}}, TxKeyID: 1}},
	} {
		_, err := s.SetParams(0, p)
		pe, ok := err.(*ParamError)
		if !ok || pe.Field != name {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

// RFC 5880 §6.8.3 defers only timer changes to the end of a Poll Sequence:
// a Detect Mult or an authentication change made while one runs takes
// effect at once, a timer change made with them still waits for the
// Final, and Params reports everything configured, so that a caller that
// changes one field (the API) keeps the others.
func TestNonTimerChangesDoNotWaitForPoll(t *testing.T) {
	a := newSession(t, 1, params(50*ms, 50*ms, 3), 0)
	b := newSession(t, 2, params(50*ms, 50*ms, 3), 0)
	now := up(t, a, b, 0)
	a.SetParams(now, params(100*ms, 50*ms, 3)) // a Poll Sequence runs
	if !a.Snapshot().PollActive {
		t.Fatal("setup: no Poll Sequence running")
	}

	p := a.Params() // the API's read-modify-write: the timer change is kept
	if p.DesiredMinTx != 100*ms {
		t.Fatalf("Params during the Poll: DesiredMinTx %v, want the configured 100ms", p.DesiredMinTx)
	}
	p.DetectMult = 20
	a.SetParams(now, p)
	c, _ := build(t, a, now)
	if c.DetectMult != 20 || c.DesiredMinTx != 100_000 || !c.Poll {
		t.Fatalf("packet during the Poll: DetectMult %d DesiredMinTx %d P=%v; want 20 at once, the Poll for 100 ms still running", c.DetectMult, c.DesiredMinTx, c.Poll)
	}

	p = a.Params()
	p.Auth = Auth{Type: packet.AuthKeyedSHA1, Keys: []Key{{ID: 3, Secret: []byte("secret")}}, TxKeyID: 3}
	a.SetParams(now, p)
	c, _ = build(t, a, now)
	if !c.AuthBit || c.Auth.Type != packet.AuthKeyedSHA1 || c.DetectMult != 20 {
		t.Fatalf("after the authentication change behind the Poll: A=%v type %v DetectMult %d; want keyed SHA1 at once, Detect Mult 20 kept",
			c.AuthBit, c.Auth.Type, c.DetectMult)
	}
	if got := a.Params(); got.DetectMult != 20 || got.DesiredMinTx != 100*ms || got.Auth.Type != packet.AuthKeyedSHA1 {
		t.Fatalf("Params after both changes: %+v", got)
	}
}
