package netio

import (
	"encoding/binary"
	"net/netip"
)

// Steer is the receiving shard of a BFD Control packet among n: its Your
// Discriminator mod n, or, when that is zero (a session's first packets,
// RFC 5880 §6.8.6), the last four bytes of its source address plus its
// type (0 for single-hop 3784, 1 for multihop 4784) mod n.
//
// It is the Go model of the kernel-side program that OpenShards attaches
// to each SO_REUSEPORT group (steerProgram): the engine places sessions
// and allocates discriminators with it, so that the kernel delivers every
// packet to the socket of the shard that owns its session.
func Steer(yourDiscr uint32, src netip.Addr, port uint16, n int) int {
	if n <= 1 {
		return 0
	}
	if yourDiscr != 0 {
		return int(yourDiscr % uint32(n))
	}
	a := src.As16()
	return int((binary.BigEndian.Uint32(a[12:16]) + portType(port)) % uint32(n))
}

// portType numbers the BFD ports for Steer.
func portType(port uint16) uint32 {
	if port == PortMultiHop {
		return 1
	}
	return 0
}
