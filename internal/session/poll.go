package session

import (
	"github.com/dantte-lp/gobfd/internal/packet"
)

// startPoll begins a Poll Sequence (RFC 5880 §6.5). If periodic packets are
// being sent the Poll bit rides on them; if the peer's Demand mode had
// stopped them, periodic transmission resumes for the duration of the Poll.
func (s *Session) startPoll(now Time) {
	s.pollActive = true
	s.pollSent = false
	s.reschedule(now)
}

// endPoll terminates the Poll Sequence on receipt of a Final (RFC 5880 §6.5)
// and lets the deferred timer values take effect (§6.8.3). A change queued
// behind it starts the next Poll Sequence: one at a time, so the meaning of
// each Final is unambiguous.
func (s *Session) endPoll(now Time) {
	s.pollActive, s.pollSent = false, false
	s.txDesiredInEffect = s.desiredMinTx
	s.rxRequiredInEffect = s.reqMinRx
	if s.pending != nil {
		p := *s.pending
		s.pending = nil
		s.changeParams(now, p)
	}
}

// Poll starts a Poll Sequence to verify connectivity, as a system in Demand
// mode does from time to time (RFC 5880 §6.6). It is a no-op while a Poll
// Sequence is already running.
func (s *Session) Poll(now Time) Output {
	var out Output
	if !s.pollActive && s.state == packet.StateUp {
		s.startPoll(now)
	}
	out.Send = now >= s.txAt
	return out
}

// SetParams changes the session parameters at run time. Timer changes are
// made with a Poll Sequence as RFC 5880 §6.8.3 requires, so an Up session
// never flaps for them. While a Poll Sequence runs, a timer change waits
// for it to finish (only the latest waiting change is kept); everything
// else — Detect Mult, authentication, Demand, passive — takes effect at
// once, since §6.8.3 defers only the timers. Held back too, a change
// could wait for a Final the peer can no longer send: after the peer
// switched to authentication, our unauthenticated Poll is dropped (§6.8.6)
// and the authentication change that would let it through waited for its
// answer until the session timed out.
func (s *Session) SetParams(now Time, p Params) (Output, error) {
	var out Output
	if err := p.Validate(); err != nil {
		return out, err
	}
	if s.pollActive && s.state == packet.StateUp {
		s.pending = nil
		if p.DesiredMinTx != s.cfg.DesiredMinTx || p.RequiredMinRx != s.cfg.RequiredMinRx {
			cp := p
			s.pending = &cp
		}
		p.DesiredMinTx, p.RequiredMinRx = s.cfg.DesiredMinTx, s.cfg.RequiredMinRx
	}
	if s.changeParams(now, p) {
		out.Send = true
	}
	if now >= s.txAt {
		out.Send = true
	}
	return out, nil
}

// changeParams applies p following RFC 5880 §6.8.3 and reports whether an
// extra packet should announce the change now (no Poll Sequence carries it).
func (s *Session) changeParams(now Time, p Params) bool {
	oldDesired, oldReq := s.desiredMinTx, s.reqMinRx
	old := s.cfg
	s.applyParams(p)

	timers := s.desiredMinTx != oldDesired || s.reqMinRx != oldReq
	if s.state == packet.StateUp {
		// A faster TX or a longer Detection Time is safe at once; a slower
		// TX or a shorter Detection Time must wait for the Final.
		if s.desiredMinTx < oldDesired {
			s.txDesiredInEffect = s.desiredMinTx
		}
		if s.reqMinRx > oldReq {
			s.rxRequiredInEffect = s.reqMinRx
		}
	} else {
		s.txDesiredInEffect = s.desiredMinTx
		s.rxRequiredInEffect = s.reqMinRx
	}
	contents := timers || old.DetectMult != p.DetectMult || old.CPI != p.CPI ||
		old.RequiredMinEchoRx != p.RequiredMinEchoRx || old.Demand != p.Demand
	// §6.8.3: timer changes need a Poll; §6.6: with Demand mode active on
	// either system, so does any other change of packet contents.
	demand := s.localDemandActive() || s.remoteDemandActive() || old.Demand != p.Demand
	poll := s.state == packet.StateUp && (timers || (contents && demand))
	if poll {
		s.startPoll(now)
	}
	s.updateEcho(now)
	s.reschedule(now)
	return contents && !poll
}
