package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/packet"
)

const ns = "gobfd_bfd_"

// Source is what the collector reads: *engine.Engine.
type Source interface {
	SessionSource
	Drops(packet.DropReason) uint64
	Transitions(from, to packet.State) uint64
	TxLateness() engine.Histogram
	DetectionLateness() engine.Histogram
	Overruns() uint64
	EventsLost() uint64
	Stalls() engine.Histogram
	DetectionsHeld() uint64
	SendErrors() uint64
	ReceiveErrors() uint64
}

// Options configure the collector.
type Options struct {
	// Aggregate drops the peer_addr/local_addr labels of per-session
	// series (they are summed per session_type).
	Aggregate bool
	// Now is the wall clock (tests); default time.Now.
	Now func() time.Time
}

// Collector is a prometheus.Collector of the engine-wide metrics: drops
// by reason, transitions, authentication failures, the latency
// histograms, error counters. The per-session families are written by
// the Exporter (sessions.go). Everything is read from the engine's
// atomics at scrape time; nothing on the packet path knows about it.
type Collector struct {
	src  Source
	opts Options

	dropped, transitions, authFailures              *prometheus.Desc
	txLate, detLate, overruns, sendErrors, rxErrors *prometheus.Desc
	eventsLost, stalls, held                        *prometheus.Desc
}

// New returns a collector reading src.
func New(src Source, o Options) *Collector {
	if o.Now == nil {
		o.Now = time.Now
	}
	d := func(name, help string, labels []string) *prometheus.Desc {
		return prometheus.NewDesc(ns+name, help, labels, nil)
	}
	return &Collector{src: src, opts: o,
		dropped:      d("packets_dropped_total", "Received BFD packets discarded, by reason.", []string{"reason"}),
		transitions:  d("state_transitions_total", "Session state changes (RFC 5880 §6.2).", []string{"from_state", "to_state"}),
		authFailures: d("auth_failures_total", "Packets discarded by authentication (RFC 5880 §6.7).", nil),
		txLate: d("tx_lateness_seconds", "How late periodic Control packets left relative to their schedule "+
			"(CPU starvation shows here first).", nil),
		detLate:    d("detection_latency_seconds", "How late a Detection Time expiry was acted upon after its deadline.", nil),
		overruns:   d("receive_overruns_total", "Received packets dropped because a shard's queue was full.", nil),
		sendErrors: d("send_errors_total", "Send system calls that failed.", nil),
		rxErrors:   d("receive_errors_total", "Reads of the receive sockets that failed.", nil),
		eventsLost: d("events_dropped_total", "State-change events a slow consumer (an API watcher, the log) missed "+
			"because its queue was full; the sessions never wait for one.", nil),
		stalls: d("engine_stall_seconds", "A shard's wake-ups 2 ms or more past its plan, and rounds that took as long: time in which "+
			"its thread, or the whole machine, did not run.", nil),
		held: d("detections_held_total", "Detection Time expiries that fell inside such a gap and were held "+
			"to a Detection Time after it (no longer than the gap), so that the host's own pause was not taken for the peer's silence.", nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.dropped, c.transitions, c.authFailures, c.txLate, c.detLate,
		c.overruns, c.sendErrors, c.rxErrors, c.eventsLost, c.stalls, c.held} {
		ch <- d
	}
}

var authReasons = [...]packet.DropReason{packet.DropAuthMissing, packet.DropAuthUnexpected,
	packet.DropAuthTypeMismatch, packet.DropAuthKeyID, packet.DropAuthDigest, packet.DropAuthSeq}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	counter := prometheus.CounterValue
	var auth uint64
	for r := packet.DropReason(1); r < packet.NumDropReasons; r++ {
		ch <- prometheus.MustNewConstMetric(c.dropped, counter, float64(c.src.Drops(r)), r.String())
	}
	for _, r := range authReasons {
		auth += c.src.Drops(r)
	}
	ch <- prometheus.MustNewConstMetric(c.authFailures, counter, float64(auth))
	for _, from := range states {
		for _, to := range states {
			if from != to {
				ch <- prometheus.MustNewConstMetric(c.transitions, counter, float64(c.src.Transitions(from, to)),
					from.String(), to.String())
			}
		}
	}
	ch <- histogram(c.txLate, c.src.TxLateness())
	ch <- histogram(c.detLate, c.src.DetectionLateness())
	ch <- prometheus.MustNewConstMetric(c.overruns, counter, float64(c.src.Overruns()))
	ch <- prometheus.MustNewConstMetric(c.sendErrors, counter, float64(c.src.SendErrors()))
	ch <- prometheus.MustNewConstMetric(c.rxErrors, counter, float64(c.src.ReceiveErrors()))
	ch <- prometheus.MustNewConstMetric(c.eventsLost, counter, float64(c.src.EventsLost()))
	ch <- histogram(c.stalls, c.src.Stalls())
	ch <- prometheus.MustNewConstMetric(c.held, counter, float64(c.src.DetectionsHeld()))
}

// histogram turns an engine histogram into a Prometheus one (cumulative
// buckets, seconds).
func histogram(d *prometheus.Desc, h engine.Histogram) prometheus.Metric {
	buckets := make(map[float64]uint64, len(engine.LatencyBounds))
	var cum uint64
	for i, b := range engine.LatencyBounds {
		cum += h.Counts[i]
		buckets[b.Seconds()] = cum
	}
	return prometheus.MustNewConstHistogram(d, h.Count(), h.Sum.Seconds(), buckets)
}
