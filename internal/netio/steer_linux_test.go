package netio

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// The kernel-side steering program and its Go model agree: every datagram
// arrives at the socket of the shard Steer names, by Your Discriminator
// when it is set and by source address and port otherwise, for IPv4 and
// IPv6 and both BFD ports.
func TestSteeringDeliversToTheNamedShard(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "str")
	// More sources on A so that zero-discriminator packets spread.
	for i := 3; i < 11; i++ {
		netns.IP(t, "-n", a, "addr", "add", fmt.Sprintf("198.18.0.%d/24", i), "dev", "v"+a)
		netns.IP(t, "-n", a, "addr", "add", fmt.Sprintf("2001:db8::%d/64", i), "dev", "v"+a, "nodad")
	}
	const shards = 3
	socks, steered := openIn(t, b, shards)
	if steered != nil {
		t.Fatalf("steering program not attached: %v", steered)
	}
	tx := rawSenderIn(t, a)

	var ms []Message
	for i := 0; i < 120; i++ {
		discr := uint32(0)
		if i%2 == 1 {
			discr = uint32(i*7919 + 1)
		}
		port := uint16(PortSingleHop)
		if i%3 == 0 {
			port = PortMultiHop
		}
		src, dst := fmt.Sprintf("198.18.0.%d", 3+i%8), "198.18.0.2"
		if i%4 >= 2 {
			src, dst = fmt.Sprintf("2001:db8::%d", 3+i%8), "2001:db8::2"
		}
		buf := make([]byte, 24)
		buf[0] = byte(i)
		binary.BigEndian.PutUint32(buf[8:12], discr)
		ms = append(ms, Message{Buf: buf, TTL: 255,
			Src: netip.AddrPortFrom(netip.MustParseAddr(src), uint16(49152+i)),
			Dst: netip.AddrPortFrom(netip.MustParseAddr(dst), port)})
	}
	if err := tx.Send(ms); err != nil {
		t.Fatal(err)
	}
	got := drain(t, socks, len(ms))
	for shard, list := range got {
		for _, m := range list {
			d := binary.BigEndian.Uint32(m.Buf[8:12])
			if want := Steer(d, m.Src.Addr(), m.Dst.Port(), shards); want != shard {
				t.Errorf("packet %d (discr %d from %v to port %d) reached shard %d, Steer says %d",
					m.Buf[0], d, m.Src.Addr(), m.Dst.Port(), shard, want)
			}
		}
		if len(list) == 0 {
			t.Errorf("shard %d received nothing", shard)
		}
	}
}
