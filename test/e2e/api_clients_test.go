package e2e

import (
	"context"
	"encoding/json"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/dantte-lp/gobfd/internal/netns"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
	"github.com/dantte-lp/gobfd/pkg/bfdpb/bfdpbconnect"
)

// Clients other than gobfdctl: a real grpc-go client (unary, server
// stream, health), and curl with Connect's JSON over plain HTTP/1.1 and
// over HTTP/2 without TLS.
func TestAPIForeignClients(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "eaf")
	da := startDaemon(t, a, sessionsYAML("50ms", "198.18.0.2", "198.18.0.1"))
	startDaemon(t, b, sessionsYAML("50ms", "198.18.0.1", "198.18.0.2"))
	da.waitFor(0, "Up", change("198.18.0.2", "Up"), 5*time.Second)
	da.waitFor(0, "ready", func(l logLine) bool { return l.Msg == "ready" }, 5*time.Second)

	conn, err := grpc.NewClient("passthrough:///127.0.0.1:50051", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) { return nsDialer(a)(ctx, "tcp", addr) }))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var list bfdpb.ListSessionsResponse
	if err := conn.Invoke(ctx, bfdpbconnect.BfdServiceListSessionsProcedure, &bfdpb.ListSessionsRequest{}, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Sessions) != 1 || list.Sessions[0].State != bfdpb.SessionState_SESSION_STATE_UP {
		t.Fatalf("grpc-go list: %v", list.Sessions)
	}
	cs, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, bfdpbconnect.BfdServiceWatchSessionEventsProcedure)
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.SendMsg(&bfdpb.WatchSessionEventsRequest{IncludeCurrent: true}); err != nil {
		t.Fatal(err)
	}
	cs.CloseSend()
	var ev bfdpb.WatchSessionEventsResponse
	if err := cs.RecvMsg(&ev); err != nil || ev.Event.Kind != bfdpb.EventKind_EVENT_KIND_CURRENT || ev.Event.Key.Peer != "198.18.0.2" {
		t.Fatalf("grpc-go watch: %v %v", ev.Event, err)
	}
	h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || h.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v %v", h, err)
	}

	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("needs curl (apt-get install curl) for the rest")
	}
	for _, proto := range []string{"--http1.1", "--http2-prior-knowledge"} {
		out, err := exec.Command("ip", "netns", "exec", a, "curl", "-sS", proto,
			"-H", "Content-Type: application/json", "-d", `{"state": "SESSION_STATE_UP"}`,
			"http://127.0.0.1:50051"+bfdpbconnect.BfdServiceListSessionsProcedure).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %s: %v %s", proto, err, out)
		}
		var r struct {
			Sessions []struct{ Peer, State string }
		}
		if err := json.Unmarshal(out, &r); err != nil || len(r.Sessions) != 1 || r.Sessions[0].Peer != "198.18.0.2" {
			t.Fatalf("curl %s: %s (%v)", proto, out, err)
		}
	}
	// A refused request: a status and a message naming the field.
	out, _ := exec.Command("ip", "netns", "exec", a, "curl", "-sS", "-H", "Content-Type: application/json",
		"-d", `{"session": {"peer": "198.18.0.300", "local": "198.18.0.1"}}`,
		"-w", "\n%{http_code}", "http://127.0.0.1:50051"+bfdpbconnect.BfdServiceAddSessionProcedure).CombinedOutput()
	if !strings.Contains(string(out), `"invalid_argument"`) || !strings.Contains(string(out), "session.peer") ||
		!strings.HasSuffix(strings.TrimSpace(string(out)), "400") {
		t.Fatalf("curl bad request: %s", out)
	}
}
