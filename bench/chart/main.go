// Command chart draws bench/results/sessions-vs-interval.png from the
// harness's JSON lines: every run (stress runs aside) as a point at its
// interval and session count, a dot when all sessions came Up and none was
// lost during the hold, a cross when not, one colour per implementation,
// on log–log axes, with the physical ceiling measured by bench/ceiling
// (datagrams per second each way × interval) for reference.
//
// It is its own module so that the plotting library stays out of the
// daemon's dependencies: cd bench/chart && go run . ../results/system.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"os"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

type result struct {
	Impl       string   `json:"impl"`
	Sessions   int      `json:"sessions"`
	IntervalMs float64  `json:"interval_ms"`
	AllUpSec   float64  `json:"all_up_s"`
	LostUp     int      `json:"lost_up"`
	UpAtEnd    [2]int   `json:"up_at_end"`
	Stress     bool     `json:"stress"`
	Ceiling    *float64 `json:"ceiling_dps_each_way"`
}

func main() {
	out := flag.String("o", "../results/sessions-vs-interval.png", "PNG to write")
	flag.Parse()
	in := "../results/system.jsonl"
	if flag.NArg() > 0 {
		in = flag.Arg(0)
	}
	f, err := os.Open(in)
	if err != nil {
		log.Fatal(err)
	}
	type key struct {
		impl string
		held bool
	}
	runs := map[key]plotter.XYs{} // every run, by implementation and outcome
	var ceiling float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r result
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		if r.Ceiling != nil {
			ceiling = *r.Ceiling // the latest measurement wins
			continue
		}
		if r.Stress {
			continue
		}
		held := r.AllUpSec >= 0 && r.LostUp == 0 && r.UpAtEnd[0] >= r.Sessions && r.UpAtEnd[1] >= r.Sessions
		k := key{r.Impl, held}
		// Nudge each implementation sideways so equal runs stay visible.
		x := r.IntervalMs * map[string]float64{"gobfd": 1, "bird": 1.07, "frr": 1.14}[r.Impl]
		if x == 0 {
			x = r.IntervalMs
		}
		runs[k] = append(runs[k], plotter.XY{X: x, Y: float64(r.Sessions)})
	}

	p := plot.New()
	p.Title.Text = "BFD sessions held for 60 s, single-hop IPv4, multiplier 3, 2 cores shared by both daemons"
	p.X.Label.Text = "transmit interval (ms), detect multiplier 3"
	p.Y.Label.Text = "sessions held (none lost)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker = plot.ConstantTicks(ticks([]float64{10, 20, 50, 100, 300, 1000}))
	p.Y.Tick.Marker = plot.ConstantTicks(ticks([]float64{10, 100, 1000, 10000, 100000}))
	p.Add(plotter.NewGrid())
	p.Legend.Top, p.Legend.Left = false, false

	colors := map[string]color.Color{
		"gobfd": color.RGBA{0, 114, 178, 255}, "bird": color.RGBA{230, 159, 0, 255}, "frr": color.RGBA{204, 121, 167, 255},
	}
	var keys []key
	for k := range runs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].impl != keys[b].impl {
			return keys[a].impl > keys[b].impl // gobfd first
		}
		return keys[a].held
	})
	for _, k := range keys {
		s, err := plotter.NewScatter(runs[k])
		if err != nil {
			log.Fatal(err)
		}
		c := colors[k.impl]
		if c == nil {
			c = color.Gray{Y: 80}
		}
		s.Color = c
		s.Radius = vg.Points(5)
		label := k.impl + ": held (all Up, none lost)"
		if k.held {
			s.Shape = draw.CircleGlyph{}
		} else {
			s.Shape = draw.CrossGlyph{}
			label = k.impl + ": did not hold"
		}
		p.Add(s)
		p.Legend.Add(label, s)
	}
	if ceiling > 0 {
		// A session sends 1/interval packets per second each way.
		var pts plotter.XYs
		for _, iv := range []float64{10, 20, 50, 100, 300, 1000} {
			pts = append(pts, plotter.XY{X: iv, Y: ceiling * iv / 1000})
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			log.Fatal(err)
		}
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
		l.Color = color.Gray{Y: 120}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("physical ceiling (%.0f datagrams/s each way)", ceiling), l)
	}
	if err := p.Save(9*vg.Inch, 6*vg.Inch, *out); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote", *out)
}

func ticks(vs []float64) []plot.Tick {
	var t []plot.Tick
	for _, v := range vs {
		t = append(t, plot.Tick{Value: v, Label: fmt.Sprint(math.Round(v))})
	}
	return t
}
