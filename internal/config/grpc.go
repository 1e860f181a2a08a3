package config

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// Limits of the grpc.max_* keys.
const (
	minRequestBytes, maxRequestBytes = 1 << 10, 16 << 20
	maxStreams                       = 10000
	maxTokenBytes                    = 4 << 10
)

// validate checks the grpc section. Files it names (TLS, token) are read
// now, so that a missing or unreadable file stops the start (or the
// reload) before anything listens.
func (g *GRPC) validate() []error {
	var errs []error
	bad := func(key, val, reason string) { errs = append(errs, &Error{key, val, reason}) }

	if g.Addr != "" {
		host, _, err := net.SplitHostPort(g.Addr)
		if _, perr := netip.ParseAddrPort(g.Addr); perr != nil && (err != nil || host != "") {
			// An IP literal and a port, or ":port" for every address.
			bad("grpc.addr", g.Addr, "is not host:port with an IP address (e.g. \"127.0.0.1:50051\")")
		}
	}
	if g.Socket != "" && !filepath.IsAbs(g.Socket) {
		bad("grpc.socket", g.Socket, "is not an absolute path (e.g. \"/run/gobfd/gobfd.sock\")")
	}
	if g.SocketGroup != "" && g.Socket == "" {
		bad("grpc.socket_group", g.SocketGroup, "needs grpc.socket")
	}
	t := g.TLS
	switch {
	case (t.Cert == "") != (t.Key == ""):
		bad("grpc.tls", "", "needs both cert and key")
	case t.ClientCA != "" && t.Cert == "":
		bad("grpc.tls.client_ca", t.ClientCA, "needs grpc.tls.cert and grpc.tls.key (mutual TLS is TLS first)")
	}
	if (t.Cert != "" || t.ClientCA != "") && g.Addr == "" {
		bad("grpc.tls", "", "needs grpc.addr (TLS is for the TCP listener; the Unix socket is protected by its mode)")
	}
	for key, path := range map[string]string{"grpc.tls.cert": t.Cert, "grpc.tls.key": t.Key,
		"grpc.tls.client_ca": t.ClientCA, "grpc.token_file": g.TokenFile} {
		if path == "" {
			continue
		}
		if _, err := os.ReadFile(path); err != nil {
			bad(key, path, "cannot be read: "+unwrapPathError(err))
		}
	}
	if g.TokenFile != "" {
		if _, err := ReadToken(g.TokenFile); err != nil && !os.IsNotExist(err) && !os.IsPermission(err) {
			bad("grpc.token_file", g.TokenFile, err.Error())
		}
	}
	if n := g.MaxRequestBytes; n < minRequestBytes || n > maxRequestBytes {
		bad("grpc.max_request_bytes", fmt.Sprint(n), fmt.Sprintf("is outside %d..%d", minRequestBytes, maxRequestBytes))
	}
	if n := g.MaxStreams; n < 1 || n > maxStreams {
		bad("grpc.max_streams", fmt.Sprint(n), fmt.Sprintf("is outside 1..%d", maxStreams))
	}
	return errs
}

// ReadToken reads a bearer token file: its first line, without spaces
// around it; an empty token is an error.
func ReadToken(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) > maxTokenBytes {
		return nil, fmt.Errorf("is longer than %d bytes", maxTokenBytes)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	tok := strings.TrimSpace(line)
	if tok == "" {
		return nil, fmt.Errorf("holds no token (one line expected)")
	}
	return []byte(tok), nil
}

// unwrapPathError drops the path from an *os.PathError (the message
// already names it).
func unwrapPathError(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
