package netio

import (
	"net/netip"
	"sync"
)

// Mem is an in-memory network for tests: every Sender obtained from it
// delivers synchronously to the Handler registered for the destination
// address. Delivery can be cut per source address.
type Mem struct {
	mu    sync.Mutex
	hosts map[netip.Addr]Handler
	cut   map[netip.Addr]bool
	sent  uint64
}

// NewMem returns an empty network.
func NewMem() *Mem {
	return &Mem{hosts: make(map[netip.Addr]Handler), cut: make(map[netip.Addr]bool)}
}

// Attach registers h as the receiver of packets to addr.
func (m *Mem) Attach(addr netip.Addr, h Handler) {
	m.mu.Lock()
	m.hosts[addr] = h
	m.mu.Unlock()
}

// Cut silences (or restores) every packet sent from addr.
func (m *Mem) Cut(addr netip.Addr, cut bool) {
	m.mu.Lock()
	m.cut[addr] = cut
	m.mu.Unlock()
}

// Sent counts delivered and cut packets.
func (m *Mem) Sent() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sent
}

// Send implements Sender: each message is copied and handed to the
// destination's handler on its own goroutine-free path.
func (m *Mem) Send(ms []Message) error {
	for i := range ms {
		m.mu.Lock()
		m.sent++
		h := m.hosts[ms[i].Dst.Addr()]
		cut := m.cut[ms[i].Src.Addr()]
		m.mu.Unlock()
		if h == nil || cut {
			continue
		}
		c := ms[i]
		c.Buf = append([]byte(nil), ms[i].Buf...)
		h.Deliver([]Message{c})
	}
	return nil
}
