// Command chart draws bench/results/sessions-vs-interval.png from the
// harness's JSON lines: for each implementation, the most sessions held at
// each interval (all Up, none lost during the hold), on log–log axes, with
// the physical ceiling measured by bench/ceiling (datagrams per second each
// way × interval) for reference.
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
	held := map[string]map[float64]int{} // impl → interval → most sessions held
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
		if r.Stress || r.AllUpSec < 0 || r.LostUp > 0 || r.UpAtEnd[0] < r.Sessions || r.UpAtEnd[1] < r.Sessions {
			continue
		}
		if held[r.Impl] == nil {
			held[r.Impl] = map[float64]int{}
		}
		held[r.Impl][r.IntervalMs] = max(held[r.Impl][r.IntervalMs], r.Sessions)
	}

	p := plot.New()
	p.Title.Text = "BFD sessions held for the whole hold, 2 cores, both daemons on the machine"
	p.X.Label.Text = "transmit interval (ms), detect multiplier 3"
	p.Y.Label.Text = "sessions held (none lost)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker = plot.ConstantTicks(ticks([]float64{10, 20, 50, 100, 300, 1000}))
	p.Y.Tick.Marker = plot.ConstantTicks(ticks([]float64{10, 100, 1000, 10000, 100000}))
	p.Add(plotter.NewGrid())
	p.Legend.Top, p.Legend.Left = true, true

	colors := map[string]color.Color{
		"gobfd": color.RGBA{0, 114, 178, 255}, "bird": color.RGBA{230, 159, 0, 255}, "frr": color.RGBA{204, 121, 167, 255},
	}
	var impls []string
	for k := range held {
		impls = append(impls, k)
	}
	sort.Strings(impls)
	for i, impl := range impls {
		var pts plotter.XYs
		for iv, n := range held[impl] {
			pts = append(pts, plotter.XY{X: iv, Y: float64(n)})
		}
		sort.Slice(pts, func(a, b int) bool { return pts[a].X < pts[b].X })
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			log.Fatal(err)
		}
		c := colors[impl]
		if c == nil {
			c = color.Gray{Y: 80}
		}
		l.Color, s.Color = c, c
		l.Width = vg.Points(2)
		s.Shape = draw.CircleGlyph{}
		s.Radius = vg.Points(3.5)
		s.Shape = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}}[i%3]
		p.Add(l, s)
		p.Legend.Add(impl, l, s)
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
