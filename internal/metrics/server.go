package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry returns a registry with the Go runtime and process collectors
// (process_resident_memory_bytes, go_memstats_*, ...) and c.
func Registry(c prometheus.Collector, version, commit string) *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		c,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gobfd_build_info",
			Help:        "Build of the running daemon (value 1).",
			ConstLabels: prometheus.Labels{"version": version, "commit": commit}},
			func() float64 { return 1 }),
	)
	return r
}

// Server serves a registry over HTTP.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// Listen binds addr (so that a taken port is reported at once) and serves
// h (an Exporter) at path until Close, one scrape at a time; wrap, if
// given, wraps the metrics handler.
func Listen(addr, path string, h http.Handler, wrap ...func(http.Handler) http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen %s: %w", addr, err)
	}
	h = oneAtATime(h)
	for _, w := range wrap {
		h = w(h)
	}
	mux := http.NewServeMux()
	mux.Handle(path, h)
	s := &Server{ln: ln, done: make(chan error, 1), srv: &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
	}}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// oneAtATime serves one request at a time and turns others away with 503
// while one runs (a scrape of 50,000 sessions is work; two at once are
// twice the memory for nothing).
func oneAtATime(h http.Handler) http.Handler {
	sem := make(chan struct{}, 1)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case sem <- struct{}{}:
			defer func() { <-sem }()
			h.ServeHTTP(w, r)
		case <-time.After(10 * time.Second):
			http.Error(w, "another scrape is running", http.StatusServiceUnavailable)
		}
	})
}

// Addr is the address listened on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops the server.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
	return <-s.done
}
