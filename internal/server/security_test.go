package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
	"github.com/dantte-lp/gobfd/pkg/bfdpb/bfdpbconnect"
)

// With grpc.token_file set, calls that change sessions need the token;
// reads do not.
func TestToken(t *testing.T) {
	tokFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokFile, []byte("s3cret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, 1, func(g *config.GRPC) { g.TokenFile = tokFile })
	ctx := context.Background()
	add := func(tok string) error {
		req := connect.NewRequest(&bfdpb.AddSessionRequest{Session: &bfdpb.SessionSpec{Peer: addrB(6).String(), Local: addrA(6).String()}})
		if tok != "" {
			req.Header().Set("Authorization", "Bearer "+tok)
		}
		_, err := f.c.AddSession(ctx, req)
		return err
	}
	wantCode(t, add(""), connect.CodeUnauthenticated, "token")
	wantCode(t, add("wrong"), connect.CodeUnauthenticated, "wrong")
	if len(f.a.Select(nil)) != 1 {
		t.Fatal("a refused call added a session")
	}
	if err := add("s3cret-token"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.ListSessions(ctx, connect.NewRequest(&bfdpb.ListSessionsRequest{})); err != nil {
		t.Fatalf("reads need no token: %v", err)
	}
	// Every call that changes a session, without the token and with a
	// wrong one, is refused and changes nothing.
	before, _ := f.a.Session(f.a.Select(nil)[0].Key)
	mutating := map[string]func(tok string) error{
		"UpdateSession": func(tok string) error {
			req := connect.NewRequest(&bfdpb.UpdateSessionRequest{Selector: byPeer(addrB(6)), DetectMult: ptr(uint32(9))})
			bearer(req.Header(), tok)
			_, err := f.c.UpdateSession(ctx, req)
			return err
		},
		"SetSessionAdminState": func(tok string) error {
			req := connect.NewRequest(&bfdpb.SetSessionAdminStateRequest{Selector: byPeer(addrB(6)), AdminState: bfdpb.AdminState_ADMIN_STATE_DOWN})
			bearer(req.Header(), tok)
			_, err := f.c.SetSessionAdminState(ctx, req)
			return err
		},
		"DeleteSession": func(tok string) error {
			req := connect.NewRequest(&bfdpb.DeleteSessionRequest{Selector: byPeer(addrB(6))})
			bearer(req.Header(), tok)
			_, err := f.c.DeleteSession(ctx, req)
			return err
		},
	}
	for name, call := range mutating {
		for _, tok := range []string{"", "wrong"} {
			if err := call(tok); connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Fatalf("%s with token %q: %v", name, tok, err)
			}
		}
	}
	if after := f.a.Select(nil); len(after) != 2 {
		t.Fatalf("%d sessions after refused calls", len(after))
	}
	for _, d := range f.a.Select(nil) {
		if d.Key.Peer == addrB(6) && (d.Params.DetectMult == 9 || d.Snapshot.State == packet.StateAdminDown) {
			t.Fatalf("a refused call changed the session: %+v", d.Params)
		}
	}
	if after, _ := f.a.Session(before.Key); after.Params.DetectMult != before.Params.DetectMult ||
		after.Params.DesiredMinTx != before.Params.DesiredMinTx || after.Snapshot.State == packet.StateAdminDown {
		t.Fatalf("a refused call changed the file's session: %+v", after.Params)
	}
	var err error

	// A reload re-reads the file.
	if err := os.WriteFile(tokFile, []byte("rotated\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Reload(config.GRPC{TokenFile: tokFile}); err != nil {
		t.Fatal(err)
	}
	if err = mutating["DeleteSession"]("s3cret-token"); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("the old token after the rotation: %v", err)
	}
	if err = mutating["DeleteSession"]("rotated"); err != nil {
		t.Fatal(err)
	}
}

// bearer sets an Authorization header for tok (none for "").
func bearer(h http.Header, tok string) {
	if tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
}

func ptr[T any](v T) *T { return &v }

// TLS, and mutual TLS: a client without a certificate, or with one the
// client CA did not sign, is refused; one with a good certificate is
// served.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := newCA(t, "gobfd test CA")
	other, otherKey := newCA(t, "someone else")
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", ca.Raw)
	srvCert, srvKey := newLeaf(t, ca, caKey, "gobfd", true)
	writePEM(t, filepath.Join(dir, "server.pem"), "CERTIFICATE", srvCert)
	writeKey(t, filepath.Join(dir, "server.key"), srvKey)
	f := newFixture(t, 1, func(g *config.GRPC) {
		g.TLS = config.TLS{Cert: filepath.Join(dir, "server.pem"), Key: filepath.Join(dir, "server.key"),
			ClientCA: filepath.Join(dir, "ca.pem")}
	})
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	ctx := context.Background()
	list := func(c *tls.Config) error {
		cl := bfdpbconnect.NewBfdServiceClient(f.tlsClient(c), "https://"+f.addr, connect.WithGRPC())
		_, err := cl.ListSessions(ctx, connect.NewRequest(&bfdpb.ListSessionsRequest{}))
		return err
	}
	if err := list(&tls.Config{RootCAs: roots}); err == nil {
		t.Fatal("a client without a certificate was served")
	}
	bad, badKey := newLeaf(t, other, otherKey, "intruder", false)
	if err := list(&tls.Config{RootCAs: roots, Certificates: []tls.Certificate{{Certificate: [][]byte{bad}, PrivateKey: badKey}}}); err == nil {
		t.Fatal("a client with a certificate of another CA was served")
	}
	good, goodKey := newLeaf(t, ca, caKey, "operator", false)
	if err := list(&tls.Config{RootCAs: roots, Certificates: []tls.Certificate{{Certificate: [][]byte{good}, PrivateKey: goodKey}}}); err != nil {
		t.Fatalf("a client with a good certificate: %v", err)
	}
	// Plain HTTP/2 on the TLS port gets nothing.
	if _, err := f.c.ListSessions(ctx, connect.NewRequest(&bfdpb.ListSessionsRequest{})); err == nil {
		t.Fatal("cleartext was served on the TLS listener")
	}
}

// The Unix socket has mode 0660, the configured group, and serves the
// API.
func TestUnixSocket(t *testing.T) {
	gid := os.Getgid()
	f := newFixture(t, 1, func(g *config.GRPC) { g.SocketGroup = strconv.Itoa(gid) })
	fi, err := os.Stat(f.sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o660 {
		t.Fatalf("socket mode %v", fi.Mode())
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Gid) != gid {
		t.Fatalf("socket group %v, want %d", fi.Sys(), gid)
	}
	if err := New(Options{Engine: f.a}).Listen(config.GRPC{Socket: f.sock + "2", SocketGroup: "no-such-group-x", MaxStreams: 1}); err == nil ||
		!strings.Contains(err.Error(), "grpc.socket_group") {
		t.Fatalf("unknown group: %v", err)
	}
	cl := bfdpbconnect.NewBfdServiceClient(f.unixClient(), "http://gobfd", connect.WithGRPC())
	r, err := cl.ListSessions(context.Background(), connect.NewRequest(&bfdpb.ListSessionsRequest{}))
	if err != nil || len(r.Msg.Sessions) != 1 {
		t.Fatalf("over the socket: %v %v", r, err)
	}
	// A second server on the same socket is refused while the first runs.
	s2 := New(Options{Engine: f.a})
	defer s2.Close()
	if err := s2.Listen(config.GRPC{Socket: f.sock, MaxStreams: 1}); err == nil {
		t.Fatal("a second server took the socket in use")
	}
	f.srv.Close()
	if _, err := os.Stat(f.sock); !os.IsNotExist(err) {
		t.Fatalf("socket left behind: %v", err)
	}
}

func newCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func newLeaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string, server bool) ([]byte, *ecdsa.PrivateKey) {
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
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeKey(t *testing.T, path string, k *ecdsa.PrivateKey) {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, path, "EC PRIVATE KEY", der)
}
