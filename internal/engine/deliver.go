package engine

import (
	"encoding/binary"
	"net"
	"time"

	"github.com/dantte-lp/gobfd/internal/netio"
	"github.com/dantte-lp/gobfd/internal/session"
)

// Deliver hands received packets to their shards (netio.Handler): packets
// of an in-memory network (netio.Mem, tests), and packets a shard read
// from its socket that another shard owns. It copies what it needs and
// never blocks: if a shard's queue is full the batch is dropped and
// counted as an overrun.
func (e *Engine) Deliver(ms []netio.Message) {
	n := len(e.shards)
	var pending [maxShards]*rxBatch
	wall := time.Now()
	at := session.Time(wall.Sub(e.start))
	wallNs := wall.UnixNano()
	for i := range ms {
		m := &ms[i]
		sh := steer(m.Buf, m, n)
		b := pending[sh]
		if b == nil {
			b = e.batches.Get().(*rxBatch)
			pending[sh] = b
		}
		r := &b.msgs[b.n]
		r.at = rxTime(at, wallNs, m.Stamp)
		r.n = copy(r.buf[:], m.Buf)
		r.meta = *m
		r.meta.Buf = nil
		b.n++
		if b.n == batchSize {
			e.handoff(sh, b)
			pending[sh] = nil
		}
	}
	for sh, b := range pending[:n] {
		if b != nil {
			e.handoff(sh, b)
		}
	}
}

// steer is the shard that owns the session of a received packet
// (netio.Steer); 0 for a datagram too short to carry Your Discriminator
// (it is malformed: a shard drops it).
func steer(raw []byte, m *netio.Message, n int) int {
	if len(raw) < 12 {
		return 0
	}
	return netio.Steer(binary.BigEndian.Uint32(raw[8:12]), m.Src.Addr(), m.Dst.Port(), n)
}

// rxTime is a packet's receive time on the engine's clock: the kernel's
// receive time (stamp, Unix ns) moved onto the monotonic clock by the pair
// (at, wallNs) read together, when it is plausible: a wall clock stepped
// since then makes the packet's age negative or absurd, and then the time
// it was read (at) counts. A packet that arrived just after the pair was
// read has a small negative age.
func rxTime(at session.Time, wallNs, stamp int64) session.Time {
	if age := wallNs - stamp; stamp != 0 && age > -int64(time.Millisecond) && age < int64(maxRxAge) {
		return at - session.Time(age)
	}
	return at
}

// maxRxAge bounds the kernel receive time's correction of a packet's
// receive time (a larger age means the wall clock moved).
const maxRxAge = 100 * time.Millisecond

func (e *Engine) handoff(sh int, b *rxBatch) {
	select {
	case e.shards[sh].in <- b:
		e.shards[sh].w.signal(false)
	default:
		e.overruns.Add(uint64(b.n))
		b.n = 0
		e.batches.Put(b)
	}
}

// ifIndexOf resolves an interface name (empty: any interface).
func ifIndexOf(name string) (int, error) {
	if name == "" {
		return 0, nil
	}
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return 0, err
	}
	return ifi.Index, nil
}
