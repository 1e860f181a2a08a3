package config

import "time"

// MaxShards bounds scheduling.shards (the engine's limit).
const MaxShards = 64

// LightPacketRate is the packet rate (sent and received, per second)
// below which Shards picks one shard: a shard's fixed cost (its wake-ups
// on the transmission grid, its share of the Go runtime's bookkeeping)
// then outweighs what a second core could add, and one thread serves
// 10,000 packets a second with most of a core to spare.
const LightPacketRate = 10_000

// Shards is the engine's shard count: scheduling.shards when set; else
// one for a light configuration (its sessions exchange fewer than
// LightPacketRate packets a second at their configured intervals), else
// one per CPU (cpus). Sessions added later over the API do not change it:
// a daemon that gets most of its sessions that way should set
// scheduling.shards.
func (c *Config) Shards(cpus int) int {
	if c.Scheduling.Shards > 0 {
		return c.Scheduling.Shards
	}
	if c.PacketRate() < LightPacketRate {
		return 1
	}
	return max(cpus, 1)
}

// PacketRate estimates the packets a second the configured sessions send
// and receive once Up: two per interval each, the interval being the
// smaller of desired_min_tx and required_min_rx (RFC 5880 §6.8.2, §6.8.7
// negotiate each direction to at least these).
func (c *Config) PacketRate() float64 {
	var r float64
	for _, s := range c.EngineSessions() {
		iv := min(s.Params.DesiredMinTx, s.Params.RequiredMinRx)
		if iv > 0 {
			r += 2 * float64(time.Second) / float64(iv)
		}
	}
	return r
}
