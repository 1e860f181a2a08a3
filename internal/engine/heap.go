package engine

import "github.com/dantte-lp/gobfd/internal/session"

// deadlines is a binary min-heap of sessions by their next deadline. Each
// entry knows its index, so a changed deadline is fixed in O(log n) and a
// shard needs one timer for all its sessions.
type deadlines []*entry

func (h deadlines) less(i, j int) bool { return h[i].deadline < h[j].deadline }

func (h deadlines) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *deadlines) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h.swap(i, p)
		i = p
	}
}

func (h *deadlines) down(i int) {
	n := len(*h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h.swap(i, m)
		i = m
	}
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
		*h = append(*h, e)
		h.up(e.index)
		return
	}
	old := e.deadline
	if d == old {
		return // most received packets move only the detection deadline, which is not the earliest
	}
	e.deadline = d
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
	if i != last {
		h.swap(i, last)
	}
	(*h)[last] = nil
	*h = (*h)[:last]
	e.index = -1
	if i != last {
		h.down(i)
		h.up(i)
	}
}

// peek returns the entry with the earliest deadline, or nil.
func (h deadlines) peek() *entry {
	if len(h) == 0 {
		return nil
	}
	return h[0]
}
