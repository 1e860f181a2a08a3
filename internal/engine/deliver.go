package engine

import (
	"encoding/binary"
	"net"
	"time"

	"github.com/dantte-lp/gobfd/internal/netio"
	"github.com/dantte-lp/gobfd/internal/session"
)

// Deliver hands received packets to their shards (netio.Handler). It runs
// on the reader's goroutine, copies what it needs and never blocks: if a
// shard's queue is full the batch is dropped and counted as an overrun.
func (e *Engine) Deliver(ms []netio.Message) {
	n := len(e.shards)
	var pending [maxShards]*rxBatch
	wall := time.Now()
	at := session.Time(wall.Sub(e.start))
	wallNs := wall.UnixNano()
	for i := range ms {
		m := &ms[i]
		sh := 0
		if len(m.Buf) >= 12 {
			if d := binary.BigEndian.Uint32(m.Buf[8:12]); d != 0 {
				sh = int(d % uint32(len(e.shards)))
			} else {
				t := SingleHop
				if m.Dst.Port() == netio.PortMultiHop {
					t = MultiHop
				}
				sh = shardOf(m.Src.Addr(), t, len(e.shards))
			}
		}
		b := pending[sh]
		if b == nil {
			b = e.batches.Get().(*rxBatch)
			pending[sh] = b
		}
		r := &b.msgs[b.n]
		r.at = at
		// The kernel's receive time, moved onto the engine's monotonic
		// clock, when it is plausible: a wall clock stepped since then
		// makes the packet's age negative or absurd, and then the time
		// it was read counts.
		if age := wallNs - m.Stamp; m.Stamp != 0 && age > 0 && age < int64(maxRxAge) {
			r.at = at - session.Time(age)
		}
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
