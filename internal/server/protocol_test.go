package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"golang.org/x/net/http2"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
	"github.com/dantte-lp/gobfd/pkg/bfdpb/bfdpbconnect"
)

// A real grpc-go client: unary calls, a server stream, the status detail
// of a refused request, health and reflection.
func TestGRPCGoClient(t *testing.T) {
	f := newFixture(t, 2)
	f.waitState(addrB(0), bfdpb.SessionState_SESSION_STATE_UP)
	conn, err := grpc.NewClient("passthrough:///"+f.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var list bfdpb.ListSessionsResponse
	if err := conn.Invoke(ctx, bfdpbconnect.BfdServiceListSessionsProcedure, &bfdpb.ListSessionsRequest{}, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Sessions) != 2 {
		t.Fatalf("%d sessions", len(list.Sessions))
	}
	var add bfdpb.AddSessionResponse
	err = conn.Invoke(ctx, bfdpbconnect.BfdServiceAddSessionProcedure, &bfdpb.AddSessionRequest{Session: &bfdpb.SessionSpec{
		Peer: "198.19.1.300", Local: addrA(6).String()}}, &add)
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), "session.peer") {
		t.Fatalf("bad peer: %v", err)
	}
	var field string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.FieldViolations) > 0 {
			field = br.FieldViolations[0].Field
		}
	}
	if field != "session.peer" {
		t.Fatalf("BadRequest detail names %q", field)
	}

	desc := &grpc.StreamDesc{ServerStreams: true}
	cs, err := conn.NewStream(ctx, desc, bfdpbconnect.BfdServiceWatchSessionEventsProcedure)
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.SendMsg(&bfdpb.WatchSessionEventsRequest{IncludeCurrent: true}); err != nil {
		t.Fatal(err)
	}
	cs.CloseSend()
	var kinds []bfdpb.EventKind
	for range 3 {
		var ev bfdpb.WatchSessionEventsResponse
		if err := cs.RecvMsg(&ev); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, ev.Event.Kind)
	}
	if kinds[0] != bfdpb.EventKind_EVENT_KIND_CURRENT || kinds[2] != bfdpb.EventKind_EVENT_KIND_CURRENT_END {
		t.Fatalf("watch began with %v", kinds)
	}

	h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: bfdpbconnect.BfdServiceName})
	if err != nil || h.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v %v", h, err)
	}
	rs, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	rr, err := rs.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range rr.GetListServicesResponse().GetService() {
		names = append(names, s.Name)
	}
	if !strings.Contains(strings.Join(names, " "), "bfd.v1.BfdService") || !strings.Contains(strings.Join(names, " "), "grpc.health.v1.Health") {
		t.Fatalf("reflection lists %v", names)
	}
	rs.CloseSend()
}

// Connect's unary JSON over plain HTTP/1.1, as curl sends it; a GET for
// the side-effect-free calls; a request over grpc.max_request_bytes is
// refused.
func TestConnectJSONOverHTTP1(t *testing.T) {
	f := newFixture(t, 1)
	f.waitState(addrB(0), bfdpb.SessionState_SESSION_STATE_UP)
	hc := f.http1()
	post := func(proc, body string) (int, map[string]any) {
		t.Helper()
		resp, err := hc.Post("http://"+f.addr+proc, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.ProtoMajor != 1 {
			t.Fatalf("protocol %s", resp.Proto)
		}
		var m map[string]any
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %s", err, b)
		}
		return resp.StatusCode, m
	}
	code, m := post(bfdpbconnect.BfdServiceListSessionsProcedure, `{}`)
	ss, _ := m["sessions"].([]any)
	if code != 200 || len(ss) != 1 || ss[0].(map[string]any)["state"] != "SESSION_STATE_UP" {
		t.Fatalf("%d %v", code, m)
	}
	code, m = post(bfdpbconnect.BfdServiceAddSessionProcedure, `{"session":{"peer":"198.19.1.7","local":"198.18.1.7","detectMult":0}}`)
	if code != 400 || m["code"] != "invalid_argument" || !strings.Contains(m["message"].(string), "session.detect_mult") {
		t.Fatalf("%d %v", code, m)
	}
	code, m = post(bfdpbconnect.BfdServiceAddSessionProcedure, `{"session":{"peer":"198.19.1.7","local":"198.18.1.7","auth":{"type":"AUTH_TYPE_BOGUS","secret":"x"}}}`)
	if code != 400 || m["code"] != "invalid_argument" || !strings.Contains(m["message"].(string), "enum field type") {
		t.Fatalf("unknown auth type by name: %d %v", code, m)
	}
	// A misspelt field is refused too, not ignored.
	code, m = post(bfdpbconnect.BfdServiceAddSessionProcedure, `{"session":{"peer":"198.19.1.7","local":"198.18.1.7","detect_multi":5}}`)
	if code != 400 || !strings.Contains(m["message"].(string), "detect_multi") {
		t.Fatalf("unknown field: %d %v", code, m)
	}
	big := `{"peer":"` + strings.Repeat("x", config.Defaults().GRPC.MaxRequestBytes) + `"}`
	code, m = post(bfdpbconnect.BfdServiceListSessionsProcedure, big)
	if code == 200 || m["code"] != "resource_exhausted" {
		t.Fatalf("oversized request: %d %v", code, m)
	}
	resp, err := hc.Get("http://" + f.addr + bfdpbconnect.BfdServiceGetVersionProcedure + "?encoding=json&message={}")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"goVersion"`)) {
		t.Fatalf("GET: %d %s", resp.StatusCode, b)
	}
}

// The HTTP/2 listener announces the configured stream limit.
func TestStreamLimit(t *testing.T) {
	f := newFixture(t, 0, func(g *config.GRPC) { g.MaxStreams = 7 })
	c, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(c, c)
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	frame, err := fr.ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	sf, ok := frame.(*http2.SettingsFrame)
	if !ok {
		t.Fatalf("first frame %T", frame)
	}
	if v, ok := sf.Value(http2.SettingMaxConcurrentStreams); !ok || v != 7 {
		t.Fatalf("SETTINGS_MAX_CONCURRENT_STREAMS %d (%v)", v, ok)
	}
	_ = http.StatusOK
}

// gRPC-Web from the same handler, over HTTP/1.1 as a browser proxy
// speaks it: a unary call, a refused request's status, and a server
// stream.
func TestGRPCWeb(t *testing.T) {
	f := newFixture(t, 1)
	f.waitState(addrB(0), bfdpb.SessionState_SESSION_STATE_UP)
	c := bfdpbconnect.NewBfdServiceClient(f.http1(), "http://"+f.addr, connect.WithGRPCWeb())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	list, err := c.ListSessions(ctx, connect.NewRequest(&bfdpb.ListSessionsRequest{}))
	if err != nil || len(list.Msg.Sessions) != 1 {
		t.Fatalf("ListSessions over gRPC-Web: %v %v", list, err)
	}
	_, err = c.AddSession(ctx, connect.NewRequest(&bfdpb.AddSessionRequest{Session: &bfdpb.SessionSpec{Peer: "198.19.1.7", Local: "bad"}}))
	wantCode(t, err, connect.CodeInvalidArgument, "session.local")
	st, err := c.WatchSessionEvents(ctx, connect.NewRequest(&bfdpb.WatchSessionEventsRequest{IncludeCurrent: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var kinds []bfdpb.EventKind
	for len(kinds) < 2 && st.Receive() {
		kinds = append(kinds, st.Msg().Event.Kind)
	}
	if len(kinds) != 2 || kinds[0] != bfdpb.EventKind_EVENT_KIND_CURRENT || kinds[1] != bfdpb.EventKind_EVENT_KIND_CURRENT_END {
		t.Fatalf("watch over gRPC-Web began with %v (%v)", kinds, st.Err())
	}
}
