package netio

import (
	"encoding/binary"
	"net/netip"
)

// PutUDP writes an 8-byte UDP header for payload into b (len ≥ 8) with the
// checksum over the IPv4 or IPv6 pseudo-header (RFC 768, RFC 8200 §8.1).
func PutUDP(b []byte, src, dst netip.AddrPort, payload []byte) {
	putUDPHeader(b, src.Port(), dst.Port(), len(payload))
	l := 8 + len(payload)
	var sum uint32
	if src.Addr().Is4() {
		s, d := src.Addr().As4(), dst.Addr().As4()
		sum = sum16(sum16(0, s[:]), d[:])
	} else {
		s, d := src.Addr().As16(), dst.Addr().As16()
		sum = sum16(sum16(0, s[:]), d[:])
	}
	sum += 17 + uint32(l)
	sum = sum16(sum16(sum, b[:8]), payload)
	ck := fold(sum)
	if ck == 0 {
		ck = 0xffff
	}
	binary.BigEndian.PutUint16(b[6:], ck)
}

// PutIPv4 writes a 20-byte IPv4 header (RFC 791) into b. With IP_HDRINCL
// the kernel fills in the header checksum and the ID when they are zero.
func PutIPv4(b []byte, src, dst netip.Addr, tos, ttl uint8, total int) {
	b[0] = 0x45
	b[1] = tos
	binary.BigEndian.PutUint16(b[2:], uint16(total))
	b[4], b[5], b[6], b[7] = 0, 0, 0x40, 0 // ID 0, DF
	b[8] = ttl
	b[9] = 17
	b[10], b[11] = 0, 0
	s, d := src.As4(), dst.As4()
	copy(b[12:16], s[:])
	copy(b[16:20], d[:])
	binary.BigEndian.PutUint16(b[10:], fold(sum16(0, b[:20])))
}

func sum16(sum uint32, b []byte) uint32 {
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	return sum
}

func fold(sum uint32) uint16 {
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// putUDPHeader writes ports and length with a zero checksum.
func putUDPHeader(b []byte, src, dst uint16, payloadLen int) {
	binary.BigEndian.PutUint16(b[0:], src)
	binary.BigEndian.PutUint16(b[2:], dst)
	binary.BigEndian.PutUint16(b[4:], uint16(8+payloadLen))
	b[6], b[7] = 0, 0
}
