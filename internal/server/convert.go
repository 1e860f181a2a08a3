package server

import (
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

// Conversions between the engine's types and the API's. The enums of
// diagnostics and auth types carry the wire codes (RFC 5880 §4.1); states
// are the wire code plus one (0 is "unspecified").

func statePB(s packet.State) bfdpb.SessionState { return bfdpb.SessionState(s&3) + 1 }

// stateOf is the engine state of an API state; ok is false for
// SESSION_STATE_UNSPECIFIED and unknown values.
func stateOf(s bfdpb.SessionState) (packet.State, bool) {
	if s < bfdpb.SessionState_SESSION_STATE_ADMIN_DOWN || s > bfdpb.SessionState_SESSION_STATE_UP {
		return 0, false
	}
	return packet.State(s - 1), true
}

func diagPB(d packet.Diag) bfdpb.Diagnostic { return bfdpb.Diagnostic(d) }

func authPB(a packet.AuthType) bfdpb.AuthType { return bfdpb.AuthType(a) }

func typePB(t engine.Type) bfdpb.SessionType {
	if t == engine.MultiHop {
		return bfdpb.SessionType_SESSION_TYPE_MULTI_HOP
	}
	return bfdpb.SessionType_SESSION_TYPE_SINGLE_HOP
}

// typeName is the configuration file's spelling of an API type ("" for
// unspecified, which means single_hop when adding).
func typeName(t bfdpb.SessionType) (string, bool) {
	switch t {
	case bfdpb.SessionType_SESSION_TYPE_UNSPECIFIED:
		return "", true
	case bfdpb.SessionType_SESSION_TYPE_SINGLE_HOP:
		return "single_hop", true
	case bfdpb.SessionType_SESSION_TYPE_MULTI_HOP:
		return "multi_hop", true
	}
	return "", false
}

// authName is the configuration file's spelling of an API auth type.
func authName(t bfdpb.AuthType) string {
	if t >= bfdpb.AuthType_AUTH_TYPE_SIMPLE && t <= bfdpb.AuthType_AUTH_TYPE_METICULOUS_KEYED_SHA1 {
		return packet.AuthType(t).String()
	}
	if t == bfdpb.AuthType_AUTH_TYPE_NONE {
		return "none"
	}
	return t.String() // an unknown number: "42", refused by the check
}

func dur(d time.Duration) *durationpb.Duration { return durationpb.New(d) }

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func keyPB(k engine.Key) *bfdpb.SessionKey {
	return &bfdpb.SessionKey{Peer: k.Peer.String(), Local: addrString(k.Local), Interface: k.Interface,
		Vrf: k.VRF, Type: typePB(k.Type)}
}

func addrString(a interface {
	IsValid() bool
	String() string
}) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// sessionPB is everything the API tells about a session.
func sessionPB(d *engine.SessionDetail, owner bfdpb.Owner) *bfdpb.Session {
	sn := &d.Snapshot
	c := sn.Counters
	out := &bfdpb.Session{
		Peer: d.Key.Peer.String(), Local: addrString(d.Key.Local), Interface: d.Key.Interface, Vrf: d.Key.VRF,
		Type: typePB(d.Key.Type), Owner: owner,
		State: statePB(sn.State), LocalDiag: diagPB(sn.LocalDiag),
		LocalDiscriminator: sn.LocalDiscr, RemoteDiscriminator: sn.RemoteDiscr,
		RemoteState: statePB(sn.RemoteState), RemoteDiag: diagPB(sn.RemoteDiag),
		SourcePort: uint32(d.SrcPort),
		TxInterval: dur(sn.TxInterval), DetectionTime: dur(sn.DetectionTime),
		PollActive: sn.PollActive, EchoActive: sn.EchoActive,
		LastStateChange: ts(d.LastChange), LastChangeDiag: diagPB(sn.LocalDiag),
		Params: &bfdpb.SessionParams{
			DesiredMinTx: dur(d.Params.DesiredMinTx), RequiredMinRx: dur(d.Params.RequiredMinRx),
			DetectMult: uint32(d.Params.DetectMult), Passive: d.Params.Passive, Demand: d.Params.Demand,
			PaddedPduSize: uint32(d.PaddedSize), AuthType: authPB(d.Params.Auth.Type),
			AuthKeyId: uint32(d.Params.Auth.TxKeyID),
		},
		// RFC 5880 §6.8.1, one field per variable.
		Variables: &bfdpb.Variables{
			SessionState: statePB(sn.State), RemoteSessionState: statePB(sn.RemoteState),
			LocalDiscr: sn.LocalDiscr, RemoteDiscr: sn.RemoteDiscr, LocalDiag: diagPB(sn.LocalDiag),
			DesiredMinTxInterval: dur(sn.DesiredMinTx), RequiredMinRxInterval: dur(sn.RequiredMinRx),
			RemoteMinRxInterval: dur(sn.RemoteMinRx),
			DemandMode:          sn.DemandMode, RemoteDemandMode: sn.RemoteDemandMode,
			DetectMult: uint32(sn.DetectMult), AuthType: authPB(sn.AuthType),
			RcvAuthSeq: sn.RcvAuthSeq, XmitAuthSeq: sn.XmitAuthSeq, AuthSeqKnown: sn.AuthSeqKnown,
		},
		Remote: &bfdpb.Remote{
			DesiredMinTxInterval: dur(sn.RemoteDesiredTx), DetectMult: uint32(sn.RemoteDetectMult),
			RequiredMinEchoRxInterval: dur(sn.RemoteMinEchoRx), Diag: diagPB(sn.RemoteDiag),
			ControlPlaneIndependent: sn.RemoteCPI,
		},
		Counters: &bfdpb.Counters{
			PacketsIn: c.PacketsIn, PacketsOut: c.PacketsOut, EchoIn: c.EchoIn, EchoOut: c.EchoOut,
			AuthFailures: c.AuthFailures(), UpTransitions: c.UpTransitions, DownTransitions: c.DownTransitions,
		},
	}
	for r := packet.DropReason(1); r < packet.NumDropReasons; r++ {
		if n := uint64(c.Drops[r]); n > 0 {
			if out.Counters.DropsByReason == nil {
				out.Counters.DropsByReason = map[string]uint64{}
			}
			out.Counters.DropsByReason[r.String()] = n
			out.Counters.Drops += n
		}
	}
	if sn.State == packet.StateUp && !d.UpSince.IsZero() {
		out.UpSince = ts(d.UpSince)
		out.Uptime = dur(time.Since(d.UpSince).Round(time.Millisecond))
	}
	return out
}

// eventPB is a state change as the API streams it.
func eventPB(ev *engine.Event, lost uint64) *bfdpb.SessionEvent {
	return &bfdpb.SessionEvent{
		Kind: bfdpb.EventKind_EVENT_KIND_STATE_CHANGE, Time: ts(ev.At), Key: keyPB(ev.Key),
		LocalDiscriminator: ev.LocalDiscr, OldState: statePB(ev.Old), NewState: statePB(ev.New),
		LocalDiag: diagPB(ev.LocalDiag), RemoteDiag: diagPB(ev.RemoteDiag), RemoteState: statePB(ev.RemoteState),
		DetectionTime: dur(ev.DetectionTime), Lost: lost,
	}
}

// currentPB is a session's current state at the start of a watch.
func currentPB(d *engine.SessionDetail) *bfdpb.SessionEvent {
	sn := &d.Snapshot
	return &bfdpb.SessionEvent{
		Kind: bfdpb.EventKind_EVENT_KIND_CURRENT, Time: ts(d.LastChange), Key: keyPB(d.Key),
		LocalDiscriminator: sn.LocalDiscr, NewState: statePB(sn.State),
		LocalDiag: diagPB(sn.LocalDiag), RemoteDiag: diagPB(sn.RemoteDiag), RemoteState: statePB(sn.RemoteState),
		DetectionTime: dur(sn.DetectionTime),
	}
}
