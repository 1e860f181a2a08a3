package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGRPCDefaults(t *testing.T) {
	c, err := Parse(nil, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	g := c.GRPC
	if g.Addr != "127.0.0.1:50051" || g.Socket != "" || g.TokenFile != "" || g.TLS != (TLS{}) ||
		g.MaxRequestBytes != 64<<10 || g.MaxStreams != 100 {
		t.Fatalf("defaults: %+v", g)
	}
}

func TestGRPCValidation(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	os.WriteFile(tok, []byte("abc\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	missing := filepath.Join(dir, "missing.pem")
	for _, tc := range []struct {
		yml  string
		want string // "" when valid
	}{
		{"grpc: {addr: \"\"}", ""},
		{"grpc: {addr: \":50051\"}", ""},
		{"grpc: {addr: \"[::1]:50051\"}", ""},
		{"grpc: {addr: \"localhost:50051\"}", "grpc.addr"},
		{"grpc: {addr: \"127.0.0.1\"}", "grpc.addr"},
		{"grpc: {socket: run/gobfd.sock}", "grpc.socket"},
		{"grpc: {socket: /run/gobfd/gobfd.sock, socket_group: gobfd}", ""},
		{"grpc: {socket_group: gobfd}", "grpc.socket_group: \"gobfd\" needs grpc.socket"},
		{"grpc: {tls: {cert: " + tok + "}}", "grpc.tls: needs both cert and key"},
		{"grpc: {tls: {client_ca: " + tok + "}}", "grpc.tls.client_ca"},
		{"grpc: {tls: {cert: " + missing + ", key: " + tok + "}}", "grpc.tls.cert: \"" + missing + "\" cannot be read: no such file"},
		{"grpc: {token_file: " + tok + "}", ""},
		{"grpc: {token_file: " + missing + "}", "grpc.token_file"},
		{"grpc: {token_file: " + empty + "}", "holds no token"},
		{"grpc: {max_request_bytes: 10}", "grpc.max_request_bytes"},
		{"grpc: {max_streams: 0}", "grpc.max_streams"},
	} {
		_, err := Parse([]byte(tc.yml), func(string) (string, bool) { return "", false })
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.yml, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.yml, err, tc.want)
		}
	}
}

// The API's checks are the file's: the same words for the same problem.
func TestSharedChecks(t *testing.T) {
	if IntervalProblem(5000) != "is below the 10ms minimum" || IntervalProblem(MinInterval) != "" {
		t.Error(IntervalProblem(5000))
	}
	if DetectMultProblem(0) == "" || DetectMultProblem(256) == "" || DetectMultProblem(3) != "" {
		t.Error("detect mult")
	}
	errs := CheckSession("session", Session{Peer: "198.19.0.300", Local: "198.18.0.1",
		Auth: &Auth{Type: "keyed_sha1", Secret: strings.Repeat("x", 21)}})
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	got := strings.Join(msgs, "\n")
	if !strings.Contains(got, `session.peer: "198.19.0.300" is not an IP address`) ||
		!strings.Contains(got, "session.auth.secret: is 21 bytes; keyed_sha1 takes 1..20") {
		t.Fatal(got)
	}
}
