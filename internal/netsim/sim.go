package netsim

import (
	"container/heap"
	"math/rand/v2"
	"time"

	"github.com/dantte-lp/gobfd/internal/session"
)

type eventKind uint8

const (
	evWake    eventKind = iota // an endpoint's NextDeadline
	evDeliver                  // a packet arrives at an endpoint
	evFunc                     // a scheduled test action
)

type event struct {
	at   session.Time
	seq  uint64
	kind eventKind
	ep   *Endpoint
	pkt  []byte
	echo bool // an Echo packet (looped back by the receiver)
	fn   func()
}

type queue []*event

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *queue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return e
}

// Sim is the simulated world.
type Sim struct {
	now   session.Time
	seq   uint64
	q     queue
	rng   *rand.Rand
	eps   []*Endpoint
	steps uint64

	sameInstant int
}

// New returns an empty world at virtual time 0 whose randomness derives
// from seed.
func New(seed uint64) *Sim {
	return &Sim{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Now is the current virtual time.
func (s *Sim) Now() session.Time { return s.now }

// Rand is the world's random source, for tests that draw parameters.
func (s *Sim) Rand() *rand.Rand { return s.rng }

// Steps counts the events processed so far.
func (s *Sim) Steps() uint64 { return s.steps }

func (s *Sim) push(e *event) {
	s.seq++
	e.seq = s.seq
	heap.Push(&s.q, e)
}

// At runs fn at virtual time t (now if t is in the past).
func (s *Sim) At(t session.Time, fn func()) {
	s.push(&event{at: max(t, s.now), kind: evFunc, fn: fn})
}

// After runs fn d after now.
func (s *Sim) After(d time.Duration, fn func()) { s.At(s.now.Add(d), fn) }

// Step processes the next event; it reports false when none is left.
func (s *Sim) Step() bool {
	if len(s.q) == 0 {
		return false
	}
	e := heap.Pop(&s.q).(*event)
	if e.at == s.now {
		s.sameInstant++
		if s.sameInstant > 1_000_000 {
			panic("netsim: a million events at one instant: something never lets time advance")
		}
	} else {
		s.sameInstant = 0
	}
	s.now = e.at
	s.steps++
	switch e.kind {
	case evWake:
		e.ep.wake(e.at)
	case evDeliver:
		e.ep.receive(e.pkt, e.echo)
	case evFunc:
		e.fn()
	}
	return true
}

// RunUntil processes every event up to and including t and leaves the
// clock at t.
func (s *Sim) RunUntil(t session.Time) {
	for len(s.q) > 0 && s.q[0].at <= t {
		s.Step()
	}
	s.now = max(s.now, t)
}

// RunFor advances the clock by d.
func (s *Sim) RunFor(d time.Duration) { s.RunUntil(s.now.Add(d)) }

// WaitFor advances time until cond holds, checking after every event, for
// at most timeout. It reports whether cond held.
func (s *Sim) WaitFor(cond func() bool, timeout time.Duration) bool {
	end := s.now.Add(timeout)
	for !cond() {
		if len(s.q) == 0 || s.q[0].at > end {
			s.now = max(s.now, end)
			return cond()
		}
		s.Step()
	}
	return true
}
