package netsim

import "github.com/dantte-lp/gobfd/internal/session"

// Pair builds a world with two systems "a" and "b" joined by a perfect link.
func Pair(seed uint64, pa, pb session.Params) (*Sim, *Endpoint, *Endpoint, *Link) {
	s := New(seed)
	a := s.AddEndpoint("a", pa)
	b := s.AddEndpoint("b", pb)
	l := s.Connect(a, b)
	return s, a, b, l
}
