package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
)

// dashboard is the part of a Grafana dashboard the renderer draws.
type dashboard struct {
	Title  string  `json:"title"`
	Panels []panel `json:"panels"`
}

type panel struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	GridPos struct {
		X, Y, W, H int
	} `json:"gridPos"`
	Targets []struct {
		Expr         string `json:"expr"`
		LegendFormat string `json:"legendFormat"`
		Instant      bool   `json:"instant"`
	} `json:"targets"`
	FieldConfig struct {
		Defaults struct {
			Unit   string `json:"unit"`
			Custom struct {
				DrawStyle string `json:"drawStyle"`
				Stacking  struct {
					Mode string `json:"mode"`
				} `json:"stacking"`
			} `json:"custom"`
			Thresholds struct {
				Steps []struct {
					Color string   `json:"color"`
					Value *float64 `json:"value"`
				} `json:"steps"`
			} `json:"thresholds"`
		} `json:"defaults"`
		Overrides []struct {
			Matcher struct {
				ID      string `json:"id"`
				Options string `json:"options"`
			} `json:"matcher"`
			Properties []struct {
				ID    string `json:"id"`
				Value any    `json:"value"`
			} `json:"properties"`
		} `json:"overrides"`
	} `json:"fieldConfig"`
}

func readDashboard(path string) (*dashboard, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &d, nil
}

// vars are the values Grafana would give the dashboard's variables.
type vars struct {
	instance     string        // regexp of $instance
	rateInterval time.Duration // $__rate_interval
	rng          time.Duration // $__range
}

// expand replaces the variables of a query the way Grafana does.
func (v vars) expand(q string) string {
	r := strings.NewReplacer(
		"$__rate_interval", promDuration(v.rateInterval),
		"$__range", promDuration(v.rng),
		"$instance", v.instance,
	)
	return r.Replace(q)
}

func promDuration(d time.Duration) string {
	return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
}

var legendVar = regexp.MustCompile(`\{\{\s*(\w+)\s*\}\}`)

// legend renders a legendFormat ("{{state}}") for a series' labels.
func legend(format string, labels map[string]string) string {
	if format == "" || format == "__auto" {
		return fmt.Sprint(labels)
	}
	return legendVar.ReplaceAllStringFunc(format, func(m string) string {
		return labels[legendVar.FindStringSubmatch(m)[1]]
	})
}

// fixedColor returns the colour an override gives the series named name.
func (p *panel) fixedColor(name string) string {
	for _, o := range p.FieldConfig.Overrides {
		match := false
		switch o.Matcher.ID {
		case "byName":
			match = o.Matcher.Options == name
		case "byRegexp":
			match, _ = regexp.MatchString("^(?:"+o.Matcher.Options+")$", name)
		}
		if !match {
			continue
		}
		for _, pr := range o.Properties {
			if pr.ID == "color" {
				if m, ok := pr.Value.(map[string]any); ok {
					if c, ok := m["fixedColor"].(string); ok {
						return c
					}
				}
			}
		}
	}
	return ""
}

// dashed reports whether an override draws the series named name dashed.
func (p *panel) dashed(name string) bool {
	for _, o := range p.FieldConfig.Overrides {
		if o.Matcher.ID != "byRegexp" {
			continue
		}
		if ok, _ := regexp.MatchString("^(?:"+o.Matcher.Options+")$", name); !ok {
			continue
		}
		for _, pr := range o.Properties {
			if pr.ID == "custom.lineStyle" {
				return true
			}
		}
	}
	return false
}
