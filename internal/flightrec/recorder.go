package flightrec

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/trace"
	"time"

	"github.com/dantte-lp/gobfd/internal/engine"
)

// Options configure a Recorder (the flight_recorder section of gobfd.yml).
type Options struct {
	Dir string // where trace files go; created if missing
	// Window is how much history the recorder keeps at least
	// (trace.FlightRecorderConfig.MinAge); MaxBytes takes precedence.
	Window   time.Duration
	MaxBytes uint64
	// MinInterval: at most one file per interval; the Downs in between
	// are counted and reported with the next file.
	MinInterval time.Duration
	MaxFiles    int // the newest MaxFiles files are kept
	Log         *slog.Logger
	Now         func() time.Time // the clock (tests); default time.Now
}

// tracer is the trace source: *trace.FlightRecorder outside tests.
type tracer interface {
	Start() error
	WriteTo(io.Writer) (int64, error)
	Stop()
}

// Recorder writes the flight recorder's window to a file when a session
// fails. Run and Stop belong to the goroutine that started it.
type Recorder struct {
	o    Options
	tr   tracer
	pace *pacer

	last       time.Time // when the last file was written
	suppressed int       // failures since then that wrote no file
	written    int
}

// Start creates Dir (and checks that it is writable), deletes the oldest
// files beyond MaxFiles, and starts the runtime's flight recorder. Only one
// may run per process.
func Start(o Options) (*Recorder, error) {
	return start(o, trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: o.Window, MaxBytes: o.MaxBytes}))
}

func start(o Options, tr tracer) (*Recorder, error) {
	if o.Dir == "" || o.MaxFiles < 1 {
		return nil, errors.New("flightrec: no directory or no files to keep")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := checkDir(o.Dir); err != nil {
		return nil, fmt.Errorf("flightrec: %w", err)
	}
	if err := prune(o.Dir, o.MaxFiles); err != nil {
		o.Log.Warn("flight recorder: old traces not deleted", "err", err)
	}
	if err := tr.Start(); err != nil {
		return nil, fmt.Errorf("flightrec: %w", err)
	}
	return &Recorder{o: o, tr: tr, pace: newPacer(max(o.MaxBytes, 1<<20))}, nil
}

// paceEvery is how often the recorder looks at its garbage (pace.go).
const paceEvery = time.Second

// Run watches state changes until events is closed and writes a trace for
// each failure (Trigger) that the rate limit lets through.
func (r *Recorder) Run(events <-chan engine.Event) {
	t := time.NewTicker(paceEvery)
	defer t.Stop()
	r.loop(events, t.C)
}

func (r *Recorder) loop(events <-chan engine.Event, tick <-chan time.Time) {
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return
			}
			if Trigger(ev) {
				r.failure(ev)
			}
		case <-tick:
			r.pace.tick()
		}
	}
}

// Stop stops the runtime's flight recorder.
func (r *Recorder) Stop() { r.tr.Stop() }

// Written is the number of files written so far (Run's goroutine).
func (r *Recorder) Written() int { return r.written }

// failure writes the window now, unless a file was written less than
// MinInterval ago: a burst of Downs (a cut link) is one file, written at
// the first of them, whose window holds the lead-up to all.
func (r *Recorder) failure(ev engine.Event) {
	now := r.o.Now()
	if !r.last.IsZero() && now.Sub(r.last) < r.o.MinInterval {
		r.suppressed++
		return
	}
	r.last = now
	start := time.Now()
	path, n, err := writeFile(r.o.Dir, fileName(now, ev.Key.Peer), r.tr.WriteTo)
	if err != nil {
		r.o.Log.Error("flight recorder: trace not written", "dir", r.o.Dir, "err", err)
		return
	}
	r.written++
	r.o.Log.Info("flight recorder: trace written", "file", path, "bytes", n,
		"took", time.Since(start).Round(time.Millisecond).String(),
		"session", ev.Key.String(), "diag", ev.LocalDiag.String(),
		"failures_since_last_trace", r.suppressed)
	r.suppressed = 0
	if err := prune(r.o.Dir, r.o.MaxFiles); err != nil {
		r.o.Log.Warn("flight recorder: old traces not deleted", "err", err)
	}
}
