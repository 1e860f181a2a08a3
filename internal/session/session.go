package session

import (
	"errors"
	"fmt"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// SlowTxInterval is the floor of bfd.DesiredMinTxInterval while the session
// is not Up (RFC 5880 §6.8.3).
const SlowTxInterval = time.Second

// MinInterval and MaxInterval bound the configurable intervals: the wire
// carries microseconds in 32 bits (RFC 5880 §4.1).
const (
	MinInterval = time.Microsecond
	MaxInterval = time.Duration(1<<32-1) * time.Microsecond
)

// Errors returned by New and SetParams.
var (
	ErrDiscrZero = errors.New("session: local discriminator must be non-zero")
	ErrNoRand    = errors.New("session: a random source is required")
)

// ParamError names the offending parameter.
type ParamError struct {
	Field  string
	Reason string
}

func (e *ParamError) Error() string { return "session: " + e.Field + ": " + e.Reason }

// Session is one BFD session. See the package documentation.
type Session struct {
	rnd Rand
	cfg Params // configured parameters, as last accepted by SetParams

	// RFC 5880 §6.8.1 state variables.
	state        packet.State  // bfd.SessionState
	remoteState  packet.State  // bfd.RemoteSessionState
	localDiscr   uint32        // bfd.LocalDiscr
	remoteDiscr  uint32        // bfd.RemoteDiscr
	localDiag    packet.Diag   // bfd.LocalDiag
	desiredMinTx time.Duration // bfd.DesiredMinTxInterval, as advertised
	reqMinRx     time.Duration // bfd.RequiredMinRxInterval, as advertised
	remoteMinRx  time.Duration // bfd.RemoteMinRxInterval
	demandMode   bool          // bfd.DemandMode
	remoteDemand bool          // bfd.RemoteDemandMode
	detectMult   uint8         // bfd.DetectMult
	auth         authState     // bfd.AuthType, bfd.RcvAuthSeq, bfd.XmitAuthSeq, bfd.AuthSeqKnown

	// Values last received from the peer that the RFC uses but does not
	// name as variables.
	remoteDiag       packet.Diag
	remoteDesiredTx  time.Duration // last received Desired Min TX Interval
	remoteDetectMult uint8
	remoteMinEchoRx  time.Duration
	remoteCPI        bool
	heardFromPeer    bool // a packet was accepted since the last detection expiry
	lastRx           Time
	detectHold       Time // the Detection Time does not expire before this (HoldDetection)

	// RFC 5880 §6.8.3: values in effect while a Poll Sequence is running.
	txDesiredInEffect  time.Duration // DesiredMinTx used for the TX interval
	rxRequiredInEffect time.Duration // RequiredMinRx used for the Detection Time

	// Poll/Final (RFC 5880 §6.5).
	pollActive   bool
	pollStart    Time // first Poll sent (Demand-mode detection, §6.8.4)
	pollSent     bool
	pending      *Params // change waiting for the running Poll Sequence to end
	finalPending bool    // a Final must be sent
	demandSent   bool    // D bit of the last transmitted packet

	// Transmission schedule (RFC 5880 §6.8.7).
	lastTx   Time
	txJitter uint64 // random draw for the interval after lastTx
	txAt     Time
	txGrid   time.Duration // see SetTxGrid; 0: none

	// Echo function (RFC 5880 §6.4, §6.8.9).
	echo echoState

	lastChange Time
	upSince    Time
	counters   Counters
}

// New creates a session in state Down (RFC 5880 §6.8.1 initial values).
func New(cfg Config, now Time) (*Session, error) {
	if cfg.LocalDiscr == 0 {
		return nil, ErrDiscrZero
	}
	if cfg.Rand == nil {
		return nil, ErrNoRand
	}
	if err := cfg.Params.Validate(); err != nil {
		return nil, err
	}
	s := &Session{
		rnd:         cfg.Rand,
		state:       packet.StateDown,
		remoteState: packet.StateDown,
		localDiscr:  cfg.LocalDiscr,
		remoteMinRx: time.Microsecond, // §6.8.1: initialized to 1
		lastChange:  now,
		lastTx:      now,
	}
	s.applyParams(cfg.Params)
	s.auth.xmitSeq = uint32(s.rnd.Uint64()) // §6.7.3: initialized to a random value
	s.txDesiredInEffect = s.desiredMinTx
	s.rxRequiredInEffect = s.reqMinRx
	s.txJitter = s.rnd.Uint64()
	s.reschedule(now)
	if s.periodic() {
		s.txAt = now // the first packet goes out at once
	}
	s.updateEcho(now)
	return s, nil
}

// Validate checks a parameter set.
func (p *Params) Validate() error {
	checkIv := func(field string, d time.Duration, zeroOK bool) error {
		if d == 0 && zeroOK {
			return nil
		}
		if d < MinInterval || d > MaxInterval {
			return &ParamError{field, fmt.Sprintf("%v is outside %v..%v", d, MinInterval, MaxInterval)}
		}
		if d%time.Microsecond != 0 {
			return &ParamError{field, fmt.Sprintf("%v is not a whole number of microseconds", d)}
		}
		return nil
	}
	if err := checkIv("desired_min_tx", p.DesiredMinTx, false); err != nil {
		return err
	}
	if err := checkIv("required_min_rx", p.RequiredMinRx, true); err != nil {
		return err
	}
	if err := checkIv("required_min_echo_rx", p.RequiredMinEchoRx, true); err != nil {
		return err
	}
	if err := checkIv("echo_tx", p.EchoTx, true); err != nil {
		return err
	}
	if p.DetectMult == 0 {
		return &ParamError{"detect_mult", "must be at least 1"} // §6.8.12: non-zero
	}
	return p.Auth.validate()
}

// applyParams copies p into the advertised variables. The §6.8.3 rules about
// when a change takes effect are enforced by the callers.
func (s *Session) applyParams(p Params) {
	p.Auth.Keys = append([]Key(nil), p.Auth.Keys...) // own the key ring
	s.cfg = p
	s.detectMult = p.DetectMult
	s.demandMode = p.Demand
	s.reqMinRx = p.RequiredMinRx
	s.desiredMinTx = s.advertisedDesiredTx()
	s.auth.configure(p.Auth)
}

// advertisedDesiredTx is bfd.DesiredMinTxInterval for the current state:
// at least one second while not Up (RFC 5880 §6.8.3).
func (s *Session) advertisedDesiredTx() time.Duration {
	if s.state != packet.StateUp && s.cfg.DesiredMinTx < SlowTxInterval {
		return SlowTxInterval
	}
	return s.cfg.DesiredMinTx
}

// State returns bfd.SessionState.
func (s *Session) State() packet.State { return s.state }

// LocalDiscr returns bfd.LocalDiscr.
func (s *Session) LocalDiscr() uint32 { return s.localDiscr }

// RemoteDiscr returns bfd.RemoteDiscr (0 until the peer is heard).
func (s *Session) RemoteDiscr() uint32 { return s.remoteDiscr }

// Params returns the configured parameters: the latest ones set, including
// timers that wait for a running Poll Sequence to end (SetParams), so that
// a caller that changes one field of them changes nothing else.
func (s *Session) Params() Params {
	if s.pending != nil {
		return *s.pending
	}
	return s.cfg
}

// Counters returns a copy of the counters.
func (s *Session) Counters() Counters { return s.counters }
