package session

import (
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// Snapshot is a copy of a session's state for the API and metrics: every
// RFC 5880 §6.8.1 variable plus derived and remote values.
type Snapshot struct {
	State            packet.State // bfd.SessionState
	RemoteState      packet.State // bfd.RemoteSessionState
	LocalDiscr       uint32
	RemoteDiscr      uint32
	LocalDiag        packet.Diag
	RemoteDiag       packet.Diag
	DesiredMinTx     time.Duration // bfd.DesiredMinTxInterval (advertised)
	RequiredMinRx    time.Duration // bfd.RequiredMinRxInterval (advertised)
	RemoteMinRx      time.Duration // bfd.RemoteMinRxInterval
	RemoteDesiredTx  time.Duration
	RemoteMinEchoRx  time.Duration
	DemandMode       bool // bfd.DemandMode
	RemoteDemandMode bool // bfd.RemoteDemandMode
	DetectMult       uint8
	RemoteDetectMult uint8
	RemoteCPI        bool
	AuthType         packet.AuthType // bfd.AuthType
	RcvAuthSeq       uint32
	XmitAuthSeq      uint32
	AuthSeqKnown     bool
	TxKeyID          uint8

	TxInterval    time.Duration // negotiated transmit interval (§6.8.2)
	DetectionTime time.Duration // §6.8.4; 0 until the peer is heard
	PollActive    bool
	EchoActive    bool
	Passive       bool
	LastChange    Time
	UpSince       Time // valid while Up
	Counters      Counters
}

// Snapshot returns a copy of the session state.
func (s *Session) Snapshot() Snapshot {
	sn := Snapshot{
		State: s.state, RemoteState: s.remoteState,
		LocalDiscr: s.localDiscr, RemoteDiscr: s.remoteDiscr,
		LocalDiag: s.localDiag, RemoteDiag: s.remoteDiag,
		DesiredMinTx: s.desiredMinTx, RequiredMinRx: s.reqMinRx,
		RemoteMinRx: s.remoteMinRx, RemoteDesiredTx: s.remoteDesiredTx,
		RemoteMinEchoRx: s.remoteMinEchoRx,
		DemandMode:      s.demandMode, RemoteDemandMode: s.remoteDemand,
		DetectMult: s.detectMult, RemoteDetectMult: s.remoteDetectMult,
		RemoteCPI: s.remoteCPI,
		AuthType:  s.auth.typ, RcvAuthSeq: s.auth.rcvSeq, XmitAuthSeq: s.auth.xmitSeq,
		AuthSeqKnown: s.auth.seqKnown, TxKeyID: s.auth.txKeyID,
		TxInterval: s.txInterval(),
		PollActive: s.pollActive, EchoActive: s.echo.active, Passive: s.cfg.Passive,
		LastChange: s.lastChange, UpSince: s.upSince,
		Counters: s.counters,
	}
	if s.remoteDetectMult != 0 {
		sn.DetectionTime = s.detectionTime()
	}
	return sn
}
