package netio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// ReadBatchSize is how many datagrams one recvmmsg may return.
const ReadBatchSize = 64

// Receiver reads BFD packets from UDP 3784 and 4784 on IPv4 and IPv6 and
// hands them to a Handler in batches, one goroutine per socket.
type Receiver struct {
	conns []net.PacketConn
	wg    sync.WaitGroup
	errMu sync.Mutex
	err   error
}

// ReceiverOptions configure Listen.
type ReceiverOptions struct {
	Ports     []uint16 // default 3784 and 4784
	Device    string   // SO_BINDTODEVICE (an interface or a VRF); empty: all
	VRF       string   // the VRF Device belongs to (or is), tagged on messages
	ReadBuf   int      // SO_RCVBUF; default 4 MiB
	SkipIPv6  bool
	Addresses []netip.Addr // bind addresses; default the wildcard of each family
	// ThreadSetup, if set, runs first on each reader goroutine (see
	// engine.Options.ThreadSetup).
	ThreadSetup func()
}

// Listen opens the receive sockets and starts reading into h.
func Listen(ctx context.Context, h Handler, o ReceiverOptions) (*Receiver, error) {
	if len(o.Ports) == 0 {
		o.Ports = []uint16{PortSingleHop, PortMultiHop}
	}
	if o.ReadBuf == 0 {
		o.ReadBuf = 4 << 20
	}
	addrs := o.Addresses
	if len(addrs) == 0 {
		addrs = []netip.Addr{netip.IPv4Unspecified()}
		if !o.SkipIPv6 {
			addrs = append(addrs, netip.IPv6Unspecified())
		}
	}
	r := &Receiver{}
	for _, a := range addrs {
		for _, p := range o.Ports {
			c, err := listenUDP(ctx, netip.AddrPortFrom(a, p), o)
			if err != nil {
				r.Close()
				return nil, err
			}
			r.conns = append(r.conns, c)
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				if o.ThreadSetup != nil {
					o.ThreadSetup()
				}
				r.loop(c, a.Is4(), p, o.Device, o.VRF, h)
			}()
		}
	}
	return r, nil
}

func listenUDP(ctx context.Context, ap netip.AddrPort, o ReceiverOptions) (net.PacketConn, error) {
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
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); serr != nil {
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
	if ap.Addr().Is4() {
		err = ipv4.NewPacketConn(c).SetControlMessage(ipv4.FlagTTL|ipv4.FlagDst|ipv4.FlagInterface, true)
	} else {
		err = ipv6.NewPacketConn(c).SetControlMessage(ipv6.FlagHopLimit|ipv6.FlagDst|ipv6.FlagInterface, true)
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("netio: control messages on %s: %w", ap, err)
	}
	return c, nil
}

// loop reads datagrams until the socket is closed and hands them over in
// batches: after each datagram it asks the kernel (SIOCINQ) whether another
// is queued and keeps reading, up to ReadBatchSize, before delivering.
//
// Why not recvmmsg: golang.org/x/net's ReadBatch (the only recvmmsg reachable
// without the unsafe package, which gobfd does not use) allocates the source
// address of every datagram, two heap objects per packet; at 100,000 packets
// per second that is the whole garbage the daemon makes, and with GOGC=off
// (docs: deployment) it grows RSS to GOMEMLIMIT. ReadMsgUDPAddrPort returns
// the source as a value and allocates nothing; one wakeup still drains a
// burst, so the engine sees the same batches. Measured in
// docs/en/12-benchmarks.md ("receive path").
func (r *Receiver) loop(c net.PacketConn, _ bool, port uint16, dev, vrf string, h Handler) {
	uc := c.(*net.UDPConn)
	rc, err := uc.SyscallConn()
	if err != nil {
		r.setErr(err)
		return
	}
	bufs := make([]byte, ReadBatchSize*MaxPayload)
	oobs := make([]byte, ReadBatchSize*oobSize)
	out := make([]Message, ReadBatchSize)
	queued := 0
	probe := func(fd uintptr) { queued, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) }
	k := 0
	for {
		buf := bufs[k*MaxPayload : (k+1)*MaxPayload]
		oob := oobs[k*oobSize : (k+1)*oobSize]
		n, oobn, _, src, err := uc.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			if k > 0 {
				h.Deliver(out[:k])
			}
			if !errors.Is(err, net.ErrClosed) {
				r.setErr(err)
			}
			return
		}
		var meta rxMeta
		parseCmsg(oob[:oobn], &meta)
		out[k] = Message{
			Buf:     buf[:n],
			Src:     netip.AddrPortFrom(src.Addr().Unmap(), src.Port()),
			Dst:     netip.AddrPortFrom(meta.dst.Unmap(), port),
			IfIndex: meta.ifIndex,
			TTL:     meta.ttl,
			Stamp:   meta.stamp,
			Device:  dev,
			VRF:     vrf,
		}
		k++
		if k < ReadBatchSize {
			queued = 0
			if rc.Control(probe) == nil && queued > 0 {
				continue // another datagram is waiting: read it into this batch
			}
		}
		h.Deliver(out[:k])
		k = 0
	}
}

// oobSize holds the control messages asked for (TTL/hop limit and pktinfo).
const oobSize = 128

func (r *Receiver) setErr(err error) {
	r.errMu.Lock()
	r.err = err
	r.errMu.Unlock()
}

// Err returns the error that stopped a reader, if any.
func (r *Receiver) Err() error {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	return r.err
}

// Close closes the sockets and waits for the readers.
func (r *Receiver) Close() error {
	for _, c := range r.conns {
		c.Close()
	}
	r.wg.Wait()
	return nil
}
