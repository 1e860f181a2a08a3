package config

import (
	"fmt"
	"path/filepath"
	"time"
)

// FlightRecorder is the flight_recorder section: a Go execution trace of
// the last seconds kept in memory (internal/flightrec) and written to Dir
// when a session goes Down for a reason other than an administrative one,
// so that a false alarm can be explained after the fact. Off when the
// key is left out, on in the packaged configs/gobfd.example.yml
// (docs/en/07-monitoring.md says why); a key left out or zero takes its
// default.
type FlightRecorder struct {
	Enabled bool     `yaml:"enabled"`
	Dir     string   `yaml:"dir"`    // where trace files go; default /var/lib/gobfd/flightrec
	Window  Duration `yaml:"window"` // how much history a file holds at least (max_bytes wins)
	// MaxBytes bounds the trace kept in memory (and so a file's size).
	MaxBytes    int64    `yaml:"max_bytes"`
	MinInterval Duration `yaml:"min_interval"` // at most one file per interval
	MaxFiles    int      `yaml:"max_files"`    // older files are deleted
}

// Defaults and limits of the flight_recorder keys.
const (
	DefaultFlightRecorderDir = "/var/lib/gobfd/flightrec"

	defaultFlightWindow      = 5 * time.Second
	defaultFlightMaxBytes    = 16 << 20
	defaultFlightMinInterval = time.Minute
	defaultFlightMaxFiles    = 10

	minFlightWindow, maxFlightWindow     = time.Second, 10 * time.Minute
	minFlightMaxBytes, maxFlightMaxBytes = 1 << 20, 1 << 30
	minFlightInterval                    = time.Second
	maxFlightFiles                       = 10000
)

// resolve fills in the defaults of flight_recorder keys left out (or
// zero) and checks the rest; every problem names its key.
func (f *FlightRecorder) resolve() []error {
	if f.Dir == "" {
		f.Dir = DefaultFlightRecorderDir
	}
	if f.Window == 0 {
		f.Window = Duration(defaultFlightWindow)
	}
	if f.MaxBytes == 0 {
		f.MaxBytes = defaultFlightMaxBytes
	}
	if f.MinInterval == 0 {
		f.MinInterval = Duration(defaultFlightMinInterval)
	}
	if f.MaxFiles == 0 {
		f.MaxFiles = defaultFlightMaxFiles
	}
	var errs []error
	bad := func(key, val, reason string) { errs = append(errs, &Error{"flight_recorder." + key, val, reason}) }
	if !filepath.IsAbs(f.Dir) {
		bad("dir", f.Dir, "is not an absolute path")
	}
	if w := time.Duration(f.Window); w < minFlightWindow || w > maxFlightWindow {
		bad("window", w.String(), fmt.Sprintf("is outside %v..%v", minFlightWindow, maxFlightWindow))
	}
	if b := f.MaxBytes; b < minFlightMaxBytes || b > maxFlightMaxBytes {
		bad("max_bytes", fmt.Sprint(b), "is outside 1048576..1073741824 (1 MiB..1 GiB)")
	}
	if iv := time.Duration(f.MinInterval); iv < minFlightInterval {
		bad("min_interval", iv.String(), "is below the "+minFlightInterval.String()+" minimum")
	}
	if n := f.MaxFiles; n < 1 || n > maxFlightFiles {
		bad("max_files", fmt.Sprint(n), fmt.Sprintf("is outside 1..%d", maxFlightFiles))
	}
	return errs
}
