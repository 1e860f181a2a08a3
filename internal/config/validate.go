package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/sched"
)

// Error is one validation problem: the key, its value and why it is wrong.
type Error struct {
	Key    string
	Value  string
	Reason string
}

func (e *Error) Error() string {
	if e.Value == "" {
		return e.Key + ": " + e.Reason
	}
	return fmt.Sprintf("%s: %q %s", e.Key, e.Value, e.Reason)
}

var authTypes = map[string]packet.AuthType{
	"simple": packet.AuthSimple, "keyed_md5": packet.AuthKeyedMD5, "meticulous_keyed_md5": packet.AuthMeticulousMD5,
	"keyed_sha1": packet.AuthKeyedSHA1, "meticulous_keyed_sha1": packet.AuthMeticulousSHA1,
}

// Validate checks every key and returns all problems joined.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, val, reason string) { errs = append(errs, &Error{key, val, reason}) }

	errs = append(errs, c.GRPC.validate()...) // grpc.go
	if c.Metrics.Addr != "" && !strings.Contains(c.Metrics.Addr, ":") {
		bad("metrics.addr", c.Metrics.Addr, "is not host:port (e.g. \":9100\")")
	}
	if !strings.HasPrefix(c.Metrics.Path, "/") {
		bad("metrics.path", c.Metrics.Path, "must start with /")
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.Log.Level)); err != nil {
		bad("log.level", c.Log.Level, "is not one of debug, info, warn, error")
	}
	if c.Log.Format != "json" && c.Log.Format != "text" {
		bad("log.format", c.Log.Format, "is not json or text")
	}
	checkIv := func(key string, d Duration) {
		if r := IntervalProblem(time.Duration(d)); r != "" {
			bad(key, time.Duration(d).String(), r)
		}
	}
	checkIv("bfd.default_desired_min_tx", c.BFD.DefaultDesiredMinTx)
	checkIv("bfd.default_required_min_rx", c.BFD.DefaultRequiredMinRx)
	if r := DetectMultProblem(c.BFD.DefaultDetectMult); r != "" {
		bad("bfd.default_detect_mult", fmt.Sprint(c.BFD.DefaultDetectMult), r)
	}
	if t := c.BFD.MultiHopMinTTL; t < 1 || t > 255 {
		bad("bfd.multihop_min_ttl", fmt.Sprint(t), "is outside 1..255")
	}

	if err := c.SchedPolicy().Validate(); err != nil {
		bad("scheduling", c.Scheduling.Policy, err.Error())
	}
	if n := c.Scheduling.Shards; n < 0 || n > MaxShards {
		bad("scheduling.shards", fmt.Sprint(n), fmt.Sprintf("is outside 0..%d (0: automatic)", MaxShards))
	}
	errs = append(errs, c.FlightRecorder.resolve()...)

	seen := map[string]int{}
	for i, s := range c.Sessions {
		k := fmt.Sprintf("sessions[%d]", i)
		errs = append(errs, CheckSession(k, s)...) // check.go, shared with the API
		id := s.Type + "|" + s.Peer + "|" + s.Local + "|" + s.Interface + "|" + s.VRF
		if j, dup := seen[id]; dup {
			bad(k, s.Peer, fmt.Sprintf("duplicates sessions[%d] (same peer, local, interface, vrf and type)", j))
		}
		seen[id] = i
	}
	return errors.Join(errs...)
}

// SchedPolicy is the scheduling section as a sched.Policy.
func (c *Config) SchedPolicy() sched.Policy {
	return sched.Policy{Class: c.Scheduling.Policy, Priority: c.Scheduling.Priority, Nice: c.Scheduling.Nice}
}
