package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// dropLogEvery is the drop log's period: at most one line per period.
const dropLogEvery = 10 * time.Second

// dropCounters is what the drop log reads: *engine.Engine's counters.
type dropCounters interface {
	Drops(packet.DropReason) uint64
	Overruns() uint64
}

// dropLog turns the engine's drop counters into at most one log line per
// period, with what each reason added since the last line. It reads the
// counters (atomics) from its own goroutine; nothing on the packet path
// logs or knows about it.
type dropLog struct {
	src  dropCounters
	log  *slog.Logger
	last [packet.NumDropReasons]uint64
	// lastOverruns: packets a full shard queue dropped (not a DropReason:
	// the packet never reached a session).
	lastOverruns uint64
}

func newDropLog(src dropCounters, log *slog.Logger) *dropLog {
	l := &dropLog{src: src, log: log}
	l.delta() // start from the counters as they are
	return l
}

// delta returns the growth of each counter since the last call, the
// overruns' growth and whether any authentication counter grew.
func (l *dropLog) delta() (d [packet.NumDropReasons]uint64, overruns uint64, auth bool) {
	for r := packet.DropReason(1); r < packet.NumDropReasons; r++ {
		v := l.src.Drops(r)
		d[r] = v - l.last[r]
		l.last[r] = v
		auth = auth || (d[r] > 0 && r.IsAuth())
	}
	v := l.src.Overruns()
	overruns, l.lastOverruns = v-l.lastOverruns, v
	return d, overruns, auth
}

// check logs one line if any counter grew since the last check: Warn when
// packets failed authentication (RFC 5880 §6.7: a wrong key, or someone
// forging packets) or were lost to a full queue, Info otherwise (a peer
// without a configured session, a TTL below 255, ...).
func (l *dropLog) check(period time.Duration) {
	d, overruns, auth := l.delta()
	var attrs []any
	var total uint64
	for r := packet.DropReason(1); r < packet.NumDropReasons; r++ {
		if d[r] > 0 {
			attrs = append(attrs, slog.Uint64(r.String(), d[r]))
			total += d[r]
		}
	}
	if overruns > 0 {
		attrs = append(attrs, slog.Uint64("receive_overrun", overruns))
		total += overruns
	}
	if total == 0 {
		return
	}
	lvl := slog.LevelInfo
	if auth || overruns > 0 {
		lvl = slog.LevelWarn
	}
	l.log.Log(context.Background(), lvl, "packets dropped", "period", period.String(), "total", total,
		slog.Group("dropped", attrs...))
}

// run checks at every tick until done is closed.
func (l *dropLog) run(tick <-chan time.Time, period time.Duration, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-tick:
			l.check(period)
		}
	}
}

// startDropLog runs the drop log on its own goroutine; the returned
// function (deferred by run) stops it.
func (d *daemon) startDropLog() (stop func()) {
	l := newDropLog(d.eng, d.log)
	t := time.NewTicker(dropLogEvery)
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		l.run(t.C, dropLogEvery, done)
	}()
	return func() {
		t.Stop()
		close(done)
		<-exited
	}
}
