package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"

	"connectrpc.com/connect"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/pkg/bfdpb/bfdpbconnect"
)

// conn is a client of gobfd's API.
type conn struct {
	bfdpbconnect.BfdServiceClient
	tr *http.Transport
}

func (c *conn) close() { c.tr.CloseIdleConnections() }

// dial prepares a client for g.addr; nothing is sent until the first call.
// It speaks gRPC over HTTP/2: cleartext (h2c) on TCP and on a Unix socket,
// or TLS when any --tls flag is given.
func (g *globals) dial() (*conn, error) {
	tr := &http.Transport{ForceAttemptHTTP2: true}
	base := ""
	useTLS := g.tls || g.tlsCA != "" || g.tlsCert != "" || g.tlsKey != "" || g.tlsServer != ""
	if path, ok := unixPath(g.addr); ok {
		if useTLS {
			return nil, usageErr("--tls: the Unix socket speaks cleartext (its file mode protects it)")
		}
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
		base = "http://gobfd"
	} else {
		host, _, err := net.SplitHostPort(g.addr)
		if err != nil {
			return nil, usageErr("--addr %q: want host:port or unix:///path", g.addr)
		}
		base = "http://" + g.addr
		if useTLS {
			tc, err := g.tlsConfig(host)
			if err != nil {
				return nil, err
			}
			tr.TLSClientConfig = tc
			base = "https://" + g.addr
		}
	}
	if !useTLS {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		tr.Protocols = &p
	}
	opts := []connect.ClientOption{connect.WithGRPC()}
	if g.tokenFile != "" {
		tok, err := config.ReadToken(g.tokenFile)
		if err != nil {
			return nil, usageErr("--token-file %s: %v", g.tokenFile, err)
		}
		opts = append(opts, connect.WithInterceptors(bearer(string(tok))))
	}
	return &conn{BfdServiceClient: bfdpbconnect.NewBfdServiceClient(&http.Client{Transport: tr}, base, opts...), tr: tr}, nil
}

// unixPath returns the socket path of "unix:///path" (or "unix:/path").
func unixPath(addr string) (string, bool) {
	rest, ok := strings.CutPrefix(addr, "unix:")
	if !ok {
		return "", false
	}
	return "/" + strings.TrimLeft(rest, "/"), true
}

func (g *globals) tlsConfig(host string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	if g.tlsServer != "" {
		tc.ServerName = g.tlsServer
	}
	if g.tlsCA != "" {
		pem, err := os.ReadFile(g.tlsCA)
		if err != nil {
			return nil, usageErr("--tls-ca: %v", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, usageErr("--tls-ca %s: no PEM certificate in it", g.tlsCA)
		}
	}
	if (g.tlsCert == "") != (g.tlsKey == "") {
		return nil, usageErr("--tls-cert and --tls-key go together")
	}
	if g.tlsCert != "" {
		c, err := tls.LoadX509KeyPair(g.tlsCert, g.tlsKey)
		if err != nil {
			return nil, usageErr("--tls-cert/--tls-key: %v", err)
		}
		tc.Certificates = []tls.Certificate{c}
	}
	return tc, nil
}

// bearer adds the token to every unary call.
func bearer(tok string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+tok)
			return next(ctx, req)
		}
	}
}

// explain turns an error into one line and an exit status.
func explain(err error, g *globals) (string, int) {
	var ue *usageError
	if errors.As(err, &ue) {
		return ue.msg, exitUsage
	}
	if reason, ok := unreachable(err); ok {
		return fmt.Sprintf("cannot reach gobfd at %s (%s): is it running? Start it with `systemctl start gobfd`, "+
			"or point --addr at its grpc.addr or unix:///path of grpc.socket", g.addr, reason), exitUnreachable
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		msg := ce.Message()
		if msg == "" {
			msg = ce.Error()
		}
		return strings.ReplaceAll(ce.Code().String(), "_", " ") + ": " + oneLine(msg), exitRefused
	}
	// Cobra's own errors (unknown command, wrong argument count) are usage.
	return oneLine(err.Error()), exitUsage
}

// unreachable reports whether err means no daemon answered, and why.
func unreachable(err error) (string, bool) {
	var ce *connect.Error
	if errors.As(err, &ce) && ce.Code() != connect.CodeUnavailable && ce.Code() != connect.CodeUnknown &&
		ce.Code() != connect.CodeDeadlineExceeded {
		return "", false
	}
	var ne *net.OpError
	var tlsErr *tls.CertificateVerificationError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", true
	case errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOENT):
		return "no such socket", true
	case errors.Is(err, syscall.EACCES):
		return "permission denied on the socket: run as a member of grpc.socket_group", true
	case errors.As(err, &tlsErr):
		return "TLS: " + tlsErr.Error(), true
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer within --timeout", true
	case errors.As(err, &ne) && ne.Op == "dial":
		return ne.Err.Error(), true
	}
	return "", false
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
