package netio

import (
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"
)

// rxMeta is what the kernel tells about a received datagram.
type rxMeta struct {
	ttl     uint8
	dst     netip.Addr
	ifIndex int
	stamp   int64 // SO_TIMESTAMPNS: when the kernel received it, Unix ns
}

// parseCmsg reads IP_TTL/IP_PKTINFO (IPv4) or IPV6_HOPLIMIT/IPV6_PKTINFO
// (IPv6), and SO_TIMESTAMPNS, from a control-message buffer without
// allocating.
func parseCmsg(oob []byte, m *rxMeta) {
	const hdr = unix.SizeofCmsghdr
	for len(oob) >= hdr {
		l := int(binary.NativeEndian.Uint64(oob[0:8]))
		level := int32(binary.NativeEndian.Uint32(oob[8:12]))
		typ := int32(binary.NativeEndian.Uint32(oob[12:16]))
		if l < hdr || l > len(oob) {
			return
		}
		data := oob[hdr:l]
		switch {
		case level == unix.IPPROTO_IP && typ == unix.IP_TTL && len(data) >= 4:
			m.ttl = uint8(binary.NativeEndian.Uint32(data))
		case level == unix.IPPROTO_IP && typ == unix.IP_PKTINFO && len(data) >= 12:
			// struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }
			m.ifIndex = int(binary.NativeEndian.Uint32(data[0:4]))
			m.dst = netip.AddrFrom4([4]byte(data[8:12]))
		case level == unix.SOL_SOCKET && typ == unix.SCM_TIMESTAMPNS && len(data) >= 16:
			// struct timespec { time_t tv_sec; long tv_nsec; } (64-bit)
			m.stamp = int64(binary.NativeEndian.Uint64(data[0:8]))*1e9 + int64(binary.NativeEndian.Uint64(data[8:16]))
		case level == unix.IPPROTO_IPV6 && typ == unix.IPV6_HOPLIMIT && len(data) >= 4:
			m.ttl = uint8(binary.NativeEndian.Uint32(data))
		case level == unix.IPPROTO_IPV6 && typ == unix.IPV6_PKTINFO && len(data) >= 20:
			// struct in6_pktinfo { in6_addr addr; int ifindex; }
			m.dst = netip.AddrFrom16([16]byte(data[0:16]))
			m.ifIndex = int(binary.NativeEndian.Uint32(data[16:20]))
		}
		sp := unix.CmsgSpace(l - hdr)
		if sp > len(oob) {
			return
		}
		oob = oob[sp:]
	}
}
