package main

import "runtime"

// shardsAndProcs picks the engine's shard count and sets GOMAXPROCS.
//
// One shard per CPU the runtime would use (GOMAXPROCS as set by the
// environment or the cgroup limit). Each shard sleeps in a system call on
// its own thread between deadlines (internal/engine, waiter), holding its P
// meanwhile, so the runtime gets two Ps more than shards: the packet
// readers, the logger and the metrics server always find one.
func shardsAndProcs() int {
	shards := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(shards + 2)
	return shards
}
