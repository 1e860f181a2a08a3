package main

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Detection is the latency of failure detection.
type Detection struct {
	Detected    int     `json:"detected"`
	DetectionMs float64 `json:"detection_time_ms"`
	// Down event − fault, the fault taken when tc returns (the wire went
	// silent while tc ran: these are low by up to TCMs).
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
	TCMs  float64 `json:"tc_ms"`
	// Wire: exact per session, against last packet heard + detection time.
	Wire *WireDetection `json:"wire,omitempty"`
}

// measureDetection silences the wire leaving B (LAB.md: a qdisc that holds
// nothing) at a recorded time while A's veth is captured, and collects
// A's Down events, whose timestamps are the engine's state-change times.
func measureDetection(dir string, t *topo, g *gobfdImpl, n int, iv time.Duration, mult int) *Detection {
	capt := startCapture(dir, t.a, t.devA)
	time.Sleep(3 * iv) // packets from before the fault
	before := time.Now()
	if out, err := exec.Command("tc", "-n", t.b, "qdisc", "replace", "dev", t.devB, "root", "pfifo", "limit", "0").CombinedOutput(); err != nil {
		fatalf("tc: %v %s", err, out)
	}
	fault := time.Now()
	det := time.Duration(mult) * iv
	waitUntil(det+5*time.Second, 10*time.Millisecond, func() bool { return len(g.downsSince(0, before)) >= n })
	time.Sleep(1500 * time.Millisecond) // tcpdump hands over full ring blocks or after 1 s
	capt.stop()
	if os.Getenv("BFDBENCH_DEBUG") != "" {
		for _, ns := range []string{t.a, t.b} {
			m, _ := scrape(ns)
			for _, l := range strings.Split(m, "\n") {
				if strings.HasPrefix(l, "gobfd_bfd_send_errors") || strings.HasPrefix(l, "gobfd_bfd_receive_overruns") || strings.HasPrefix(l, "process_cpu_seconds") {
					fmt.Fprintln(os.Stderr, ns, l)
				}
			}
		}
	}
	exec.Command("tc", "-n", t.b, "qdisc", "del", "dev", t.devB, "root").Run()

	evs := g.downsSince(0, before)
	var lat []float64
	byPair := map[[2][4]byte]time.Time{}
	for _, d := range evs {
		lat = append(lat, float64(d.at.Sub(fault))/1e6)
		l, err1 := netip.ParseAddr(d.local)
		p, err2 := netip.ParseAddr(d.peer)
		if err1 == nil && err2 == nil && l.Is4() && p.Is4() {
			byPair[[2][4]byte{l.As4(), p.As4()}] = d.at
		}
	}
	res := &Detection{Detected: len(lat), DetectionMs: float64(det) / 1e6, TCMs: float64(fault.Sub(before)) / 1e6}
	res.P50Ms, res.P99Ms, res.MaxMs = quantiles(lat)
	pkts, err := readPcap(capt.path)
	if err != nil {
		fatalf("capture: %v", err)
	}
	res.Wire = wireDetection(pkts, before, det, byPair)
	return res
}
