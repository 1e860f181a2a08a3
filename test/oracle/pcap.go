package oracle

import (
	"encoding/binary"
	"io"
	"net/netip"
)

// LinkTypeRaw is the pcap link type for packets that begin with an IPv4 or
// IPv6 header.
const LinkTypeRaw = 101

// PcapWriter writes a classic libpcap file.
type PcapWriter struct {
	w   io.Writer
	sec uint32
}

// NewPcapWriter writes the file header.
func NewPcapWriter(w io.Writer) (*PcapWriter, error) {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4) // microsecond timestamps
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 65535) // snaplen
	binary.LittleEndian.PutUint32(h[20:], LinkTypeRaw)
	_, err := w.Write(h[:])
	return &PcapWriter{w: w}, err
}

// WriteUDP writes one frame: an IP packet with TTL/Hop Limit 255 (GTSM,
// RFC 5881 §5) carrying a UDP datagram with payload, checksums filled in.
func (p *PcapWriter) WriteUDP(src, dst netip.AddrPort, payload []byte) error {
	frame := UDPPacket(src, dst, payload)
	var h [16]byte
	p.sec++
	binary.LittleEndian.PutUint32(h[0:], p.sec)
	binary.LittleEndian.PutUint32(h[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(h[12:], uint32(len(frame)))
	if _, err := p.w.Write(h[:]); err != nil {
		return err
	}
	_, err := p.w.Write(frame)
	return err
}

// UDPPacket builds an IPv4 or IPv6 packet (by the address family of src)
// with a UDP datagram.
func UDPPacket(src, dst netip.AddrPort, payload []byte) []byte {
	udp := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint16(udp[0:], src.Port())
	binary.BigEndian.PutUint16(udp[2:], dst.Port())
	binary.BigEndian.PutUint16(udp[4:], uint16(len(udp)))
	copy(udp[8:], payload)
	sa, da := src.Addr().AsSlice(), dst.Addr().AsSlice()

	// Pseudo-header checksum (RFC 768, RFC 8200 §8.1).
	var sum uint32
	sum = add(sum, sa)
	sum = add(sum, da)
	sum += 17 + uint32(len(udp))
	sum = add(sum, udp)
	ck := fold(sum)
	if ck == 0 {
		ck = 0xffff
	}
	binary.BigEndian.PutUint16(udp[6:], ck)

	if src.Addr().Is4() {
		ip := make([]byte, 20, 20+len(udp))
		ip[0] = 0x45
		ip[1] = 0xc0 // DSCP CS6
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(udp)))
		ip[8] = 255 // TTL
		ip[9] = 17
		copy(ip[12:], sa)
		copy(ip[16:], da)
		binary.BigEndian.PutUint16(ip[10:], fold(add(0, ip)))
		return append(ip, udp...)
	}
	ip := make([]byte, 40, 40+len(udp))
	ip[0] = 0x6c // version 6, traffic class CS6
	binary.BigEndian.PutUint16(ip[4:], uint16(len(udp)))
	ip[6] = 17
	ip[7] = 255 // Hop Limit
	copy(ip[8:], sa)
	copy(ip[24:], da)
	return append(ip, udp...)
}

func add(sum uint32, b []byte) uint32 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	return sum
}

func fold(sum uint32) uint16 {
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
