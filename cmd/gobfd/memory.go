package main

import "runtime/debug"

// Memory. The deployment guide recommends GOGC=off with a GOMEMLIMIT: in
// the steady state the daemon allocates nothing per packet, so the
// collector has nothing to do. Loading a configuration is different:
// parsing 50,000 sessions of YAML makes ~360 MB of short-lived garbage,
// and with the collector off it would be interleaved with the sessions'
// long-lived objects and stay resident as fragmentation. So a load runs
// with the collector on, and afterwards the garbage is handed back.

// gcPercentBefore is the setting beginBurst replaced (-1: GOGC=off).
var gcPercentBefore = 100

// beginBurst turns the collector on (GOGC=100) for a burst of allocation.
func beginBurst() { gcPercentBefore = debug.SetGCPercent(100) }

// endBurst restores the configured collector and returns free memory to
// the kernel.
func endBurst() {
	debug.SetGCPercent(gcPercentBefore)
	settle()
}

// settle collects garbage now and returns it to the kernel.
func settle() { debug.FreeOSMemory() }
