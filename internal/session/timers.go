package session

import (
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// txInterval is the negotiated transmit interval: the greater of
// bfd.DesiredMinTxInterval (the value in effect, §6.8.3) and
// bfd.RemoteMinRxInterval (RFC 5880 §6.8.2, §6.8.7).
func (s *Session) txInterval() time.Duration {
	return max(s.txDesiredInEffect, s.remoteMinRx)
}

// localDemandActive: we asked the peer to stop periodic transmission and it
// may have done so (RFC 5880 §6.6, §6.8.7 rules for the D bit).
func (s *Session) localDemandActive() bool {
	return s.demandMode && s.state == packet.StateUp && s.remoteState == packet.StateUp
}

// remoteDemandActive: Demand mode is active on the remote system
// (RFC 5880 §6.8.6, §6.8.7).
func (s *Session) remoteDemandActive() bool {
	return s.remoteDemand && s.state == packet.StateUp && s.remoteState == packet.StateUp
}

// detectionTime implements RFC 5880 §6.8.4.
func (s *Session) detectionTime() time.Duration {
	if s.localDemandActive() {
		// bfd.DetectMult times the agreed transmit interval of the local system.
		return time.Duration(s.detectMult) * s.txInterval()
	}
	// Detect Mult received from the remote system times the greater of
	// bfd.RequiredMinRxInterval (the value in effect, §6.8.3) and the last
	// received Desired Min TX Interval.
	return time.Duration(s.remoteDetectMult) * max(s.rxRequiredInEffect, s.remoteDesiredTx)
}

// detectAt is the instant the Detection Time expires (RFC 5880 §6.8.4).
func (s *Session) detectAt() Time {
	if s.localDemandActive() {
		// Only a Poll Sequence that goes unanswered detects a failure.
		if s.pollActive && s.pollSent {
			return max(s.pollStart.Add(s.detectionTime()), s.detectHold)
		}
		return Never
	}
	if !s.heardFromPeer {
		return Never
	}
	return max(s.lastRx.Add(s.detectionTime()), s.detectHold)
}

// mayTransmit: RFC 5880 §6.8.7 — a passive system sends nothing until it has
// learned the remote discriminator.
func (s *Session) mayTransmit() bool {
	return !s.cfg.Passive || s.remoteDiscr != 0
}

// periodic reports whether periodic transmission is allowed (RFC 5880 §6.8.7).
func (s *Session) periodic() bool {
	switch {
	case !s.mayTransmit():
		return false
	case s.remoteMinRx == 0:
		return false
	case s.remoteDemandActive() && !s.pollActive:
		return false
	}
	return true
}

// jittered reduces iv by a random 0–25 %, or 10–25 % when bfd.DetectMult is
// 1 (RFC 5880 §6.8.7). r is a uniform 64-bit random draw.
func jittered(iv time.Duration, r uint64, detectMult uint8) time.Duration {
	lo := 0.0
	if detectMult == 1 {
		lo = 0.10
	}
	u := float64(r>>11) / (1 << 53) // [0, 1)
	return iv - time.Duration(float64(iv)*(lo+(0.25-lo)*u))
}

// reschedule recomputes the next periodic transmission from the last one.
// Changing the interval takes effect at once (RFC 5880 §6.8.3: a reduced
// interval is honoured immediately, sending as soon as practicable if it has
// already passed).
func (s *Session) reschedule(now Time) {
	if !s.periodic() {
		s.txAt = Never
		return
	}
	iv := s.txInterval()
	at := s.lastTx.Add(jittered(iv, s.txJitter, s.detectMult))
	// The grid applies where the window holds at least three of its
	// points, so that the interval stays random (§6.8.7).
	if lo, hi := jitterWindow(iv, s.detectMult); s.txGrid > 0 && hi-lo >= 3*s.txGrid {
		at = onGrid(at, s.lastTx.Add(lo), s.lastTx.Add(hi), s.txGrid)
	}
	s.txAt = max(at, now)
}

// jitterWindow is the range of intervals RFC 5880 §6.8.7 allows between
// two periodic packets: 75–100 % of the transmit interval, 75–90 % when
// bfd.DetectMult is 1.
func jitterWindow(iv time.Duration, detectMult uint8) (lo, hi time.Duration) {
	lo, hi = iv-iv/4, iv
	if detectMult == 1 {
		hi = iv - iv/10
	}
	return lo, hi
}

// onGrid moves at (within [lo, hi]) to a multiple of g within [lo, hi]:
// the one just before it, else the one just after; at itself when the
// window holds none.
func onGrid(at, lo, hi Time, g time.Duration) Time {
	down := at - at%Time(g)
	if at < 0 && at%Time(g) != 0 {
		down -= Time(g)
	}
	switch {
	case down >= lo:
		return down
	case down+Time(g) <= hi:
		return down + Time(g)
	}
	return at
}

// SetTxGrid asks that periodic Control packets leave on multiples of g
// (on the caller's clock) where the jitter window of RFC 5880 §6.8.7
// holds one: the random interval is moved to the nearest such instant
// inside the window, never past it. A caller that serves many sessions
// can then serve their transmissions together, in one wake-up and one
// batch, without sending any packet later than the RFC allows. The grid
// applies only where the window is at least three grid steps wide (so
// that the interval keeps its randomness): g should be a small fraction
// of the interval. 0 turns it off. It applies from the next transmission
// on.
func (s *Session) SetTxGrid(g time.Duration) { s.txGrid = max(g, 0) }

// DelayFirstTx moves the first Control packet of a session that has sent
// none yet from "at once" to at (RFC 5880 leaves that moment open; a
// session is Down and sends at its slow rate, §6.8.3, either way). An
// engine that starts many sessions together spreads their first packets
// over a fraction of a second with it: each session's later packets follow
// its own first one (§6.8.7), so the spread lasts, and neither the first
// packets nor every periodic round after them arrive at the peer as one
// burst. at is kept within one initial transmit interval of the session's
// creation and, like periodic packets, moved down onto the transmission
// grid (SetTxGrid) so that sessions starting together share wake-ups and
// batches; a session that has sent, or may not send, is not changed.
func (s *Session) DelayFirstTx(at Time) {
	if s.counters.PacketsOut != 0 || !s.periodic() || at <= s.txAt {
		return
	}
	at = min(at, s.lastTx.Add(s.txInterval()))
	if g := Time(s.txGrid); g > 0 && at%g != 0 {
		at -= at % g
	}
	s.txAt = max(at, s.txAt)
}

// NextDeadline returns the earliest instant at which HandleTimer must run.
func (s *Session) NextDeadline() Time {
	return min(s.txAt, s.detectAt(), s.echo.txAt, s.echo.detectAt)
}

// HandleTimer processes every deadline at or before now.
func (s *Session) HandleTimer(now Time) Output {
	var out Output
	if now >= s.detectAt() {
		s.detectionExpired(now, &out)
	}
	s.echoTimers(now, &out)
	if now >= s.txAt {
		out.Send = true
	}
	return out
}

// detectionExpired applies RFC 5880 §6.8.4, the §6.8.1 rule that
// bfd.RemoteDiscr is cleared when a Detection Time passes in silence, and the
// §6.8.18 reset of bfd.RemoteMinRxInterval to its initial value.
func (s *Session) detectionExpired(now Time, out *Output) {
	if s.state == packet.StateInit || s.state == packet.StateUp {
		s.setState(now, packet.StateDown, packet.DiagControlDetectExpired, out)
	}
	s.remoteDiscr = 0
	s.remoteState = packet.StateDown
	s.remoteDemand = false
	s.remoteMinEchoRx = 0
	// §6.8.18: the peer's Required Min RX no longer binds us.
	s.remoteMinRx = time.Microsecond
	s.heardFromPeer = false
	s.detectHold = 0
	s.updateEcho(now)
	s.reschedule(now)
}
