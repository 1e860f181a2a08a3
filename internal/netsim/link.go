package netsim

import "time"

// Impairment describes what one direction of a link does to packets.
type Impairment struct {
	Loss    float64       // probability a packet is lost
	Delay   time.Duration // base one-way delay
	Jitter  time.Duration // uniform extra delay in [0, Jitter)
	Reorder float64       // probability a packet is held back by an extra Delay+Jitter+1ms
	Dup     float64       // probability a packet is delivered twice
	Cut     bool          // partition: every packet is lost
	NoEcho  bool          // every Echo packet is lost (a forwarding fault control packets escape)
	// MaxBurst, when > 0, caps consecutive losses (from Loss) at MaxBurst,
	// so at least one packet in MaxBurst+1 gets through.
	MaxBurst int
}

// Link joins two endpoints.
type Link struct {
	sim  *Sim
	a, b *Endpoint
	ab   dir
	ba   dir
}

type dir struct {
	imp    Impairment
	burst  int
	sent   uint64
	lost   uint64
	passed uint64
}

// Connect joins a and b with a perfect link.
func (s *Sim) Connect(a, b *Endpoint) *Link {
	l := &Link{sim: s, a: a, b: b}
	a.link, b.link = l, l
	a.peer, b.peer = b, a
	return l
}

// Set changes both directions.
func (l *Link) Set(imp Impairment) { l.ab.imp, l.ba.imp = imp, imp }

// SetDir changes the direction from src.
func (l *Link) SetDir(src *Endpoint, imp Impairment) { l.from(src).imp = imp }

// Cut partitions (true) or heals (false) both directions.
func (l *Link) Cut(cut bool) { l.ab.imp.Cut, l.ba.imp.Cut = cut, cut }

// Stats returns packets sent, lost and passed in the direction from src.
func (l *Link) Stats(src *Endpoint) (sent, lost, passed uint64) {
	d := l.from(src)
	return d.sent, d.lost, d.passed
}

func (l *Link) from(src *Endpoint) *dir {
	if src == l.a {
		return &l.ab
	}
	return &l.ba
}

// send carries pkt from src to its peer under the direction's impairment.
func (l *Link) send(src *Endpoint, pkt []byte, echo bool) {
	s, d := l.sim, l.from(src)
	dst := src.peer
	d.sent++
	if d.imp.Cut || (echo && d.imp.NoEcho) {
		d.lost++
		return
	}
	if d.imp.Loss > 0 && s.rng.Float64() < d.imp.Loss && (d.imp.MaxBurst <= 0 || d.burst < d.imp.MaxBurst) {
		d.burst++
		d.lost++
		return
	}
	d.burst = 0
	d.passed++
	copies := 1
	if d.imp.Dup > 0 && s.rng.Float64() < d.imp.Dup {
		copies = 2
	}
	for range copies {
		delay := d.imp.Delay
		if d.imp.Jitter > 0 {
			delay += time.Duration(s.rng.Int64N(int64(d.imp.Jitter)))
		}
		if d.imp.Reorder > 0 && s.rng.Float64() < d.imp.Reorder {
			delay += d.imp.Delay + d.imp.Jitter + time.Millisecond
		}
		s.push(&event{at: s.now.Add(delay), kind: evDeliver, ep: dst, pkt: append([]byte(nil), pkt...), echo: echo})
	}
}
