package session

import (
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// echoState holds the timers of the Echo function (RFC 5880 §6.4, §6.8.5,
// §6.8.9). The packets themselves are built and recognised by the caller.
type echoState struct {
	active   bool
	lastTx   Time
	jitter   uint64
	txAt     Time
	lastRx   Time
	detectAt Time
}

// echoInterval: not less than the peer's Required Min Echo RX Interval
// (RFC 5880 §6.8.9).
func (s *Session) echoInterval() time.Duration { return max(s.cfg.EchoTx, s.remoteMinEchoRx) }

// echoDetectionTime: how long without a returned Echo packet means failure
// (§6.8.5 leaves the means to the implementation): bfd.DetectMult intervals.
func (s *Session) echoDetectionTime() time.Duration {
	return time.Duration(s.detectMult) * s.echoInterval()
}

// updateEcho starts or stops the Echo function: it runs only while Up and
// while the peer advertises a non-zero Required Min Echo RX Interval (§6.8.9).
func (s *Session) updateEcho(now Time) {
	want := s.cfg.EchoTx > 0 && s.state == packet.StateUp && s.remoteMinEchoRx > 0
	switch {
	case want && !s.echo.active:
		s.echo = echoState{active: true, txAt: now, lastRx: now}
		s.echo.detectAt = now.Add(s.echoDetectionTime())
	case !want && s.echo.active:
		s.echo = echoState{txAt: Never, detectAt: Never}
	case want:
		s.echo.txAt = s.echo.lastTx.Add(jittered(s.echoInterval(), s.echo.jitter, 0))
		s.echo.detectAt = s.echo.lastRx.Add(s.echoDetectionTime())
	default:
		s.echo.txAt, s.echo.detectAt = Never, Never
	}
}

// echoTimers fires the Echo detection and transmission deadlines.
func (s *Session) echoTimers(now Time, out *Output) {
	if !s.echo.active {
		return
	}
	if now >= s.echo.detectAt {
		// §6.8.5: Down with diag 2 (Echo Function Failed).
		s.setState(now, packet.StateDown, packet.DiagEchoFailed, out)
		return
	}
	if now >= s.echo.txAt {
		out.SendEcho = true
	}
}

// EchoSent records that an Echo packet was transmitted and schedules the
// next one, jittered by up to 25 % (§6.8.9).
func (s *Session) EchoSent(now Time) {
	if !s.echo.active {
		return
	}
	s.counters.EchoOut++
	s.echo.lastTx = now
	s.echo.jitter = s.rnd.Uint64()
	s.echo.txAt = now.Add(jittered(s.echoInterval(), s.echo.jitter, 0))
}

// HandleEcho records that one of this session's Echo packets came back
// (§6.8.8).
func (s *Session) HandleEcho(now Time) {
	if !s.echo.active {
		return
	}
	s.counters.EchoIn++
	s.echo.lastRx = now
	s.echo.detectAt = now.Add(s.echoDetectionTime())
}
