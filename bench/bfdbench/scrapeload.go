package main

import (
	"sync"
	"time"
)

// scraper scrapes both daemons' /metrics every interval during the hold,
// as Prometheus would (gzip), and records how long the slowest scrape
// took and how large the compressed page was: a
// scrape must not disturb the sessions (lost Up counts during the hold)
// and must finish quickly even with tens of thousands of sessions.
type scraper struct {
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	n    int
	max  [2]time.Duration
	size [2]int
	errs int
}

func startScraper(nss [2]string, every time.Duration) *scraper {
	s := &scraper{stop: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
			for i, ns := range nss {
				t0 := time.Now()
				body, err := scrapeGzip(ns)
				d := time.Since(t0)
				s.mu.Lock()
				if err != nil {
					s.errs++
				} else {
					s.n++
					s.max[i] = max(s.max[i], d)
					s.size[i] = len(body)
				}
				s.mu.Unlock()
			}
		}
	}()
	return s
}

// finish stops the scraper and returns what it saw.
func (s *scraper) finish() *Scrapes {
	close(s.stop)
	s.wg.Wait()
	return &Scrapes{Count: s.n, Errors: s.errs,
		MaxMs:   [2]float64{float64(s.max[0]) / 1e6, float64(s.max[1]) / 1e6},
		SizeKiB: [2]int{s.size[0] >> 10, s.size[1] >> 10}, Gzip: true,
	}
}

// Scrapes is what the scraper saw during the hold.
type Scrapes struct {
	Count   int        `json:"count"`
	Errors  int        `json:"errors"`
	MaxMs   [2]float64 `json:"max_ms"`
	SizeKiB [2]int     `json:"size_kib"`
	Gzip    bool       `json:"gzip"` // the sizes are of the gzipped page, as Prometheus fetches it
}
