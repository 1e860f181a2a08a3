package netio

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"

	"golang.org/x/net/bpf"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// RawSender sends BFD packets through raw sockets so that one sendmmsg
// carries packets of many sessions, each with its own source port, TTL and
// DSCP (RFC 5881 §4: per-session source ports 49152–65535; §5: TTL 255).
// IPv4 uses IPPROTO_RAW with our own IP header; IPv6 uses a raw UDP socket
// whose kernel adds the IPv6 header and the UDP checksum, with the source
// address and interface in IPV6_PKTINFO. It needs CAP_NET_RAW.
type RawSender struct {
	v4 *ipv4.PacketConn
	v6 *ipv6.PacketConn
	c4 net.PacketConn
	c6 net.PacketConn

	mu    sync.Mutex
	batch []ipv4.Message
	bufs  [][]byte
	addrs map[netip.Addr]*net.IPAddr
	oobs  map[oobKey][]byte
}

type oobKey struct {
	src     netip.Addr
	ifIndex int
}

// SenderOptions configure NewRawSender.
type SenderOptions struct {
	Device   string // SO_BINDTODEVICE; empty: none
	SkipIPv6 bool
	TOS      uint8 // IPv6 traffic class (IPv4 TOS is per packet); default 0xc0
}

// NewRawSender opens the raw sockets.
func NewRawSender(o SenderOptions) (*RawSender, error) {
	if o.TOS == 0 {
		o.TOS = 0xc0
	}
	s := &RawSender{addrs: make(map[netip.Addr]*net.IPAddr), oobs: make(map[oobKey][]byte)}
	c4, err := rawConn(unix.AF_INET, unix.IPPROTO_RAW, o.Device)
	if err != nil {
		return nil, err
	}
	s.c4, s.v4 = c4, ipv4.NewPacketConn(c4)
	if !o.SkipIPv6 {
		c6, err := rawConn(unix.AF_INET6, unix.IPPROTO_UDP, o.Device)
		if err != nil {
			c4.Close()
			return nil, err
		}
		s.c6, s.v6 = c6, ipv6.NewPacketConn(c6)
		// The kernel computes the UDP checksum at offset 6 (RFC 3542 §3.1)
		// and every packet leaves with Hop Limit 255 (RFC 5881 §5).
		if err := s.v6.SetChecksum(true, 6); err != nil {
			s.Close()
			return nil, fmt.Errorf("netio: IPV6_CHECKSUM: %w", err)
		}
		if err := s.v6.SetHopLimit(255); err != nil {
			s.Close()
			return nil, err
		}
		if err := s.v6.SetTrafficClass(int(o.TOS)); err != nil {
			s.Close()
			return nil, err
		}
		// A raw UDP socket would also receive a copy of every UDP datagram;
		// a filter that accepts nothing keeps it send-only.
		prog, _ := bpf.Assemble([]bpf.Instruction{bpf.RetConstant{Val: 0}})
		if err := s.v6.SetBPF(prog); err != nil {
			s.Close()
			return nil, fmt.Errorf("netio: BPF on the raw IPv6 socket: %w", err)
		}
	}
	return s, nil
}

func rawConn(family, proto int, device string) (net.PacketConn, error) {
	fd, err := unix.Socket(family, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, proto)
	if err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
			return nil, fmt.Errorf("netio: raw socket needs CAP_NET_RAW: %w", err)
		}
		return nil, fmt.Errorf("netio: raw socket: %w", err)
	}
	setBuf(fd, unix.SO_SNDBUFFORCE, unix.SO_SNDBUF, 4<<20)
	if device != "" {
		if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, device); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("netio: SO_BINDTODEVICE %s: %w", device, err)
		}
	}
	f := os.NewFile(uintptr(fd), "bfd-raw")
	defer f.Close()
	c, err := net.FilePacketConn(f)
	if err != nil {
		return nil, err
	}
	// If it stays registered (no runtime poller found), sends work as
	// before.
	detachForSending(c.(syscall.Conn))
	return c, nil
}

// Send transmits ms with as few sendmmsg calls as possible.
func (s *RawSender) Send(ms []Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var v4, v6 int
	for i := range ms {
		if ms[i].Dst.Addr().Is4() {
			v4++
		} else {
			v6++
		}
	}
	var err4, err6 error
	if v4 > 0 {
		err4 = s.send(ms, true)
	}
	if v6 > 0 && s.v6 != nil {
		err6 = s.send(ms, false)
	}
	if err4 == nil && err6 == nil {
		return nil // errors.Join would allocate even then
	}
	return errors.Join(err4, err6)
}

func (s *RawSender) send(ms []Message, v4 bool) error {
	s.batch = s.batch[:0]
	for i := range ms {
		m := &ms[i]
		if m.Dst.Addr().Is4() != v4 {
			continue
		}
		k := len(s.batch)
		if k == len(s.bufs) {
			s.bufs = append(s.bufs, make([]byte, 28+MaxPayload))
		}
		if k == cap(s.batch) {
			s.batch = append(s.batch, ipv4.Message{})[:k]
		}
		b := s.bufs[k]
		var pkt []byte
		var oob []byte
		if v4 {
			n := 28 + len(m.Buf)
			PutIPv4(b, m.Src.Addr(), m.Dst.Addr(), m.TOS, m.TTL, n)
			PutUDP(b[20:], m.Src, m.Dst, m.Buf)
			copy(b[28:], m.Buf)
			pkt = b[:n]
			if m.IfIndex != 0 {
				oob = s.oob(oobKey{netip.Addr{}, m.IfIndex}, true)
			}
		} else {
			n := 8 + len(m.Buf)
			putUDPHeader(b, m.Src.Port(), m.Dst.Port(), len(m.Buf)) // IPV6_CHECKSUM: the kernel sums
			copy(b[8:], m.Buf)
			pkt = b[:n]
			oob = s.oob(oobKey{m.Src.Addr(), m.IfIndex}, false)
		}
		// Reuse the slot's Buffers slice: a fresh [][]byte per packet would
		// be an allocation on the hot path.
		s.batch = s.batch[:k+1]
		slot := &s.batch[k]
		if cap(slot.Buffers) == 0 {
			slot.Buffers = make([][]byte, 1)
		}
		slot.Buffers = slot.Buffers[:1]
		slot.Buffers[0] = pkt
		slot.OOB = oob
		slot.Addr = s.addr(m.Dst.Addr())
	}
	var firstErr error
	for pending := s.batch; len(pending) > 0; {
		var n int
		var err error
		if v4 {
			n, err = s.v4.WriteBatch(pending, 0)
		} else {
			n, err = s.v6.WriteBatch(pending, 0)
		}
		if err != nil {
			if errors.Is(err, unix.EAGAIN) {
				return fmt.Errorf("netio: send buffer full, %d packets not sent: %w", len(pending), err)
			}
			// Skip the packet that failed (e.g. no route) and go on.
			firstErr = cmp.Or(firstErr, err)
			n = max(n, 1)
		}
		pending = pending[n:]
	}
	return firstErr
}

func (s *RawSender) addr(a netip.Addr) *net.IPAddr {
	if p := s.addrs[a]; p != nil {
		return p
	}
	p := &net.IPAddr{IP: a.AsSlice()}
	s.addrs[a] = p
	return p
}

// oob returns the control message that picks the source address and
// interface of a packet, built once per (source, interface).
func (s *RawSender) oob(k oobKey, v4 bool) []byte {
	if b, ok := s.oobs[k]; ok {
		return b
	}
	var b []byte
	if v4 {
		b = (&ipv4.ControlMessage{IfIndex: k.ifIndex}).Marshal()
	} else {
		b = (&ipv6.ControlMessage{Src: k.src.AsSlice(), IfIndex: k.ifIndex}).Marshal()
	}
	s.oobs[k] = b
	return b
}

// Close closes the sockets.
func (s *RawSender) Close() error {
	if s.c4 != nil {
		s.c4.Close()
	}
	if s.c6 != nil {
		s.c6.Close()
	}
	return nil
}
