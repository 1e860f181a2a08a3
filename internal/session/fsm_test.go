package session

import (
	"testing"

	"github.com/dantte-lp/gobfd/internal/packet"
)

const (
	adm  = packet.StateAdminDown
	down = packet.StateDown
	ini  = packet.StateInit
	upS  = packet.StateUp
)

// TestReceptionTransitions walks every (local state, received state) pair of
// the RFC 5880 §6.8.6 reception procedure through HandlePacket.
func TestReceptionTransitions(t *testing.T) {
	cases := []struct {
		local, recv packet.State
		want        packet.State
		diag        packet.Diag
		drop        packet.DropReason
	}{
		// "If bfd.SessionState is AdminDown: Discard the packet"
		{adm, adm, adm, packet.DiagAdminDown, packet.DropSessionAdminDown},
		{adm, down, adm, packet.DiagAdminDown, packet.DropSessionAdminDown},
		{adm, ini, adm, packet.DiagAdminDown, packet.DropSessionAdminDown},
		{adm, upS, adm, packet.DiagAdminDown, packet.DropSessionAdminDown},
		// "If received state is AdminDown: if bfd.SessionState is not Down,
		// set LocalDiag 3 and SessionState Down"
		{down, adm, down, packet.DiagNone, 0},
		{ini, adm, down, packet.DiagNeighborDown, 0},
		{upS, adm, down, packet.DiagNeighborDown, 0},
		// "If bfd.SessionState is Down: Down -> Init, Init -> Up"
		{down, down, ini, packet.DiagNone, 0},
		{down, ini, upS, packet.DiagNone, 0},
		{down, upS, down, packet.DiagNone, 0},
		// "Else if bfd.SessionState is Init: Init or Up -> Up"
		{ini, down, ini, packet.DiagNone, 0},
		{ini, ini, upS, packet.DiagNone, 0},
		{ini, upS, upS, packet.DiagNone, 0},
		// "Else (Up): received Down -> LocalDiag 3, Down"
		{upS, down, down, packet.DiagNeighborDown, 0},
		{upS, ini, upS, packet.DiagNone, 0},
		{upS, upS, upS, packet.DiagNone, 0},
	}
	for _, c := range cases {
		t.Run(c.local.String()+"+"+c.recv.String(), func(t *testing.T) {
			s := newSession(t, 1, params(100*ms, 100*ms, 3), 0)
			driveTo(t, s, c.local)
			your := uint32(1)
			if c.recv == down || c.recv == adm {
				your = 0 // a peer that is Down may not know us yet (§6.8.6)
			}
			out := rx(t, s, Time(10*ms), ctl(c.recv, your))
			if out.Drop != c.drop {
				t.Fatalf("drop = %v, want %v", out.Drop, c.drop)
			}
			if s.State() != c.want {
				t.Fatalf("state = %v, want %v", s.State(), c.want)
			}
			if got := s.Snapshot().LocalDiag; got != c.diag {
				t.Fatalf("diag = %v, want %v", got, c.diag)
			}
			if out.Changed != (c.local != c.want) {
				t.Fatalf("Changed = %v", out.Changed)
			}
			if out.Changed && (out.Event.Old != c.local || out.Event.New != c.want) {
				t.Fatalf("event %+v", out.Event)
			}
			// The variables are updated even when AdminDown discards.
			if s.RemoteDiscr() != 99 {
				t.Fatalf("bfd.RemoteDiscr = %d, want 99", s.RemoteDiscr())
			}
		})
	}
}

// driveTo puts a fresh Down session into the given state by the protocol's
// own inputs.
func driveTo(t *testing.T, s *Session, st packet.State) {
	t.Helper()
	switch st {
	case down:
	case ini:
		rx(t, s, 0, ctl(down, 0))
	case upS:
		rx(t, s, 0, ctl(ini, s.LocalDiscr()))
	case adm:
		s.SetAdminDown(0)
	}
	if s.State() != st {
		t.Fatalf("could not reach %v", st)
	}
}

// TestNextStateExhaustive checks the pure transition function on all 16
// pairs, including AdminDown received in AdminDown (handled by the caller).
func TestNextStateExhaustive(t *testing.T) {
	states := []packet.State{adm, down, ini, upS}
	for _, l := range states[1:] {
		for _, r := range states {
			next, diag, ok := nextState(l, r)
			if ok != (next != l) {
				t.Errorf("%v+%v: ok=%v next=%v", l, r, ok, next)
			}
			if next == down && l != down && diag != packet.DiagNeighborDown {
				t.Errorf("%v+%v: Down with diag %v, want 3", l, r, diag)
			}
			if next == upS && l != upS && r != ini && r != upS {
				t.Errorf("%v+%v: Up without the peer in Init/Up (three-way handshake)", l, r)
			}
		}
	}
}

// bfd.LocalDiag explains the latest state change (RFC 5880 §6.8.1): after a
// failure it says why, and coming back Up clears it.
func TestDiagClearedOnRecovery(t *testing.T) {
	s := newSession(t, 1, params(100*ms, 100*ms, 3), 0)
	driveTo(t, s, upS)
	rx(t, s, Time(ms), ctl(down, 0))
	if d := s.Snapshot().LocalDiag; d != packet.DiagNeighborDown {
		t.Fatalf("diag %v", d)
	}
	rx(t, s, Time(2*ms), ctl(ini, 1))
	if s.State() != upS || s.Snapshot().LocalDiag != packet.DiagNone {
		t.Fatalf("%v diag %v", s.State(), s.Snapshot().LocalDiag)
	}
}
