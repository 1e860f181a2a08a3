package main

import (
	"time"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/internal/flightrec"
)

// flightQueue is the flight recorder's event queue: it needs the first
// failure of a burst, not every event (a full queue loses events, never
// blocks a shard).
const flightQueue = 256

// startFlightRecorder starts the flight recorder when configured, on its
// own subscription to the engine's state changes and its own goroutine.
// The returned function (deferred by run) waits for it to finish — the
// engine's stop closes the subscription — and stops the runtime's
// recorder. A recorder that cannot start (a directory it cannot write) is
// logged and the daemon runs without it.
func (d *daemon) startFlightRecorder() (stop func()) {
	fc := d.cfg.FlightRecorder
	if !fc.Enabled {
		return func() {}
	}
	r, err := flightrec.Start(flightrec.Options{
		Dir: fc.Dir, Window: time.Duration(fc.Window), MaxBytes: uint64(fc.MaxBytes),
		MinInterval: time.Duration(fc.MinInterval), MaxFiles: fc.MaxFiles, Log: d.log,
	})
	if err != nil {
		d.log.Error("flight recorder not started; running without it", "dir", fc.Dir, "err", err)
		return func() {}
	}
	sub := d.eng.Subscribe(flightQueue)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(sub.C)
	}()
	d.log.Info("flight recorder running", "dir", fc.Dir, "window", time.Duration(fc.Window).String(),
		"max_bytes", fc.MaxBytes, "min_interval", time.Duration(fc.MinInterval).String(), "max_files", fc.MaxFiles)
	return func() {
		sub.Close()
		<-done
		r.Stop()
	}
}

// reloadFlightRecorder: flight_recorder changes take effect at the next
// restart (like metrics and scheduling).
func (d *daemon) reloadFlightRecorder(cfg *config.Config) {
	if cfg.FlightRecorder != d.cfg.FlightRecorder {
		d.log.Warn("reload: flight_recorder settings change at the next restart", "enabled", cfg.FlightRecorder.Enabled)
	}
}
