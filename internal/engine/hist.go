package engine

import (
	"sync/atomic"
	"time"
)

// LatencyBounds are the upper bounds of the latency histograms' buckets
// (the last bucket is everything above): fine below a millisecond, where a
// healthy daemon lives, coarse above, where a starved one does.
var LatencyBounds = [...]time.Duration{
	25 * time.Microsecond, 50 * time.Microsecond, 100 * time.Microsecond,
	250 * time.Microsecond, 500 * time.Microsecond, time.Millisecond,
	2500 * time.Microsecond, 5 * time.Millisecond, 10 * time.Millisecond,
	25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
	250 * time.Millisecond, time.Second,
}

// histogram counts durations; one writer (a shard), any number of readers.
type histogram struct {
	counts [len(LatencyBounds) + 1]atomic.Uint64
	sum    atomic.Int64 // nanoseconds
}

func (h *histogram) observe(d time.Duration) {
	d = max(d, 0)
	i := 0
	for i < len(LatencyBounds) && d > LatencyBounds[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sum.Add(int64(d))
}

// Histogram is a copy of a latency histogram: Counts[i] is the number of
// observations in (LatencyBounds[i-1], LatencyBounds[i]], the last entry
// those above every bound.
type Histogram struct {
	Counts [len(LatencyBounds) + 1]uint64
	Sum    time.Duration
}

func (h *histogram) addTo(out *Histogram) {
	for i := range h.counts {
		out.Counts[i] += h.counts[i].Load()
	}
	out.Sum += time.Duration(h.sum.Load())
}

// Count is the number of observations.
func (h Histogram) Count() uint64 {
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Quantile returns the upper bound of the bucket holding quantile q (0..1);
// for the overflow bucket, the largest bound; 0 without observations.
func (h Histogram) Quantile(q float64) time.Duration {
	n := h.Count()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.Counts {
		if seen += c; seen >= rank {
			return LatencyBounds[min(i, len(LatencyBounds)-1)]
		}
	}
	return LatencyBounds[len(LatencyBounds)-1]
}

// Sub returns h minus an earlier copy of the same histogram.
func (h Histogram) Sub(old Histogram) Histogram {
	for i := range h.Counts {
		h.Counts[i] -= old.Counts[i]
	}
	h.Sum -= old.Sum
	return h
}

// TxLateness is how late periodic Control packets left relative to their
// schedule (RFC 5880 §6.8.7): from the scheduled instant to the send
// system call. It includes the shard's tick coalescing (up to a twentieth
// of the shortest interval) and any CPU starvation.
func (e *Engine) TxLateness() Histogram {
	return e.sum(func(sh *shard) *histogram { return &sh.txLate })
}

// DetectionLateness is how late Detection Time expiries were acted upon
// relative to their deadline (RFC 5880 §6.8.4).
func (e *Engine) DetectionLateness() Histogram {
	return e.sum(func(sh *shard) *histogram { return &sh.detLate })
}

// sum adds up one histogram of every shard.
func (e *Engine) sum(of func(*shard) *histogram) Histogram {
	var h Histogram
	for _, sh := range e.shards {
		of(sh).addTo(&h)
	}
	return h
}
