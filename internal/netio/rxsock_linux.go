package netio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// ReceiverOptions configure OpenShards.
type ReceiverOptions struct {
	Ports     []uint16 // default 3784 and 4784
	Device    string   // SO_BINDTODEVICE (an interface or a VRF); empty: all
	VRF       string   // the VRF Device belongs to (or is), tagged on messages
	ReadBuf   int      // SO_RCVBUF of each socket; default DefaultReadBuf
	SkipIPv6  bool
	Addresses []netip.Addr // bind addresses; default the wildcard of each family
}

// RxSocket is one receive socket of one shard. The shard polls its file
// descriptor in its own sleep (ppoll) and reads it on its own goroutine:
// no reader goroutine, no hand-over between threads, one wake-up serves
// the packets and the timers that are due.
//
// The socket stays registered with Go's network poller (the net package
// reads it allocation-free, returning the source as a value), but only
// Next reads it, and Next reads only what the kernel says is queued, so
// the shard never parks in the poller.
type RxSocket struct {
	c      *net.UDPConn
	rc     syscall.RawConn
	fd     int
	port   uint16
	device string
	vrf    string
	queued int
	probe  func(uintptr)
	// detached: the runtime's poller does not watch the socket (see
	// detachFromRuntimePoller); guard is the read deadline that bounds a
	// read that would wait for ever.
	detached bool
	guard    time.Time
}

// readGuard bounds how long a read of a detached socket could wait if the
// queue emptied between SIOCINQ and the read (it does not: only the shard
// reads; the deadline is a safety net).
const readGuard = 100 * time.Millisecond

// BeginReads prepares reads at time now: it moves the safety deadline
// forward when it is due within half its length (a few system calls a
// second, not one per packet).
func (s *RxSocket) BeginReads(now time.Time) {
	if s.detached && s.guard.Sub(now) < readGuard/2 {
		s.guard = now.Add(readGuard)
		s.c.SetReadDeadline(s.guard)
	}
}

// Fd is the descriptor to poll for POLLIN.
func (s *RxSocket) Fd() int { return s.fd }

// Close closes the socket; only its shard may call it.
func (s *RxSocket) Close() error { return s.c.Close() }

// Next reads the datagram at the head of the receive queue into buf and
// oob and describes it in m (m.Buf is a slice of buf). It returns false,
// without blocking, when nothing is queued. pollin says that a poll of Fd
// has just reported POLLIN: only then is a queued datagram of length 0
// (which SIOCINQ cannot tell from an empty queue) read, after a second
// look; otherwise it is left for the next poll.
func (s *RxSocket) Next(buf, oob []byte, m *Message, pollin bool) (bool, error) {
	s.queued = 0
	if err := s.rc.Control(s.probe); err != nil {
		return false, err
	}
	if s.queued == 0 && !(pollin && s.readable()) {
		return false, nil
	}
	n, oobn, _, src, err := s.c.ReadMsgUDPAddrPort(buf, oob)
	if err != nil {
		return false, err
	}
	var meta rxMeta
	parseCmsg(oob[:oobn], &meta)
	*m = Message{
		Buf:     buf[:n],
		Src:     netip.AddrPortFrom(src.Addr().Unmap(), src.Port()),
		Dst:     netip.AddrPortFrom(meta.dst.Unmap(), s.port),
		IfIndex: meta.ifIndex,
		TTL:     meta.ttl,
		Stamp:   meta.stamp,
		Device:  s.device,
		VRF:     s.vrf,
	}
	return true, nil
}

// readable polls the socket without waiting. SIOCINQ gives the length of
// the first good datagram (dropping ones with a bad checksum on the way),
// so 0 means an empty queue or a zero-length datagram; POLLIN now means
// the latter, which a read then returns at once.
func (s *RxSocket) readable() bool {
	fds := [1]unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds[:], 0)
	return err == nil && n > 0 && fds[0].Revents&unix.POLLIN != 0
}

// OpenShards opens the receive sockets of n shards: for every bind address
// and port, a SO_REUSEPORT group of n sockets whose kernel-side program
// (steerProgram) hands each datagram to the socket of the shard Steer
// names. socks[i] are shard i's sockets.
//
// If the program cannot be attached, the kernel spreads datagrams by a
// hash instead; the engine still forwards each packet to its shard, so
// only efficiency is lost, and steered reports it.
func OpenShards(ctx context.Context, o ReceiverOptions, n int) (socks [][]*RxSocket, steered error, err error) {
	if len(o.Ports) == 0 {
		o.Ports = []uint16{PortSingleHop, PortMultiHop}
	}
	if o.ReadBuf == 0 {
		o.ReadBuf = DefaultReadBuf
	}
	addrs := o.Addresses
	if len(addrs) == 0 {
		addrs = []netip.Addr{netip.IPv4Unspecified()}
		if !o.SkipIPv6 {
			addrs = append(addrs, netip.IPv6Unspecified())
		}
	}
	socks = make([][]*RxSocket, n)
	fail := func(err error) ([][]*RxSocket, error, error) {
		for _, ss := range socks {
			for _, s := range ss {
				s.Close()
			}
		}
		return nil, nil, err
	}
	for _, a := range addrs {
		for _, p := range o.Ports {
			ap := netip.AddrPortFrom(a, p)
			for i := range n {
				s, err := openRx(ctx, ap, o)
				if err != nil {
					return fail(err)
				}
				socks[i] = append(socks[i], s)
			}
			if n > 1 {
				if err := attachSteering(socks[0][len(socks[0])-1].fd, n, a.Is6(), p); err != nil {
					steered = errors.Join(steered, fmt.Errorf("netio: %s: %w", ap, err))
				}
			}
		}
	}
	return socks, steered, nil
}

// openRx opens one socket of a group.
func openRx(ctx context.Context, ap netip.AddrPort, o ReceiverOptions) (*RxSocket, error) {
	network := "udp4"
	if ap.Addr().Is6() {
		network = "udp6"
	}
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			if o.Device != "" {
				if serr = unix.SetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE, o.Device); serr != nil {
					return
				}
			}
			// One socket per shard on the same address and port.
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); serr != nil {
				return
			}
			// The kernel's receive time of each datagram: when a packet
			// was received (RFC 5880 §6.8.4) however late we read it.
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); serr != nil {
				return
			}
			setBuf(int(fd), unix.SO_RCVBUFFORCE, unix.SO_RCVBUF, o.ReadBuf)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	c, err := lc.ListenPacket(ctx, network, ap.String())
	if err != nil {
		return nil, fmt.Errorf("netio: listen %s: %w", ap, err)
	}
	// TTL/Hop Limit for GTSM (RFC 5881 §5), the destination address and
	// the arrival interface for demultiplexing (RFC 5880 §6.8.6).
	if ap.Addr().Is4() {
		err = ipv4.NewPacketConn(c).SetControlMessage(ipv4.FlagTTL|ipv4.FlagDst|ipv4.FlagInterface, true)
	} else {
		err = ipv6.NewPacketConn(c).SetControlMessage(ipv6.FlagHopLimit|ipv6.FlagDst|ipv6.FlagInterface, true)
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("netio: control messages on %s: %w", ap, err)
	}
	uc := c.(*net.UDPConn)
	rc, err := uc.SyscallConn()
	if err != nil {
		c.Close()
		return nil, err
	}
	s := &RxSocket{c: uc, rc: rc, port: ap.Port(), device: o.Device, vrf: o.VRF}
	rc.Control(func(fd uintptr) { s.fd = int(fd) })
	s.probe = func(fd uintptr) { s.queued, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) }
	s.detached = detachFromRuntimePoller(s.fd) == nil
	return s, nil
}

// DefaultReadBuf is the receive buffer of each socket. The kernel charges
// a datagram's whole buffer (about 1 KiB on veth and most NICs) against it,
// not its 24 bytes: 4 MiB held about 4,000 packets, 140 ms of a shard's
// share at 50,000 sessions of 1 s, and a stall of the shard's thread that
// long (a busy two-core machine, vCPU steal) made the kernel drop
// datagrams (UDP RcvbufErrors) — three in a row from one session are a
// false Down. 32 MiB rides out a second at that rate. The memory is used
// only while packets wait.
const DefaultReadBuf = 32 << 20

// OOBSize holds the control messages a receive socket asks for (TTL or
// hop limit, packet info, receive time).
const OOBSize = 128
