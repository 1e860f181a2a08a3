package main

import (
	"testing"
	"time"
)

// The variables expand as Grafana expands them.
func TestExpand(t *testing.T) {
	v := vars{instance: ".*", rateInterval: 8 * time.Second, rng: 5 * time.Minute}
	got := v.expand(`sum(increase(x{instance=~"$instance"}[$__rate_interval])) + y[$__range]`)
	if want := `sum(increase(x{instance=~".*"}[8s])) + y[300s]`; got != want {
		t.Errorf("%s, want %s", got, want)
	}
	if l := legend("{{from_state}} → {{ to_state }}", map[string]string{"from_state": "Up", "to_state": "Down"}); l != "Up → Down" {
		t.Error(l)
	}
}

// Cumulative Prometheus buckets become per-bucket counts, rows sorted by
// bound, +Inf last.
func TestHeat(t *testing.T) {
	at := time.Unix(1000, 0)
	s := func(le string, v float64) series {
		return series{Labels: map[string]string{"le": le}, T: []time.Time{at}, V: []float64{v}}
	}
	h := newHeat([]series{s("+Inf", 10), s("0.001", 7), s("0.0001", 2)}, 2*time.Second)
	if len(h.rows) != 3 || h.rows[0] != "100 µs" || h.rows[2] != "+Inf" {
		t.Fatalf("rows %v", h.rows)
	}
	if c := h.v[0]; c[0] != 2 || c[1] != 5 || c[2] != 3 || h.max != 5 {
		t.Fatalf("counts %v max %v", c, h.max)
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{
		{268435456, "bytes", "256 MiB"}, {38_273_024, "bytes", "36.5 MiB"}, {0.00025, "s", "250 µs"},
		{0.15, "s", "150 ms"}, {3, "s", "3 s"}, {5120, "pps", "5.12k pps"}, {0.125, "percentunit", "12.5%"}, {512, "none", "512"},
	} {
		if got := format(c.v, c.unit); got != c.want {
			t.Errorf("format(%v, %s) = %s, want %s", c.v, c.unit, got, c.want)
		}
	}
}
