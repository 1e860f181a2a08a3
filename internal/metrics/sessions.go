package metrics

import (
	"io"
	"math"
	"strconv"
	"time"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/packet"
)

// SessionSource is what the per-session families read: *engine.Engine.
type SessionSource interface {
	AppendSessionMetrics(buf []engine.SessionMetrics) []engine.SessionMetrics
}

// family is one per-session metric family; agg is how metrics.aggregate
// folds its sessions into one series per session type.
type family struct {
	name, help, typ string
	agg             aggregation
	value           func(m *engine.SessionMetrics, now time.Time) float64
}

type aggregation int

const (
	aggSum   aggregation = iota // counters: the sum
	aggMax                      // negotiated times: the largest
	aggCount                    // session_up_seconds: how many are Up
)

// sessionFamilies are written by hand rather than through client_golang:
// one const metric per series would allocate some hundred bytes per
// session and scrape, and their protobuf form again (50,000 sessions: five
// families, 250,000 series, a few hundred megabytes per scrape, and a heap
// left fragmented when that garbage goes). Here a scrape copies each
// session's counters once (engine.SessionMetrics) and formats the lines
// into one reused buffer.
var sessionFamilies = []family{
	{"packets_sent_total", "BFD Control packets sent.", "counter", aggSum,
		func(m *engine.SessionMetrics, _ time.Time) float64 { return float64(m.PacketsOut) }},
	{"packets_received_total", "BFD Control packets received and accepted by a session.", "counter", aggSum,
		func(m *engine.SessionMetrics, _ time.Time) float64 { return float64(m.PacketsIn) }},
	{"detection_time_seconds", "Negotiated Detection Time (RFC 5880 §6.8.4); 0 until the peer is heard.", "gauge", aggMax,
		func(m *engine.SessionMetrics, _ time.Time) float64 { return m.DetectionTime.Seconds() }},
	{"tx_interval_seconds", "Negotiated transmit interval (RFC 5880 §6.8.2).", "gauge", aggMax,
		func(m *engine.SessionMetrics, _ time.Time) float64 { return m.TxInterval.Seconds() }},
	{"session_up_seconds", "How long the session has been Up (0 when not Up).", "gauge", aggCount,
		func(m *engine.SessionMetrics, now time.Time) float64 {
			if m.State != packet.StateUp {
				return 0
			}
			return max(now.Sub(m.UpSince).Seconds(), 0)
		}},
}

var states = [...]packet.State{packet.StateAdminDown, packet.StateDown, packet.StateInit, packet.StateUp}

var types = [...]engine.Type{engine.SingleHop, engine.MultiHop}

// sessionWriter formats the per-session families.
type sessionWriter struct {
	src  SessionSource
	opts Options
	buf  []byte
}

// writeTo writes every per-session family in the Prometheus text format
// (version 0.0.4) to w, flushing its buffer every 64 KiB.
func (s *sessionWriter) writeTo(w io.Writer) error {
	now := s.opts.Now()
	ms := s.src.AppendSessionMetrics(nil)
	b := s.buf[:0]
	flush := func() error {
		_, err := w.Write(b)
		b = b[:0]
		return err
	}

	// sessions{state,session_type}: every combination, zeros included, so
	// that alerts on "Up == 0" see a series.
	var byState [4][2]int
	for i := range ms {
		byState[ms[i].State&3][ms[i].Key.Type&1]++
	}
	b = header(b, "sessions", "BFD sessions by state and type.", "gauge")
	for _, st := range states {
		for _, t := range types {
			b = append(b, ns+"sessions{state=\""...)
			b = append(b, st.String()...)
			b = append(b, "\",session_type=\""...)
			b = append(b, t.String()...)
			b = append(b, "\"} "...)
			b = strconv.AppendInt(b, int64(byState[st][t&1]), 10)
			b = append(b, '\n')
		}
	}

	for _, f := range sessionFamilies {
		b = header(b, f.name, f.help, f.typ)
		if s.opts.Aggregate {
			// Per session type: sums of the counters, the largest
			// negotiated times, and how many sessions are Up.
			var v [2]float64
			for i := range ms {
				x, t := f.value(&ms[i], now), ms[i].Key.Type&1
				switch f.agg {
				case aggSum:
					v[t] += x
				case aggMax:
					v[t] = max(v[t], x)
				case aggCount:
					if ms[i].State == packet.StateUp {
						v[t]++
					}
				}
			}
			prefix := ns + f.name + "{session_type=\""
			for _, t := range types {
				b = append(b, prefix...)
				b = append(b, t.String()...)
				b = append(b, "\"} "...)
				b = appendFloat(b, v[t&1])
				b = append(b, '\n')
			}
			continue
		}
		prefix := ns + f.name + "{peer_addr=\""
		for i := range ms {
			m := &ms[i]
			b = append(b, prefix...)
			b = m.Key.Peer.AppendTo(b)
			b = append(b, "\",local_addr=\""...)
			b = m.Key.Local.AppendTo(b)
			b = append(b, "\",session_type=\""...)
			b = append(b, m.Key.Type.String()...)
			// Sessions that differ only by interface or VRF (the rest of
			// the key, engine.Key) get those labels too, so that no two
			// share a series; the common case carries neither.
			if m.Key.Interface != "" {
				b = append(b, "\",interface=\""...)
				b = appendLabelValue(b, m.Key.Interface)
			}
			if m.Key.VRF != "" {
				b = append(b, "\",vrf=\""...)
				b = appendLabelValue(b, m.Key.VRF)
			}
			b = append(b, "\"} "...)
			b = appendFloat(b, f.value(m, now))
			b = append(b, '\n')
			if len(b) >= 64<<10 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	err := flush()
	s.buf = b[:0]
	if cap(s.buf) > 256<<10 {
		s.buf = nil // a flush keeps it under 64 KiB + a line; never hold more
	}
	return err
}

// header writes a family's HELP and TYPE lines (the help texts are ours
// and need no escaping).
func header(b []byte, name, help, typ string) []byte {
	b = append(b, "# HELP "+ns+name+" "+help+"\n# TYPE "+ns+name+" "+typ+"\n"...)
	return b
}

// appendLabelValue escapes a label value as the text format wants it
// (backslash, double quote and newline; an interface name may hold the
// first two).
func appendLabelValue(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\', '"':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendFloat formats a sample value as the text format wants it.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "+Inf"...)
	case math.IsInf(f, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(f):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}
