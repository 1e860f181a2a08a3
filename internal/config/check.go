package config

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// The checks of one session and of its values, shared by the file's
// validation (Validate) and the API's (internal/server): one place for each
// limit, so a value the file refuses the API refuses too, in the same
// words.

// IntervalProblem says why d is not a valid BFD interval, or "" when it is.
func IntervalProblem(d time.Duration) string {
	switch {
	case d < MinInterval:
		return "is below the " + MinInterval.String() + " minimum"
	case d > MaxInterval:
		return "is above the " + MaxInterval.String() + " maximum"
	case d%time.Microsecond != 0:
		// RFC 5880 §4.1: intervals are microseconds on the wire.
		return "is not a whole number of microseconds"
	}
	return ""
}

// DetectMultProblem says why m is not a valid Detect Mult, or "": non-zero
// (RFC 5880 §6.8.1) and one byte on the wire (§4.1).
func DetectMultProblem(m int) string {
	if m < 1 || m > 255 {
		return "is outside 1..255"
	}
	return ""
}

// AuthTypeOf returns the authentication type spelled name ("keyed_sha1").
func AuthTypeOf(name string) (packet.AuthType, bool) {
	t, ok := authTypes[name]
	return t, ok
}

// MaxSecretLen is the longest secret of an authentication type: 16 bytes
// for the simple password and MD5, 20 for SHA1 (RFC 5880 §4.2–§4.4).
func MaxSecretLen(t packet.AuthType) int {
	if t == packet.AuthKeyedSHA1 || t == packet.AuthMeticulousSHA1 {
		return 20
	}
	return 16
}

// CheckSession validates one session, naming every key under prefix
// ("sessions[3]" in the file, "session" in the API). Zero timers and
// multiplier mean the bfd.default_* values and are not checked here.
// Duplicates are the caller's business.
func CheckSession(prefix string, s Session) []error {
	var errs []error
	k := prefix
	bad := func(key, val, reason string) { errs = append(errs, &Error{key, val, reason}) }
	checkIv := func(key string, d Duration) {
		if r := IntervalProblem(time.Duration(d)); r != "" {
			bad(key, time.Duration(d).String(), r)
		}
	}
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
	if s.DetectMult != 0 {
		if r := DetectMultProblem(s.DetectMult); r != "" {
			bad(k+".detect_mult", fmt.Sprint(s.DetectMult), r)
		}
	}
	if p := s.PaddedPDUSize; p != 0 && (p < packet.HeaderLen || p > 1400) {
		bad(k+".padded_pdu_size", fmt.Sprint(p), "is outside 24..1400 bytes (RFC 9764)")
	}
	if a := s.Auth; a != nil {
		errs = append(errs, CheckAuth(k+".auth", *a)...)
	}
	if len(s.Interface) > 15 {
		bad(k+".interface", s.Interface, "is longer than a Linux interface name (15 bytes)")
	}
	if len(s.VRF) > 15 {
		bad(k+".vrf", s.VRF, "is longer than a Linux device name (15 bytes)")
	}
	return errs
}

// CheckAuth validates an authentication section (RFC 5880 §6.7), naming
// its keys under prefix ("sessions[3].auth").
func CheckAuth(prefix string, a Auth) []error {
	var errs []error
	bad := func(key, val, reason string) { errs = append(errs, &Error{key, val, reason}) }
	t, ok := authTypes[a.Type]
	if !ok {
		bad(prefix+".type", a.Type, "is not one of simple, keyed_md5, meticulous_keyed_md5, keyed_sha1, meticulous_keyed_sha1")
	}
	if a.KeyID < 0 || a.KeyID > 255 {
		bad(prefix+".key_id", fmt.Sprint(a.KeyID), "is outside 0..255")
	}
	maxLen := MaxSecretLen(t)
	if n := len(a.Secret); n < 1 || n > maxLen {
		bad(prefix+".secret", "", fmt.Sprintf("is %d bytes; %s takes 1..%d", n, a.Type, maxLen))
	}
	return errs
}
