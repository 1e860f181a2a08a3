package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// DefaultPath is where the daemon looks for its configuration.
const DefaultPath = "/etc/gobfd/gobfd.yml"

// Limits of the timers an operator may configure.
const (
	MinInterval = 10 * time.Millisecond
	MaxInterval = time.Hour
)

// Config is the whole file.
type Config struct {
	GRPC       GRPC       `yaml:"grpc"`
	Metrics    Metrics    `yaml:"metrics"`
	Log        Log        `yaml:"log"`
	BFD        BFD        `yaml:"bfd"`
	Scheduling Scheduling `yaml:"scheduling"`
	Sessions   []Session  `yaml:"sessions"`
	// FlightRecorder: flight_recorder, in flightrec.go.
	FlightRecorder FlightRecorder `yaml:"flight_recorder"`
}

// Scheduling is how many threads run sessions (shards) and their
// scheduling class (internal/sched): one shard per CPU, or one for light
// configurations, in the default class unless set.
type Scheduling struct {
	Policy   string `yaml:"policy"`   // other (default), fifo, rr
	Priority int    `yaml:"priority"` // 1..99 with fifo/rr
	Nice     int    `yaml:"nice"`     // -20..19 with other
	Shards   int    `yaml:"shards"`   // 0: automatic (see Shards); 1..64
}

// GRPC is the API (internal/server); grpc.go validates it.
type GRPC struct {
	Addr        string `yaml:"addr"`         // host:port; empty: no TCP listener
	Socket      string `yaml:"socket"`       // Unix socket path (mode 0660); empty: none
	SocketGroup string `yaml:"socket_group"` // group name or id of the socket
	TLS         TLS    `yaml:"tls"`
	// TokenFile holds the bearer token that calls which change sessions
	// must carry; empty: no token.
	TokenFile       string `yaml:"token_file"`
	MaxRequestBytes int    `yaml:"max_request_bytes"`
	MaxStreams      int    `yaml:"max_streams"` // concurrent streams per connection
}

// TLS is the API listener's TLS; ClientCA set requires client
// certificates (mutual TLS).
type TLS struct {
	Cert     string `yaml:"cert"`
	Key      string `yaml:"key"`
	ClientCA string `yaml:"client_ca"`
}

// Metrics is the Prometheus listener.
type Metrics struct {
	Addr string `yaml:"addr"` // empty: no metrics listener
	Path string `yaml:"path"`
	// Aggregate drops the per-session labels (peer_addr, local_addr,
	// session_type) from the per-session series: for very large
	// deployments, one series per metric instead of one per session.
	Aggregate bool `yaml:"aggregate"`
}

// Log configures slog.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // json, text
}

// BFD holds the defaults of every session.
type BFD struct {
	DefaultDesiredMinTx  Duration `yaml:"default_desired_min_tx"`
	DefaultRequiredMinRx Duration `yaml:"default_required_min_rx"`
	DefaultDetectMult    int      `yaml:"default_detect_mult"`
	MultiHopMinTTL       int      `yaml:"multihop_min_ttl"` // RFC 5883 §5; default 254
}

// Session is one configured BFD session.
type Session struct {
	Peer          string   `yaml:"peer"`
	Local         string   `yaml:"local"`
	Interface     string   `yaml:"interface"`
	VRF           string   `yaml:"vrf"`  // VRF device; empty: the default VRF
	Type          string   `yaml:"type"` // single_hop (default) or multi_hop
	DesiredMinTx  Duration `yaml:"desired_min_tx"`
	RequiredMinRx Duration `yaml:"required_min_rx"`
	DetectMult    int      `yaml:"detect_mult"`
	Auth          *Auth    `yaml:"auth"`
	PaddedPDUSize int      `yaml:"padded_pdu_size"` // RFC 9764; 0: no padding
	Passive       bool     `yaml:"passive"`
	Demand        bool     `yaml:"demand"`
}

// Auth is a session's authentication (RFC 5880 §6.7).
type Auth struct {
	Type   string `yaml:"type"` // simple, keyed_md5, meticulous_keyed_md5, keyed_sha1, meticulous_keyed_sha1
	KeyID  int    `yaml:"key_id"`
	Secret string `yaml:"secret"`
}

// Duration is a time.Duration written as a string ("100ms") in YAML.
type Duration time.Duration

// UnmarshalYAML parses "100ms", "1s", …
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (e.g. \"100ms\")", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the string form.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// Defaults returns the configuration used for keys the file leaves out.
func Defaults() Config {
	return Config{
		GRPC:    GRPC{Addr: "127.0.0.1:50051", MaxRequestBytes: 64 << 10, MaxStreams: 100},
		Metrics: Metrics{Addr: "127.0.0.1:9100", Path: "/metrics"},
		Log:     Log{Level: "info", Format: "json"},
		BFD: BFD{
			DefaultDesiredMinTx:  Duration(100 * time.Millisecond),
			DefaultRequiredMinRx: Duration(100 * time.Millisecond),
			DefaultDetectMult:    3,
			MultiHopMinTTL:       254,
		},
	}
}

// Load reads path, applies GOBFD_* overrides from env (nil: the process
// environment) and validates the result. Every problem is reported, each
// naming its key.
func Load(path string, env func(string) (string, bool)) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(b, env)
}

// Parse is Load on bytes.
func Parse(b []byte, env func(string) (string, bool)) (*Config, error) {
	c := Defaults()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) { // empty file: defaults
		return nil, fmt.Errorf("config: %w", err)
	}
	if env == nil {
		env = os.LookupEnv
	}
	if err := applyEnv(&c, env); err != nil {
		return nil, err
	}
	for i := range c.Sessions {
		if c.Sessions[i].Type == "" {
			c.Sessions[i].Type = "single_hop"
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}
