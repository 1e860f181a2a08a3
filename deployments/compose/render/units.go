package main

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
)

// format writes v in a Grafana unit.
func format(v float64, unit string) string {
	if math.IsNaN(v) {
		return "–"
	}
	switch unit {
	case "bytes":
		for _, u := range []struct {
			div  float64
			name string
		}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
			if math.Abs(v) >= u.div {
				return trim(v/u.div) + " " + u.name
			}
		}
		return trim(v) + " B"
	case "pps":
		if math.Abs(v) >= 1000 {
			return trim(v/1000) + "k pps"
		}
		return trim(v) + " pps"
	case "percentunit":
		return trim(v*100) + "%"
	case "s":
		switch a := math.Abs(v); {
		case a == 0:
			return "0"
		case a < 1e-3:
			return trim(v*1e6) + " µs"
		case a < 1:
			return trim(v*1e3) + " ms"
		}
		return trim(v) + " s"
	}
	if math.Abs(v) >= 1e4 {
		return trim(v/1000) + "k"
	}
	return trim(v)
}

// trim prints v with at most three significant digits past the point.
func trim(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100 || a == math.Trunc(a):
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// unitTicks labels the default ticks in a unit.
type unitTicks struct{ unit string }

func (u unitTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = format(ts[i].Value, u.unit)
		}
	}
	return ts
}

// Grafana's named colours and its classic palette.
var named = map[string]color.RGBA{
	"green": {0x73, 0xbf, 0x69, 255}, "red": {0xf2, 0x49, 0x5c, 255}, "yellow": {0xfa, 0xde, 0x2a, 255},
	"blue": {0x57, 0x94, 0xf2, 255}, "orange": {0xff, 0x98, 0x30, 255}, "purple": {0xb8, 0x77, 0xd9, 255},
}

var palette = []color.RGBA{
	{0x73, 0xbf, 0x69, 255}, {0xf2, 0xcc, 0x0c, 255}, {0x8a, 0xb8, 0xff, 255}, {0xff, 0x78, 0x0a, 255},
	{0xf2, 0x49, 0x5c, 255}, {0x57, 0x94, 0xf2, 255}, {0xb8, 0x77, 0xd9, 255}, {0x70, 0x5d, 0xa0, 255},
	{0x37, 0x87, 0x2d, 255}, {0xfa, 0xde, 0x2a, 255}, {0x44, 0x7e, 0xbc, 255}, {0xc1, 0x5c, 0x17, 255},
}
