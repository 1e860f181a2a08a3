package main

import (
	"bufio"
	"strconv"
	"strings"
)

// Stalls is what gobfd saw of its own pauses during the hold (from its
// metrics): gaps of 2 ms or more in a shard's run, in which its thread or
// the whole machine did not run, and the Detection Time
// expiries that fell inside one and were held (engine/stall.go).
type Stalls struct {
	Count    float64 `json:"count"`
	Over10ms float64 `json:"over_10ms"`
	Over25ms float64 `json:"over_25ms"`
	Held     float64 `json:"detections_held"`
}

// stalls is the difference of two scrapes of one daemon.
func stalls(before, after string) *Stalls {
	const name = "gobfd_bfd_engine_stall_seconds"
	b0, b1 := buckets(before, name), buckets(after, name)
	if len(b1) == 0 {
		return nil
	}
	d := func(le float64) float64 { return b1[le] - b0[le] }
	inf := 0.0
	for le := range b1 {
		inf = max(inf, le) // the +Inf bucket parses as +Inf
	}
	total := d(inf)
	return &Stalls{Count: total, Over10ms: total - d(0.01), Over25ms: total - d(0.025),
		Held: counter(after, "gobfd_bfd_detections_held_total") - counter(before, "gobfd_bfd_detections_held_total")}
}

// counter reads an unlabelled counter from a scrape (0 when absent).
func counter(text, name string) float64 {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == name {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	return 0
}
