package engine

import (
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// SessionMetrics is the part of a session a metrics scrape needs: a
// seventh of a SessionDetail, so that scraping 50,000 sessions does not copy
// 35 MB of snapshots first.
type SessionMetrics struct {
	Key           Key
	State         packet.State
	PacketsIn     uint64
	PacketsOut    uint64
	DetectionTime time.Duration // RFC 5880 §6.8.4; 0 before the peer was heard
	TxInterval    time.Duration // §6.8.2, negotiated
	UpSince       time.Time     // valid while Up
}

// AppendSessionMetrics appends every session's metrics to buf and returns
// it; a caller that keeps buf between scrapes allocates only when the
// session count grows.
func (e *Engine) AppendSessionMetrics(buf []SessionMetrics) []SessionMetrics {
	e.forEachLive(func(en *entry) {
		m := SessionMetrics{Key: en.key, State: en.s.State(),
			PacketsIn: en.counters.PacketsIn.Load(), PacketsOut: en.counters.PacketsOut.Load(),
			DetectionTime: en.s.DetectionTime(), TxInterval: en.s.TxInterval()}
		if m.State == packet.StateUp {
			m.UpSince = e.wall(en.s.UpSince())
		}
		buf = append(buf, m)
	})
	return buf
}
