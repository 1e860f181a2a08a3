package engine

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/dantte-lp/gobfd/internal/netio"
)

// A packet read from a shard's socket that another shard owns (the
// kernel's steering unavailable, or a socket group shared) is forwarded
// to the owner's queue, not handled or dropped where it arrived; one the
// shard owns is handled in place (RFC 5880 §6.8.6 demultiplexing is the
// owner's).
func TestMisdirectedPacketIsForwarded(t *testing.T) {
	e := New(netio.NewMem(), Options{Shards: 4})
	sh := e.shards[1]
	sh.rx.init(sh.w)
	src := netip.MustParseAddr("198.18.0.9")
	for _, discr := range []uint32{0, 7, 9, 10} {
		buf := make([]byte, 24)
		binary.BigEndian.PutUint32(buf[8:12], discr)
		m := netio.Message{Buf: buf, Src: netip.AddrPortFrom(src, 49152),
			Dst: netip.AddrPortFrom(netip.MustParseAddr("198.18.0.1"), netio.PortSingleHop), TTL: 255}
		owner := netio.Steer(discr, src, netio.PortSingleHop, 4)
		sh.dispatch(0, &m)
		if owner == sh.id {
			if len(sh.rx.fwd) != 0 {
				t.Fatalf("discr %d: own packet forwarded", discr)
			}
			continue
		}
		if len(sh.rx.fwd) != 1 || binary.BigEndian.Uint32(sh.rx.fwd[0].Buf[8:12]) != discr {
			t.Fatalf("discr %d: not queued for forwarding: %v", discr, sh.rx.fwd)
		}
		e.Deliver(sh.rx.fwd)
		sh.rx.fwd = sh.rx.fwd[:0]
		select {
		case b := <-e.shards[owner].in:
			if b.n != 1 || binary.BigEndian.Uint32(b.msgs[0].buf[8:12]) != discr {
				t.Fatalf("discr %d: shard %d got %d packets", discr, owner, b.n)
			}
		default:
			t.Fatalf("discr %d: nothing reached shard %d", discr, owner)
		}
	}
}
