package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/user"
	"strconv"
	"time"

	"github.com/dantte-lp/gobfd/internal/config"
)

// listener is one bound address and the HTTP server on it.
type listener struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// certPair is the TLS certificate of the TCP listener, swapped whole at a
// reload.
type certPair struct{ cert tls.Certificate }

// Listen reads the token and TLS files of g, binds its listeners (so that
// a taken port or socket is reported at once) and serves Handler on them
// until Close: HTTP/1.1 and HTTP/2 on each, HTTP/2 without TLS (h2c, "prior
// knowledge") where TLS is off. gRPC needs HTTP/2; Connect's JSON also
// works over HTTP/1.1 (curl).
func (s *Server) Listen(g config.GRPC) error {
	if err := s.Reload(g); err != nil {
		return err
	}
	h := s.Handler()
	if g.Addr != "" {
		ln, err := net.Listen("tcp", g.Addr)
		if err != nil {
			return fmt.Errorf("api: listen %s: %w", g.Addr, err)
		}
		var tc *tls.Config
		if g.TLS.Cert != "" {
			if tc, err = s.tlsConfig(g.TLS); err != nil {
				ln.Close()
				return err
			}
		}
		s.serve(ln, h, g, tc)
	}
	if g.Socket != "" {
		ln, err := listenUnix(g.Socket, g.SocketGroup)
		if err != nil {
			s.Close()
			return err
		}
		s.serve(ln, h, g, nil)
	}
	return nil
}

// Reload re-reads the token file and the TLS certificate and key of g
// (the files may have been replaced); the listeners stay as they are.
func (s *Server) Reload(g config.GRPC) error {
	var tok []byte
	if g.TokenFile != "" {
		var err error
		if tok, err = config.ReadToken(g.TokenFile); err != nil {
			return fmt.Errorf("api: grpc.token_file: %s: %w", g.TokenFile, err)
		}
	}
	if g.TLS.Cert != "" {
		c, err := tls.LoadX509KeyPair(g.TLS.Cert, g.TLS.Key)
		if err != nil {
			return fmt.Errorf("api: grpc.tls: %w", err)
		}
		s.cert.Store(&certPair{c})
	}
	s.SetToken(tok)
	return nil
}

// tlsConfig is TLS 1.2 or later with the loaded certificate; a client CA
// makes client certificates mandatory (mutual TLS).
func (s *Server) tlsConfig(t config.TLS) (*tls.Config, error) {
	tc := &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return &s.cert.Load().cert, nil
		},
	}
	if t.ClientCA != "" {
		pem, err := os.ReadFile(t.ClientCA)
		if err != nil {
			return nil, fmt.Errorf("api: grpc.tls.client_ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("api: grpc.tls.client_ca: %s holds no PEM certificate", t.ClientCA)
		}
		tc.ClientCAs = pool
		tc.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return tc, nil
}

func (s *Server) serve(ln net.Listener, h http.Handler, g config.GRPC, tc *tls.Config) {
	var p http.Protocols
	p.SetHTTP1(true)
	if tc != nil {
		p.SetHTTP2(true)
	} else {
		p.SetUnencryptedHTTP2(true)
	}
	srv := &http.Server{
		Handler:           h,
		Protocols:         &p,
		TLSConfig:         tc,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       5 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: g.MaxStreams},
		// Refused handshakes (a client without a valid certificate) and
		// broken connections are the client's problem: debug level.
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	l := &listener{srv: srv, ln: ln, done: make(chan error, 1)}
	go func() {
		var err error
		if tc != nil {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		l.done <- err
	}()
	s.lnMu.Lock()
	s.listeners = append(s.listeners, l)
	s.lnMu.Unlock()
}

// listenUnix binds a Unix socket of mode 0660, owned by group if given.
// A stale socket of an earlier run is replaced; one that answers belongs
// to a running daemon and is an error.
func listenUnix(path, group string) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("api: grpc.socket: %s exists and is not a socket", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("api: grpc.socket: %s is in use (is another gobfd running?)", path)
		}
		os.Remove(path)
	}
	gid := -1
	if group != "" {
		g, err := user.LookupGroup(group)
		if err != nil {
			if g, err = user.LookupGroupId(group); err != nil {
				return nil, fmt.Errorf("api: grpc.socket_group: no group %q", group)
			}
		}
		if gid, err = strconv.Atoi(g.Gid); err != nil {
			return nil, fmt.Errorf("api: grpc.socket_group: %q has gid %q", group, g.Gid)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("api: listen %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o660); err != nil {
		ln.Close()
		return nil, fmt.Errorf("api: grpc.socket: %w", err)
	}
	if gid >= 0 {
		if err := os.Chown(path, -1, gid); err != nil {
			ln.Close()
			return nil, fmt.Errorf("api: grpc.socket_group: %w", err)
		}
	}
	return ln, nil
}

// Addrs returns the addresses listened on.
func (s *Server) Addrs() []net.Addr {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	var out []net.Addr
	for _, l := range s.listeners {
		out = append(out, l.ln.Addr())
	}
	return out
}

// Close ends the watch streams, stops accepting, lets unary calls in
// flight finish (up to 2 s) and closes every connection.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	s.lnMu.Lock()
	ls := s.listeners
	s.listeners = nil
	s.lnMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var errs []error
	for _, l := range ls {
		if err := l.srv.Shutdown(ctx); err != nil {
			l.srv.Close()
		}
	}
	for _, l := range ls {
		errs = append(errs, <-l.done)
	}
	return errors.Join(errs...)
}
