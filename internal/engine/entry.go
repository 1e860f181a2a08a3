package engine

import (
	"sync/atomic"
	"time"

	"github.com/dantte-lp/gobfd/internal/session"
)

// Counters are a session's counters, readable from any goroutine while
// its shard updates them.
type Counters struct {
	PacketsIn  atomic.Uint64
	PacketsOut atomic.Uint64
	// Drops counts packets demultiplexed to this session and then
	// discarded; the per-reason split is in the session's Snapshot and in
	// the engine-wide Drops.
	Drops           atomic.Uint64
	UpTransitions   atomic.Uint64
	DownTransitions atomic.Uint64
	State           atomic.Uint32 // packet.State
}

// entry is a session in its shard.
type entry struct {
	key      Key
	owner    string // SessionConfig.Owner
	padded   int    // SessionConfig.PaddedSize; the Params live in the session
	s        *session.Session
	srcPort  uint16
	ifIndex  int
	device   string // Key.Device(), kept to avoid recomputing per packet
	index    int    // in the shard's deadline heap; -1 when absent
	deadline session.Time
	removeAt session.Time // when removing: last AdminDown and delete
	counters Counters
}

// SessionConfig describes a session to the engine.
type SessionConfig struct {
	Key    Key
	Params session.Params
	// PaddedSize pads transmitted Control packets with zeros to this many
	// bytes (RFC 9764); 0 sends them unpadded.
	PaddedSize int
	// Owner tells who created the session ("config", "api"); the engine
	// only records it.
	Owner string
}

// SessionInfo is a copied view of a session.
type SessionInfo struct {
	Key      Key
	Owner    string
	SrcPort  uint16
	Snapshot session.Snapshot
	// LastChange is the wall-clock time of the last state change.
	LastChange time.Time
	// UpSince is the wall-clock time the session came Up (valid while Up).
	UpSince time.Time
}

// nextDeadline is the earliest of the session's own deadline and its
// removal.
func (e *entry) nextDeadline() session.Time {
	d := e.s.NextDeadline()
	if e.removeAt != 0 {
		d = min(d, e.removeAt)
	}
	return d
}
