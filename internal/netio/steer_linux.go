package netio

import (
	"fmt"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// steerProgram is the classic BPF program of a SO_REUSEPORT group of n
// sockets (socket i belongs to shard i): it returns the index Steer
// computes. The kernel runs it on each datagram with the data starting at
// the UDP payload; the source address is read from the network header
// (SKF_NET_OFF). A datagram shorter than the loads aborts the program,
// which returns 0: shard 0 then drops it as malformed.
func steerProgram(n int, ipv6 bool, port uint16) ([]bpf.RawInstruction, error) {
	srcLast4 := uint32(12) // IPv4 header: source address at 12
	if ipv6 {
		srcLast4 = 8 + 12 // IPv6 header: source address at 8, its last four bytes
	}
	return bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 8, Size: 4}, // Your Discriminator (RFC 5880 §4.1)
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipTrue: 2},
		bpf.ALUOpConstant{Op: bpf.ALUOpMod, Val: uint32(n)},
		bpf.RetA{},
		bpf.LoadAbsolute{Off: uint32(skfNetOff + int32(srcLast4)), Size: 4},
		bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: portType(port)},
		bpf.ALUOpConstant{Op: bpf.ALUOpMod, Val: uint32(n)},
		bpf.RetA{},
	})
}

// skfNetOff makes a classic BPF load relative to the network header
// (SKF_NET_OFF in linux/filter.h; x/sys does not define it).
const skfNetOff = -0x100000

// attachSteering installs the program on the group fd belongs to.
func attachSteering(fd, n int, ipv6 bool, port uint16) error {
	raw, err := steerProgram(n, ipv6, port)
	if err != nil {
		return err
	}
	f := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		f[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	prog := unix.SockFprog{Len: uint16(len(f)), Filter: &f[0]}
	if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_REUSEPORT_CBPF, &prog); err != nil {
		return fmt.Errorf("SO_ATTACH_REUSEPORT_CBPF: %w", err)
	}
	return nil
}
