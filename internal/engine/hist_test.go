package engine

import (
	"testing"
	"time"
)

func TestHistogram(t *testing.T) {
	var h histogram
	for _, d := range []time.Duration{-time.Millisecond, 0, 30 * time.Microsecond, 900 * time.Microsecond,
		time.Millisecond, 3 * time.Millisecond, 2 * time.Second} {
		h.observe(d)
	}
	var s Histogram
	h.addTo(&s)
	if s.Count() != 7 {
		t.Fatalf("count %d", s.Count())
	}
	// Buckets are (lower, upper]: 1 ms falls in the 1 ms bucket.
	want := map[int]uint64{0: 2, 1: 1, 5: 2, 7: 1, len(LatencyBounds): 1}
	for i, c := range s.Counts {
		if c != want[i] {
			t.Errorf("bucket %d: %d, want %d", i, c, want[i])
		}
	}
	for q, want := range map[float64]time.Duration{0.1: 25 * time.Microsecond, 0.5: time.Millisecond,
		0.8: 5 * time.Millisecond, 1: time.Second} {
		if got := s.Quantile(q); got != want {
			t.Errorf("Quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if d := s.Sub(s); d.Count() != 0 || d.Sum != 0 {
		t.Errorf("Sub: %+v", d)
	}
	if (Histogram{}).Quantile(0.99) != 0 {
		t.Error("empty histogram has a quantile")
	}
}

func BenchmarkHistogramObserve(b *testing.B) {
	var h histogram
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.observe(time.Duration(i%5000) * time.Microsecond)
	}
}
