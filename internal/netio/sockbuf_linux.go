package netio

import "golang.org/x/sys/unix"

// setBuf sizes a socket buffer. With CAP_NET_ADMIN (which gobfd's unit
// grants) the FORCE option goes past net.core.rmem_max/wmem_max, whose
// default (208 KiB) holds only a few hundred packets: too few for the burst
// of thousands of sessions starting at once. Without the capability the
// plain option applies, capped by the sysctl.
func setBuf(fd, force, plain, size int) {
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, force, size) == nil {
		return
	}
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, plain, size)
}
