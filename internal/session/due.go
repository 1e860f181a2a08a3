package session

import "time"

// TxDue is when the next periodic Control packet is due (RFC 5880 §6.8.7);
// Never when none is scheduled. The engine compares it with the time the
// packet actually leaves to measure its own lateness.
func (s *Session) TxDue() Time { return s.txAt }

// DetectDue is when the Detection Time expires (RFC 5880 §6.8.4); Never
// while it is not running.
func (s *Session) DetectDue() Time { return s.detectAt() }

// DetectionTime is the Detection Time in effect (RFC 5880 §6.8.4); 0
// before the peer has been heard.
func (s *Session) DetectionTime() time.Duration {
	if s.remoteDetectMult == 0 {
		return 0
	}
	return s.detectionTime()
}

// TxInterval is the negotiated transmit interval (RFC 5880 §6.8.2).
func (s *Session) TxInterval() time.Duration { return s.txInterval() }

// UpSince is when the session last came Up (meaningful while Up).
func (s *Session) UpSince() Time { return s.upSince }
