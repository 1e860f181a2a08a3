package session

// TxDue is when the next periodic Control packet is due (RFC 5880 §6.8.7);
// Never when none is scheduled. The engine compares it with the time the
// packet actually leaves to measure its own lateness.
func (s *Session) TxDue() Time { return s.txAt }

// DetectDue is when the Detection Time expires (RFC 5880 §6.8.4); Never
// while it is not running.
func (s *Session) DetectDue() Time { return s.detectAt() }
