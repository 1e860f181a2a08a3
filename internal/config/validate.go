package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
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

	if _, err := netip.ParseAddrPort(c.GRPC.Addr); err != nil && c.GRPC.Addr != "" {
		bad("grpc.addr", c.GRPC.Addr, "is not host:port (e.g. \"127.0.0.1:50051\")")
	}
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
		switch v := time.Duration(d); {
		case v < MinInterval:
			bad(key, v.String(), "is below the "+MinInterval.String()+" minimum")
		case v > MaxInterval:
			bad(key, v.String(), "is above the "+MaxInterval.String()+" maximum")
		case v%time.Microsecond != 0:
			bad(key, v.String(), "is not a whole number of microseconds")
		}
	}
	checkIv("bfd.default_desired_min_tx", c.BFD.DefaultDesiredMinTx)
	checkIv("bfd.default_required_min_rx", c.BFD.DefaultRequiredMinRx)
	if m := c.BFD.DefaultDetectMult; m < 1 || m > 255 {
		bad("bfd.default_detect_mult", fmt.Sprint(m), "is outside 1..255")
	}
	if t := c.BFD.MultiHopMinTTL; t < 1 || t > 255 {
		bad("bfd.multihop_min_ttl", fmt.Sprint(t), "is outside 1..255")
	}

	if err := c.SchedPolicy().Validate(); err != nil {
		bad("scheduling", c.Scheduling.Policy, err.Error())
	}

	seen := map[string]int{}
	for i, s := range c.Sessions {
		k := fmt.Sprintf("sessions[%d]", i)
		peer, err := netip.ParseAddr(s.Peer)
		if err != nil {
			bad(k+".peer", s.Peer, "is not an IP address")
		}
		var local netip.Addr
		if s.Local != "" {
			if local, err = netip.ParseAddr(s.Local); err != nil {
				bad(k+".local", s.Local, "is not an IP address")
			} else if peer.IsValid() && local.Is4() != peer.Is4() {
				bad(k+".local", s.Local, "is not of the peer's address family")
			}
		} else {
			bad(k+".local", "", "is required (the address BFD packets are sent from)")
		}
		switch s.Type {
		case "", "single_hop":
		case "multi_hop":
			if s.Interface != "" {
				// RFC 5883: multihop sessions are not tied to an interface.
				bad(k+".interface", s.Interface, "cannot be set on a multi_hop session")
			}
		default:
			bad(k+".type", s.Type, "is not single_hop or multi_hop")
		}
		if s.DesiredMinTx != 0 {
			checkIv(k+".desired_min_tx", s.DesiredMinTx)
		}
		if s.RequiredMinRx != 0 {
			checkIv(k+".required_min_rx", s.RequiredMinRx)
		}
		if s.DetectMult != 0 && (s.DetectMult < 1 || s.DetectMult > 255) {
			bad(k+".detect_mult", fmt.Sprint(s.DetectMult), "is outside 1..255")
		}
		if p := s.PaddedPDUSize; p != 0 && (p < packet.HeaderLen || p > 1400) {
			bad(k+".padded_pdu_size", fmt.Sprint(p), "is outside 24..1400 bytes (RFC 9764)")
		}
		if a := s.Auth; a != nil {
			t, ok := authTypes[a.Type]
			if !ok {
				bad(k+".auth.type", a.Type, "is not one of simple, keyed_md5, meticulous_keyed_md5, keyed_sha1, meticulous_keyed_sha1")
			}
			if a.KeyID < 0 || a.KeyID > 255 {
				bad(k+".auth.key_id", fmt.Sprint(a.KeyID), "is outside 0..255")
			}
			maxLen := 16
			if t == packet.AuthKeyedSHA1 || t == packet.AuthMeticulousSHA1 {
				maxLen = 20
			}
			if n := len(a.Secret); n < 1 || n > maxLen {
				bad(k+".auth.secret", "", fmt.Sprintf("is %d bytes; %s takes 1..%d", n, a.Type, maxLen))
			}
		}
		if len(s.Interface) > 15 {
			bad(k+".interface", s.Interface, "is longer than a Linux interface name (15 bytes)")
		}
		if len(s.VRF) > 15 {
			bad(k+".vrf", s.VRF, "is longer than a Linux device name (15 bytes)")
		}
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
