package server

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.uber.org/goleak"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/netio"
	"github.com/dantte-lp/gobfd/internal/session"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
	"github.com/dantte-lp/gobfd/pkg/bfdpb/bfdpbconnect"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fixture is host A (an engine with the API on a TCP port and a Unix
// socket) and host B (a bare engine) over an in-memory network, with n
// file sessions between 198.18.1.x (A) and 198.19.1.x (B), and spare
// addresses for sessions added over the API.
type fixture struct {
	t    *testing.T
	net  *netio.Mem
	a, b *engine.Engine
	cfg  *config.Config
	srv  *Server
	addr string // host:port of the TCP listener
	sock string
	c    bfdpbconnect.BfdServiceClient // Connect, binary, HTTP/2 cleartext
}

func addrA(i int) netip.Addr { return netip.AddrFrom4([4]byte{198, 18, 1, byte(1 + i)}) }
func addrB(i int) netip.Addr { return netip.AddrFrom4([4]byte{198, 19, 1, byte(1 + i)}) }

// newFixture starts the fixture; each edit, a func(*config.GRPC) or a
// func(*Options), changes the grpc section or the server's options before
// the server listens.
func newFixture(t *testing.T, n int, edit ...any) *fixture {
	t.Helper()
	f := &fixture{t: t, net: netio.NewMem()}
	f.a = engine.New(f.net, engine.Options{Shards: 2})
	f.b = engine.New(f.net, engine.Options{Shards: 2})
	ctx := context.Background()
	f.a.Start(ctx)
	f.b.Start(ctx)
	t.Cleanup(func() { f.a.Stop(); f.b.Stop() })
	for i := range 8 {
		f.net.Attach(addrA(i), f.a)
		f.net.Attach(addrB(i), f.b)
	}
	cfg := config.Defaults()
	cfg.GRPC.Addr = "127.0.0.1:0"
	cfg.GRPC.Socket = filepath.Join(t.TempDir(), "gobfd.sock")
	for _, e := range edit {
		if e, ok := e.(func(*config.GRPC)); ok {
			e(&cfg.GRPC)
		}
	}
	for i := range n {
		cfg.Sessions = append(cfg.Sessions, config.Session{Peer: addrB(i).String(), Local: addrA(i).String(),
			Type: "single_hop", DesiredMinTx: config.Duration(20 * time.Millisecond),
			RequiredMinRx: config.Duration(20 * time.Millisecond), DetectMult: 3})
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	f.cfg = &cfg
	for _, sc := range cfg.EngineSessions() {
		if _, err := f.a.Add(sc); err != nil {
			t.Fatal(err)
		}
		f.peer(sc.Key.Local, sc.Key.Peer)
	}
	o := Options{Engine: f.a, Config: f.cfg, Log: slog.New(slog.DiscardHandler)}
	for _, e := range edit {
		if e, ok := e.(func(*Options)); ok {
			e(&o)
		}
	}
	f.srv = New(o)
	if err := f.srv.Listen(cfg.GRPC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.srv.Close() })
	for _, a := range f.srv.Addrs() {
		if a.Network() == "tcp" {
			f.addr = a.String()
		}
	}
	f.sock = cfg.GRPC.Socket
	f.c = bfdpbconnect.NewBfdServiceClient(f.h2c(), "http://"+f.addr)
	return f
}

// peer adds B's side of a session between a (on A) and b (on B).
func (f *fixture) peer(a, b netip.Addr) {
	f.t.Helper()
	_, err := f.b.Add(engine.SessionConfig{Key: engine.Key{Peer: a, Local: b}, Params: session.Params{
		DesiredMinTx: 20 * time.Millisecond, RequiredMinRx: 20 * time.Millisecond, DetectMult: 3}})
	if err != nil {
		f.t.Fatal(err)
	}
}

// h2c is an HTTP/2 cleartext client, closed at cleanup.
func (f *fixture) h2c() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p}
	f.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// http1 is an HTTP/1.1 client, closed at cleanup.
func (f *fixture) http1() *http.Client {
	tr := &http.Transport{}
	f.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// unixClient speaks HTTP/2 cleartext over the Unix socket.
func (f *fixture) unixClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p, DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", f.sock)
	}}
	f.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// tlsClient speaks HTTP/2 over TLS with cfg.
func (f *fixture) tlsClient(cfg *tls.Config) *http.Client {
	tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}
	f.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// waitState waits until the session selected by peer is in state st.
func (f *fixture) waitState(peer netip.Addr, st bfdpb.SessionState) *bfdpb.Session {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := f.c.GetSession(context.Background(), connect.NewRequest(&bfdpb.GetSessionRequest{Selector: byPeer(peer)}))
		if err == nil && r.Msg.Session.State == st {
			return r.Msg.Session
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("%v not %v after 10s: %v %v", peer, st, r, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func byPeer(p netip.Addr) *bfdpb.SessionSelector {
	return &bfdpb.SessionSelector{Selector: &bfdpb.SessionSelector_Key{Key: &bfdpb.SessionKey{Peer: p.String()}}}
}

func byDiscr(d uint32) *bfdpb.SessionSelector {
	return &bfdpb.SessionSelector{Selector: &bfdpb.SessionSelector_LocalDiscriminator{LocalDiscriminator: d}}
}

// code is the status code of err ("ok" for nil).
func code(err error) string {
	if err == nil {
		return "ok"
	}
	return connect.CodeOf(err).String()
}

func wantCode(t *testing.T, err error, want connect.Code, contains ...string) {
	t.Helper()
	if connect.CodeOf(err) != want || err == nil {
		t.Fatalf("got %s (%v), want %s", code(err), err, want)
	}
	for _, s := range contains {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("error %q does not name %q", err, s)
		}
	}
}

const ms = time.Millisecond
