package netsim

import (
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

var authTypes = []packet.AuthType{packet.AuthSimple, packet.AuthKeyedMD5, packet.AuthMeticulousMD5,
	packet.AuthKeyedSHA1, packet.AuthMeticulousSHA1}

func withAuth(p session.Params, typ packet.AuthType, tx uint8, keys ...session.Key) session.Params {
	p.Auth = session.Auth{Type: typ, Keys: keys, TxKeyID: tx}
	return p
}

func key(id uint8, s string) session.Key { return session.Key{ID: id, Secret: []byte(s)} }

// RFC 5880 §6.7: every authentication type brings a session Up; a wrong key
// or a different type never does, and the drops are counted by reason.
func TestAuthScenarios(t *testing.T) {
	base := params(20*ms, 20*ms, 3)
	for _, typ := range authTypes {
		t.Run(typ.String(), func(t *testing.T) {
			s, a, b, _ := Pair(20, withAuth(base, typ, 1, key(1, "s3cret")), withAuth(base, typ, 1, key(1, "s3cret")))
			if !s.WaitFor(bothUp(a, b), 5*time.Second) {
				t.Fatal("not Up")
			}

			s, a, b, _ = Pair(21, withAuth(base, typ, 1, key(1, "s3cret")), withAuth(base, typ, 1, key(1, "other")))
			s.RunFor(10 * time.Second)
			if a.State() == packet.StateUp || b.State() == packet.StateUp {
				t.Fatal("Up with mismatched keys")
			}
			if a.Drops[packet.DropAuthDigest] == 0 {
				t.Fatalf("drops %v", a.Drops)
			}

			other := packet.AuthKeyedSHA1
			if typ == other {
				other = packet.AuthSimple
			}
			s, a, b, _ = Pair(22, withAuth(base, typ, 1, key(1, "s3cret")), withAuth(base, other, 1, key(1, "s3cret")))
			s.RunFor(10 * time.Second)
			if a.State() == packet.StateUp || b.State() == packet.StateUp || a.Drops[packet.DropAuthTypeMismatch] == 0 {
				t.Fatalf("type mismatch: %v %v", a.State(), a.Drops)
			}
		})
	}
}

// RFC 5880 §6.7.3, §6.7.4: a recorded old packet replayed into an Up
// session is dropped as auth_seq and changes nothing.
func TestReplayRejected(t *testing.T) {
	base := params(20*ms, 20*ms, 3)
	for _, typ := range authTypes[1:] {
		t.Run(typ.String(), func(t *testing.T) {
			s, a, b, _ := Pair(23, withAuth(base, typ, 1, key(1, "k")), withAuth(base, typ, 1, key(1, "k")))
			s.WaitFor(bothUp(a, b), 5*time.Second)
			nev := len(a.Events)
			b.RecordTx = true
			s.RunFor(time.Second)
			old := b.Tx[0].Raw
			s.RunFor(time.Second)
			// An attacker replays b's first Up packet, now 50 packets old,
			// and a forged copy of a Down packet made from it.
			down := append([]byte(nil), old...)
			down[1] = down[1]&0x3f | byte(packet.StateDown)<<6
			before := a.Drops[packet.DropAuthSeq] + a.Drops[packet.DropAuthDigest]
			a.Inject(old)
			a.Inject(down)
			s.RunFor(time.Second)
			if got := a.Drops[packet.DropAuthSeq] + a.Drops[packet.DropAuthDigest] - before; got != 2 {
				t.Fatalf("replayed/forged packets dropped: %d, want 2 (%v)", got, a.Drops)
			}
			if a.Drops[packet.DropAuthSeq] == 0 {
				t.Fatal("replay not counted as auth_seq")
			}
			if a.State() != packet.StateUp || len(a.Events) != nev {
				t.Fatalf("replay disturbed the session: %v", a.Events)
			}
		})
	}
}

// Hitless key rotation (RFC 5880 §6.7.1): add key 2 on both ends, switch
// the transmit key on each, remove key 1 — no state change.
func TestKeyRotationScenario(t *testing.T) {
	base := params(20*ms, 20*ms, 3)
	typ := packet.AuthMeticulousSHA1
	s, a, b, l := Pair(24, withAuth(base, typ, 1, key(1, "one")), withAuth(base, typ, 1, key(1, "one")))
	l.Set(Impairment{Delay: 2 * ms, Jitter: 3 * ms})
	s.WaitFor(bothUp(a, b), 5*time.Second)
	na, nb := len(a.Events), len(b.Events)
	steps := [][2]session.Params{
		{withAuth(base, typ, 1, key(1, "one"), key(2, "two")), withAuth(base, typ, 1, key(1, "one"), key(2, "two"))},
		{withAuth(base, typ, 2, key(1, "one"), key(2, "two")), withAuth(base, typ, 1, key(1, "one"), key(2, "two"))},
		{withAuth(base, typ, 2, key(1, "one"), key(2, "two")), withAuth(base, typ, 2, key(1, "one"), key(2, "two"))},
		{withAuth(base, typ, 2, key(2, "two")), withAuth(base, typ, 2, key(2, "two"))},
	}
	for _, st := range steps {
		a.SetParams(st[0])
		s.RunFor(500 * ms)
		b.SetParams(st[1])
		s.RunFor(2 * time.Second)
	}
	if len(a.Events) != na || len(b.Events) != nb {
		t.Fatalf("rotation flapped: a=%v b=%v", a.Events, b.Events)
	}
	if a.S.Snapshot().TxKeyID != 2 {
		t.Fatal("not rotated")
	}
}
