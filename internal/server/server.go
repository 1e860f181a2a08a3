package server

import (
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/pkg/bfdpb/bfdpbconnect"
)

// Options configure a Server.
type Options struct {
	Engine *engine.Engine
	// Config is the running configuration: defaults of new sessions, the
	// sessions the file owns, the grpc section. SetConfig replaces it.
	Config *config.Config
	// Prepare readies the host for a session before the engine gets it
	// (receive sockets bound to its interface or VRF); nil: nothing to do.
	Prepare func(engine.Key) error
	Log     *slog.Logger // nil: slog.Default()
	// WatchQueue is how many events a watcher's queue holds before it
	// loses some (default 4096).
	WatchQueue int
	// MaxWatchers bounds the concurrent WatchSessionEvents streams
	// (default 64); more get ResourceExhausted.
	MaxWatchers int
}

// Server implements bfd.v1.BfdService over an engine.
type Server struct {
	eng     *engine.Engine
	prepare func(engine.Key) error
	log     *slog.Logger
	opts    Options

	running  atomic.Pointer[running]
	token    atomic.Pointer[[]byte] // nil: no token required
	watchers atomic.Int32

	closeOnce sync.Once
	done      chan struct{} // closed by Close: ends the watch streams

	lnMu      sync.Mutex
	listeners []*listener
	cert      atomic.Pointer[certPair] // TLS certificate of the TCP listener
}

// running is a loaded configuration and the keys of its sessions.
type running struct {
	cfg      *config.Config
	fileKeys map[engine.Key]bool
}

// New returns a Server; Handler serves it, Listen binds its listeners.
func New(o Options) *Server {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.WatchQueue <= 0 {
		o.WatchQueue = 4096
	}
	if o.MaxWatchers <= 0 {
		o.MaxWatchers = 64
	}
	s := &Server{eng: o.Engine, prepare: o.Prepare, log: o.Log, opts: o, done: make(chan struct{})}
	if s.prepare == nil {
		s.prepare = func(engine.Key) error { return nil }
	}
	cfg := o.Config
	if cfg == nil {
		d := config.Defaults()
		cfg = &d
	}
	s.SetConfig(cfg)
	return s
}

// SetConfig installs a newly loaded configuration (at a reload): the
// defaults of sessions added later and which sessions the file owns.
func (s *Server) SetConfig(cfg *config.Config) {
	keys := make(map[engine.Key]bool, len(cfg.Sessions))
	for _, sc := range cfg.EngineSessions() {
		keys[sc.Key] = true
	}
	s.running.Store(&running{cfg: cfg, fileKeys: keys})
}

func (s *Server) config() *running { return s.running.Load() }

// SetToken sets the bearer token that calls changing sessions must carry
// (nil or empty: none).
func (s *Server) SetToken(tok []byte) {
	if len(tok) == 0 {
		s.token.Store(nil)
		return
	}
	t := append([]byte(nil), tok...)
	s.token.Store(&t)
}

// Handler serves the BFD service, health and reflection.
func (s *Server) Handler() http.Handler {
	limit := connect.WithReadMaxBytes(s.config().cfg.GRPC.MaxRequestBytes)
	mux := http.NewServeMux()
	mux.Handle(bfdpbconnect.NewBfdServiceHandler(s, limit, connect.WithInterceptors(s.tokenInterceptor()),
		connect.WithCodec(strictJSON{"json"}), connect.WithCodec(strictJSON{"json; charset=utf-8"})))
	mux.Handle(grpchealth.NewHandler(health{s}, limit))
	r := grpcreflect.NewStaticReflector(bfdpbconnect.BfdServiceName, grpchealth.HealthV1ServiceName)
	mux.Handle(grpcreflect.NewHandlerV1(r, limit))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(r, limit))
	return mux
}
