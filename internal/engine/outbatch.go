package engine

import (
	"github.com/dantte-lp/gobfd/internal/netio"
	"github.com/dantte-lp/gobfd/internal/session"
)

// outBatch is packets a shard has built and not yet sent, each in its own
// buffer, with the time each periodic one was due (0: not periodic).
type outBatch struct {
	msgs []netio.Message
	due  []session.Time
	bufs [][maxTxLen]byte
}

func newOutBatch(n int) outBatch {
	return outBatch{msgs: make([]netio.Message, 0, n), due: make([]session.Time, n), bufs: make([][maxTxLen]byte, n)}
}

func (b *outBatch) full() bool { return len(b.msgs) == cap(b.msgs) }

// next is the buffer of the packet add will append.
func (b *outBatch) next() []byte { return b.bufs[len(b.msgs)][:] }

func (b *outBatch) add(due session.Time, m netio.Message) {
	b.due[len(b.msgs)] = due
	b.msgs = append(b.msgs, m)
}
