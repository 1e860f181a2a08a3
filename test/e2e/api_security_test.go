package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/dantte-lp/gobfd/internal/netns"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

// The default configuration listens on loopback only: the API and the
// metrics are not reachable from the wire.
func TestAPIDefaultListensOnLoopbackOnly(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "eal")
	da := startDaemon(t, a, "")
	da.waitFor(0, "ready", func(l logLine) bool { return l.Msg == "ready" }, 5*time.Second)
	out, err := exec.Command("ip", "netns", "exec", a, "ss", "-Hltn").CombinedOutput()
	if err != nil {
		t.Fatalf("ss: %v %s", err, out)
	}
	var listening []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		if len(f) < 4 {
			continue
		}
		listening = append(listening, f[3])
		host, _, _ := net.SplitHostPort(f[3])
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			t.Errorf("listens on %s, not loopback", f[3])
		}
	}
	if !strings.Contains(strings.Join(listening, " "), "127.0.0.1:50051") {
		t.Fatalf("the API is not on 127.0.0.1:50051: %v", listening)
	}
	// From the other end of the wire, nothing answers.
	if r := ctl(t, b, "--addr", "198.18.0.1:50051", "--timeout", "2s", "version"); r.code != 3 {
		t.Fatalf("the API answered from the wire: %+v", r)
	}
}

// Mutual TLS on an address of the wire: a client without a certificate,
// or with one another CA signed, is refused; one with a good certificate
// is served. A bearer token guards the calls that change sessions.
func TestAPIMutualTLSAndToken(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "eat")
	dir := t.TempDir()
	ca, caKey := testCA(t, dir, "ca", "gobfd test CA")
	other, otherKey := testCA(t, dir, "other", "another CA")
	testLeaf(t, dir, "server", ca, caKey, true)
	testLeaf(t, dir, "client", ca, caKey, false)
	testLeaf(t, dir, "intruder", other, otherKey, false)
	tok := filepath.Join(dir, "token")
	writeFile(t, tok, "let-me-in\n")
	wrong := filepath.Join(dir, "wrong")
	writeFile(t, wrong, "guess\n")
	p := func(n string) string { return filepath.Join(dir, n) }
	da := startDaemon(t, a, "grpc:\n  addr: 198.18.0.1:50051\n  token_file: "+tok+
		"\n  tls: {cert: "+p("server.pem")+", key: "+p("server.key")+", client_ca: "+p("ca.pem")+"}\n")
	da.waitFor(0, "ready", func(l logLine) bool { return l.Msg == "ready" }, 5*time.Second)
	base := []string{"--addr", "198.18.0.1:50051", "--tls-ca", p("ca.pem"), "--timeout", "3s"}
	with := func(args ...string) []string { return append(append([]string(nil), base...), args...) }
	client := []string{"--tls-cert", p("client.pem"), "--tls-key", p("client.key")}

	// Each refusal is the TLS handshake's: gobfdctl fails at once (not a
	// usage error, not a timeout) and says what the server did.
	refused := func(what string, r ctlResult) {
		t.Helper()
		t.Logf("%s: exit %d: %s", what, r.code, strings.TrimSpace(r.err))
		if r.code == 0 || r.code == 2 || strings.Contains(r.err, "deadline") || strings.Contains(r.err, "timeout") {
			t.Fatalf("%s: not refused by the handshake: %+v", what, r)
		}
	}
	refused("no client certificate", ctl(t, b, with("session", "list")...))
	refused("a certificate of another CA", ctl(t, b, with("--tls-cert", p("intruder.pem"), "--tls-key", p("intruder.key"), "session", "list")...))
	refused("cleartext on the TLS listener", ctl(t, b, "--addr", "198.18.0.1:50051", "--timeout", "3s", "session", "list"))
	ctlOK(t, b, with(append(client, "session", "list")...)...) // reads need no token

	add := append(client, "session", "add", "198.18.0.2", "--local", "198.18.0.1")
	if r := ctl(t, b, with(add...)...); r.code != 1 || !strings.Contains(r.err, "unauthenticated") {
		t.Fatalf("add without a token: %+v", r)
	}
	if r := ctl(t, b, with(append([]string{"--token-file", wrong}, add...)...)...); r.code != 1 || !strings.Contains(r.err, "wrong bearer token") {
		t.Fatalf("add with a wrong token: %+v", r)
	}
	if out := ctlOK(t, b, with(append(client, "session", "list")...)...); strings.TrimSpace(out) != "no sessions" {
		t.Fatalf("a refused call changed something:\n%s", out)
	}
	ctlOK(t, b, with(append([]string{"--token-file", tok}, add...)...)...)
}

// Malformed requests get InvalidArgument naming the field, and change
// nothing.
func TestAPIMalformedRequests(t *testing.T) {
	netns.Skip(t)
	a, _ := netns.Pair(t, "eam")
	da := startDaemon(t, a, sessionsYAML("100ms", "198.18.0.2", "198.18.0.1"))
	da.waitFor(0, "ready", func(l logLine) bool { return l.Msg == "ready" }, 5*time.Second)
	c := apiClient(t, a, "127.0.0.1:50051")
	waitAPI(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	before, err := c.ListSessions(ctx, connect.NewRequest(&bfdpb.ListSessionsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	zero, badMult := uint32(0), uint32(3)
	for _, tc := range []struct {
		name, field string
		spec        *bfdpb.SessionSpec
	}{
		{"bad IP", "session.peer", &bfdpb.SessionSpec{Peer: "198.18.0.256", Local: "198.18.0.1"}},
		{"0 multiplier", "session.detect_mult", &bfdpb.SessionSpec{Peer: "198.18.0.3", Local: "198.18.0.1", DetectMult: &zero}},
		{"1 µs interval", "session.desired_min_tx", &bfdpb.SessionSpec{Peer: "198.18.0.3", Local: "198.18.0.1",
			DesiredMinTx: durationpb.New(time.Microsecond), DetectMult: &badMult}},
		{"unknown auth type", "session.auth.type", &bfdpb.SessionSpec{Peer: "198.18.0.3", Local: "198.18.0.1",
			Auth: &bfdpb.Auth{Type: bfdpb.AuthType(6), Secret: "secret"}}},
		{"secret too long", "session.auth.secret", &bfdpb.SessionSpec{Peer: "198.18.0.3", Local: "198.18.0.1",
			Auth: &bfdpb.Auth{Type: bfdpb.AuthType_AUTH_TYPE_KEYED_SHA1, Secret: strings.Repeat("k", 21)}}},
	} {
		_, err := c.AddSession(ctx, connect.NewRequest(&bfdpb.AddSessionRequest{Session: tc.spec}))
		if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v, want InvalidArgument naming %s", tc.name, err, tc.field)
		}
	}
	// The same through UpdateSession on the running session.
	sel := &bfdpb.SessionSelector{Selector: &bfdpb.SessionSelector_Key{Key: &bfdpb.SessionKey{Peer: "198.18.0.2"}}}
	for _, tc := range []struct {
		name, field string
		req         *bfdpb.UpdateSessionRequest
	}{
		{"0 multiplier", "detect_mult", &bfdpb.UpdateSessionRequest{Selector: sel, DetectMult: &zero}},
		{"1 µs interval", "required_min_rx", &bfdpb.UpdateSessionRequest{Selector: sel, RequiredMinRx: durationpb.New(time.Microsecond)}},
		{"unknown auth type", "auth.type", &bfdpb.UpdateSessionRequest{Selector: sel, Auth: &bfdpb.Auth{Type: 77, Secret: "x"}}},
		{"secret too long", "auth.secret", &bfdpb.UpdateSessionRequest{Selector: sel,
			Auth: &bfdpb.Auth{Type: bfdpb.AuthType_AUTH_TYPE_SIMPLE, Secret: strings.Repeat("k", 17)}}},
	} {
		_, err := c.UpdateSession(ctx, connect.NewRequest(tc.req))
		if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("update, %s: %v, want InvalidArgument naming %s", tc.name, err, tc.field)
		}
	}
	after, err := c.ListSessions(ctx, connect.NewRequest(&bfdpb.ListSessionsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Msg.Sessions) != 1 || after.Msg.Sessions[0].Params.DetectMult != before.Msg.Sessions[0].Params.DetectMult ||
		after.Msg.Sessions[0].Params.AuthType != bfdpb.AuthType_AUTH_TYPE_NONE ||
		after.Msg.Sessions[0].LocalDiscriminator != before.Msg.Sessions[0].LocalDiscriminator {
		t.Fatalf("a refused request changed something: %v", after.Msg.Sessions)
	}
}

func testCA(t *testing.T, dir, name, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	writePEMFile(t, filepath.Join(dir, name+".pem"), "CERTIFICATE", der)
	return c, key
}

// testLeaf writes name.pem and name.key: a server certificate for
// 198.18.0.1, or a client certificate.
func testLeaf(t *testing.T, dir, name string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, server bool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("198.18.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	writePEMFile(t, filepath.Join(dir, name+".pem"), "CERTIFICATE", der)
	kd, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEMFile(t, filepath.Join(dir, name+".key"), "EC PRIVATE KEY", kd)
}

func writePEMFile(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
