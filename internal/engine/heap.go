package engine

import "github.com/dantte-lp/gobfd/internal/session"

// deadlines is a 4-ary min-heap of sessions by their next deadline. Each
// entry knows its index, so a changed deadline is fixed in O(log n) and a
// shard needs one timer for all its sessions.
//
// The heap holds each deadline beside its entry pointer: sifting compares
// slots in the heap's own array — four children side by side, in one or
// two cache lines — instead of loading each child's entry from wherever
// it lives. With tens of thousands of sessions per shard, every
// transmission moves one session from the top of the heap to a second
// later (down the whole height), and the binary heap of pointers spent
// most of that walk waiting for entries to come in from memory: it was
// 8 % of a daemon's CPU at 50,000 sessions (docs/en/12-benchmarks.md).
// Four children per node also halve the height.
type deadlines []slot

type slot struct {
	at session.Time
	e  *entry
}

const heapArity = 4

func (h deadlines) place(i int, s slot) {
	h[i] = s
	s.e.index = i
}

func (h deadlines) up(i int) {
	s := h[i]
	for i > 0 {
		p := (i - 1) / heapArity
		if h[p].at <= s.at {
			break
		}
		h.place(i, h[p])
		i = p
	}
	h.place(i, s)
}

func (h deadlines) down(i int) {
	n := len(h)
	s := h[i]
	for {
		c := heapArity*i + 1
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < min(c+heapArity, n); j++ {
			if h[j].at < h[m].at {
				m = j
			}
		}
		if h[m].at >= s.at {
			break
		}
		h.place(i, h[m])
		i = m
	}
	h.place(i, s)
}

// set places e at deadline d (session.Never removes it from the heap).
func (h *deadlines) set(e *entry, d session.Time) {
	if d == session.Never {
		h.remove(e)
		e.deadline = d
		return
	}
	if e.index < 0 {
		e.deadline = d
		e.index = len(*h)
		*h = append(*h, slot{d, e})
		h.up(e.index)
		return
	}
	old := e.deadline
	if d == old {
		return // most received packets move only the detection deadline, which is not the earliest
	}
	e.deadline = d
	(*h)[e.index].at = d
	if d < old {
		h.up(e.index)
	} else {
		h.down(e.index)
	}
}

func (h *deadlines) remove(e *entry) {
	i := e.index
	if i < 0 {
		return
	}
	last := len(*h) - 1
	moved := (*h)[last]
	(*h)[last] = slot{}
	*h = (*h)[:last]
	e.index = -1
	if i != last {
		h.place(i, moved)
		h.down(i)
		h.up(moved.e.index)
	}
}

// peek returns the entry with the earliest deadline, or nil.
func (h deadlines) peek() *entry {
	if len(h) == 0 {
		return nil
	}
	return h[0].e
}
