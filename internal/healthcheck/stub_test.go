package healthcheck

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var stub = Stub{Name: "gobfd-test-helper", Usage: "usage: gobfd-test-helper [-addr HOST:PORT]\n\nwill do things.\n\n",
	Pending: "the thing"}

func runArgs(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = stub.Run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestStubVersionAndUsage(t *testing.T) {
	code, out, _ := runArgs("-version")
	if code != 0 || !strings.HasPrefix(out, "gobfd-test-helper dev (commit") {
		t.Fatalf("-version: %d %q", code, out)
	}
	code, _, errOut := runArgs("-h")
	if code != 0 || !strings.Contains(errOut, "will do things") || !strings.Contains(errOut, "-addr") {
		t.Fatalf("-h: %d %q", code, errOut)
	}
	if code, _, errOut = runArgs("-bogus"); code != 2 {
		t.Fatalf("-bogus: %d %q", code, errOut)
	}
	if code, _, errOut = runArgs("extra"); code != 2 || !strings.Contains(errOut, `unexpected argument "extra"`) {
		t.Fatalf("extra: %d %q", code, errOut)
	}
}

// Without a daemon: one line naming the address and how to start gobfd,
// a non-zero exit, and nothing on stdout (ExaBGP's command channel).
func TestStubNoDaemon(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	code, out, errOut := runArgs("-addr", addr)
	if code != 1 || strings.Count(errOut, "\n") != 1 ||
		!strings.Contains(errOut, "gobfd-test-helper: no gobfd daemon answers at "+addr) ||
		!strings.Contains(errOut, "systemctl start gobfd") {
		t.Fatalf("%d %q", code, errOut)
	}
	if out != "" {
		t.Fatalf("wrote to stdout: %q", out)
	}
}

func TestStubDaemonServing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/grpc.health.v1.Health/Check" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"SERVING"}`)
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	code, _, errOut := runArgs("-addr", addr)
	if code != 0 || !strings.Contains(errOut, "gobfd at "+addr+" is serving; the thing is not in this release yet") {
		t.Fatalf("%d %q", code, errOut)
	}
}
