package main

import (
	"runtime"

	"github.com/dantte-lp/gobfd/internal/config"
)

// shardsAndProcs picks the engine's shard count (config.Shards: one per
// CPU the runtime would use — GOMAXPROCS as set by the environment or the
// cgroup limit — or one for a light configuration) and sets GOMAXPROCS.
// Each shard sleeps in a system call between deadlines (internal/engine,
// waiter), holding its P meanwhile, so the runtime gets two Ps more than
// shards: the logger, the API and the metrics server always find one.
func shardsAndProcs(c *config.Config) int {
	shards := c.Shards(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(shards + 2)
	return shards
}
