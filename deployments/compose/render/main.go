// Command render draws the gobfd Grafana dashboard
// (deployments/compose/configs/grafana/dashboards/bfd.json) from a real
// Prometheus into a PNG, for the documentation: Grafana is not packaged
// in Debian, so docs/en/img/dashboard.png is made this way. It reads the
// dashboard's panels — their layout, queries, units, legends and colours —
// runs each query against Prometheus's HTTP API over the chosen time
// range, with $instance, $__range and $__rate_interval expanded as Grafana
// would, and draws stats, time series, bucket heatmaps and the session
// table on Grafana's 24-column grid.
//
// It is its own module so that the plotting library stays out of the
// daemon's dependencies. lab.sh (beside it) makes the data: two gobfd
// daemons in network namespaces with live sessions, a Prometheus
// scraping them, a cut link, a flapping session and an authentication
// mismatch; then it runs this program:
//
//	go run . -prom http://127.0.0.1:9090 -start 2026-03-01T12:00:00Z -end 2026-03-01T12:10:00Z
package main

import (
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func main() {
	promURL := flag.String("prom", "http://127.0.0.1:9090", "Prometheus base URL")
	dash := flag.String("dashboard", "../configs/grafana/dashboards/bfd.json", "Grafana dashboard to draw")
	out := flag.String("o", "../../../docs/en/img/dashboard.png", "PNG to write")
	startS := flag.String("start", "", "start of the range, RFC 3339 (default: end - 15m)")
	endS := flag.String("end", "", "end of the range, RFC 3339 (default: now)")
	scrape := flag.Duration("scrape", 15*time.Second, "Prometheus's scrape interval (for $__rate_interval)")
	instance := flag.String("instance", ".*", "regexp for the $instance variable")
	width := flag.Int("width", 1800, "image width in pixels")
	flag.Parse()
	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Sans"} // Grafana's look

	end, start := time.Now(), time.Time{}
	var err error
	if *endS != "" {
		if end, err = time.Parse(time.RFC3339, *endS); err != nil {
			log.Fatal(err)
		}
	}
	if *startS != "" {
		if start, err = time.Parse(time.RFC3339, *startS); err != nil {
			log.Fatal(err)
		}
	} else {
		start = end.Add(-15 * time.Minute)
	}
	d, err := readDashboard(*dash)
	if err != nil {
		log.Fatal(err)
	}
	// Grafana: about one point per pixel column at most; $__rate_interval
	// is max($__interval + scrape interval, 4 × scrape interval).
	step := max(*scrape, (end.Sub(start) / 300).Round(time.Second))
	v := vars{instance: *instance, rateInterval: max(step+*scrape, 4**scrape), rng: end.Sub(start)}
	p := &prom{base: strings.TrimRight(*promURL, "/"), c: &http.Client{Timeout: 30 * time.Second}}
	if err := render(d, p, v, start, end, step, *width, *out); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote", *out)
}

// Grid geometry: Grafana's 24 columns; one grid row is 30 px.
const (
	rowPx    = 30
	headerPx = 56
	gapPx    = 6
)

func render(d *dashboard, p *prom, v vars, start, end time.Time, step time.Duration, width int, out string) error {
	rows := 0
	for _, pn := range d.Panels {
		rows = max(rows, pn.GridPos.Y+pn.GridPos.H)
	}
	height := headerPx + rows*rowPx
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(width)*0.75, vg.Length(height)*0.75), vgimg.UseDPI(96)) // 1 px = 0.75 pt
	dc := draw.New(img)
	bg := color.RGBA{0xf4, 0xf5, 0xf5, 255}
	r := dc.Rectangle
	dc.FillPolygon(bg, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
	pt := func(px int) vg.Length { return vg.Length(px) * 0.75 }
	title := textStyle(vg.Points(15), ink)
	title.YAlign = draw.YTop
	dc.FillText(title, vg.Point{X: pt(12), Y: r.Max.Y - pt(10)}, d.Title)
	sub := textStyle(vg.Points(9), faint)
	sub.YAlign = draw.YTop
	dc.FillText(sub, vg.Point{X: pt(12), Y: r.Max.Y - pt(34)}, fmt.Sprintf(
		"%s – %s UTC · step %v · $__rate_interval %v · drawn from Prometheus by deployments/compose/render",
		start.UTC().Format("2006-01-02 15:04:05"), end.UTC().Format("15:04:05"), step, v.rateInterval))

	colPx := float64(width-gapPx) / 24
	for i := range d.Panels {
		pn := &d.Panels[i]
		g := pn.GridPos
		x0 := gapPx + int(float64(g.X)*colPx)
		x1 := int(float64(g.X+g.W)*colPx) - 0
		yTop := headerPx + g.Y*rowPx
		yBot := headerPx + (g.Y+g.H)*rowPx - gapPx
		c := dc
		c.Rectangle = vg.Rectangle{
			Min: vg.Point{X: pt(x0), Y: r.Max.Y - pt(yBot)},
			Max: vg.Point{X: pt(x1), Y: r.Max.Y - pt(yTop)},
		}
		if err := drawOne(c, pn, p, v, start, end, step); err != nil {
			return fmt.Errorf("panel %q: %w", pn.Title, err)
		}
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func drawOne(c draw.Canvas, pn *panel, p *prom, v vars, start, end time.Time, step time.Duration) error {
	switch pn.Type {
	case "stat":
		ss, err := p.instant(v.expand(pn.Targets[0].Expr), end)
		if err != nil {
			return err
		}
		if len(ss) == 0 {
			drawStat(c, pn, 0, false)
		} else {
			drawStat(c, pn, ss[0].V[0], true)
		}
	case "timeseries":
		var lines []line
		for _, t := range pn.Targets {
			ss, err := p.rangeQuery(v.expand(t.Expr), start, end, step)
			if err != nil {
				return err
			}
			for _, s := range ss {
				xys := make(plotter.XYs, len(s.T))
				for i := range s.T {
					xys[i] = plotter.XY{X: float64(s.T[i].Unix()), Y: s.V[i]}
				}
				lines = append(lines, line{legend(t.LegendFormat, s.Labels), xys})
			}
		}
		drawTimeseries(c, pn, lines, start, end)
	case "heatmap":
		ss, err := p.rangeQuery(v.expand(pn.Targets[0].Expr), start, end, step)
		if err != nil {
			return err
		}
		drawHeatmap(c, pn, newHeat(ss, step), start, end)
	case "table":
		return drawSessions(c, pn, p, v, end)
	default:
		frame(c, pn.Title+" (panel type "+pn.Type+" not drawn)")
	}
	return nil
}

// drawSessions draws the per-session table: the panel's queries joined on
// their labels, the sessions that are not Up first.
func drawSessions(c draw.Canvas, pn *panel, p *prom, v vars, at time.Time) error {
	type row struct {
		labels map[string]string
		vals   []float64
	}
	byKey := map[string]*row{}
	var keys []string
	for i, t := range pn.Targets {
		ss, err := p.instant(v.expand(t.Expr), at)
		if err != nil {
			return err
		}
		for _, s := range ss {
			k := s.Labels["instance"] + "|" + s.Labels["peer_addr"] + "|" + s.Labels["local_addr"] + "|" + s.Labels["session_type"]
			rw := byKey[k]
			if rw == nil {
				rw = &row{labels: s.Labels, vals: make([]float64, len(pn.Targets))}
				for j := range rw.vals {
					rw.vals[j] = math.NaN()
				}
				byKey[k] = rw
				keys = append(keys, k)
			}
			rw.vals[i] = s.V[0]
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := byKey[keys[i]], byKey[keys[j]]
		if a.vals[0] != b.vals[0] {
			return a.vals[0] < b.vals[0]
		}
		return keys[i] < keys[j]
	})
	header := []string{"Instance", "Peer", "Local", "Type", "Up for", "Detection time", "TX interval"}
	var rows [][]string
	for _, k := range keys {
		rw := byKey[k]
		up := format(rw.vals[0], "s")
		if rw.vals[0] == 0 {
			up = "not Up"
		} else if rw.vals[0] >= 60 {
			up = (time.Duration(rw.vals[0]) * time.Second).String()
		}
		rows = append(rows, []string{rw.labels["instance"], rw.labels["peer_addr"], rw.labels["local_addr"],
			rw.labels["session_type"], up, format(rw.vals[1], "s"), format(rw.vals[2], "s")})
	}
	if n := len(rows); n > 0 {
		header[0] = fmt.Sprintf("Instance (%d sessions)", n)
	}
	drawTable(c, pn, header, rows)
	return nil
}
