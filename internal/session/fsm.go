package session

import "github.com/dantte-lp/gobfd/internal/packet"

// nextState is the state machine of RFC 5880 §6.2 as written in the
// reception procedure of §6.8.6, for a packet accepted while
// bfd.SessionState is not AdminDown. It returns the new state and the
// diagnostic to set, and ok=false when the state does not change.
func nextState(local, received packet.State) (next packet.State, diag packet.Diag, ok bool) {
	if received == packet.StateAdminDown {
		if local != packet.StateDown {
			return packet.StateDown, packet.DiagNeighborDown, true
		}
		return local, 0, false
	}
	switch local {
	case packet.StateDown:
		switch received {
		case packet.StateDown:
			return packet.StateInit, 0, true
		case packet.StateInit:
			return packet.StateUp, 0, true
		}
	case packet.StateInit:
		if received == packet.StateInit || received == packet.StateUp {
			return packet.StateUp, 0, true
		}
	case packet.StateUp:
		if received == packet.StateDown {
			return packet.StateDown, packet.DiagNeighborDown, true
		}
	}
	return local, 0, false
}

// setState performs a state change and everything that follows from it.
// A diag of DiagNone leaves bfd.LocalDiag unchanged on the way down and
// clears it on the way up.
func (s *Session) setState(now Time, next packet.State, diag packet.Diag, out *Output) {
	old := s.state
	if old == next {
		return
	}
	demandWasActive := s.localDemandActive() || s.remoteDemandActive()
	s.state = next
	switch {
	case diag != packet.DiagNone:
		s.localDiag = diag
	case next == packet.StateInit || next == packet.StateUp:
		// bfd.LocalDiag is the reason for the most recent state change
		// (RFC 5880 §6.8.1); coming up has none, so an old failure's code
		// is not carried into a healthy session.
		s.localDiag = packet.DiagNone
	}
	s.lastChange = now
	switch {
	case next == packet.StateUp:
		s.upSince = now
		s.counters.UpTransitions++
	case old == packet.StateUp:
		s.counters.DownTransitions++
	}
	s.timersForState(now)
	// RFC 5880 §6.6: with Demand mode active on either system, a change of
	// packet contents is sent in a Poll Sequence.
	if demandWasActive && s.state == packet.StateUp && !s.pollActive {
		s.startPoll(now)
	}
	s.updateEcho(now)
	s.reschedule(now)
	// RFC 5880 §6.8.7: a packet SHOULD be sent between periodic
	// transmissions when its contents change, to signal the new state fast.
	out.Send = true
	out.Changed = true
	out.Event = Event{At: now, Old: old, New: next, LocalDiag: s.localDiag, RemoteDiag: s.remoteDiag,
		RemoteState: s.remoteState}
}

// timersForState applies the one-second floor of bfd.DesiredMinTxInterval
// outside Up (RFC 5880 §6.8.3) when the state changes.
func (s *Session) timersForState(now Time) {
	adv := s.advertisedDesiredTx()
	if s.state != packet.StateUp {
		// Not Up: every change is effected immediately, and a Poll
		// Sequence in progress is moot; a queued change applies now.
		s.pollActive, s.pollSent = false, false
		if s.pending != nil {
			p := *s.pending
			s.pending = nil
			s.applyParams(p)
			adv = s.advertisedDesiredTx()
		}
		s.desiredMinTx = adv
		s.txDesiredInEffect = adv
		s.rxRequiredInEffect = s.reqMinRx
		return
	}
	if adv != s.desiredMinTx {
		// Going Up lowers bfd.DesiredMinTxInterval from the one-second
		// floor: a Poll Sequence MUST be initiated (§6.8.3); a reduction
		// takes effect at once, an increase after the Poll Sequence.
		if adv < s.desiredMinTx {
			s.txDesiredInEffect = adv
		}
		s.desiredMinTx = adv
		s.startPoll(now)
	}
}
