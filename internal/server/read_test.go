package server

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

// List, filters and lookups by discriminator and by peer; a session's
// detail carries the RFC 5880 §6.8.1 variables, the negotiated timers and
// the counters.
func TestListAndGet(t *testing.T) {
	f := newFixture(t, 3)
	ctx := context.Background()
	up := f.waitState(addrB(2), bfdpb.SessionState_SESSION_STATE_UP)
	f.waitState(addrB(0), bfdpb.SessionState_SESSION_STATE_UP)
	f.waitState(addrB(1), bfdpb.SessionState_SESSION_STATE_UP)

	l, err := f.c.ListSessions(ctx, connect.NewRequest(&bfdpb.ListSessionsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(l.Msg.Sessions); n != 3 {
		t.Fatalf("%d sessions", n)
	}
	for i, s := range l.Msg.Sessions {
		if s.Peer != addrB(i).String() || s.Owner != bfdpb.Owner_OWNER_CONFIG {
			t.Fatalf("session %d: %s owner %v (want sorted by peer, owned by the file)", i, s.Peer, s.Owner)
		}
	}
	for _, tc := range []struct {
		req  *bfdpb.ListSessionsRequest
		want int
	}{
		{&bfdpb.ListSessionsRequest{State: bfdpb.SessionState_SESSION_STATE_UP}, 3},
		{&bfdpb.ListSessionsRequest{State: bfdpb.SessionState_SESSION_STATE_DOWN}, 0},
		{&bfdpb.ListSessionsRequest{Peer: addrB(1).String()}, 1},
		{&bfdpb.ListSessionsRequest{Type: bfdpb.SessionType_SESSION_TYPE_MULTI_HOP}, 0},
	} {
		r, err := f.c.ListSessions(ctx, connect.NewRequest(tc.req))
		if err != nil || len(r.Msg.Sessions) != tc.want {
			t.Errorf("%v: %v sessions, %v", tc.req, len(r.Msg.GetSessions()), err)
		}
	}
	_, err = f.c.ListSessions(ctx, connect.NewRequest(&bfdpb.ListSessionsRequest{Peer: "198.19.1.300"}))
	wantCode(t, err, connect.CodeInvalidArgument, "peer")

	g, err := f.c.GetSession(ctx, connect.NewRequest(&bfdpb.GetSessionRequest{Selector: byDiscr(up.LocalDiscriminator)}))
	if err != nil || g.Msg.Session.Peer != addrB(2).String() {
		t.Fatalf("by discriminator: %v %v", g, err)
	}
	s := g.Msg.Session
	v := s.Variables
	if v.SessionState != bfdpb.SessionState_SESSION_STATE_UP || v.LocalDiscr != s.LocalDiscriminator ||
		v.RemoteDiscr == 0 || v.DetectMult != 3 || v.RemoteMinRxInterval.AsDuration() != 20*ms ||
		s.Remote.DetectMult != 3 || s.TxInterval.AsDuration() < 20*ms || s.DetectionTime.AsDuration() != 60*ms ||
		s.Counters.PacketsIn == 0 || s.Counters.PacketsOut == 0 || s.Counters.UpTransitions != 1 ||
		s.Uptime == nil || s.UpSince == nil || s.LastStateChange == nil || s.Params.DesiredMinTx.AsDuration() != 20*ms {
		t.Fatalf("detail: %v", s)
	}
	_, err = f.c.GetSession(ctx, connect.NewRequest(&bfdpb.GetSessionRequest{Selector: byDiscr(12345)}))
	wantCode(t, err, connect.CodeNotFound, "12345")
	_, err = f.c.GetSession(ctx, connect.NewRequest(&bfdpb.GetSessionRequest{Selector: byPeer(addrB(7))}))
	wantCode(t, err, connect.CodeNotFound, addrB(7).String())
	_, err = f.c.GetSession(ctx, connect.NewRequest(&bfdpb.GetSessionRequest{}))
	wantCode(t, err, connect.CodeInvalidArgument, "selector")

	// Two sessions to one peer: the peer alone is ambiguous; the local
	// address picks one.
	if _, err := f.a.Add(engine.SessionConfig{Key: engine.Key{Peer: addrB(0), Local: addrA(5)}, Params: f.cfg.EngineSessions()[0].Params}); err != nil {
		t.Fatal(err)
	}
	_, err = f.c.GetSession(ctx, connect.NewRequest(&bfdpb.GetSessionRequest{Selector: byPeer(addrB(0))}))
	wantCode(t, err, connect.CodeInvalidArgument, "selector.key", "matches 2 sessions")
	sel := &bfdpb.SessionSelector{Selector: &bfdpb.SessionSelector_Key{Key: &bfdpb.SessionKey{Peer: addrB(0).String(), Local: addrA(5).String()}}}
	g, err = f.c.GetSession(ctx, connect.NewRequest(&bfdpb.GetSessionRequest{Selector: sel}))
	if err != nil || g.Msg.Session.Local != addrA(5).String() || g.Msg.Session.Owner != bfdpb.Owner_OWNER_API {
		t.Fatalf("by peer and local: %v %v", g, err)
	}

	vr, err := f.c.GetVersion(ctx, connect.NewRequest(&bfdpb.GetVersionRequest{}))
	if err != nil || vr.Msg.Version == "" || vr.Msg.GoVersion == "" {
		t.Fatalf("version: %v %v", vr, err)
	}
}
