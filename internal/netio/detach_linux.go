package netio

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// A shard's receive socket is read by the shard, never through Go's
// network poller: the shard learns that a datagram is queued from its own
// ppoll or from SIOCINQ and only then reads. But the net package (whose
// recvmsg returns the source address without allocating) registers every
// socket with the runtime's epoll set, edge-triggered, and the runtime
// keeps a thread blocked in epoll_wait whenever it is idle: each arriving
// datagram then woke that thread for nothing — 25,000 context switches a
// second at 50,000 sessions, more CPU than the packets themselves.
//
// detachFromRuntimePoller takes the socket out of that set again
// (EPOLL_CTL_DEL on the runtime's epoll descriptor, found through
// /proc/self/fdinfo as the one that watches fd). Nothing else changes for
// the net package: its reads still work, they just cannot wait, which
// RxSocket.Next never does (and a read deadline bounds any that would).
// If the descriptor cannot be found (a future runtime polling another
// way), the socket stays registered: correct, and as costly as before.
func detachFromRuntimePoller(fd int) error {
	epfdMu.Lock()
	defer epfdMu.Unlock()
	if epfd >= 0 && watches(epfd, fd) {
		return unix.EpollCtl(epfd, unix.EPOLL_CTL_DEL, fd, nil)
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err
	}
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if link, _ := os.Readlink("/proc/self/fd/" + e.Name()); link != "anon_inode:[eventpoll]" {
			continue
		}
		if watches(n, fd) {
			epfd = n
			return unix.EpollCtl(n, unix.EPOLL_CTL_DEL, fd, nil)
		}
	}
	return errNoRuntimePoller
}

// detachForSending takes a send-only socket out of the runtime's poller
// too and makes it blocking. Registered, it woke the runtime's poller
// thread after every batch (the writability edge when the kernel frees
// the sent buffers: two or three wake-ups per shard loop). Blocking, a
// full send buffer (which does not happen with 4 MiB and a shard's
// batches of 256) would wait inside the shard's sendmmsg, in the kernel,
// rather than on readiness the detached socket could not report.
func detachForSending(c syscall.Conn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	fd := -1
	rc.Control(func(f uintptr) { fd = int(f) })
	if err := detachFromRuntimePoller(fd); err != nil {
		return err
	}
	return unix.SetNonblock(fd, false)
}

var (
	epfdMu sync.Mutex
	epfd   = -1 // the runtime's epoll descriptor, once found

	errNoRuntimePoller = errors.New("netio: socket not found in the runtime's epoll set")
)

// watches reports whether epoll descriptor ep has fd in its set: its
// fdinfo lists one "tfd: N events: ..." line per watched descriptor.
func watches(ep, fd int) bool {
	info, err := os.ReadFile("/proc/self/fdinfo/" + strconv.Itoa(ep))
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(info))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) >= 2 && string(f[0]) == "tfd:" && string(f[1]) == strconv.Itoa(fd) {
			return true
		}
	}
	return false
}
