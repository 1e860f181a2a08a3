package main

import (
	"net/netip"
	"testing"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/internal/engine"
)

// A reload governs the file's sessions as they run: a force-deleted one is
// restored, an API session the file now lists is taken over (updated, not
// added), a dropped one that is already gone is not removed again, and
// nothing names an API session the file does not list.
func TestOwnSessions(t *testing.T) {
	key := func(i int) engine.Key {
		return engine.Key{Peer: netip.AddrFrom4([4]byte{198, 19, 0, byte(i)}), Local: netip.MustParseAddr("198.18.0.1")}
	}
	sc := func(i int) engine.SessionConfig { return engine.SessionConfig{Key: key(i), Owner: "config"} }
	// The file had 1, 2, 3, 4; now 1, 2, 3 (changed), 5, 6.
	ch := config.Change{Add: []engine.SessionConfig{sc(5), sc(6)}, Update: []engine.SessionConfig{sc(3)}, Remove: []engine.Key{key(4)}}
	cur := []engine.SessionConfig{sc(1), sc(2), sc(3), sc(5), sc(6)}
	// Running: 1; 2 and 3 were force-deleted, 4 too; 6 and 7 are API sessions.
	live := map[engine.Key]bool{key(1): true, key(6): true, key(7): true}
	got := ownSessions(ch, cur, live)
	keys := func(ss []engine.SessionConfig) map[engine.Key]bool {
		m := map[engine.Key]bool{}
		for _, s := range ss {
			m[s.Key] = true
		}
		return m
	}
	add, upd := keys(got.Add), keys(got.Update)
	if len(got.Add) != 3 || !add[key(2)] || !add[key(3)] || !add[key(5)] {
		t.Errorf("add %v, want 2 (restored), 3 (changed while deleted) and 5 (new)", got.Add)
	}
	if len(got.Update) != 1 || !upd[key(6)] {
		t.Errorf("update %v, want 6 (taken over from the API)", got.Update)
	}
	if len(got.Remove) != 0 {
		t.Errorf("remove %v, want none (4 is gone already)", got.Remove)
	}
	for _, s := range append(got.Add, got.Update...) {
		if s.Key == key(7) {
			t.Error("a change names the API session 7")
		}
	}
}
