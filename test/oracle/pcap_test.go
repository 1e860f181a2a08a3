package oracle

import (
	"bytes"
	"net/netip"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The IPv4 header checksum of a built packet verifies to zero, and the UDP
// checksum over the pseudo-header does too.
func TestUDPPacketChecksums(t *testing.T) {
	src := netip.MustParseAddrPort("198.18.0.1:49152")
	dst := netip.MustParseAddrPort("198.18.0.2:3784")
	p := UDPPacket(src, dst, []byte{1, 2, 3})
	if fold(add(0, p[:20])) != 0 {
		t.Fatal("IPv4 header checksum")
	}
	var s uint32
	s = add(s, p[12:20])
	s += 17 + uint32(len(p)-20)
	if fold(add(s, p[20:])) != 0 {
		t.Fatal("UDP checksum")
	}
	if p[8] != 255 {
		t.Fatal("TTL")
	}
	var buf bytes.Buffer
	w, _ := NewPcapWriter(&buf)
	w.WriteUDP(src, dst, []byte{1})
	if buf.Len() != 24+16+29 {
		t.Fatal(buf.Len())
	}
}
