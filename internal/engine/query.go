package engine

import (
	"net/netip"

	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

// Read-only queries for the API (internal/server): each runs as a command
// on the owning shard and returns copies. Sessions being removed
// (AdminDown sent, deletion pending) are left out (forEachLive).

// SessionDetail is a SessionInfo with the session's configured
// parameters.
type SessionDetail struct {
	SessionInfo
	Params     session.Params // as configured (the Snapshot has the advertised values)
	PaddedSize int            // SessionConfig.PaddedSize
}

// detail copies en; it runs on en's shard.
func (e *Engine) detail(en *entry) SessionDetail {
	sn := en.s.Snapshot()
	return SessionDetail{
		SessionInfo: SessionInfo{Key: en.key, Owner: en.owner, SrcPort: en.srcPort, Snapshot: sn,
			LastChange: e.wall(sn.LastChange), UpSince: e.wall(sn.UpSince)},
		Params:     en.s.Params(),
		PaddedSize: en.padded,
	}
}

// Session returns the session with key k.
func (e *Engine) Session(k Key) (SessionDetail, bool) {
	var d SessionDetail
	var ok bool
	e.do(e.shardFor(k), func(sh *shard) {
		if en := sh.byKey[k]; en != nil && en.removeAt == 0 {
			d, ok = e.detail(en), true
		}
	})
	return d, ok
}

// SessionByDiscr returns the session whose local discriminator is d
// (bfd.LocalDiscr, RFC 5880 §6.8.1).
func (e *Engine) SessionByDiscr(d uint32) (SessionDetail, bool) {
	var out SessionDetail
	var ok bool
	if d == 0 {
		return out, false
	}
	// A discriminator names its shard (see prepare).
	e.do(e.shards[d%uint32(len(e.shards))], func(sh *shard) {
		if en := sh.byDiscr[d]; en != nil && en.removeAt == 0 {
			out, ok = e.detail(en), true
		}
	})
	return out, ok
}

// SessionsOfPeer returns the sessions with peer address p, of both types.
func (e *Engine) SessionsOfPeer(p netip.Addr) []SessionDetail {
	var out []SessionDetail
	for _, t := range []Type{SingleHop, MultiHop} {
		e.do(e.shardFor(Key{Peer: p, Type: t}), func(sh *shard) {
			for _, en := range sh.byPeer[peerKey{p.As16(), t}] {
				if en.removeAt == 0 && en.key.Peer == p {
					out = append(out, e.detail(en))
				}
			}
		})
	}
	return out
}

// Select returns the sessions for which match (given the key and the
// state; nil: every session) is true, copying only those.
func (e *Engine) Select(match func(Key, packet.State) bool) []SessionDetail {
	var out []SessionDetail
	e.forEachLive(func(en *entry) {
		if match == nil || match(en.key, en.s.State()) {
			out = append(out, e.detail(en))
		}
	})
	return out
}

// Keys returns the keys of every session, without copying the sessions.
func (e *Engine) Keys() []Key {
	var out []Key
	e.forEachLive(func(en *entry) { out = append(out, en.key) })
	return out
}
