package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

func u32(v uint32) *uint32 { return &v }

// A session added over the API comes Up and belongs to the API; timers
// change with a Poll Sequence and no flap; AdminDown is seen by the peer
// as diag 7; a delete sends AdminDown first. The file's sessions need
// force to be deleted.
func TestAddUpdateAdminDelete(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	subB := f.b.Subscribe(256)
	defer subB.Close()

	f.peer(addrA(3), addrB(3))
	add, err := f.c.AddSession(ctx, connect.NewRequest(&bfdpb.AddSessionRequest{Session: &bfdpb.SessionSpec{
		Peer: addrB(3).String(), Local: addrA(3).String(),
		DesiredMinTx: durationpb.New(20 * ms), RequiredMinRx: durationpb.New(20 * ms), DetectMult: u32(3)}}))
	if err != nil {
		t.Fatal(err)
	}
	if s := add.Msg.Session; s.Owner != bfdpb.Owner_OWNER_API || s.LocalDiscriminator == 0 {
		t.Fatalf("added: %v", s)
	}
	_, err = f.c.AddSession(ctx, connect.NewRequest(&bfdpb.AddSessionRequest{Session: &bfdpb.SessionSpec{
		Peer: addrB(3).String(), Local: addrA(3).String()}}))
	wantCode(t, err, connect.CodeAlreadyExists)
	f.waitState(addrB(3), bfdpb.SessionState_SESSION_STATE_UP)

	// Defaults fill what the spec leaves out.
	f.peer(addrA(4), addrB(4))
	add, err = f.c.AddSession(ctx, connect.NewRequest(&bfdpb.AddSessionRequest{Session: &bfdpb.SessionSpec{
		Peer: addrB(4).String(), Local: addrA(4).String()}}))
	if err != nil || add.Msg.Session.Params.DetectMult != 3 || add.Msg.Session.Params.DesiredMinTx.AsDuration() != 100*ms {
		t.Fatalf("defaults: %v %v", add, err)
	}

	drain(subB)
	up, err := f.c.UpdateSession(ctx, connect.NewRequest(&bfdpb.UpdateSessionRequest{Selector: byPeer(addrB(3)),
		DesiredMinTx: durationpb.New(50 * ms), RequiredMinRx: durationpb.New(50 * ms), DetectMult: u32(5)}))
	if err != nil {
		t.Fatal(err)
	}
	if p := up.Msg.Session.Params; p.DesiredMinTx.AsDuration() != 50*ms || p.DetectMult != 5 {
		t.Fatalf("update: %v", p)
	}
	// The Poll Sequence ends with the peer's Final; the detection time
	// the peer uses then follows our new multiplier.
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, _ := f.b.Session(engine.Key{Peer: addrA(3), Local: addrB(3)})
		if d.Snapshot.DetectionTime == 250*ms {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("peer's detection time %v, want 250ms", d.Snapshot.DetectionTime)
		}
		time.Sleep(10 * ms)
	}
	for ev, ok := changed(subB); ok; ev, ok = changed(subB) {
		if ev.Key.Peer == addrA(3) {
			t.Fatalf("the update flapped the session: %+v", ev)
		}
	}

	ad, err := f.c.SetSessionAdminState(ctx, connect.NewRequest(&bfdpb.SetSessionAdminStateRequest{
		Selector: byPeer(addrB(3)), AdminState: bfdpb.AdminState_ADMIN_STATE_DOWN}))
	if err != nil || ad.Msg.Session.State != bfdpb.SessionState_SESSION_STATE_ADMIN_DOWN {
		t.Fatalf("admin down: %v %v", ad, err)
	}
	ev := waitFor(t, subB, func(ev engine.Event) bool { return ev.Key.Peer == addrA(3) && ev.New == packet.StateDown })
	if ev.RemoteDiag != packet.DiagAdminDown {
		t.Fatalf("peer saw %+v", ev)
	}
	if _, err := f.c.SetSessionAdminState(ctx, connect.NewRequest(&bfdpb.SetSessionAdminStateRequest{
		Selector: byPeer(addrB(3)), AdminState: bfdpb.AdminState_ADMIN_STATE_UP})); err != nil {
		t.Fatal(err)
	}
	f.waitState(addrB(3), bfdpb.SessionState_SESSION_STATE_UP)

	drain(subB)
	del, err := f.c.DeleteSession(ctx, connect.NewRequest(&bfdpb.DeleteSessionRequest{Selector: byPeer(addrB(3))}))
	if err != nil || del.Msg.Session.Peer != addrB(3).String() {
		t.Fatalf("delete: %v %v", del, err)
	}
	ev = waitFor(t, subB, func(ev engine.Event) bool { return ev.Key.Peer == addrA(3) && ev.New == packet.StateDown })
	if ev.RemoteDiag != packet.DiagAdminDown || ev.LocalDiag != packet.DiagNeighborDown {
		t.Fatalf("peer saw %+v, want AdminDown", ev)
	}
	_, err = f.c.GetSession(ctx, connect.NewRequest(&bfdpb.GetSessionRequest{Selector: byPeer(addrB(3))}))
	wantCode(t, err, connect.CodeNotFound)

	// The file's session: refused without force, deleted with it; the API
	// may not add it back (the file owns its key: a reload restores it).
	_, err = f.c.DeleteSession(ctx, connect.NewRequest(&bfdpb.DeleteSessionRequest{Selector: byPeer(addrB(0))}))
	wantCode(t, err, connect.CodePermissionDenied, "configuration file")
	if _, err := f.c.DeleteSession(ctx, connect.NewRequest(&bfdpb.DeleteSessionRequest{Selector: byPeer(addrB(0)), Force: true})); err != nil {
		t.Fatal(err)
	}
	_, err = f.c.AddSession(ctx, connect.NewRequest(&bfdpb.AddSessionRequest{Session: &bfdpb.SessionSpec{
		Peer: addrB(0).String(), Local: addrA(0).String()}}))
	wantCode(t, err, connect.CodeFailedPrecondition, "reload")
}

// Malformed requests get InvalidArgument naming the field, and change
// nothing.
func TestValidation(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	f.waitState(addrB(0), bfdpb.SessionState_SESSION_STATE_UP)
	before := f.a.Select(nil)
	good := func() *bfdpb.SessionSpec {
		return &bfdpb.SessionSpec{Peer: addrB(5).String(), Local: addrA(5).String()}
	}
	for _, tc := range []struct {
		name  string
		spec  func(*bfdpb.SessionSpec)
		field string
	}{
		{"bad peer", func(s *bfdpb.SessionSpec) { s.Peer = "198.19.1.300" }, "session.peer"},
		{"bad local", func(s *bfdpb.SessionSpec) { s.Local = "nope" }, "session.local"},
		{"no local", func(s *bfdpb.SessionSpec) { s.Local = "" }, "session.local"},
		{"mixed families", func(s *bfdpb.SessionSpec) { s.Local = "2001:db8::1" }, "session.local"},
		{"zero multiplier", func(s *bfdpb.SessionSpec) { s.DetectMult = u32(0) }, "session.detect_mult"},
		{"multiplier 256", func(s *bfdpb.SessionSpec) { s.DetectMult = u32(256) }, "session.detect_mult"},
		{"1µs interval", func(s *bfdpb.SessionSpec) { s.DesiredMinTx = durationpb.New(time.Microsecond) }, "session.desired_min_tx"},
		{"zero rx", func(s *bfdpb.SessionSpec) { s.RequiredMinRx = durationpb.New(0) }, "session.required_min_rx"},
		{"unknown auth type", func(s *bfdpb.SessionSpec) {
			s.Auth = &bfdpb.Auth{Type: bfdpb.AuthType(9), Secret: "x"}
		}, "session.auth.type"},
		{"secret too long", func(s *bfdpb.SessionSpec) {
			s.Auth = &bfdpb.Auth{Type: bfdpb.AuthType_AUTH_TYPE_KEYED_MD5, Secret: strings.Repeat("s", 17)}
		}, "session.auth.secret"},
		{"sha1 secret too long", func(s *bfdpb.SessionSpec) {
			s.Auth = &bfdpb.Auth{Type: bfdpb.AuthType_AUTH_TYPE_METICULOUS_KEYED_SHA1, Secret: strings.Repeat("s", 21)}
		}, "session.auth.secret"},
		{"key id", func(s *bfdpb.SessionSpec) {
			s.Auth = &bfdpb.Auth{Type: bfdpb.AuthType_AUTH_TYPE_SIMPLE, KeyId: 256, Secret: "x"}
		}, "session.auth.key_id"},
		{"unknown type", func(s *bfdpb.SessionSpec) { s.Type = bfdpb.SessionType(7) }, "session.type"},
		{"multihop with interface", func(s *bfdpb.SessionSpec) {
			s.Type = bfdpb.SessionType_SESSION_TYPE_MULTI_HOP
			s.Interface = "eth0"
		}, "session.interface"},
		{"padding", func(s *bfdpb.SessionSpec) { s.PaddedPduSize = 2000 }, "session.padded_pdu_size"},
	} {
		spec := good()
		tc.spec(spec)
		_, err := f.c.AddSession(ctx, connect.NewRequest(&bfdpb.AddSessionRequest{Session: spec}))
		if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v, want InvalidArgument naming %s", tc.name, err, tc.field)
			continue
		}
		// The field is also in a google.rpc.BadRequest detail.
		var ce *connect.Error
		if !asConnect(err, &ce) || len(ce.Details()) == 0 {
			t.Errorf("%s: no error detail", tc.name)
		}
	}
	for _, tc := range []struct {
		name  string
		req   *bfdpb.UpdateSessionRequest
		field string
	}{
		{"zero multiplier", &bfdpb.UpdateSessionRequest{DetectMult: u32(0)}, "detect_mult"},
		{"1µs interval", &bfdpb.UpdateSessionRequest{DesiredMinTx: durationpb.New(time.Microsecond)}, "desired_min_tx"},
		{"2h interval", &bfdpb.UpdateSessionRequest{RequiredMinRx: durationpb.New(2 * time.Hour)}, "required_min_rx"},
		{"unknown auth", &bfdpb.UpdateSessionRequest{Auth: &bfdpb.Auth{Type: 42, Secret: "x"}}, "auth.type"},
		{"long secret", &bfdpb.UpdateSessionRequest{Auth: &bfdpb.Auth{Type: bfdpb.AuthType_AUTH_TYPE_SIMPLE, Secret: strings.Repeat("x", 17)}}, "auth.secret"},
		{"nothing", &bfdpb.UpdateSessionRequest{}, "nothing to change"},
	} {
		tc.req.Selector = byPeer(addrB(0))
		_, err := f.c.UpdateSession(ctx, connect.NewRequest(tc.req))
		if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("update %s: %v, want InvalidArgument naming %s", tc.name, err, tc.field)
		}
	}
	_, err := f.c.SetSessionAdminState(ctx, connect.NewRequest(&bfdpb.SetSessionAdminStateRequest{Selector: byPeer(addrB(0))}))
	wantCode(t, err, connect.CodeInvalidArgument, "admin_state")
	_, err = f.c.DeleteSession(ctx, connect.NewRequest(&bfdpb.DeleteSessionRequest{}))
	wantCode(t, err, connect.CodeInvalidArgument, "selector")

	after := f.a.Select(nil)
	if len(after) != len(before) || after[0].Params.DetectMult != before[0].Params.DetectMult ||
		after[0].Params.DesiredMinTx != before[0].Params.DesiredMinTx || after[0].Snapshot.State != packet.StateUp {
		t.Fatalf("a refused request changed something: %+v", after)
	}
}

func asConnect(err error, ce **connect.Error) bool {
	e, ok := err.(*connect.Error)
	*ce = e
	return ok
}

func drain(s *engine.Subscription) {
	for len(s.C) > 0 {
		<-s.C
	}
}

// changed returns a state change that is waiting, if any.
func changed(s *engine.Subscription) (engine.Event, bool) {
	select {
	case ev := <-s.C:
		return ev, true
	default:
		return engine.Event{}, false
	}
}

func waitFor(t *testing.T, s *engine.Subscription, match func(engine.Event) bool) engine.Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-s.C:
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatal("no matching event within 5s")
		}
	}
}
