package engine

import (
	"fmt"
	"net/netip"

	"github.com/dantte-lp/gobfd/internal/netio"
)

// Type is the encapsulation of a session.
type Type uint8

const (
	SingleHop Type = iota // RFC 5881, UDP 3784, TTL 255 required
	MultiHop              // RFC 5883, UDP 4784
)

func (t Type) String() string {
	if t == MultiHop {
		return "multi_hop"
	}
	return "single_hop"
}

// Port is the destination port of the type.
func (t Type) Port() uint16 {
	if t == MultiHop {
		return netio.PortMultiHop
	}
	return netio.PortSingleHop
}

// Key identifies a session: the peer, the local address, the interface
// (empty: any), the VRF (empty: the default one) and the type.
type Key struct {
	Peer      netip.Addr
	Local     netip.Addr
	Interface string
	VRF       string
	Type      Type
}

func (k Key) String() string {
	s := fmt.Sprintf("%v %v->%v", k.Type, k.Local, k.Peer)
	if k.Interface != "" {
		s += "%" + k.Interface
	}
	if k.VRF != "" {
		s += " vrf " + k.VRF
	}
	return s
}

// Device is the device the session's sockets bind to (SO_BINDTODEVICE):
// its interface, else its VRF, else none.
func (k Key) Device() string {
	if k.Interface != "" {
		return k.Interface
	}
	return k.VRF
}

// shardOf picks the shard for packets with Your Discriminator zero: a
// function of what every such packet of the session carries (RFC 5880
// §6.8.6), the one the kernel's steering program computes (netio.Steer),
// so that those packets reach the owning shard's socket directly.
func shardOf(peer netip.Addr, t Type, n int) int { return netio.Steer(0, peer, t.Port(), n) }
