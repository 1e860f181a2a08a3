package server

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"

	"connectrpc.com/connect"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/version"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

// owner says who owns the session with key k: the file lists it, or the
// API added it.
func (s *Server) owner(k engine.Key) bfdpb.Owner {
	if s.config().fileKeys[k] {
		return bfdpb.Owner_OWNER_CONFIG
	}
	return bfdpb.Owner_OWNER_API
}

func (s *Server) sessionPB(d *engine.SessionDetail) *bfdpb.Session {
	return sessionPB(d, s.owner(d.Key))
}

// compareKeys orders sessions by peer, local address, interface, VRF and
// type.
func compareKeys(a, b engine.Key) int {
	return cmp.Or(a.Peer.Compare(b.Peer), a.Local.Compare(b.Local), cmp.Compare(a.Interface, b.Interface),
		cmp.Compare(a.VRF, b.VRF), cmp.Compare(a.Type, b.Type))
}

func sortDetails(ds []engine.SessionDetail) {
	slices.SortFunc(ds, func(a, b engine.SessionDetail) int { return compareKeys(a.Key, b.Key) })
}

// ListSessions returns the sessions that pass every filter given.
func (s *Server) ListSessions(_ context.Context, req *connect.Request[bfdpb.ListSessionsRequest]) (*connect.Response[bfdpb.ListSessionsResponse], error) {
	m := req.Msg
	var errs []error
	var peer netip.Addr
	if m.Peer != "" {
		var err error
		if peer, err = netip.ParseAddr(m.Peer); err != nil {
			errs = append(errs, fieldError("peer", m.Peer, "is not an IP address"))
		}
	}
	var state packet.State
	wantState := m.State != bfdpb.SessionState_SESSION_STATE_UNSPECIFIED
	if wantState {
		var ok bool
		if state, ok = stateOf(m.State); !ok {
			errs = append(errs, fieldError("state", m.State.String(), "is not a session state"))
		}
	}
	typ, ok := typeName(m.Type)
	if !ok {
		errs = append(errs, fieldError("type", m.Type.String(), "is not a session type"))
	}
	if len(errs) > 0 {
		return nil, invalid(errs)
	}
	match := func(k engine.Key, st packet.State) bool {
		return (!peer.IsValid() || k.Peer == peer) && (!wantState || st == state) && (typ == "" || k.Type.String() == typ)
	}
	ds := s.eng.Select(match)
	sortDetails(ds)
	out := &bfdpb.ListSessionsResponse{Sessions: make([]*bfdpb.Session, len(ds))}
	for i := range ds {
		out.Sessions[i] = s.sessionPB(&ds[i])
	}
	return connect.NewResponse(out), nil
}

// GetSession returns the selected session.
func (s *Server) GetSession(_ context.Context, req *connect.Request[bfdpb.GetSessionRequest]) (*connect.Response[bfdpb.GetSessionResponse], error) {
	d, err := s.selectSession(req.Msg.Selector)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&bfdpb.GetSessionResponse{Session: s.sessionPB(&d)}), nil
}

// selectSession finds the one session a selector names: by local
// discriminator, or by peer narrowed by the key's other fields (empty
// ones match anything). When several sessions match, the one whose
// unnamed fields are empty (single hop, no interface, no VRF) is taken if
// there is exactly one such; otherwise the selector is ambiguous.
func (s *Server) selectSession(sel *bfdpb.SessionSelector) (engine.SessionDetail, error) {
	switch v := sel.GetSelector().(type) {
	case *bfdpb.SessionSelector_LocalDiscriminator:
		if v.LocalDiscriminator == 0 {
			return engine.SessionDetail{}, invalid([]error{fieldError("selector.local_discriminator", "0", "is not a discriminator (RFC 5880 §6.8.1: non-zero)")})
		}
		d, ok := s.eng.SessionByDiscr(v.LocalDiscriminator)
		if !ok {
			return d, connect.NewError(connect.CodeNotFound, errorf("no session with local discriminator %d", v.LocalDiscriminator))
		}
		return d, nil
	case *bfdpb.SessionSelector_Key:
		return s.selectByKey(v.Key)
	}
	return engine.SessionDetail{}, invalid([]error{fieldError("selector", "", "is required: a local_discriminator or a key with a peer")})
}

func (s *Server) selectByKey(k *bfdpb.SessionKey) (engine.SessionDetail, error) {
	var errs []error
	peer, err := netip.ParseAddr(k.GetPeer())
	if err != nil {
		errs = append(errs, fieldError("selector.key.peer", k.GetPeer(), "is not an IP address"))
	}
	var local netip.Addr
	if k.GetLocal() != "" {
		if local, err = netip.ParseAddr(k.GetLocal()); err != nil {
			errs = append(errs, fieldError("selector.key.local", k.GetLocal(), "is not an IP address"))
		}
	}
	typ, ok := typeName(k.GetType())
	if !ok {
		errs = append(errs, fieldError("selector.key.type", k.GetType().String(), "is not a session type"))
	}
	if len(errs) > 0 {
		return engine.SessionDetail{}, invalid(errs)
	}
	var found, exact []engine.SessionDetail
	for _, d := range s.eng.SessionsOfPeer(peer) {
		if (local.IsValid() && d.Key.Local != local) || (k.Interface != "" && d.Key.Interface != k.Interface) ||
			(k.Vrf != "" && d.Key.VRF != k.Vrf) || (typ != "" && d.Key.Type.String() != typ) {
			continue
		}
		found = append(found, d)
		if (k.Interface != "" || d.Key.Interface == "") && (k.Vrf != "" || d.Key.VRF == "") &&
			(typ != "" || d.Key.Type == engine.SingleHop) {
			exact = append(exact, d)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0:
		return engine.SessionDetail{}, connect.NewError(connect.CodeNotFound, errorf("no session with peer %s%s", peer, narrowed(k)))
	case len(exact) == 1:
		return exact[0], nil
	}
	sortDetails(found)
	var names []string
	for _, d := range found {
		names = append(names, d.Key.String())
	}
	return engine.SessionDetail{}, invalid([]error{fieldError("selector.key", k.GetPeer(),
		fmt.Sprintf("matches %d sessions (%v): name the local address, interface, VRF or type, or the discriminator", len(found), names))})
}

// narrowed describes the optional fields of a key selector for a message.
func narrowed(k *bfdpb.SessionKey) string {
	var s string
	if k.Local != "" {
		s += " local " + k.Local
	}
	if k.Interface != "" {
		s += " interface " + k.Interface
	}
	if k.Vrf != "" {
		s += " vrf " + k.Vrf
	}
	if t, _ := typeName(k.Type); t != "" {
		s += " type " + t
	}
	return s
}

// GetVersion returns the daemon's build.
func (s *Server) GetVersion(context.Context, *connect.Request[bfdpb.GetVersionRequest]) (*connect.Response[bfdpb.GetVersionResponse], error) {
	v := version.Get()
	return connect.NewResponse(&bfdpb.GetVersionResponse{Version: v.Version, GitCommit: v.GitCommit,
		BuildDate: v.BuildDate, GoVersion: v.GoVersion, Platform: v.Platform}), nil
}
