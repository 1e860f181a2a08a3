package engine

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// Event is a state change of a session (RFC 5880 §6.2).
type Event struct {
	Key        Key
	LocalDiscr uint32
	Old, New   packet.State
	LocalDiag  packet.Diag
	RemoteDiag packet.Diag
	// RemoteState is the peer's last state (AdminDown: disabled on purpose).
	RemoteState packet.State
	// DetectionTime is the session's Detection Time when it changed
	// (RFC 5880 §6.8.4); 0 before the peer was heard.
	DetectionTime time.Duration
	// At is when the shard saw the change; it carries Go's monotonic
	// reading, so differences between events are exact.
	At time.Time
	// Lost counts events this subscriber missed just before this one
	// because its queue was full.
	Lost uint64
}

// Subscription is one consumer of the event stream.
type Subscription struct {
	C    <-chan Event
	c    chan Event
	lost atomic.Uint64
	hub  *hub
}

// Lost returns events dropped for this subscriber and not yet reported.
func (s *Subscription) Lost() uint64 { return s.lost.Load() }

// Close stops the subscription.
func (s *Subscription) Close() { s.hub.unsubscribe(s) }

// hub fans events out to subscribers without ever blocking a shard.
type hub struct {
	mu   sync.RWMutex
	subs map[*Subscription]struct{}
	lost atomic.Uint64 // events any subscriber missed, in all
}

func newHub() *hub { return &hub{subs: make(map[*Subscription]struct{})} }

func (h *hub) subscribe(n int) *Subscription {
	c := make(chan Event, n)
	s := &Subscription{C: c, c: c, hub: h}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *hub) unsubscribe(s *Subscription) {
	h.mu.Lock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.c)
	}
	h.mu.Unlock()
}

// publish offers ev to every subscriber; a full queue loses the event and
// the loss is reported with the next event that fits.
func (h *hub) publish(ev Event) {
	h.mu.RLock()
	for s := range h.subs {
		e := ev
		e.Lost = s.lost.Load()
		select {
		case s.c <- e:
			s.lost.Add(^(e.Lost - 1)) // subtract what was reported
		default:
			s.lost.Add(1)
			h.lost.Add(1)
		}
	}
	h.mu.RUnlock()
}

func (h *hub) closeAll() {
	h.mu.Lock()
	for s := range h.subs {
		delete(h.subs, s)
		close(s.c)
	}
	h.mu.Unlock()
}
