package session

import (
	"math"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// Time is an instant on the caller's monotonic clock, in nanoseconds. The
// session never reads a clock: every input carries the current Time.
type Time int64

// Never is the deadline of a timer that is not running.
const Never Time = math.MaxInt64

// Add returns t+d.
func (t Time) Add(d time.Duration) Time { return t + Time(d) }

// Sub returns t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Key is one entry of the authentication key ring (RFC 5880 §6.7).
type Key struct {
	ID     uint8  // Auth Key ID
	Secret []byte // password (simple) or key (MD5 ≤ 16 bytes, SHA1 ≤ 20 bytes)
}

// Auth configures authentication (RFC 5880 §6.7). Type AuthNone disables it.
// Every key in Keys is accepted on receive; TxKeyID selects the key used to
// send, so keys can be rotated without a flap: add the new key on both ends,
// move TxKeyID, then remove the old key.
type Auth struct {
	Type    packet.AuthType
	Keys    []Key
	TxKeyID uint8
}

// Params are the configurable protocol parameters of a session.
type Params struct {
	DesiredMinTx      time.Duration // bfd.DesiredMinTxInterval (while Up)
	RequiredMinRx     time.Duration // bfd.RequiredMinRxInterval
	RequiredMinEchoRx time.Duration // advertised Required Min Echo RX Interval; 0: we do not loop echo back
	DetectMult        uint8         // bfd.DetectMult
	Passive           bool          // RFC 5880 §6.1 passive role
	Demand            bool          // bfd.DemandMode: ask the peer to stop periodic TX
	CPI               bool          // C bit: control plane independent
	// EchoTx is the desired echo transmit interval; 0 disables the echo
	// function (RFC 5880 §6.4, §6.8.9).
	EchoTx time.Duration
	Auth   Auth
}

// Rand is the random source used for jitter (RFC 5880 §6.8.7). math/rand/v2
// sources (PCG, ChaCha8) satisfy it.
type Rand interface{ Uint64() uint64 }

// Config creates a Session.
type Config struct {
	Params
	LocalDiscr uint32 // bfd.LocalDiscr, non-zero and unique (internal/discr)
	Rand       Rand
}

// Event reports a state change (RFC 5880 §6.2).
type Event struct {
	At         Time
	Old, New   packet.State
	LocalDiag  packet.Diag // bfd.LocalDiag after the change
	RemoteDiag packet.Diag // the peer's last Diag
	// RemoteState is the peer's last state: AdminDown here means the peer
	// was disabled on purpose (RFC 5880 §6.8.16), even when it sends no
	// diag 7.
	RemoteState packet.State
}

// Output is what the caller must do after an input.
type Output struct {
	// Drop is the reason the input packet was discarded, DropNone otherwise.
	Drop packet.DropReason
	// Send: a Control packet must be sent now (call BuildControl).
	Send bool
	// SendEcho: an Echo packet must be sent now (call EchoSent after it).
	SendEcho bool
	// Changed: the session changed state; Event describes it.
	Changed bool
	Event   Event
}

// Counters are the per-session packet and transition counts. The session
// updates them on its owner's goroutine; the engine publishes them.
type Counters struct {
	PacketsIn  uint64 // control packets accepted
	PacketsOut uint64 // control packets built
	EchoOut    uint64
	EchoIn     uint64
	// Drops by reason (auth failures included). 32 bits: they are per
	// session and per reason, and halve the session's size class; at
	// 100,000 drops a second one wraps after 12 hours (Prometheus's
	// rate() takes a wrap for a counter reset).
	Drops           [packet.NumDropReasons]uint32
	UpTransitions   uint64
	DownTransitions uint64 // transitions from Up to Down
}

// AuthFailures sums the drops caused by authentication (RFC 5880 §6.7).
func (c Counters) AuthFailures() uint64 {
	var n uint64
	for _, r := range [...]packet.DropReason{packet.DropAuthMissing, packet.DropAuthUnexpected,
		packet.DropAuthTypeMismatch, packet.DropAuthKeyID, packet.DropAuthDigest, packet.DropAuthSeq} {
		n += uint64(c.Drops[r])
	}
	return n
}
