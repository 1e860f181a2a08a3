package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// fakeDrops is a hand-driven set of drop counters (atomics, like the
// engine's: the test writes while the log's goroutine reads).
type fakeDrops struct {
	n        [packet.NumDropReasons]atomic.Uint64
	overruns atomic.Uint64
}

func (f *fakeDrops) Drops(r packet.DropReason) uint64 { return f.n[r].Load() }
func (f *fakeDrops) Overruns() uint64                 { return f.overruns.Load() }

// lines decodes the JSON lines written so far and forgets them.
func lines(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		out = append(out, m)
	}
	b.Reset()
	return out
}

// One line per period at most, with what each reason added since the
// last line; nothing when nothing grew; Warn for authentication failures
// and overruns, Info otherwise.
func TestDropLog(t *testing.T) {
	src := &fakeDrops{}
	src.n[packet.DropNoSession].Store(7) // before the daemon's log started: not reported
	var out bytes.Buffer
	l := newDropLog(src, slog.New(slog.NewJSONHandler(&out, nil)))

	l.check(10 * time.Second)
	if got := lines(t, &out); len(got) != 0 {
		t.Fatalf("logged without drops: %v", got)
	}

	src.n[packet.DropNoSession].Add(3)
	src.n[packet.DropTTL].Add(1)
	l.check(10 * time.Second)
	got := lines(t, &out)
	if len(got) != 1 {
		t.Fatalf("%d lines, want 1: %v", len(got), got)
	}
	d, _ := got[0]["dropped"].(map[string]any)
	if got[0]["level"] != "INFO" || got[0]["msg"] != "packets dropped" || got[0]["total"] != 4.0 ||
		d["no_session"] != 3.0 || d["ttl"] != 1.0 || len(d) != 2 || got[0]["period"] != "10s" {
		t.Fatalf("%v", got[0])
	}

	src.n[packet.DropAuthDigest].Add(1000) // someone with the wrong key
	src.n[packet.DropNoSession].Add(1)
	l.check(10 * time.Second)
	got = lines(t, &out)
	d, _ = got[0]["dropped"].(map[string]any)
	if len(got) != 1 || got[0]["level"] != "WARN" || d["auth_digest"] != 1000.0 || d["no_session"] != 1.0 || len(d) != 2 {
		t.Fatalf("%v", got)
	}

	src.overruns.Add(5)
	l.check(10 * time.Second)
	got = lines(t, &out)
	d, _ = got[0]["dropped"].(map[string]any)
	if len(got) != 1 || got[0]["level"] != "WARN" || d["receive_overrun"] != 5.0 {
		t.Fatalf("%v", got)
	}
}

// The goroutine checks once per tick (the ticker is injected: no sleeps)
// and ends when told.
func TestDropLogRun(t *testing.T) {
	src := &fakeDrops{}
	logged := make(chan slog.Record, 4)
	l := newDropLog(src, slog.New(recordHandler(logged)))
	tick, done, exited := make(chan time.Time), make(chan struct{}), make(chan struct{})
	go func() { defer close(exited); l.run(tick, 10*time.Second, done) }()

	src.n[packet.DropAuthSeq].Store(2)
	tick <- time.Time{}
	if r := <-logged; r.Level != slog.LevelWarn || r.Message != "packets dropped" {
		t.Fatalf("%v %s", r.Level, r.Message)
	}
	tick <- time.Time{} // nothing new: no line
	src.n[packet.DropBadVersion].Store(1)
	tick <- time.Time{}
	if r := <-logged; r.Level != slog.LevelInfo {
		t.Fatalf("%v", r.Level)
	}
	close(done)
	<-exited
	if len(logged) != 0 {
		t.Fatalf("%d lines more than the drops", len(logged))
	}
}

// recordHandler sends every record to a channel.
type recordHandler chan slog.Record

func (h recordHandler) Enabled(_ context.Context, _ slog.Level) bool { return true }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	h <- r
	return nil
}
func (h recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recordHandler) WithGroup(string) slog.Handler      { return h }
