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

// loop reads batches with recvmmsg until the socket is closed.
func (r *Receiver) loop(c net.PacketConn, v4 bool, port uint16, dev, vrf string, h Handler) {
	msgs := make([]ipv4.Message, ReadBatchSize) // ipv6.Message is the same type
	for i := range msgs {
		msgs[i].Buffers = [][]byte{make([]byte, MaxPayload)}
		msgs[i].OOB = make([]byte, 128)
	}
	out := make([]Message, ReadBatchSize)
	var read func([]ipv4.Message, int) (int, error)
	if v4 {
		read = ipv4.NewPacketConn(c).ReadBatch
	} else {
		read = ipv6.NewPacketConn(c).ReadBatch
	}
	for {
		n, err := read(msgs, 0)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				r.errMu.Lock()
				r.err = err
				r.errMu.Unlock()
			}
			return
		}
		k := 0
		for i := range n {
			m := &msgs[i]
			ua, ok := m.Addr.(*net.UDPAddr)
			if !ok {
				continue
			}
			var meta rxMeta
			parseCmsg(m.OOB[:m.NN], &meta)
			src, _ := netip.AddrFromSlice(ua.IP)
			out[k] = Message{
				Buf:     m.Buffers[0][:m.N],
				Src:     netip.AddrPortFrom(src.Unmap(), uint16(ua.Port)),
				Dst:     netip.AddrPortFrom(meta.dst.Unmap(), port),
				IfIndex: meta.ifIndex,
				TTL:     meta.ttl,
				Device:  dev,
				VRF:     vrf,
			}
			k++
		}
		if k > 0 {
			h.Deliver(out[:k])
		}
	}
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
