package engine

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// waiter is how a shard sleeps: in ppoll(2) on an eventfd, on its own
// locked thread, until its next deadline or until another goroutine
// signals work.
//
// Why not select on channels and a time.Timer: when the process is idle
// the Go runtime sleeps in epoll_wait with its timeout rounded up to whole
// milliseconds (runtime/netpoll_epoll.go), so a timer due in 300 µs fires
// after 1 ms, and the wake-up then travels through the scheduler. ppoll
// takes a nanosecond timeout, the kernel wakes this very thread (with the
// timer slack set to 1 µs, and at once if it runs SCHED_FIFO), and a
// session's Detection Time expiry is acted upon within microseconds.
//
// The shard's P sits in a system call meanwhile; the daemon runs with
// spare Ps (GOMAXPROCS above the shard count) so the readers always have
// one.
type waiter struct {
	fd     int          // eventfd; -1: unavailable, fall back to short sleeps
	state  atomic.Int32 // awake, or which signals wake the sleeper
	buf    [8]byte
	mu     sync.Mutex // orders signal's write against close
	closed bool
}

const (
	awake       = 0
	sleepAll    = 1 // received packets and commands wake the shard
	sleepCmdsOn = 2 // only commands: packets wait for the deadline due within a tick
)

var eventOne = [8]byte{1} // eventfd increment of 1 (host byte order, little endian)

func newWaiter() *waiter {
	w := &waiter{fd: -1}
	if fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC); err == nil {
		w.fd = fd
	}
	return w
}

// pollFd is the eventfd as the first entry of a sleep's poll set.
func (w *waiter) pollFd() unix.PollFd { return unix.PollFd{Fd: int32(w.fd), Events: unix.POLLIN} }

// prepare announces the sleep; the caller then checks its queues once more
// (a producer that enqueued before this saw "awake" and did not signal).
func (w *waiter) prepare(mode int32) { w.state.Store(mode) }

// cancel ends a prepared sleep without sleeping.
func (w *waiter) cancel() { w.state.Store(awake) }

// sleep waits up to d for a signal or for POLLIN on another descriptor of
// fds (fds[0] is the eventfd, from pollFd). It reports whether fds were
// polled, so that their revents are fresh.
func (w *waiter) sleep(d time.Duration, fds []unix.PollFd) bool {
	polled := false
	if w.fd < 0 {
		time.Sleep(min(d, time.Millisecond))
	} else {
		ts := unix.NsecToTimespec(int64(max(d, 1)))
		n, err := unix.Ppoll(fds, &ts, nil) // EINTR: the loop looks again
		polled = err == nil
		if n > 0 && fds[0].Revents&unix.POLLIN != 0 {
			unix.Read(w.fd, w.buf[:]) // reset the counter
		}
	}
	w.state.Store(awake)
	return polled && len(fds) > 1
}

// signal wakes the sleeper if it sleeps in a mode that wants this kind of
// work (cmd: a command rather than a received packet). The
// compare-and-swap makes one producer pay for the wake-up and orders the
// producer's enqueue before its look at the state.
func (w *waiter) signal(cmd bool) {
	if w.state.CompareAndSwap(sleepAll, awake) || (cmd && w.state.CompareAndSwap(sleepCmdsOn, awake)) {
		w.mu.Lock()
		if !w.closed && w.fd >= 0 {
			unix.Write(w.fd, eventOne[:])
		}
		w.mu.Unlock()
	}
}

// close releases the eventfd; later signals do nothing.
func (w *waiter) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed && w.fd >= 0 {
		unix.Close(w.fd)
	}
	w.closed = true
}

// lowTimerSlack makes the calling thread's sleeps end within 1 µs of
// their timeout instead of the default 50 µs (prctl PR_SET_TIMERSLACK).
func lowTimerSlack() { unix.Prctl(unix.PR_SET_TIMERSLACK, 1000, 0, 0, 0) }
