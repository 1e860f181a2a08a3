package main

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Detection is the latency of failure detection.
type Detection struct {
	Detected int `json:"detected"` // sessions that went Down, per cut
	// Repeats counts further Down events of sessions already detected,
	// per cut: a packet from B that arrived late (after A's detection)
	// takes a session to Init, and it times out again from there, 3 s
	// later (§6.8.4 at the 1 s rate of a session not Up). Only the first
	// Down of each session is measured.
	Repeats     int     `json:"repeats,omitempty"`
	DetectionMs float64 `json:"detection_time_ms"`
	// Down event − fault, the fault taken when tc returns (the wire went
	// silent while tc ran: these are low by up to TCMs).
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
	TCMs  float64 `json:"tc_ms"` // the longest of the cuts
	// Runs is how many times the wire was cut (every figure pools the
	// sessions of all of them).
	Runs int `json:"runs,omitempty"`
	// Wire: exact per session, against last packet heard + detection time.
	Wire *WireDetection `json:"wire,omitempty"`
}

// measureDetection cuts the wire runs times (healing it and waiting for
// every session to come Up again in between) and pools the sessions of
// all cuts: one cut is one moment of the machine, and a p99 over 500
// sessions is its fifth-worst session.
func measureDetection(dir string, t *topo, g *gobfdImpl, n int, iv time.Duration, mult, runs int) *Detection {
	res := &Detection{DetectionMs: float64(time.Duration(mult)*iv) / 1e6, Runs: runs}
	var lat, wire, event []float64
	w := &WireDetection{}
	for r := range runs {
		if r > 0 {
			if !waitUntil(60*time.Second, 50*time.Millisecond, func() bool { a, b := g.up(); return a >= n && b >= n }) {
				fatalf("detection: sessions did not all come Up again after cut %d", r)
			}
			time.Sleep(2 * time.Second) // Poll Sequences of the Up transitions end
		}
		c := cutOnce(dir, t, g, n, iv, mult)
		res.Detected += c.detected
		res.Repeats += c.repeats
		res.TCMs = max(res.TCMs, c.tcMs)
		lat, wire, event = append(lat, c.lat...), append(wire, c.wire...), append(event, c.event...)
		_, p99, _ := quantiles(append([]float64(nil), c.wire...))
		w.P99PerRunMs = append(w.P99PerRunMs, p99)
	}
	res.Detected /= runs
	res.Repeats /= runs
	res.P50Ms, res.P99Ms, res.MaxMs = quantiles(lat)
	w.Sessions = len(wire) / runs
	w.P50Ms, w.P99Ms, w.MaxMs = quantiles(wire)
	w.EventP50Ms, w.EventP99Ms, w.EventMaxMs = quantiles(event)
	res.Wire = w
	return res
}

// cut is what one cut of the wire yields, per session (ms).
type cut struct {
	detected, repeats int
	tcMs              float64
	lat, wire, event  []float64
}

// cutOnce silences the wire leaving B (LAB.md: a qdisc that holds nothing)
// at a recorded time while A's veth is captured, collects A's Down events
// (their timestamps are the engine's state-change times), and heals the
// wire.
func cutOnce(dir string, t *topo, g *gobfdImpl, n int, iv time.Duration, mult int) cut {
	// The harness's own work first settles (the metrics scrape just
	// before, which runs a garbage collection in each daemon).
	time.Sleep(time.Second)
	capt := startCapture(dir, t.a, t.devA)
	// Packets from before the fault; and tcpdump, just started, settles
	// (its start is a burst of CPU the daemons would share).
	time.Sleep(max(3*iv, 300*time.Millisecond))
	if os.Getenv("BFDBENCH_DEBUG") != "" {
		debugDetectionTimes(t, g, iv, mult)
	}
	before := time.Now()
	silence(t.b)
	fault := time.Now()
	flt0 := minorFaults(g.pids()[0])
	det := time.Duration(mult) * iv
	waitUntil(det+5*time.Second, 10*time.Millisecond, func() bool { return len(g.downsSince(0, before)) >= n })
	flt1 := minorFaults(g.pids()[0])
	time.Sleep(1500 * time.Millisecond) // tcpdump hands over full ring blocks or after 1 s
	capt.stop()
	if os.Getenv("BFDBENCH_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "A's minor page faults during the cut: %d\n", flt1-flt0)
		for _, ns := range []string{t.a, t.b} {
			m, _ := scrape(ns)
			for _, l := range strings.Split(m, "\n") {
				dropped := strings.HasPrefix(l, "gobfd_bfd_packets_dropped_total") || strings.HasPrefix(l, "gobfd_bfd_events_dropped")
				if strings.HasPrefix(l, "gobfd_bfd_send_errors") || strings.HasPrefix(l, "gobfd_bfd_receive_overruns") ||
					strings.HasPrefix(l, "process_cpu_seconds") || (dropped && !strings.HasSuffix(l, " 0")) {
					fmt.Fprintln(os.Stderr, ns, l)
				}
			}
		}
	}
	heal(t.b)

	evs := g.downsSince(0, before)
	c := cut{tcMs: float64(fault.Sub(before)) / 1e6}
	byPair := map[[2][4]byte]time.Time{}
	first := map[[2]string]bool{}
	for _, d := range evs {
		k := [2]string{d.local, d.peer}
		if first[k] {
			c.repeats++ // a second Down of the same session: not a detection
			continue
		}
		first[k] = true
		c.detected++
		c.lat = append(c.lat, float64(d.at.Sub(fault))/1e6)
		l, err1 := netip.ParseAddr(d.local)
		p, err2 := netip.ParseAddr(d.peer)
		if err1 == nil && err2 == nil && l.Is4() && p.Is4() {
			byPair[[2][4]byte{l.As4(), p.As4()}] = d.at
		}
	}
	pkts, err := readPcap(capt.path)
	if err != nil {
		fatalf("capture: %v", err)
	}
	c.wire, c.event = wireDetection(pkts, before, det, byPair)
	return c
}

// minorFaults is a process's minor page faults so far (/proc/PID/stat).
func minorFaults(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	var n int64
	if len(f) > 7 {
		fmt.Sscan(f[7], &n)
	}
	return n
}

// silence drops every BFD packet namespace ns sends (LAB.md's nftables
// fault, at 100 %), in one nft transaction: the rule holds from the
// moment nft returns, and nothing else on the machine changes. The other
// fault of LAB.md, replacing the veth's qdisc with "pfifo limit 0",
// stalled both daemons for 20-40 ms while the kernel swapped the qdisc
// (measured on the wire: neither side sent during it) and then let
// packets through for hundreds of milliseconds more (a qdisc with an
// empty queue is bypassed): the detection it measured was partly the
// harness's own.
func silence(ns string) {
	cmd := exec.Command("chrt", "--idle", "0", "ip", "netns", "exec", ns, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader("table inet bfbcut {\n chain o {\n  type filter hook output priority 0; policy accept;\n  udp dport { 3784, 4784 } drop\n }\n}\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		fatalf("nft: %v %s (apt-get install nftables)", err, out)
	}
}

// heal removes silence's rule.
func heal(ns string) {
	exec.Command("chrt", "--idle", "0", "ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "bfbcut").Run()
}

// debugDetectionTimes (BFDBENCH_DEBUG) prints how many of A's sessions
// have each Detection Time just before a cut; when some differ from the
// configured one (a session still coming Up, or flapping), both daemons'
// session lists are kept in debugDir for a look at their state.
func debugDetectionTimes(t *topo, g *gobfdImpl, iv time.Duration, mult int) {
	list := func(ns string) []byte {
		out, _ := exec.Command("ip", "netns", "exec", ns, filepath.Join(filepath.Dir(g.bin), "gobfdctl"), "-o", "json", "session", "list").Output()
		return out
	}
	out := list(t.a)
	counts := map[string]int{}
	for _, l := range strings.Split(string(out), "\n") {
		if _, v, ok := strings.Cut(l, `"detection_time": `); ok {
			counts[strings.Trim(v, `",`)]++
		}
	}
	fmt.Fprintf(os.Stderr, "A's detection times before the cut: %v\n", counts)
	other := false
	for v := range counts {
		if d, err := time.ParseDuration(v); err != nil || d != time.Duration(mult)*iv {
			other = true
		}
	}
	if other {
		os.WriteFile(filepath.Join(debugDir, "a-sessions.json"), out, 0o644)
		os.WriteFile(filepath.Join(debugDir, "b-sessions.json"), list(t.b), 0o644)
		fmt.Fprintf(os.Stderr, "both session lists are in %s\n", debugDir)
	}
}
