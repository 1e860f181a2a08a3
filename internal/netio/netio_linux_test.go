package netio

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dantte-lp/gobfd/internal/netns"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type collector struct {
	mu  sync.Mutex
	got []Message
	ch  chan struct{}
}

func (c *collector) Deliver(ms []Message) {
	c.mu.Lock()
	for _, m := range ms {
		m.Buf = append([]byte(nil), m.Buf...)
		c.got = append(c.got, m)
	}
	c.mu.Unlock()
	select {
	case c.ch <- struct{}{}:
	default:
	}
}

func (c *collector) wait(t *testing.T, n int) []Message {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		c.mu.Lock()
		if len(c.got) >= n {
			defer c.mu.Unlock()
			return append([]Message(nil), c.got...)
		}
		c.mu.Unlock()
		select {
		case <-c.ch:
		case <-deadline:
			t.Fatalf("received %d of %d", len(c.got), n)
		}
	}
}

// One batch with packets of many "sessions" (distinct source ports) over
// IPv4 and IPv6 leaves with TTL 255 (RFC 5881 §5) and its per-packet source
// port (RFC 5881 §4), and arrives with the destination and interface.
func TestRawSendBatchedReceive(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "nio")
	col := &collector{ch: make(chan struct{}, 1)}
	var rx *Receiver
	if err := netns.Do(b, func() (err error) {
		rx, err = Listen(context.Background(), col, ReceiverOptions{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	var tx *RawSender
	if err := netns.Do(a, func() (err error) {
		tx, err = NewRawSender(SenderOptions{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer tx.Close()

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
	got := col.wait(t, len(ms))
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
	if rx.Err() != nil {
		t.Fatal(rx.Err())
	}
}
