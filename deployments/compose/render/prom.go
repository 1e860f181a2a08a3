package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// prom is a client of Prometheus's HTTP API (/api/v1/query,
// /api/v1/query_range).
type prom struct {
	base string
	c    *http.Client
}

// series is one result series: its labels and its samples.
type series struct {
	Labels map[string]string
	T      []time.Time
	V      []float64
}

type apiResult struct {
	Status string `json:"status"`
	Error  string `json:"error"`
	Data   struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
			Values [][2]any          `json:"values"`
		} `json:"result"`
	} `json:"data"`
}

func (p *prom) get(path string, q url.Values) (*apiResult, error) {
	resp, err := p.c.Get(p.base + path + "?" + q.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var r apiResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %v: %.200s", path, err, b)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s %s: %s", path, q.Get("query"), r.Error)
	}
	return &r, nil
}

func sample(v [2]any) (time.Time, float64) {
	ts, _ := v[0].(float64)
	s, _ := v[1].(string)
	f, _ := strconv.ParseFloat(s, 64)
	return time.Unix(0, int64(ts*1e9)), f
}

// rangeQuery runs q over [start, end] every step.
func (p *prom) rangeQuery(q string, start, end time.Time, step time.Duration) ([]series, error) {
	r, err := p.get("/api/v1/query_range", url.Values{"query": {q},
		"start": {unix(start)}, "end": {unix(end)}, "step": {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)}})
	if err != nil {
		return nil, err
	}
	var out []series
	for _, res := range r.Data.Result {
		s := series{Labels: res.Metric}
		for _, v := range res.Values {
			t, f := sample(v)
			s.T, s.V = append(s.T, t), append(s.V, f)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i].Labels) < fmt.Sprint(out[j].Labels) })
	return out, nil
}

// instant runs q at t.
func (p *prom) instant(q string, t time.Time) ([]series, error) {
	r, err := p.get("/api/v1/query", url.Values{"query": {q}, "time": {unix(t)}})
	if err != nil {
		return nil, err
	}
	var out []series
	for _, res := range r.Data.Result {
		ts, f := sample(res.Value)
		out = append(out, series{Labels: res.Metric, T: []time.Time{ts}, V: []float64{f}})
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i].Labels) < fmt.Sprint(out[j].Labels) })
	return out, nil
}

func unix(t time.Time) string { return strconv.FormatFloat(float64(t.UnixNano())/1e9, 'f', 3, 64) }
