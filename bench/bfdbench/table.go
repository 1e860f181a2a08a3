package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// printTable renders a results file (JSON lines) as the Markdown table of
// docs/en/12-benchmarks.md.
func printTable(path string, w io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var ceiling float64
	var rs []Result
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var probe struct {
			Impl    string  `json:"impl"`
			Ceiling float64 `json:"ceiling_dps_each_way"`
		}
		if json.Unmarshal(sc.Bytes(), &probe) != nil {
			continue
		}
		if probe.Impl == "ceiling" {
			ceiling = probe.Ceiling
			continue
		}
		var r Result
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			rs = append(rs, r)
		}
	}
	if ceiling > 0 {
		fmt.Fprintf(w, "Physical ceiling (bench/ceiling): %.0f datagrams/s each way.\n\n", ceiling)
	}
	fmt.Fprintln(w, "| implementation | sessions @ interval ×3 | settings | all Up after | lost Up | Up at end | CPU A + B (% of a core) | RSS A / B | packets/s each way | of ceiling | TX lateness p50 / p99 / p99.9 (A) | CPU steal (% of a core) | machine pauses ≥ 10 / ≥ 25 ms, longest |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	rss := map[int]float64{}
	for _, r := range rs {
		up := "never"
		if r.AllUpSec >= 0 {
			up = fmt.Sprintf("%.1f s", r.AllUpSec)
		}
		set := r.Settings
		if r.Stress {
			set = strings.TrimSpace(set + " stress-ng --cpu 2")
		}
		if set == "" {
			set = "defaults"
		}
		frac := "–"
		if ceiling > 0 {
			frac = fmt.Sprintf("%.0f %%", 100*r.PPSEachWay/ceiling)
		}
		lat := "–"
		if l := r.TxLateness[0]; l != nil {
			lat = fmt.Sprintf("≤ %g / %g / %g ms", l.P50Ms, l.P99Ms, l.P999Ms)
		}
		steal := "–"
		if r.StealPercent != nil {
			steal = pct(*r.StealPercent)
		}
		pauses := "–"
		if p := r.Pauses; p != nil {
			pauses = fmt.Sprintf("%d / %d, %.0f ms", p.Over10ms, p.Over25ms, p.LongestMs)
		}
		fmt.Fprintf(w, "| %s | %d @ %g ms | %s | %s | %d | %d / %d | %s + %s | %.1f / %.1f MB | %.0f | %s | %s | %s | %s |\n",
			r.Impl, r.Sessions, r.IntervalMs, set, up, r.LostUp, r.UpAtEnd[0], r.UpAtEnd[1],
			pct(r.CPUPercent[0]), pct(r.CPUPercent[1]), float64(r.RSSKiB[0])/1024, float64(r.RSSKiB[1])/1024,
			r.PPSEachWay, frac, lat, steal, pauses)
		if r.Impl == "gobfd" && r.IntervalMs == 1000 && !r.Stress {
			rss[r.Sessions] = float64(r.RSSKiB[0]+r.RSSKiB[1]) / 2
		}
	}
	if a, b := rss[1000], rss[50000]; a > 0 && b > 0 {
		fmt.Fprintf(w, "\nMemory: %.2f KiB of RSS per additional session between 1,000 and 50,000 sessions at 1 s (mean of the two daemons).\n",
			(b-a)/49000)
	}
	for _, r := range rs {
		if sc := r.Scrapes; sc != nil {
			unit := "KiB"
			if sc.Gzip {
				unit = "KiB gzipped (as Prometheus fetches it)"
			}
			fmt.Fprintf(w, "\nMetrics, %s %d @ %g ms: %d scrapes of both daemons during the hold (%d failed), the slowest %.0f / %.0f ms for %d / %d %s, with %d sessions lost Up.\n",
				r.Impl, r.Sessions, r.IntervalMs, sc.Count, sc.Errors, sc.MaxMs[0], sc.MaxMs[1], sc.SizeKiB[0], sc.SizeKiB[1], unit, r.LostUp)
		}
	}
	for _, r := range rs {
		if d := r.Detection; d != nil {
			rep := ""
			if d.Repeats > 0 {
				rep = fmt.Sprintf(" (and %d repeat Downs a cut: a late packet from B took a detected session to Init, which timed out again)", d.Repeats)
			}
			fmt.Fprintf(w, "\nDetection, %s %d @ %g ms ×%d (detection time %.0f ms), %d cut(s) of the wire, %d/%d sessions detected each time%s: Down event − fault p50 %.1f / p99 %.1f / max %.1f ms (tc took up to %.1f ms)",
				r.Impl, r.Sessions, r.IntervalMs, r.Mult, d.DetectionMs, max(d.Runs, 1), d.Detected, r.Sessions, rep, d.P50Ms, d.P99Ms, d.MaxMs, d.TCMs)
			if x := d.Wire; x != nil {
				fmt.Fprintf(w, "; on the wire, first Down packet − (last packet heard + detection time): p50 %.3f / p99 %.3f / max %.3f ms (p99 of each cut: %s); Down event − same deadline: p50 %.3f / p99 %.3f / max %.3f ms",
					x.P50Ms, x.P99Ms, x.MaxMs, msList(x.P99PerRunMs), x.EventP50Ms, x.EventP99Ms, x.EventMaxMs)
			}
			fmt.Fprintln(w, ".")
		}
	}
	return nil
}

// msList formats figures in ms: "0.351, 0.402, 0.388".
func msList(xs []float64) string {
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.3f", x)
	}
	if b.Len() == 0 {
		return "–"
	}
	return b.String()
}

// pct formats a share of a core: one decimal below 10 %, where the
// targets are (2 % idle), none above.
func pct(x float64) string {
	if x < 10 {
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.0f", x)
}
