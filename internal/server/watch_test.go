package server

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

// A watch starts with every session's current state and a marker, then
// streams each change with old and new state, diagnostics and the
// engine's timestamp; a peer filter narrows it; Close ends it.
func TestWatch(t *testing.T) {
	f := newFixture(t, 2)
	f.waitState(addrB(0), bfdpb.SessionState_SESSION_STATE_UP)
	f.waitState(addrB(1), bfdpb.SessionState_SESSION_STATE_UP)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := f.c.WatchSessionEvents(ctx, connect.NewRequest(&bfdpb.WatchSessionEventsRequest{IncludeCurrent: true,
		Peer: addrB(1).String()}))
	if err != nil {
		t.Fatal(err)
	}
	next := func() *bfdpb.SessionEvent {
		t.Helper()
		if !st.Receive() {
			t.Fatalf("stream ended: %v", st.Err())
		}
		return st.Msg().Event
	}
	cur := next()
	if cur.Kind != bfdpb.EventKind_EVENT_KIND_CURRENT || cur.Key.Peer != addrB(1).String() ||
		cur.NewState != bfdpb.SessionState_SESSION_STATE_UP || cur.Time == nil {
		t.Fatalf("current: %v", cur)
	}
	if end := next(); end.Kind != bfdpb.EventKind_EVENT_KIND_CURRENT_END {
		t.Fatalf("after the current states: %v", end)
	}
	// Session 0 changes (filtered out), then session 1 goes AdminDown.
	for _, p := range []int{0, 1} {
		if _, err := f.c.SetSessionAdminState(ctx, connect.NewRequest(&bfdpb.SetSessionAdminStateRequest{
			Selector: byPeer(addrB(p)), AdminState: bfdpb.AdminState_ADMIN_STATE_DOWN})); err != nil {
			t.Fatal(err)
		}
	}
	ev := next()
	if ev.Kind != bfdpb.EventKind_EVENT_KIND_STATE_CHANGE || ev.Key.Peer != addrB(1).String() ||
		ev.OldState != bfdpb.SessionState_SESSION_STATE_UP || ev.NewState != bfdpb.SessionState_SESSION_STATE_ADMIN_DOWN ||
		ev.LocalDiag != bfdpb.Diagnostic_DIAGNOSTIC_ADMINISTRATIVELY_DOWN || ev.Lost != 0 {
		t.Fatalf("change: %v", ev)
	}
	if d := time.Since(ev.Time.AsTime()); d < 0 || d > 5*time.Second {
		t.Fatalf("event time %v is %v away", ev.Time.AsTime(), d)
	}
	f.srv.Close()
	for st.Receive() {
	}
	if connect.CodeOf(st.Err()) != connect.CodeUnavailable {
		t.Fatalf("after Close: %v", st.Err())
	}
	st.Close()
}

// Watchers beyond the limit are refused.
func TestWatcherLimit(t *testing.T) {
	f := newFixture(t, 0, func(o *Options) { o.MaxWatchers = 1 })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := f.c.WatchSessionEvents(ctx, connect.NewRequest(&bfdpb.WatchSessionEventsRequest{IncludeCurrent: true}))
	if err != nil || !st.Receive() {
		t.Fatal(err, st.Err())
	}
	defer st.Close()
	st2, err := f.c.WatchSessionEvents(ctx, connect.NewRequest(&bfdpb.WatchSessionEventsRequest{}))
	if err == nil {
		st2.Receive()
		err = st2.Err()
		st2.Close()
	}
	wantCode(t, err, connect.CodeResourceExhausted)
}
