package netio

import (
	"net/netip"
	"testing"
)

// The UDP checksum over the pseudo-header verifies to zero (RFC 768,
// RFC 8200 §8.1), and the IPv4 header checksum too.
func TestChecksums(t *testing.T) {
	for _, c := range []struct{ src, dst string }{
		{"198.18.0.1:49152", "198.18.0.2:3784"},
		{"[2001:db8::1]:65535", "[2001:db8::2]:4784"},
	} {
		src, dst := netip.MustParseAddrPort(c.src), netip.MustParseAddrPort(c.dst)
		payload := []byte{0x20, 0xc0, 3, 24, 1, 2, 3}
		b := make([]byte, 8+len(payload))
		PutUDP(b, src, dst, payload)
		copy(b[8:], payload)
		var sum uint32
		if src.Addr().Is4() {
			s, d := src.Addr().As4(), dst.Addr().As4()
			sum = sum16(sum16(0, s[:]), d[:])
		} else {
			s, d := src.Addr().As16(), dst.Addr().As16()
			sum = sum16(sum16(0, s[:]), d[:])
		}
		sum += 17 + uint32(len(b))
		if fold(sum16(sum, b)) != 0 {
			t.Fatalf("%s: UDP checksum does not verify", c.src)
		}
	}
	h := make([]byte, 20)
	PutIPv4(h, netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2"), 0xc0, 255, 52)
	if fold(sum16(0, h)) != 0 || h[8] != 255 || h[1] != 0xc0 {
		t.Fatalf("IPv4 header %x", h)
	}
}
