package engine

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// shardTimer is a shard's one timer: a timerfd read through the Go
// netpoller. A time.Timer would do, except that when the process is idle
// the runtime sleeps in epoll_wait with a timeout rounded up to whole
// milliseconds (runtime/netpoll_epoll.go), so a timer due in 300 µs fires
// after 1 ms: half a millisecond late on average, a full one at worst —
// as much as the tick grid itself at 10 ms sessions. A timerfd becomes
// readable on the kernel's high-resolution timer and epoll_wait returns at
// once, so the shard wakes within microseconds of the deadline.
type shardTimer struct {
	C    chan struct{} // receives when the timer fires (capacity 1)
	fd   int
	f    *os.File
	done chan struct{}
	std  *time.Timer // fallback when no timerfd can be made
}

func newShardTimer() *shardTimer {
	t := &shardTimer{C: make(chan struct{}, 1), done: make(chan struct{})}
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		t.std = time.AfterFunc(time.Hour, t.fire)
		close(t.done)
		return t
	}
	t.fd = fd
	t.f = os.NewFile(uintptr(fd), "timerfd") // non-blocking: read via the netpoller
	go func() {
		defer close(t.done)
		var buf [8]byte // expirations since the last read
		for {
			if _, err := t.f.Read(buf[:]); err != nil {
				return // closed
			}
			t.fire()
		}
	}()
	return t
}

func (t *shardTimer) fire() {
	select {
	case t.C <- struct{}{}:
	default:
	}
}

// reset arms the timer to fire once after d (at least 1 ns).
func (t *shardTimer) reset(d time.Duration) {
	if t.std != nil {
		t.std.Reset(d)
		return
	}
	its := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(max(d, 1)))}
	if unix.TimerfdSettime(t.fd, 0, &its, nil) != nil {
		t.fire() // cannot arm: wake now rather than never
	}
}

// stop releases the timer.
func (t *shardTimer) stop() {
	if t.std != nil {
		t.std.Stop()
		return
	}
	t.f.Close()
	<-t.done
}
