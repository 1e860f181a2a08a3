package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// scrape fetches gobfd's /metrics from inside namespace ns (the daemon
// listens on its namespace's loopback, the default 127.0.0.1:9100), as
// plain text.
func scrape(ns string) (string, error) { return get(ns, "") }

// scrapeGzip fetches it as Prometheus does, asking for gzip (the daemon
// compresses the page: part of a scrape's cost); the body stays
// compressed.
func scrapeGzip(ns string) (string, error) { return get(ns, "Accept-Encoding: gzip\r\n") }

func get(ns, headers string) (string, error) {
	var body string
	err := netns.Do(ns, func() error {
		c, err := net.DialTimeout("tcp", "127.0.0.1:9100", 2*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "GET /metrics HTTP/1.0\r\nHost: localhost\r\n%s\r\n", headers)
		b, err := io.ReadAll(c)
		body = string(b)
		return err
	})
	return body, err
}

// buckets reads the cumulative buckets of a histogram from a scrape.
func buckets(text, name string) map[float64]float64 {
	out := map[float64]float64{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	prefix := name + `_bucket{le="`
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, prefix) {
			continue
		}
		rest := l[len(prefix):]
		q := strings.IndexByte(rest, '"')
		sp := strings.LastIndexByte(rest, ' ')
		if q < 0 || sp < 0 {
			continue
		}
		le, err1 := strconv.ParseFloat(rest[:q], 64)
		v, err2 := strconv.ParseFloat(rest[sp+1:], 64)
		if err1 == nil && err2 == nil {
			out[le] = v
		}
	}
	return out
}

// Lateness is gobfd's TX-lateness distribution over the hold: the share
// of periodic packets sent within each bound of their schedule, and
// quantiles (the upper bound of the bucket that holds them).
type Lateness struct {
	Packets   float64            `json:"packets"`
	Within    map[string]float64 `json:"within"` // bound ("250µs") → fraction of packets
	P50Ms     float64            `json:"p50_ms"`
	P99Ms     float64            `json:"p99_ms"`
	P999Ms    float64            `json:"p999_ms"`
	Overflows float64            `json:"over_1s"`
}

// lateness is the difference of two scrapes of one daemon.
func lateness(before, after string) *Lateness {
	const name = "gobfd_bfd_tx_lateness_seconds"
	b0, b1 := buckets(before, name), buckets(after, name)
	var les []float64
	for le := range b1 {
		les = append(les, le)
	}
	sort.Float64s(les)
	if len(les) == 0 {
		return nil
	}
	total := b1[les[len(les)-1]] - b0[les[len(les)-1]] // +Inf
	l := &Lateness{Packets: total, Within: map[string]float64{}}
	if total <= 0 {
		return l
	}
	q := func(p float64) float64 {
		for _, le := range les {
			if (b1[le]-b0[le])/total >= p {
				return min(le, 1) * 1e3 // +Inf: "over 1 s", written as 1000
			}
		}
		return -1
	}
	for _, le := range les {
		if le == les[len(les)-1] {
			break
		}
		l.Within[time.Duration(le*1e9).String()] = (b1[le] - b0[le]) / total
	}
	l.P50Ms, l.P99Ms, l.P999Ms = q(0.5), q(0.99), q(0.999)
	l.Overflows = total - (b1[les[len(les)-2]] - b0[les[len(les)-2]])
	return l
}
