package engine

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/dantte-lp/gobfd/internal/netio"
	"github.com/dantte-lp/gobfd/internal/session"
)

// maxReadPerSocket bounds the datagrams a shard reads from one socket per
// loop, so that a flood on one socket does not hold back the timers; the
// rest is read in the next loop, which then does not sleep.
const maxReadPerSocket = 256

// rxState is a shard's own receive sockets (Engine.Listen) and what
// reading them needs; only the shard's goroutine touches it.
type rxState struct {
	socks []*netio.RxSocket
	// pfds[0] is the shard's eventfd, pfds[1+i] socket i: one ppoll
	// sleeps on commands and packets at once.
	pfds []unix.PollFd
	buf  [netio.MaxPayload]byte
	oob  [netio.OOBSize]byte
	msg  netio.Message
	// Packets another shard owns (the kernel's steering was not
	// available, or a socket group is shared) are copied here and
	// forwarded in one Deliver per loop.
	fwd     []netio.Message
	fwdBufs [batchSize][255]byte
}

func (r *rxState) init(w *waiter) {
	r.pfds = append(r.pfds[:0], w.pollFd())
	r.fwd = make([]netio.Message, 0, batchSize)
}

// pollSet is what the shard's sleep polls: the eventfd, and the sockets
// when received packets may wake it.
func (r *rxState) pollSet(sockets bool) []unix.PollFd {
	if sockets {
		return r.pfds
	}
	return r.pfds[:1]
}

// attach adds sockets to the shard (a command of Engine.Listen).
func (r *rxState) attach(ss []*netio.RxSocket) {
	for _, s := range ss {
		r.socks = append(r.socks, s)
		r.pfds = append(r.pfds, unix.PollFd{Fd: int32(s.Fd()), Events: unix.POLLIN})
	}
}

// detach removes and closes sockets (a command of Listener.Close): the
// shard's goroutine closes them, so that none is closed under its poll.
func (r *rxState) detach(ss []*netio.RxSocket) {
	for _, gone := range ss {
		for i, s := range r.socks {
			if s == gone {
				r.socks = append(r.socks[:i], r.socks[i+1:]...)
				r.pfds = append(r.pfds[:1+i], r.pfds[2+i:]...)
				s.Close()
				break
			}
		}
	}
}

func (r *rxState) closeAll() {
	for _, s := range r.socks {
		s.Close()
	}
	r.socks = nil
	r.pfds = r.pfds[:1]
}

var zeroTimeout unix.Timespec

// readSockets reads what is queued on the shard's sockets and handles each
// packet at its kernel receive time. polled says the sleep just polled the
// sockets (their revents are fresh); otherwise one ppoll without a timeout
// looks at all of them. more reports that a socket had more than one
// loop's worth queued; heard is then the receive time up to which every
// packet has been read (the last one read from such a socket: its queue
// is in arrival order), and session.Never when nothing is left queued.
func (sh *shard) readSockets(polled bool) (more bool, heard session.Time) {
	heard = session.Never
	r := &sh.rx
	if len(r.socks) == 0 {
		return false, heard
	}
	fds := r.pfds[1:]
	if !polled {
		if n, _ := unix.Ppoll(fds, &zeroTimeout, nil); n <= 0 {
			return false, heard
		}
	}
	var clk rxClock
	clk.read(sh.eng.start)
	for i, s := range r.socks {
		rev := fds[i].Revents
		fds[i].Revents = 0
		if rev == 0 {
			continue
		}
		pollin := rev&unix.POLLIN != 0
		s.BeginReads(clk.wall)
		last := session.Never
		for k := 0; ; k++ {
			if k == maxReadPerSocket {
				more = true
				heard = min(heard, last)
				break
			}
			ok, err := s.Next(r.buf[:], r.oob[:], &r.msg, pollin)
			if err != nil {
				sh.eng.rxErrors.Add(1)
				break
			}
			if !ok {
				break
			}
			pollin = false
			last = clk.date(sh.eng.start, r.msg.Stamp)
			sh.dispatch(last, &r.msg)
		}
	}
	if len(r.fwd) > 0 {
		sh.eng.Deliver(r.fwd)
		r.fwd = r.fwd[:0]
	}
	return more, heard
}

// rxClock is the pair of clock readings a round of reads dates packets by
// (rxTime).
type rxClock struct {
	wall   time.Time
	at     session.Time // wall on the engine's clock
	wallNs int64
}

func (c *rxClock) read(start time.Time) {
	c.wall = time.Now()
	c.at = session.Time(c.wall.Sub(start))
	c.wallNs = c.wall.UnixNano()
}

// date is the receive time of a packet the kernel stamped at stamp. A
// packet stamped more than a millisecond after the readings arrived while
// the round was reading — a long round, or one whose thread lost the CPU
// in the middle of it — and rxTime would date it, and every later one, to
// the earlier readings: up to a stall's length too early, which can expire
// the Detection Time the packet should have reset. The clocks are read
// again first.
func (c *rxClock) date(start time.Time, stamp int64) session.Time {
	if stamp > c.wallNs+int64(time.Millisecond) {
		c.read(start)
	}
	return rxTime(c.at, c.wallNs, stamp)
}

// dispatch handles a packet read from the shard's socket, or forwards it
// to the shard that owns its session (netio.Steer).
func (sh *shard) dispatch(at session.Time, m *netio.Message) {
	raw := m.Buf
	if len(raw) >= 12 && steer(raw, m, len(sh.eng.shards)) != sh.id {
		r := &sh.rx
		if len(r.fwd) == cap(r.fwd) {
			sh.eng.Deliver(r.fwd)
			r.fwd = r.fwd[:0]
		}
		f := *m
		f.Buf = r.fwdBufs[len(r.fwd)][:copy(r.fwdBufs[len(r.fwd)][:], raw)]
		r.fwd = append(r.fwd, f)
		return
	}
	// BFD's Length field is one byte: 255 bytes hold every Control
	// packet; a longer (RFC 9764 padded) datagram is cut there, which
	// keeps the §6.8.6 Length ≤ payload check exact.
	if len(raw) > 255 {
		raw = raw[:255]
	}
	sh.receive(at, raw, m)
}
