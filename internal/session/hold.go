package session

// HoldDetection keeps the Detection Time from expiring before until; a
// later packet moves the deadline on as usual, and the hold ends with the
// next expiry.
//
// RFC 5880 §6.8.4 declares a session Down when a Detection Time passes
// without the receipt of a packet. That presumes a receiver that is
// running: when the host itself did not run for a while (a virtual machine
// paused by its hypervisor, every thread of the machine frozen at once),
// nothing could be received meanwhile — not even packets the peer sent in
// time, which the host's network stack takes in only once it runs again —
// and a peer frozen with it could not send either. The engine, which sees
// such a gap in its own run, holds the deadlines that fell inside it to a
// Detection Time after the gap (no longer than the gap lasted), so that
// the time the host did not run does not count as silence. A hold earlier
// than the current deadline changes nothing.
func (s *Session) HoldDetection(until Time) {
	s.detectHold = max(s.detectHold, until)
}
