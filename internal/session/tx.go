package session

import (
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

func toUsec(d time.Duration) uint32 { return uint32(d / time.Microsecond) }

// demandBit is the D bit to send (RFC 5880 §6.8.7): bfd.DemandMode, only
// while both systems are Up.
func (s *Session) demandBit() bool { return s.localDemandActive() }

// BuildControl encodes the next Control packet into b (RFC 5880 §6.8.7) and
// returns its length, or 0 when nothing may be sent (a passive session that
// has not heard its peer, or b shorter than packet.MaxPacketLen). Call it
// whenever an Output has Send set. It advances the transmission schedule.
func (s *Session) BuildControl(now Time, b []byte) int {
	if !s.mayTransmit() || len(b) < packet.MaxPacketLen {
		return 0
	}
	d := s.demandBit()
	if d != s.demandSent && s.state == packet.StateUp && !s.pollActive {
		// §6.6: changing the transmitted D bit needs a Poll Sequence.
		s.pollActive, s.pollSent = true, false
	}
	ctl := packet.Control{
		Diag:              s.localDiag,
		State:             s.state,
		CPI:               s.cfg.CPI,
		Demand:            d,
		DetectMult:        s.detectMult,
		MyDiscr:           s.localDiscr,
		YourDiscr:         s.remoteDiscr,
		DesiredMinTx:      toUsec(s.desiredMinTx),
		RequiredMinRx:     toUsec(s.reqMinRx),
		RequiredMinEchoRx: toUsec(s.cfg.RequiredMinEchoRx),
	}
	// A packet never carries both P and F (§6.5). A Final goes out at once;
	// the Poll rides on the next packet.
	if s.finalPending {
		ctl.Final = true
	} else if s.pollActive {
		ctl.Poll = true
	}
	key := s.auth.fill(&ctl)
	n, err := packet.Marshal(b, &ctl, key)
	if err != nil {
		return 0 // keys are validated by SetParams; unreachable
	}
	s.auth.sent()
	if ctl.Final {
		s.finalPending = false
	}
	if ctl.Poll && !s.pollSent {
		s.pollSent = true
		s.pollStart = now
	}
	s.demandSent = d
	s.counters.PacketsOut++
	s.lastTx = now
	s.txJitter = s.rnd.Uint64()
	s.reschedule(now)
	return n
}
