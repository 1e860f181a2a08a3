package config

import (
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/packet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func noEnv(string) (string, bool) { return "", false }

func TestExampleConfig(t *testing.T) {
	c, err := Load("../../configs/gobfd.example.yml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	ss := c.EngineSessions()
	if len(ss) != 3 {
		t.Fatalf("%d sessions", len(ss))
	}
	if ss[0].Params.DesiredMinTx != 50*time.Millisecond || ss[0].Key.Interface != "eth0" {
		t.Fatalf("%+v", ss[0])
	}
	if ss[1].Params.DesiredMinTx != 100*time.Millisecond || ss[1].Params.Auth.Type != packet.AuthMeticulousSHA1 {
		t.Fatalf("defaults/auth: %+v", ss[1].Params)
	}
	if ss[2].Key.Type != engine.MultiHop || ss[2].Params.DetectMult != 5 {
		t.Fatalf("%+v", ss[2])
	}
	if c.GRPC.Addr != "127.0.0.1:50051" {
		t.Fatal("the API must default to loopback")
	}
	// The packaged file keeps a flight recorder running (issue: observability).
	if !c.FlightRecorder.Enabled || c.FlightRecorder.Dir != DefaultFlightRecorderDir {
		t.Fatalf("flight recorder in the shipped file: %+v", c.FlightRecorder)
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	c, err := Parse(nil, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.BFD.DefaultDetectMult != 3 || c.Log.Format != "json" || c.FlightRecorder.Enabled {
		t.Fatalf("%+v", c)
	}
}

// Every problem names the key, the value and the reason.
func TestValidationMessages(t *testing.T) {
	cases := map[string]string{
		"sessions:\n - {peer: 198.18.0.2, local: 198.18.0.1, desired_min_tx: 5us}":                                `sessions[0].desired_min_tx: "5µs" is below the 10ms minimum`,
		"sessions:\n - {peer: nope, local: 198.18.0.1}":                                                           `sessions[0].peer: "nope" is not an IP address`,
		"sessions:\n - {peer: 198.18.0.2}":                                                                        `sessions[0].local: is required`,
		"sessions:\n - {peer: 198.18.0.2, local: \"2001:db8::1\"}":                                                `sessions[0].local: "2001:db8::1" is not of the peer's address family`,
		"sessions:\n - {peer: 198.18.0.2, local: 198.18.0.1, type: triple_hop}":                                   `sessions[0].type: "triple_hop" is not single_hop or multi_hop`,
		"sessions:\n - {peer: 198.18.0.2, local: 198.18.0.1, detect_mult: 300}":                                   `sessions[0].detect_mult: "300" is outside 1..255`,
		"sessions:\n - {peer: 198.18.0.2, local: 198.18.0.1, auth: {type: md4, secret: x}}":                       `sessions[0].auth.type: "md4" is not one of`,
		"sessions:\n - {peer: 198.18.0.2, local: 198.18.0.1, auth: {type: keyed_md5, secret: 12345678901234567}}": `sessions[0].auth.secret: is 17 bytes; keyed_md5 takes 1..16`,
		"sessions:\n - {peer: 198.18.0.2, local: 198.18.0.1}\n - {peer: 198.18.0.2, local: 198.18.0.1}":           `sessions[1]: "198.18.0.2" duplicates sessions[0]`,
		"sessions:\n - {peer: 198.18.0.2, local: 198.18.0.1, type: multi_hop, interface: eth0}":                   `sessions[0].interface: "eth0" cannot be set on a multi_hop session`,
		"sessions:\n - {peer: 198.18.0.2, local: 198.18.0.1, vrf: a-very-long-vrf-name}":                          `sessions[0].vrf: "a-very-long-vrf-name" is longer than`,
		"log: {level: loud}":                  `log.level: "loud" is not one of debug, info, warn, error`,
		"log: {format: xml}":                  `log.format: "xml" is not json or text`,
		"bfd: {default_desired_min_tx: 2h}":   `bfd.default_desired_min_tx: "2h0m0s" is above the 1h0m0s maximum`,
		"bfd: {default_desired_min_tx: fast}": `"fast" is not a duration`,
		"grpc: {addr: nowhere}":               `grpc.addr: "nowhere" is not host:port`,
		"sessoins: []":                        `field sessoins not found`,
		"sessions:\n - {peer: 198.18.0.2, local: 198.18.0.1, padded_pdu_size: 9000}": `sessions[0].padded_pdu_size: "9000" is outside 24..1400 bytes`,
	}
	for in, want := range cases {
		_, err := Parse([]byte(in), noEnv)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q:\n got %v\nwant …%s…", in, err, want)
		}
	}
}

func TestEnvOverrides(t *testing.T) {
	env := map[string]string{"GOBFD_LOG_LEVEL": "debug", "GOBFD_BFD_DEFAULT_DESIRED_MIN_TX": "20ms",
		"GOBFD_BFD_DEFAULT_DETECT_MULT": "5", "GOBFD_GRPC_ADDR": "127.0.0.1:6000", "GOBFD_SCHEDULING_SHARDS": "2",
		"GOBFD_FLIGHT_RECORDER_ENABLED": "true", "GOBFD_FLIGHT_RECORDER_DIR": "/tmp/fr"}
	c, err := Parse([]byte("log: {level: info}"), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if c.Log.Level != "debug" || c.BFD.DefaultDesiredMinTx != Duration(20*time.Millisecond) ||
		c.BFD.DefaultDetectMult != 5 || c.GRPC.Addr != "127.0.0.1:6000" || c.Scheduling.Shards != 2 ||
		!c.FlightRecorder.Enabled || c.FlightRecorder.Dir != "/tmp/fr" {
		t.Fatalf("%+v", c)
	}
	_, err = Parse(nil, func(k string) (string, bool) { return "x", k == "GOBFD_BFD_DEFAULT_DETECT_MULT" })
	if err == nil || !strings.Contains(err.Error(), "GOBFD_BFD_DEFAULT_DETECT_MULT") {
		t.Fatal(err)
	}
	_, err = Parse(nil, func(k string) (string, bool) { return "yes please", k == "GOBFD_FLIGHT_RECORDER_ENABLED" })
	if err == nil || !strings.Contains(err.Error(), "GOBFD_FLIGHT_RECORDER_ENABLED") {
		t.Fatal(err)
	}
}

func TestDiff(t *testing.T) {
	parse := func(s string) []engine.SessionConfig {
		c, err := Parse([]byte(s), noEnv)
		if err != nil {
			t.Fatal(err)
		}
		return c.EngineSessions()
	}
	old := parse("sessions:\n - {peer: 198.18.0.2, local: 198.18.0.1}\n - {peer: 198.18.0.3, local: 198.18.0.1}\n - {peer: 198.18.0.4, local: 198.18.0.1}")
	cur := parse("sessions:\n - {peer: 198.18.0.2, local: 198.18.0.1}\n - {peer: 198.18.0.3, local: 198.18.0.1, desired_min_tx: 50ms}\n - {peer: 198.18.0.5, local: 198.18.0.1}")
	ch := Diff(old, cur)
	ip := netip.MustParseAddr
	if len(ch.Add) != 1 || ch.Add[0].Key.Peer != ip("198.18.0.5") ||
		len(ch.Remove) != 1 || ch.Remove[0].Peer != ip("198.18.0.4") ||
		len(ch.Update) != 1 || ch.Update[0].Key.Peer != ip("198.18.0.3") {
		t.Fatalf("%+v", ch)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load("/nonexistent/gobfd.yml", noEnv)
	if err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Fatal(err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}
