package netio

import (
	"context"
	"net/netip"
	"os"
	"sync/atomic"
	"testing"
)

type counter struct{ n atomic.Int64 }

func (c *counter) Deliver(ms []Message) { c.n.Add(int64(len(ms))) }

// BenchmarkSendReceive: one batch of 64 BFD-sized packets through the raw
// sender and the batched receiver over loopback; allocs/op are per batch.
func BenchmarkSendReceive(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("raw sockets need root")
	}
	const port = 47841
	c := &counter{}
	rx, err := Listen(context.Background(), c, ReceiverOptions{Ports: []uint16{port},
		Addresses: []netip.Addr{netip.MustParseAddr("127.0.0.1")}})
	if err != nil {
		b.Fatal(err)
	}
	defer rx.Close()
	tx, err := NewRawSender(SenderOptions{SkipIPv6: true})
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Close()
	ms := make([]Message, 64)
	for i := range ms {
		ms[i] = Message{Buf: make([]byte, 24), TTL: 255, TOS: 0xc0,
			Src: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(49152+i)),
			Dst: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := tx.Send(ms); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(c.n.Load())/float64(b.N), "received/op")
}
