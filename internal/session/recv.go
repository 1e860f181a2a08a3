package session

import (
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

func usec(v uint32) time.Duration { return time.Duration(v) * time.Microsecond }

// HandlePacket processes a Control packet for this session: RFC 5880 §6.8.6
// from the authentication checks on, in the order the RFC gives. p must
// have passed packet.Decode (steps 1–7) and the caller's demultiplexing;
// raw is the packet as received, needed to verify a digest.
func (s *Session) HandlePacket(now Time, p *packet.Control, raw []byte) Output {
	var out Output
	// If the A bit is set and no authentication is in use, or clear while it
	// is, the packet MUST be discarded; if set it MUST be authenticated (§6.7).
	switch {
	case p.AuthBit && s.auth.typ == packet.AuthNone:
		return s.drop(packet.DropAuthUnexpected)
	case !p.AuthBit && s.auth.typ != packet.AuthNone:
		return s.drop(packet.DropAuthMissing)
	case p.AuthBit:
		// §6.7.1: bfd.AuthSeqKnown is reset after twice the Detection
		// Time without packets, so a restarted peer is accepted again.
		if s.auth.seqKnown && now.Sub(s.lastRx) >= 2*s.detectionTime() {
			s.auth.seqKnown = false
		}
		if r := s.auth.verify(p, raw); r != packet.DropNone {
			return s.drop(r)
		}
	}

	s.remoteDiscr = p.MyDiscr
	s.remoteState = p.State
	s.remoteDemand = p.Demand
	s.remoteMinRx = usec(p.RequiredMinRx)
	s.remoteDesiredTx = usec(p.DesiredMinTx)
	s.remoteDetectMult = p.DetectMult
	s.remoteDiag = p.Diag
	s.remoteCPI = p.CPI
	// If Required Min Echo RX Interval is zero, Echo transmission MUST cease
	// (updateEcho below applies it).
	s.remoteMinEchoRx = usec(p.RequiredMinEchoRx)

	if s.pollActive && s.pollSent && p.Final {
		s.endPoll(now)
	}

	if s.state == packet.StateAdminDown {
		// The variables above are updated, then the packet is discarded:
		// it does not count for the Detection Time.
		s.reschedule(now)
		return s.drop(packet.DropSessionAdminDown)
	}

	s.lastRx = now
	s.heardFromPeer = true
	s.counters.PacketsIn++

	if next, diag, ok := nextState(s.state, p.State); ok {
		s.setState(now, next, diag, &out)
	}

	// The transmit interval and Detection Time are derived on use
	// (§6.8.2, §6.8.4); Demand mode on the remote system starts or stops
	// periodic transmission (§6.6, §6.8.7) through the same rescheduling.
	s.updateEcho(now)
	s.reschedule(now)

	if p.Poll {
		// Answer a Poll with a Final as soon as practicable (§6.8.7).
		s.finalPending = true
		out.Send = true
	}
	if now >= s.txAt {
		out.Send = true
	}
	return out
}

func (s *Session) drop(r packet.DropReason) Output {
	s.counters.Drops[r]++
	return Output{Drop: r}
}
