package netio

import "net/netip"

// Well-known ports.
const (
	PortSingleHop = 3784 // RFC 5881 §4
	PortMultiHop  = 4784 // RFC 5883 §5
	// Source ports are taken from 49152–65535 (RFC 5881 §4).
	SrcPortMin = 49152
	SrcPortMax = 65535
)

// MaxPayload bounds the BFD payloads carried (RFC 9764 padded packets
// included).
const MaxPayload = 1500

// Message is one datagram. On send, Src is the session's local address and
// source port, Dst the peer and 3784/4784, TTL the IP TTL/Hop Limit, TOS the
// DSCP/ECN byte and IfIndex the interface to leave by (0: routing decides).
// On receive the same fields describe what arrived: TTL as received, Dst
// the local address it was sent to, IfIndex where it came in.
type Message struct {
	Buf     []byte // payload; on receive a slice of the reader's buffer
	Src     netip.AddrPort
	Dst     netip.AddrPort
	IfIndex int
	TTL     uint8
	TOS     uint8
	// Device is the interface or VRF device the packet is sent through
	// with SO_BINDTODEVICE (empty: routing decides); on receive, the device
	// the receiving socket is bound to.
	Device string
	// VRF names the VRF of the receiving socket (empty: the default VRF).
	VRF string
	// Stamp is, on receive, when the kernel received the datagram (Unix
	// nanoseconds, CLOCK_REALTIME); 0 when unknown.
	Stamp int64
}

// Sender transmits batches. Send must not retain ms or their buffers.
type Sender interface {
	Send(ms []Message) error
}

// Handler receives batches. It must not retain ms or their buffers after
// returning.
type Handler interface {
	Deliver(ms []Message)
}
