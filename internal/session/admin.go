package session

import "github.com/dantte-lp/gobfd/internal/packet"

// SetAdminDown disables the session (RFC 5880 §6.8.16): AdminDown with
// diag 7, Echo transmission ceases. Control packets keep going out at the
// slow rate so the peer learns it; the peer goes Down with diag 3 and can
// tell this from a failure.
func (s *Session) SetAdminDown(now Time) Output {
	var out Output
	if s.state == packet.StateAdminDown {
		return out
	}
	s.setState(now, packet.StateAdminDown, packet.DiagAdminDown, &out)
	return out
}

// SetAdminUp enables a disabled session: it goes Down and starts over
// (RFC 5880 §6.8.16). bfd.LocalDiag is cleared, since no failure caused
// this change.
func (s *Session) SetAdminUp(now Time) Output {
	var out Output
	if s.state != packet.StateAdminDown {
		return out
	}
	s.localDiag = packet.DiagNone
	s.setState(now, packet.StateDown, packet.DiagNone, &out)
	return out
}

// SignalDown takes the session Down for a reason outside BFD, such as a
// forwarding plane reset (diag 4, RFC 5880 §6.8.15) or a path down (diag 5,
// §6.8.17).
func (s *Session) SignalDown(now Time, diag packet.Diag) Output {
	var out Output
	if s.state == packet.StateAdminDown || s.state == packet.StateDown {
		return out
	}
	s.setState(now, packet.StateDown, diag, &out)
	return out
}
