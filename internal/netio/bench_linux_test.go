package netio

import (
	"context"
	"net/netip"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkSendReceive: one batch of 64 BFD-sized packets through the raw
// sender and back through a shard's receive socket over loopback, read
// the way a shard reads (poll, then Next until empty); allocs/op are per
// batch of 64.
func BenchmarkSendReceive(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("raw sockets need root")
	}
	const port = 47841
	socks, _, err := OpenShards(context.Background(), ReceiverOptions{Ports: []uint16{port},
		Addresses: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer closeAll(socks)
	s := socks[0][0]
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
	buf := make([]byte, MaxPayload)
	oob := make([]byte, OOBSize)
	fds := []unix.PollFd{{Fd: int32(s.Fd()), Events: unix.POLLIN}}
	var m Message
	received := 0
	b.ReportAllocs()
	for b.Loop() {
		if err := tx.Send(ms); err != nil {
			b.Fatal(err)
		}
		got := 0
		for got < len(ms) {
			unix.Poll(fds, 1000)
			pollin := fds[0].Revents&unix.POLLIN != 0
			for {
				ok, err := s.Next(buf, oob, &m, pollin)
				if err != nil {
					b.Fatal(err)
				}
				if !ok {
					break
				}
				pollin = false
				got++
			}
		}
		received += got
	}
	b.StopTimer()
	b.ReportMetric(float64(received)/float64(b.N), "received/op")
}
