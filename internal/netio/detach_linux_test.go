package netio

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"
)

// A shard's socket leaves the runtime's epoll set (no thread is woken per
// datagram for nothing), still reads what is queued, and a read that would
// wait for ever on an empty socket ends at the safety deadline instead.
func TestSocketLeavesRuntimePoller(t *testing.T) {
	socks, _, err := OpenShards(context.Background(), ReceiverOptions{Ports: []uint16{0},
		Addresses: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(socks)
	s := socks[0][0]
	if !s.detached {
		t.Fatal("socket still in the runtime's poller")
	}
	if epfd < 0 || watches(epfd, s.fd) {
		t.Fatalf("epoll %d still watches fd %d", epfd, s.fd)
	}

	c, err := net.Dial("udp4", s.c.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(make([]byte, 24)); err != nil {
		t.Fatal(err)
	}
	buf, oob := make([]byte, MaxPayload), make([]byte, OOBSize)
	var m Message
	deadline := time.Now().Add(2 * time.Second)
	for {
		ok, err := s.Next(buf, oob, &m, false)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("queued datagram not read")
		}
		time.Sleep(time.Millisecond)
	}
	if len(m.Buf) != 24 || m.Src.Addr() != netip.MustParseAddr("127.0.0.1") {
		t.Fatalf("read %d bytes from %v", len(m.Buf), m.Src)
	}

	// A read of the empty queue (which Next never does) cannot wait for
	// readiness the poller will never report: the deadline ends it.
	start := time.Now()
	s.BeginReads(start)
	_, _, _, _, err = s.c.ReadMsgUDPAddrPort(buf, oob)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read of an empty socket: %v", err)
	}
	if d := time.Since(start); d > 10*readGuard {
		t.Fatalf("read waited %v", d)
	}
}
