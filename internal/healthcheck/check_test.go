package healthcheck

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeDaemon answers Health/Check like a Connect server would, over
// HTTP/2 without TLS (h2c) and/or HTTP/1.1.
func fakeDaemon(t *testing.T, h1, h2c bool, code int, body string) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method == "PRI" {
			// An HTTP/1-only server sees the HTTP/2 preface as a request.
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if r.Method != http.MethodPost || r.URL.Path != Path ||
			r.Header.Get("Content-Type") != "application/json" || string(b) != "{}" {
			t.Errorf("unexpected request %s %s %q %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"), b)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		io.WriteString(w, body)
	}))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(h1)
	srv.Config.Protocols.SetUnencryptedHTTP2(h2c)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func check(t *testing.T, addr string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return Check(ctx, addr)
}

func TestServing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		h1, h2c bool
	}{{"h2c", false, true}, {"http1", true, false}, {"both", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := check(t, fakeDaemon(t, tc.h1, tc.h2c, 200, `{"status":"SERVING"}`))
			if err != nil || st != Serving {
				t.Fatalf("got %q, %v", st, err)
			}
		})
	}
}

func TestStatuses(t *testing.T) {
	for body, want := range map[string]string{
		`{"status":"NOT_SERVING"}`:            "NOT_SERVING",
		`{}`:                                  "UNKNOWN",
		`{"status":"SERVING_STATUS_SERVING"}`: Serving, // connectrpc.com/grpchealth
		`{"status":"SERVING_STATUS_NOT_SERVING"}`:     "NOT_SERVING",
		`{"status":"SERVING_STATUS_SERVICE_UNKNOWN"}`: "SERVICE_UNKNOWN",
		`{"status":1}`: Serving,
		`{"status":3}`: "SERVICE_UNKNOWN",
	} {
		st, err := check(t, fakeDaemon(t, true, true, 200, body))
		if err != nil || st != want {
			t.Fatalf("%s: got %q, %v", body, st, err)
		}
	}
}

func TestConnectError(t *testing.T) {
	addr := fakeDaemon(t, true, true, 404, `{"code":"unimplemented","message":"grpc.health.v1.Health is not served"}`)
	_, err := check(t, addr)
	if err == nil || !strings.Contains(err.Error(), "unimplemented: grpc.health.v1.Health is not served") {
		t.Fatalf("got %v", err)
	}
	_, err = check(t, fakeDaemon(t, true, true, 200, `<html>`))
	if err == nil || !strings.Contains(err.Error(), "not a HealthCheckResponse") {
		t.Fatalf("got %v", err)
	}
	_, err = check(t, fakeDaemon(t, true, true, 200, `{"status":7}`))
	if err == nil || !strings.Contains(err.Error(), "status 7 is not a ServingStatus") {
		t.Fatalf("got %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = check(t, addr)
	var u *UnreachableError
	if !errors.As(err, &u) || u.Addr != addr || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("got %v", err)
	}
}

func TestBadAddr(t *testing.T) {
	_, err := check(t, "localhost")
	if err == nil || !strings.Contains(err.Error(), `"localhost" is not host:port`) {
		t.Fatalf("got %v", err)
	}
}

func TestRequireServing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := RequireServing(ctx, fakeDaemon(t, true, true, 200, `{"status":"SERVING"}`)); err != nil {
		t.Fatal(err)
	}
	err := RequireServing(ctx, fakeDaemon(t, true, true, 200, `{"status":"NOT_SERVING"}`))
	if err == nil || !strings.Contains(err.Error(), "is NOT_SERVING, not SERVING") {
		t.Fatalf("got %v", err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	err = RequireServing(ctx, addr)
	if err == nil || !strings.Contains(err.Error(), "no gobfd daemon answers at "+addr) ||
		!strings.Contains(err.Error(), "systemctl start gobfd") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v", err)
	}
}
