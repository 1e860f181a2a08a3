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
	Sessions() []engine.SessionInfo
	Drops(packet.DropReason) uint64
	Transitions(from, to packet.State) uint64
	TxLateness() engine.Histogram
	DetectionLateness() engine.Histogram
	Overruns() uint64
	SendErrors() uint64
}

// Options configure the collector.
type Options struct {
	// Aggregate drops the peer_addr/local_addr labels of per-session
	// series (they are summed per session_type).
	Aggregate bool
	// Now is the wall clock (tests); default time.Now.
	Now func() time.Time
}

// Collector is a prometheus.Collector over an engine.
type Collector struct {
	src  Source
	opts Options

	sessions, sent, received, dropped, transitions, authFailures *prometheus.Desc
	detection, txInterval, upSeconds                             *prometheus.Desc
	txLate, detLate, overruns, sendErrors                        *prometheus.Desc
}

var sessionLabels = []string{"peer_addr", "local_addr", "session_type"}

// New returns a collector reading src.
func New(src Source, o Options) *Collector {
	if o.Now == nil {
		o.Now = time.Now
	}
	per := sessionLabels
	if o.Aggregate {
		per = []string{"session_type"}
	}
	d := func(name, help string, labels []string) *prometheus.Desc {
		return prometheus.NewDesc(ns+name, help, labels, nil)
	}
	return &Collector{src: src, opts: o,
		sessions:     d("sessions", "BFD sessions by state and type.", []string{"state", "session_type"}),
		sent:         d("packets_sent_total", "BFD Control packets sent.", per),
		received:     d("packets_received_total", "BFD Control packets received and accepted by a session.", per),
		dropped:      d("packets_dropped_total", "Received BFD packets discarded, by reason.", []string{"reason"}),
		transitions:  d("state_transitions_total", "Session state changes (RFC 5880 §6.2).", []string{"from_state", "to_state"}),
		authFailures: d("auth_failures_total", "Packets discarded by authentication (RFC 5880 §6.7).", nil),
		detection:    d("detection_time_seconds", "Negotiated Detection Time (RFC 5880 §6.8.4); 0 until the peer is heard.", per),
		txInterval:   d("tx_interval_seconds", "Negotiated transmit interval (RFC 5880 §6.8.2).", per),
		upSeconds:    d("session_up_seconds", "How long the session has been Up (0 when not Up).", per),
		txLate: d("tx_lateness_seconds", "How late periodic Control packets left relative to their schedule: "+
			"tick coalescing plus CPU starvation.", nil),
		detLate:    d("detection_latency_seconds", "How late a Detection Time expiry was acted upon after its deadline.", nil),
		overruns:   d("receive_overruns_total", "Received packets dropped because a shard's queue was full.", nil),
		sendErrors: d("send_errors_total", "Send system calls that failed.", nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.sessions, c.sent, c.received, c.dropped, c.transitions,
		c.authFailures, c.detection, c.txInterval, c.upSeconds, c.txLate, c.detLate, c.overruns, c.sendErrors} {
		ch <- d
	}
}

var states = [...]packet.State{packet.StateAdminDown, packet.StateDown, packet.StateInit, packet.StateUp}

var authReasons = [...]packet.DropReason{packet.DropAuthMissing, packet.DropAuthUnexpected,
	packet.DropAuthTypeMismatch, packet.DropAuthKeyID, packet.DropAuthDigest, packet.DropAuthSeq}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	now := c.opts.Now()
	ss := c.src.Sessions()
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue

	// sessions{state,session_type}: every combination, zeros included, so
	// that alerts on "Up == 0" see a series.
	var byState [4][2]int
	for i := range ss {
		byState[ss[i].Snapshot.State&3][ss[i].Key.Type&1]++
	}
	for _, st := range states {
		for _, t := range []engine.Type{engine.SingleHop, engine.MultiHop} {
			ch <- prometheus.MustNewConstMetric(c.sessions, gauge, float64(byState[st][t&1]), st.String(), t.String())
		}
	}

	if c.opts.Aggregate {
		var sent, recv, det, tx, up [2]float64
		for i := range ss {
			s := &ss[i]
			t := s.Key.Type & 1
			sent[t] += float64(s.Snapshot.Counters.PacketsOut)
			recv[t] += float64(s.Snapshot.Counters.PacketsIn)
			det[t] = max(det[t], s.Snapshot.DetectionTime.Seconds())
			tx[t] = max(tx[t], s.Snapshot.TxInterval.Seconds())
			if s.Snapshot.State == packet.StateUp {
				up[t]++
			}
		}
		for _, t := range []engine.Type{engine.SingleHop, engine.MultiHop} {
			i, l := t&1, t.String()
			ch <- prometheus.MustNewConstMetric(c.sent, counter, sent[i], l)
			ch <- prometheus.MustNewConstMetric(c.received, counter, recv[i], l)
			// Aggregated: the largest negotiated values, and how many are Up.
			ch <- prometheus.MustNewConstMetric(c.detection, gauge, det[i], l)
			ch <- prometheus.MustNewConstMetric(c.txInterval, gauge, tx[i], l)
			ch <- prometheus.MustNewConstMetric(c.upSeconds, gauge, up[i], l)
		}
	} else {
		for i := range ss {
			s := &ss[i]
			lv := []string{s.Key.Peer.String(), s.Key.Local.String(), s.Key.Type.String()}
			ch <- prometheus.MustNewConstMetric(c.sent, counter, float64(s.Snapshot.Counters.PacketsOut), lv...)
			ch <- prometheus.MustNewConstMetric(c.received, counter, float64(s.Snapshot.Counters.PacketsIn), lv...)
			ch <- prometheus.MustNewConstMetric(c.detection, gauge, s.Snapshot.DetectionTime.Seconds(), lv...)
			ch <- prometheus.MustNewConstMetric(c.txInterval, gauge, s.Snapshot.TxInterval.Seconds(), lv...)
			up := 0.0
			if s.Snapshot.State == packet.StateUp {
				up = now.Sub(s.UpSince).Seconds()
			}
			ch <- prometheus.MustNewConstMetric(c.upSeconds, gauge, max(up, 0), lv...)
		}
	}

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
