package session

import (
	"testing"

	"github.com/dantte-lp/gobfd/internal/packet"
)

var allAuth = []packet.AuthType{packet.AuthSimple, packet.AuthKeyedMD5, packet.AuthMeticulousMD5,
	packet.AuthKeyedSHA1, packet.AuthMeticulousSHA1}

func authParams(typ packet.AuthType, tx uint8, keys ...Key) Params {
	p := params(10*ms, 10*ms, 3)
	p.Auth = Auth{Type: typ, Keys: keys, TxKeyID: tx}
	return p
}

func k(id uint8, s string) Key { return Key{ID: id, Secret: []byte(s)} }

// RFC 5880 §6.7: every type brings a session Up; step 8 of §6.8.6 drops
// packets whose A bit disagrees with bfd.AuthType.
func TestAuthTypes(t *testing.T) {
	for _, typ := range allAuth {
		t.Run(typ.String(), func(t *testing.T) {
			a := newSession(t, 1, authParams(typ, 3, k(3, "secret")), 0)
			b := newSession(t, 2, authParams(typ, 3, k(3, "secret")), 0)
			up(t, a, b, 0)

			plain := newSession(t, 3, params(10*ms, 10*ms, 3), 0)
			if _, out := deliver(t, a, plain, 0); out.Drop != packet.DropAuthUnexpected {
				t.Fatalf("A set, no auth in use: %v", out.Drop)
			}
			if _, out := deliver(t, plain, a, 0); out.Drop != packet.DropAuthMissing {
				t.Fatalf("A clear, auth in use: %v", out.Drop)
			}
			wrong := newSession(t, 4, authParams(typ, 3, k(3, "other")), 0)
			wrong.auth.xmitSeq = a.auth.rcvSeq + 1 // inside the window: the digest decides
			if _, out := deliver(t, wrong, a, 0); out.Drop != packet.DropAuthDigest {
				t.Fatalf("wrong secret: %v", out.Drop)
			}
			other := packet.AuthKeyedSHA1
			if typ == other {
				other = packet.AuthKeyedMD5
			}
			mism := newSession(t, 5, authParams(other, 3, k(3, "secret")), 0)
			if _, out := deliver(t, mism, a, 0); out.Drop != packet.DropAuthTypeMismatch {
				t.Fatalf("type mismatch: %v", out.Drop)
			}
			unknown := newSession(t, 6, authParams(typ, 9, k(9, "secret")), 0)
			if _, out := deliver(t, unknown, a, 0); out.Drop != packet.DropAuthKeyID {
				t.Fatalf("unknown key ID: %v", out.Drop)
			}
			if got := a.Counters().AuthFailures(); got != 4 {
				t.Fatalf("auth failures %d, want 4", got)
			}
		})
	}
}

// RFC 5880 §6.7.3/§6.7.4 sequence windows: keyed types accept
// [RcvAuthSeq, RcvAuthSeq+3*DetectMult], meticulous types
// [RcvAuthSeq+1, RcvAuthSeq+3*DetectMult].
func TestAuthSequenceWindow(t *testing.T) {
	for _, typ := range allAuth[1:] {
		t.Run(typ.String(), func(t *testing.T) {
			a := newSession(t, 1, authParams(typ, 1, k(1, "key")), 0)
			b := newSession(t, 2, authParams(typ, 1, k(1, "key")), 0)
			now := up(t, a, b, 0)
			old, oldRaw := build(t, b, now)
			cur, curRaw := build(t, b, now)
			if out := a.HandlePacket(now, &cur, curRaw); out.Drop != 0 {
				t.Fatal(out.Drop)
			}
			// The same packet again.
			wantSame := packet.DropNone
			if typ.Meticulous() {
				wantSame = packet.DropAuthSeq
			}
			if out := a.HandlePacket(now, &cur, curRaw); out.Drop != wantSame {
				t.Fatalf("replay of the newest packet: %v, want %v", out.Drop, wantSame)
			}
			// An older packet: a replay.
			if out := a.HandlePacket(now, &old, oldRaw); out.Drop != packet.DropAuthSeq {
				t.Fatalf("replay of an old packet: %v", out.Drop)
			}
			// Beyond the window: 3*DetectMult+1 ahead.
			for i := 0; i < 3*3; i++ {
				build(t, b, now)
			}
			far, farRaw := build(t, b, now)
			if out := a.HandlePacket(now, &far, farRaw); out.Drop != packet.DropAuthSeq {
				t.Fatalf("sequence beyond the window: %v", out.Drop)
			}
			if a.State() != packet.StateUp {
				t.Fatal("dropped packets disturbed the session")
			}
			// §6.7.1: after 2x the Detection Time of silence the sequence is
			// learned anew (a restarted peer).
			later := now.Add(2 * a.Snapshot().DetectionTime)
			if out := a.HandlePacket(later, &far, farRaw); out.Drop != packet.DropNone {
				t.Fatalf("after 2x detection time: %v", out.Drop)
			}
		})
	}
}

// Hitless key rotation: add key 2 on both ends, move TxKeyID, drop key 1.
func TestKeyRotation(t *testing.T) {
	a := newSession(t, 1, authParams(packet.AuthMeticulousSHA1, 1, k(1, "one")), 0)
	b := newSession(t, 2, authParams(packet.AuthMeticulousSHA1, 1, k(1, "one")), 0)
	now := up(t, a, b, 0)
	steps := []struct{ a, b Params }{
		{authParams(packet.AuthMeticulousSHA1, 1, k(1, "one"), k(2, "two")), authParams(packet.AuthMeticulousSHA1, 1, k(1, "one"), k(2, "two"))},
		{authParams(packet.AuthMeticulousSHA1, 2, k(1, "one"), k(2, "two")), authParams(packet.AuthMeticulousSHA1, 1, k(1, "one"), k(2, "two"))},
		{authParams(packet.AuthMeticulousSHA1, 2, k(1, "one"), k(2, "two")), authParams(packet.AuthMeticulousSHA1, 2, k(1, "one"), k(2, "two"))},
		{authParams(packet.AuthMeticulousSHA1, 2, k(2, "two")), authParams(packet.AuthMeticulousSHA1, 2, k(2, "two"))},
	}
	for i, st := range steps {
		if _, err := a.SetParams(now, st.a); err != nil {
			t.Fatal(err)
		}
		if _, err := b.SetParams(now, st.b); err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 3; j++ {
			if _, out := deliver(t, a, b, now); out.Drop != 0 || out.Changed {
				t.Fatalf("step %d: %+v", i, out)
			}
			if _, out := deliver(t, b, a, now); out.Drop != 0 || out.Changed {
				t.Fatalf("step %d: %+v", i, out)
			}
		}
	}
	if s := a.Snapshot(); s.TxKeyID != 2 || s.State != packet.StateUp {
		t.Fatalf("%+v", s)
	}
}
