package main

import (
	"net/http"
	"runtime/debug"
	"sync"
)

// Memory. The deployment guide recommends GOGC=off with a GOMEMLIMIT: in
// the steady state the daemon allocates nothing per packet, so the
// collector has nothing to do. Some work is different: parsing 50,000
// sessions of YAML makes ~360 MB of short-lived garbage, and a metrics
// scrape with per-session series some kilobytes per session. With the
// collector off that garbage would stay resident (and fragment the heap
// between the sessions' long-lived objects). So such a burst runs with the
// collector on, and afterwards the garbage is handed back to the kernel.

var burst struct {
	sync.Mutex
	depth  int
	before int // the GC percent beginBurst replaced (-1: GOGC=off)
}

// beginBurst turns the collector on (GOGC=100) for a burst of allocation;
// bursts may overlap.
func beginBurst() {
	burst.Lock()
	defer burst.Unlock()
	if burst.depth++; burst.depth == 1 {
		burst.before = debug.SetGCPercent(100)
	}
}

// endBurst ends a burst; the last one restores the configured collector
// and returns free memory to the kernel.
func endBurst() {
	burst.Lock()
	last := false
	if burst.depth--; burst.depth == 0 {
		debug.SetGCPercent(burst.before)
		last = true
	}
	burst.Unlock()
	if last {
		settle()
	}
}

// settle collects garbage now and returns it to the kernel.
func settle() { debug.FreeOSMemory() }

// burstHandler runs each request of h as a burst (metrics scrapes).
func burstHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		beginBurst()
		defer endBurst()
		h.ServeHTTP(w, r)
	})
}
