package main

import (
	"os/exec"
	"sort"
	"time"
)

// Detection is the latency of failure detection (Down event − fault).
type Detection struct {
	Detected    int     `json:"detected"`
	DetectionMs float64 `json:"detection_time_ms"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	TCMs        float64 `json:"tc_ms"` // how long the tc command that made the fault took
}

// measureDetection silences the wire leaving B (LAB.md: a qdisc that holds
// nothing) at a recorded time and collects A's Down events, whose
// timestamps are the engine's own (monotonic-derived) state-change times.
func measureDetection(t *topo, g *gobfdImpl, n int, iv time.Duration, mult int) *Detection {
	// The wire goes silent somewhere while tc runs (fork, exec, netlink:
	// a few ms); the fault time is taken when tc returns, so the latency
	// reported is, if anything, too small by up to TCMs.
	before := time.Now()
	if out, err := exec.Command("tc", "-n", t.b, "qdisc", "replace", "dev", t.devB, "root", "pfifo", "limit", "0").CombinedOutput(); err != nil {
		fatalf("tc: %v %s", err, out)
	}
	fault := time.Now()
	det := time.Duration(mult) * iv
	waitUntil(det+5*time.Second, 50*time.Millisecond, func() bool { return len(g.downsSince(0, fault)) >= n })
	var lat []float64
	for _, d := range g.downsSince(0, before) {
		lat = append(lat, float64(d.Sub(fault))/1e6)
	}
	sort.Float64s(lat)
	res := &Detection{Detected: len(lat), DetectionMs: float64(det) / 1e6, TCMs: float64(fault.Sub(before)) / 1e6}
	if len(lat) > 0 {
		q := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		res.P50Ms, res.P99Ms, res.MaxMs = q(0.50), q(0.99), lat[len(lat)-1]
	}
	exec.Command("tc", "-n", t.b, "qdisc", "del", "dev", t.devB, "root").Run()
	return res
}
