package main

import (
	"image/color"
	"math"
	"sort"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var (
	ink     = color.RGBA{0x20, 0x22, 0x26, 255}
	faint   = color.RGBA{0x8e, 0x8e, 0x8e, 255}
	border  = color.RGBA{0xd0, 0xd3, 0xd8, 255}
	panelBg = color.RGBA{0xff, 0xff, 0xff, 255}
)

func textStyle(size vg.Length, c color.Color) draw.TextStyle {
	return draw.TextStyle{Color: c, Font: font.From(plot.DefaultFont, size), Handler: plot.DefaultTextHandler}
}

// frame draws a panel's background, border and title, and returns the
// canvas inside it.
func frame(c draw.Canvas, title string) draw.Canvas {
	r := c.Rectangle
	c.FillPolygon(panelBg, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
	c.StrokeLines(draw.LineStyle{Color: border, Width: vg.Points(1)},
		[]vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min})
	sty := textStyle(vg.Points(11), ink)
	sty.YAlign = draw.YTop
	c.FillText(sty, vg.Point{X: r.Min.X + 8, Y: r.Max.Y - 6}, title)
	in := c
	in.Rectangle = vg.Rectangle{Min: vg.Point{X: r.Min.X + 4, Y: r.Min.Y + 4}, Max: vg.Point{X: r.Max.X - 6, Y: r.Max.Y - 22}}
	return in
}

// drawStat draws a single value on a background of its threshold colour.
func drawStat(c draw.Canvas, p *panel, v float64, ok bool) {
	in := frame(c, p.Title)
	col := named["green"]
	for _, s := range p.FieldConfig.Defaults.Thresholds.Steps {
		if s.Value == nil || (ok && v >= *s.Value) {
			if nc, found := named[s.Color]; found {
				col = nc
			}
		}
	}
	r := in.Rectangle
	in.FillPolygon(col, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
	txt := "no data"
	if ok {
		txt = format(v, p.FieldConfig.Defaults.Unit)
	}
	sty := textStyle(vg.Points(26), color.White)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	in.FillText(sty, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}, txt)
}

// newPlot is a plot styled for a panel: time on X, the unit on Y.
func newPlot(unit string) *plot.Plot {
	pl := plot.New()
	pl.BackgroundColor = color.Transparent
	pl.X.Tick.Marker = clockTicks{}
	pl.Y.Tick.Marker = unitTicks{unit}
	for _, a := range []*plot.Axis{&pl.X, &pl.Y} {
		a.Tick.Label.Font.Size = vg.Points(8)
		a.Tick.Label.Color = faint
		a.Color, a.Tick.Color = border, border
	}
	pl.Legend.TextStyle.Font.Size = vg.Points(8)
	pl.Legend.Top, pl.Legend.Left = true, true
	pl.Legend.ThumbnailWidth = vg.Points(10)
	pl.Add(&plotter.Grid{Vertical: draw.LineStyle{Color: color.RGBA{0xee, 0xee, 0xee, 255}, Width: vg.Points(0.5)},
		Horizontal: draw.LineStyle{Color: color.RGBA{0xee, 0xee, 0xee, 255}, Width: vg.Points(0.5)}})
	return pl
}

// clockTicks puts time ticks on round clock times (UTC), about six per
// axis, labelled to the minute or, for short ranges, to the second.
type clockTicks struct{}

func (clockTicks) Ticks(min, max float64) []plot.Tick {
	var every float64 = 3600
	for _, s := range []float64{5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600} {
		if (max-min)/s <= 8 {
			every = s
			break
		}
	}
	layout := "15:04"
	if every < 60 {
		layout = "15:04:05"
	}
	var ts []plot.Tick
	for t := math.Ceil(min/every) * every; t <= max; t += every {
		ts = append(ts, plot.Tick{Value: t, Label: time.Unix(int64(t), 0).UTC().Format(layout)})
	}
	return ts
}

// line is one series to draw.
type line struct {
	name string
	xys  plotter.XYs
}

// drawTimeseries draws lines (stacked, or as bars) over [start, end].
func drawTimeseries(c draw.Canvas, p *panel, lines []line, start, end time.Time) {
	in := frame(c, p.Title)
	unit := p.FieldConfig.Defaults.Unit
	pl := newPlot(unit)
	pl.X.Min, pl.X.Max = float64(start.Unix()), float64(end.Unix())
	pl.Y.Min = 0
	stacked := p.FieldConfig.Defaults.Custom.Stacking.Mode == "normal"
	bars := p.FieldConfig.Defaults.Custom.DrawStyle == "bars"
	if stacked {
		lines = stack(lines)
	}
	for i, l := range lines {
		col := palette[i%len(palette)]
		if fc, ok := named[p.fixedColor(l.name)]; ok {
			col = fc
		}
		pl.Y.Max = math.Max(pl.Y.Max, maxY(l.xys))
		if bars {
			// Side by side, as Grafana groups bars of one timestamp.
			b := &impulses{xys: l.xys, color: col, offset: vg.Length(3 * (2*i - len(lines) + 1))}
			pl.Add(b)
			pl.Legend.Add(l.name, b)
			continue
		}
		ln, err := plotter.NewLine(l.xys)
		if err != nil {
			continue
		}
		ln.Color, ln.Width = col, vg.Points(1.5)
		if p.dashed(l.name) {
			ln.Dashes = []vg.Length{vg.Points(5), vg.Points(4)}
		}
		if stacked {
			ln.FillColor = color.NRGBA{R: col.R, G: col.G, B: col.B, A: 110}
		}
		pl.Add(ln)
		pl.Legend.Add(l.name, ln)
	}
	if pl.Y.Max == 0 {
		pl.Y.Max = 1
	}
	pl.Y.Max *= 1.25 // room for the legend
	if len(lines) == 0 {
		sty := textStyle(vg.Points(10), faint)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		r := in.Rectangle
		in.FillText(sty, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}, "no data (nothing happened)")
	}
	pl.Draw(in)
}

// stack turns lines into cumulative sums, point by point (the series of a
// range query share its time grid).
func stack(lines []line) []line {
	sum := map[float64]float64{}
	out := make([]line, len(lines))
	for i, l := range lines {
		xys := make(plotter.XYs, len(l.xys))
		for j, p := range l.xys {
			sum[p.X] += p.Y
			xys[j] = plotter.XY{X: p.X, Y: sum[p.X]}
		}
		out[i] = line{l.name, xys}
	}
	// Draw the top of the stack first so that lower fills stay visible.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func maxY(xys plotter.XYs) float64 {
	m := 0.0
	for _, p := range xys {
		if !math.IsNaN(p.Y) && !math.IsInf(p.Y, 0) {
			m = math.Max(m, p.Y)
		}
	}
	return m
}

// impulses draws a series as thin bars from zero, shifted sideways by
// offset.
type impulses struct {
	xys    plotter.XYs
	color  color.Color
	offset vg.Length
}

func (b *impulses) Plot(c draw.Canvas, pl *plot.Plot) {
	tx, ty := pl.Transforms(&c)
	for _, p := range b.xys {
		x := tx(p.X) + b.offset
		c.FillPolygon(b.color, []vg.Point{{X: x - 1.5, Y: ty(0)}, {X: x + 1.5, Y: ty(0)}, {X: x + 1.5, Y: ty(p.Y)}, {X: x - 1.5, Y: ty(p.Y)}})
	}
}

func (b *impulses) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, _, ymax = plotter.XYRange(b.xys)
	return xmin, xmax, 0, ymax
}

func (b *impulses) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(b.color, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}

// heat is a heatmap of histogram buckets over time: one row per bucket
// (upper bound le), one column per step, shade by count.
type heat struct {
	times []float64
	step  float64
	rows  []string
	v     [][]float64 // v[column][row]
	max   float64
}

// newHeat turns cumulative bucket series ({le=...}) into per-bucket counts.
func newHeat(ss []series, step time.Duration) *heat {
	type bucket struct {
		le float64
		s  series
	}
	var bs []bucket
	for _, s := range ss {
		le, err := strconv.ParseFloat(s.Labels["le"], 64)
		if err == nil {
			bs = append(bs, bucket{le, s})
		}
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	h := &heat{step: step.Seconds()}
	col := map[int64]int{}
	for _, b := range bs {
		for _, t := range b.s.T {
			if _, ok := col[t.Unix()]; !ok {
				col[t.Unix()] = 0
				h.times = append(h.times, float64(t.Unix()))
			}
		}
	}
	sort.Float64s(h.times)
	for i, t := range h.times {
		col[int64(t)] = i
	}
	h.v = make([][]float64, len(h.times))
	for i := range h.v {
		h.v[i] = make([]float64, len(bs))
	}
	for r, b := range bs {
		label := "+Inf"
		if !math.IsInf(b.le, 1) {
			label = format(b.le, "s")
		}
		h.rows = append(h.rows, label)
		for k, t := range b.s.T {
			h.v[col[t.Unix()]][r] = b.s.V[k]
		}
	}
	for _, c := range h.v { // cumulative -> per bucket
		for r := len(c) - 1; r > 0; r-- {
			c[r] = math.Max(c[r]-c[r-1], 0)
		}
		for _, x := range c {
			h.max = math.Max(h.max, x)
		}
	}
	return h
}

func (h *heat) Plot(c draw.Canvas, pl *plot.Plot) {
	tx, ty := pl.Transforms(&c)
	for i, t := range h.times {
		for r, x := range h.v[i] {
			if x <= 0 {
				continue
			}
			f := math.Sqrt(x / h.max) // Grafana's exponential scale, exponent 0.5
			col := color.RGBA{uint8(255 - f*(255-0xe0)), uint8(235 - f*(235-0x4f)), uint8(200 - f*200), 255}
			x0, x1 := tx(t-h.step), tx(t)
			y0, y1 := ty(float64(r)), ty(float64(r+1))
			c.FillPolygon(col, []vg.Point{{X: x0, Y: y0 + 0.5}, {X: x1 - 0.5, Y: y0 + 0.5}, {X: x1 - 0.5, Y: y1}, {X: x0, Y: y1}})
		}
	}
}

func (h *heat) DataRange() (xmin, xmax, ymin, ymax float64) {
	if len(h.times) == 0 {
		return 0, 1, 0, 1
	}
	return h.times[0] - h.step, h.times[len(h.times)-1], 0, float64(len(h.rows))
}

// drawHeatmap draws a bucket heatmap with the bucket bounds on Y.
func drawHeatmap(c draw.Canvas, p *panel, h *heat, start, end time.Time) {
	in := frame(c, p.Title)
	pl := newPlot("s")
	pl.X.Min, pl.X.Max = float64(start.Unix()), float64(end.Unix())
	pl.Add(h)
	var ticks []plot.Tick
	for r, l := range h.rows {
		if r%2 == 0 || r == len(h.rows)-1 {
			ticks = append(ticks, plot.Tick{Value: float64(r + 1), Label: "≤ " + l})
		}
	}
	pl.Y.Tick.Marker = plot.ConstantTicks(ticks)
	pl.Y.Min, pl.Y.Max = 0, float64(len(h.rows))
	pl.Draw(in)
	sty := textStyle(vg.Points(8), faint)
	sty.XAlign, sty.YAlign = draw.XRight, draw.YTop
	r := c.Rectangle
	c.FillText(sty, vg.Point{X: r.Max.X - 8, Y: r.Max.Y - 8}, "darker: more packets per step (max "+strconv.FormatFloat(h.max, 'f', 0, 64)+")")
}

// drawTable draws rows of text under a header.
func drawTable(c draw.Canvas, p *panel, header []string, rows [][]string) {
	in := frame(c, p.Title)
	r := in.Rectangle
	colW := (r.Max.X - r.Min.X - 8) / vg.Length(len(header))
	y := r.Max.Y - 4
	hs := textStyle(vg.Points(9), ink)
	hs.YAlign = draw.YTop
	ds := textStyle(vg.Points(9), color.RGBA{0x44, 0x44, 0x44, 255})
	ds.YAlign = draw.YTop
	for i, h := range header {
		in.FillText(hs, vg.Point{X: r.Min.X + 8 + vg.Length(i)*colW, Y: y}, h)
	}
	y -= 16
	in.StrokeLine2(draw.LineStyle{Color: border, Width: vg.Points(0.5)}, r.Min.X+4, y+3, r.Max.X-4, y+3)
	for _, row := range rows {
		if y < r.Min.Y+12 {
			break
		}
		for i, cell := range row {
			in.FillText(ds, vg.Point{X: r.Min.X + 8 + vg.Length(i)*colW, Y: y}, cell)
		}
		y -= 14
	}
}
