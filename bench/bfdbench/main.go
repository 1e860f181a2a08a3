package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is one run, as written to JSON.
type Result struct {
	Impl       string     `json:"impl"`
	Sessions   int        `json:"sessions"`
	IntervalMs float64    `json:"interval_ms"`
	Mult       int        `json:"mult"`
	AllUpSec   float64    `json:"all_up_s"` // -1: never
	UpAtStart  [2]int     `json:"up_at_hold_start"`
	UpAtEnd    [2]int     `json:"up_at_end"`
	HoldSec    float64    `json:"hold_s"`
	LostUp     int        `json:"lost_up"` // session ends that sent a non-Up packet during the hold
	CPUPercent [2]float64 `json:"cpu_percent"`
	RSSKiB     [2]int64   `json:"rss_kib"`
	PPSEachWay float64    `json:"pps_each_way"`
	Stress     bool       `json:"stress"`
	// RxBufDrops: datagrams the kernel dropped during the hold because a
	// receive buffer was full (UDP RcvbufErrors of each namespace).
	RxBufDrops [2]int64 `json:"rx_buf_drops"`
	// StealPercent: CPU time the hypervisor gave to others while this
	// machine's vCPUs wanted to run, during the hold, in % of one core
	// (both vCPUs together; /proc/stat). A run with much steal measured a
	// smaller machine than its ceiling says. Absent in older results.
	StealPercent *float64   `json:"steal_percent,omitempty"`
	Detection    *Detection `json:"detection,omitempty"`
	// TxLateness is gobfd's own measure of how late its periodic packets
	// left during the hold (from its metrics), per side.
	TxLateness [2]*Lateness `json:"tx_lateness,omitempty"`
	// Stalls: gobfd's own pauses during the hold and the detections it
	// held over them, per side (absent in older results).
	Stalls [2]*Stalls `json:"stalls,omitempty"`
	// Pauses: the machine's own pauses during the hold (pauses.go).
	Pauses   *Pauses `json:"pauses,omitempty"`
	Settings string  `json:"settings,omitempty"`
	// Scrapes: gobfd's /metrics scraped during the hold (-scrape-every).
	Scrapes *Scrapes `json:"scrapes,omitempty"`
	When    string   `json:"when"`
}

func main() {
	implName := flag.String("impl", "gobfd", "gobfd, bird or frr")
	n := flag.Int("n", 100, "sessions")
	iv := flag.Duration("interval", 100*time.Millisecond, "TX/RX interval")
	mult := flag.Int("mult", 3, "detect multiplier")
	hold := flag.Duration("hold", 30*time.Second, "hold after all Up")
	upWait := flag.Duration("up-timeout", 60*time.Second, "how long to wait for all Up")
	gobfdBin := flag.String("gobfd", "bin/gobfd", "gobfd binary")
	jsonOut := flag.String("json", "", "append the result as a JSON line to this file")
	stress := flag.Bool("stress", false, "run stress-ng --cpu 2 during the run")
	gobfdOpts := flag.String("gobfd-yaml", "", "extra YAML for gobfd's config")
	gobfdEnv := flag.String("gobfd-env", "", "extra environment for gobfd, space-separated K=V")
	detect := flag.Bool("detect", false, "gobfd: after the hold, silence B's wire and measure detection latency")
	detectRuns := flag.Int("detect-runs", 3, "with -detect: how many cuts (their sessions are pooled)")
	scrapeEvery := flag.Duration("scrape-every", 0, "gobfd: scrape both daemons' /metrics this often during the hold (0: not)")
	settings := flag.String("settings", "", "a label for the settings of this run (recorded in the results)")
	table := flag.String("table", "", "print the results file as a Markdown table and exit")
	flag.Parse()
	if *table != "" {
		if err := printTable(*table, os.Stdout); err != nil {
			fatalf("%v", err)
		}
		return
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "bfdbench needs root (network namespaces)")
		os.Exit(2)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	go func() { <-sigs; cleanup(); os.Exit(1) }()

	dir, _ := os.MkdirTemp("", "bfdbench")
	atExit(func() { os.RemoveAll(dir) })

	var im impl
	switch *implName {
	case "gobfd":
		im = &gobfdImpl{bin: *gobfdBin, dir: dir, opts: *gobfdOpts, env: strings.Fields(*gobfdEnv)}
	case "bird":
		im = &birdImpl{dir: dir}
	case "frr":
		im = &frrImpl{dir: dir}
	default:
		fatalf("unknown -impl %q", *implName)
	}

	// Address plan: N pairs of distinct addresses up to 2,000 sessions;
	// beyond, k addresses per side and one session per (A_i, B_j) pair
	// (LAB.md: adding tens of thousands of addresses takes minutes).
	var pairs [][2]int
	nA, nB := *n, *n
	if *n > 2000 {
		k := int(math.Ceil(math.Sqrt(float64(*n))))
		nA, nB = k, k
		for i := 0; i < k && len(pairs) < *n; i++ {
			for j := 0; j < k && len(pairs) < *n; j++ {
				pairs = append(pairs, [2]int{i, j})
			}
		}
	} else {
		for i := range *n {
			pairs = append(pairs, [2]int{i, i})
		}
	}
	t := newTopo(nA, nB)
	waitQuiet(60 * time.Second)
	if *stress {
		st := exec.Command("stress-ng", "--cpu", "2", "--quiet")
		if err := st.Start(); err != nil {
			fatalf("stress-ng: %v (apt-get install stress-ng)", err)
		}
		atExit(func() { st.Process.Kill(); st.Wait() })
	}

	start := time.Now()
	im.start(t, pairs, *iv, *mult)
	atExit(im.stop)
	res := Result{Impl: im.name(), Sessions: *n, IntervalMs: float64(*iv) / 1e6, Mult: *mult,
		Stress: *stress, Settings: *settings, When: time.Now().UTC().Format(time.RFC3339), AllUpSec: -1}
	if waitUntil(*upWait, 200*time.Millisecond, func() bool { a, b := im.up(); return a >= *n && b >= *n }) {
		res.AllUpSec = time.Since(start).Seconds()
	}
	res.UpAtStart[0], res.UpAtStart[1] = im.up()
	time.Sleep(2 * time.Second) // Poll Sequences of the Up transitions end

	var scr0 [2]string
	g, isGobfd := im.(*gobfdImpl)
	if isGobfd {
		for i, ns := range []string{t.a, t.b} {
			scr0[i], _ = scrape(ns)
		}
	}
	w := watchNonUp(t.a, t.devA)
	pids := im.pids()
	c0 := []int64{cpuTicks(pids[0]), cpuTicks(pids[1])}
	d0 := []int64{udpRcvbufErrors(pids[0]), udpRcvbufErrors(pids[1])}
	rx0, tx0 := t.packets()
	st0 := stealTicks()
	var sc *scraper
	if isGobfd && *scrapeEvery > 0 {
		sc = startScraper([2]string{t.a, t.b}, *scrapeEvery)
	}
	pw := watchPauses()
	h0 := time.Now()
	time.Sleep(*hold)
	res.Pauses = pw.finish()
	if sc != nil {
		res.Scrapes = sc.finish()
	}
	secs := time.Since(h0).Seconds()
	rx1, tx1 := t.packets()
	steal := float64(stealTicks()-st0) / secs // ticks are 1/100 s
	res.StealPercent = &steal
	for i := range 2 {
		res.CPUPercent[i] = float64(cpuTicks(pids[i])-c0[i]) / secs // ticks are 1/100 s
		res.RSSKiB[i] = rssKiB(pids[i])
		res.RxBufDrops[i] = udpRcvbufErrors(pids[i]) - d0[i]
	}
	res.LostUp = w.stop()
	res.HoldSec = secs
	res.PPSEachWay = float64((rx1-rx0)+(tx1-tx0)) / 2 / secs
	res.UpAtEnd[0], res.UpAtEnd[1] = im.up()
	if isGobfd {
		for i, ns := range []string{t.a, t.b} {
			if s1, err := scrape(ns); err == nil {
				res.TxLateness[i] = lateness(scr0[i], s1)
				res.Stalls[i] = stalls(scr0[i], s1)
			} else {
				fmt.Fprintf(os.Stderr, "bfdbench: scraping %s: %v\n", ns, err)
			}
		}
	}
	if isGobfd && *detect {
		res.Detection = measureDetection(dir, t, g, *n, *iv, *mult, max(*detectRuns, 1))
	}
	cleanup()

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "impl\tsessions @ interval\tall Up after\tlost Up\tUp at end\tCPU A+B (% core)\tRSS A / B\tpps each way\tstress")
	up := "never"
	if res.AllUpSec >= 0 {
		up = fmt.Sprintf("%.1f s", res.AllUpSec)
	}
	fmt.Fprintf(tw, "%s\t%d @ %v x%d\t%s\t%d\t%d / %d\t%s + %s\t%.1f / %.1f MB\t%.0f\t%v\n",
		res.Impl, res.Sessions, *iv, res.Mult, up, res.LostUp, res.UpAtEnd[0], res.UpAtEnd[1],
		pct(res.CPUPercent[0]), pct(res.CPUPercent[1]), float64(res.RSSKiB[0])/1024, float64(res.RSSKiB[1])/1024,
		res.PPSEachWay, res.Stress)
	tw.Flush()
	if steal >= 1 {
		fmt.Printf("CPU steal during the hold: %.1f %% of a core\n", steal)
	}
	if res.RxBufDrops != [2]int64{} {
		fmt.Printf("kernel receive-buffer drops during the hold: A %d, B %d\n", res.RxBufDrops[0], res.RxBufDrops[1])
	}
	for i, l := range res.TxLateness {
		if l != nil {
			fmt.Printf("TX lateness %c (%.0f packets): p50 ≤ %.3g ms, p99 ≤ %.3g ms, p99.9 ≤ %.3g ms, over 1 s: %.0f; within 1 ms: %.4f%%\n",
				'A'+i, l.Packets, l.P50Ms, l.P99Ms, l.P999Ms, l.Overflows, 100*l.Within["1ms"])
		}
	}
	if p := res.Pauses; p != nil && p.Over10ms > 0 {
		fmt.Printf("machine pauses during the hold (a sleeping thread woke 10 ms or more late): %d, %d of them 25 ms or more, the longest %.0f ms\n",
			p.Over10ms, p.Over25ms, p.LongestMs)
	}
	if a, b := res.Stalls[0], res.Stalls[1]; a != nil && b != nil && a.Count+b.Count > 0 {
		fmt.Printf("shard stalls of 2 ms or more (the thread or the machine did not run) A / B: %.0f / %.0f, over 10 ms %.0f / %.0f, over 25 ms %.0f / %.0f; Detection Times held over them %.0f / %.0f\n",
			a.Count, b.Count, a.Over10ms, b.Over10ms, a.Over25ms, b.Over25ms, a.Held, b.Held)
	}
	if sc := res.Scrapes; sc != nil {
		fmt.Printf("metrics scraped during the hold: %d scrapes (%d failed), slowest A %.0f ms / B %.0f ms, %d / %d KiB\n",
			sc.Count, sc.Errors, sc.MaxMs[0], sc.MaxMs[1], sc.SizeKiB[0], sc.SizeKiB[1])
	}
	if d := res.Detection; d != nil {
		fmt.Printf("detection after silencing B's wire (%d cuts): %d/%d sessions, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms (detection time %.1f ms; tc took up to %.1f ms)\n",
			d.Runs, d.Detected, res.Sessions, d.P50Ms, d.P99Ms, d.MaxMs, d.DetectionMs, d.TCMs)
		if w := d.Wire; w != nil {
			fmt.Printf("on the wire (A's first Down packet − (last packet heard + detection time)), %d sessions × %d cuts: p50 %.3f ms, p99 %.3f ms (per cut %.3f), max %.3f ms; Down event − same deadline: p50 %.3f, p99 %.3f, max %.3f ms\n",
				w.Sessions, d.Runs, w.P50Ms, w.P99Ms, w.P99PerRunMs, w.MaxMs, w.EventP50Ms, w.EventP99Ms, w.EventMaxMs)
		}
	}
	if *jsonOut != "" {
		b, _ := json.Marshal(res)
		f, err := os.OpenFile(*jsonOut, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.Write(append(b, '\n'))
			f.Close()
		}
	}
	if res.AllUpSec < 0 || res.LostUp > 0 || res.UpAtEnd[0] < *n || res.UpAtEnd[1] < *n {
		fmt.Fprintln(os.Stderr, strings.TrimSpace("bfdbench: sessions did not all hold"))
		os.Exit(3)
	}
}

// debugDir keeps what BFDBENCH_DEBUG writes (each daemon's log, session
// lists): the system's temporary directory, not the run's, which is
// deleted at the end.
var debugDir = os.TempDir()
