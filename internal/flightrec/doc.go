// Package flightrec keeps a Go execution trace of the last seconds in
// memory (the standard library's runtime/trace.FlightRecorder, bounded in
// bytes) and writes it to a file when a session goes Down for a reason
// other than an administrative one — a detection timeout, a neighbour
// signalling Down, a path down — so that a false alarm (a starved shard,
// a GC pause, a stalled reader) can be explained after the fact with
// `go tool trace`.
//
// cmd/gobfd starts a Recorder when flight_recorder.enabled is set and runs
// Recorder.Run on its own goroutine over its own subscription to the
// engine's state changes; nothing on the per-packet path knows about it.
// Files are written at most once per MinInterval (one file covers a burst
// of Downs: a cut link takes many sessions down at once), and only the
// newest MaxFiles are kept. The same goroutine keeps the recorder's heap
// garbage bounded when the daemon runs with GOGC=off (pace.go).
package flightrec
