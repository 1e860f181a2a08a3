package metrics

import (
	"bufio"
	"compress/gzip"
	"net/http"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// Exporter serves the metrics page: the registry (Go runtime, process,
// build info and the engine-wide Collector, through client_golang) and
// then the per-session families, written directly (sessions.go), in the
// Prometheus text format 0.0.4, gzipped when the scraper accepts it.
type Exporter struct {
	reg *prometheus.Registry
	sw  sessionWriter
	mu  sync.Mutex // one scrape at a time formats into sw's buffer
}

// NewExporter returns the exporter of src's metrics.
func NewExporter(src Source, o Options, version, commit string) *Exporter {
	c := New(src, o)
	return &Exporter{reg: Registry(c, version, commit), sw: sessionWriter{src: src, opts: c.opts}}
}

// ServeHTTP writes the whole page.
func (x *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mfs, err := x.reg.Gather()
	if err != nil && len(mfs) == 0 {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
	var out interface {
		Write([]byte) (int, error)
	} = w
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		defer gz.Close()
		out = gz
	}
	bw := bufio.NewWriterSize(out, 32<<10)
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(bw, mf); err != nil {
			return
		}
	}
	x.mu.Lock()
	err = x.sw.writeTo(bw)
	x.mu.Unlock()
	if err == nil {
		bw.Flush()
	}
}
