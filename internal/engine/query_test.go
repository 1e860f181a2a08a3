package engine

import (
	"net/netip"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// The API's queries find a session by key, by discriminator and by peer,
// select by state, and leave out a session being removed.
func TestQueries(t *testing.T) {
	w := newWorld(t, 3, params(100*ms, 3))
	up := func(ev Event) bool { return ev.New == packet.StateUp }
	waitEvents(t, w.subA, 3, up, 5*time.Second)

	d, ok := w.a.Session(w.ka[1])
	if !ok || d.Key != w.ka[1] || d.Snapshot.State != packet.StateUp || d.Params.DetectMult != 3 {
		t.Fatalf("Session: %v %+v", ok, d.SessionInfo)
	}
	byD, ok := w.a.SessionByDiscr(d.Snapshot.LocalDiscr)
	if !ok || byD.Key != d.Key {
		t.Fatalf("SessionByDiscr: %v %v", ok, byD.Key)
	}
	if _, ok := w.a.SessionByDiscr(0); ok {
		t.Fatal("discriminator 0 found a session")
	}
	if got := w.a.SessionsOfPeer(w.ka[2].Peer); len(got) != 1 || got[0].Key != w.ka[2] {
		t.Fatalf("SessionsOfPeer: %v", got)
	}
	if got := w.a.SessionsOfPeer(netip.MustParseAddr("198.18.200.1")); len(got) != 0 {
		t.Fatalf("SessionsOfPeer of a stranger: %v", got)
	}
	if got := w.a.Select(func(_ Key, s packet.State) bool { return s == packet.StateUp }); len(got) != 3 {
		t.Fatalf("Select Up: %d", len(got))
	}
	if got := w.a.Select(func(k Key, _ packet.State) bool { return k == w.ka[0] }); len(got) != 1 {
		t.Fatalf("Select key: %d", len(got))
	}
	if err := w.a.Remove(w.ka[0]); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.a.Session(w.ka[0]); ok {
		t.Fatal("a session being removed is still found")
	}
	if n := len(w.a.Keys()); n != 2 {
		t.Fatalf("Keys: %d", n)
	}
}
