package netio

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"

	"github.com/dantte-lp/gobfd/internal/netns"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// drain polls every socket of socks until want datagrams arrived (or 5 s
// passed) and returns them per shard, buffers copied.
func drain(t *testing.T, socks [][]*RxSocket, want int) [][]Message {
	t.Helper()
	got := make([][]Message, len(socks))
	var fds []unix.PollFd
	var owner []*RxSocket
	var shardOf []int
	for i, ss := range socks {
		for _, s := range ss {
			fds = append(fds, unix.PollFd{Fd: int32(s.Fd()), Events: unix.POLLIN})
			owner = append(owner, s)
			shardOf = append(shardOf, i)
		}
	}
	buf := make([]byte, MaxPayload)
	oob := make([]byte, OOBSize)
	deadline := time.Now().Add(5 * time.Second)
	total := 0
	for total < want && time.Now().Before(deadline) {
		if _, err := unix.Poll(fds, 100); err != nil && err != unix.EINTR {
			t.Fatal(err)
		}
		for j := range fds {
			pollin := fds[j].Revents&unix.POLLIN != 0
			for {
				var m Message
				ok, err := owner[j].Next(buf, oob, &m, pollin)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				pollin = false
				m.Buf = append([]byte(nil), m.Buf...)
				got[shardOf[j]] = append(got[shardOf[j]], m)
				total++
			}
		}
	}
	if total < want {
		t.Fatalf("received %d of %d", total, want)
	}
	return got
}

// openIn opens the receive sockets of n shards in namespace ns, closed
// when the test ends.
func openIn(t *testing.T, ns string, n int) ([][]*RxSocket, error) {
	t.Helper()
	var socks [][]*RxSocket
	var steered error
	if err := netns.Do(ns, func() (err error) {
		socks, steered, err = OpenShards(context.Background(), ReceiverOptions{}, n)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeAll(socks) })
	return socks, steered
}

// rawSenderIn opens a raw sender in namespace ns, closed when the test
// ends.
func rawSenderIn(t *testing.T, ns string) *RawSender {
	t.Helper()
	var tx *RawSender
	if err := netns.Do(ns, func() (err error) {
		tx, err = NewRawSender(SenderOptions{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Close() })
	return tx
}

func closeAll(socks [][]*RxSocket) {
	for _, ss := range socks {
		for _, s := range ss {
			s.Close()
		}
	}
}

// One batch with packets of many "sessions" (distinct source ports) over
// IPv4 and IPv6 leaves with TTL 255 (RFC 5881 §5) and its per-packet source
// port (RFC 5881 §4), and arrives with the destination and interface.
func TestRawSendBatchedReceive(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "nio")
	socks, _ := openIn(t, b, 1)
	tx := rawSenderIn(t, a)

	var ms []Message
	for i := range 50 {
		src4 := netip.AddrPortFrom(netip.MustParseAddr("198.18.0.1"), uint16(49152+i))
		src6 := netip.AddrPortFrom(netip.MustParseAddr("2001:db8::1"), uint16(50152+i))
		port := uint16(PortSingleHop)
		if i%5 == 0 {
			port = PortMultiHop
		}
		ms = append(ms,
			Message{Buf: []byte{byte(i), 1, 2, 3}, Src: src4, Dst: netip.AddrPortFrom(netip.MustParseAddr("198.18.0.2"), port), TTL: 255, TOS: 0xc0},
			Message{Buf: []byte{byte(i), 4, 5, 6}, Src: src6, Dst: netip.AddrPortFrom(netip.MustParseAddr("2001:db8::2"), port), TTL: 255, TOS: 0xc0})
	}
	if err := tx.Send(ms); err != nil {
		t.Fatal(err)
	}
	got := drain(t, socks, len(ms))[0]
	seen := map[netip.AddrPort]Message{}
	for _, m := range got {
		seen[m.Src] = m
	}
	for _, w := range ms {
		m, ok := seen[w.Src]
		if !ok {
			t.Fatalf("nothing from %v", w.Src)
		}
		if m.TTL != 255 || m.Dst != w.Dst || m.IfIndex == 0 || string(m.Buf) != string(w.Buf) {
			t.Fatalf("from %v: ttl %d dst %v if %d buf %x", w.Src, m.TTL, m.Dst, m.IfIndex, m.Buf)
		}
	}
}
