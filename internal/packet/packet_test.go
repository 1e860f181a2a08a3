package packet

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func basic() Control {
	return Control{Diag: DiagNone, State: StateUp, DetectMult: 3, MyDiscr: 0x01020304, YourDiscr: 0x0a0b0c0d,
		DesiredMinTx: 100_000, RequiredMinRx: 200_000, RequiredMinEchoRx: 50_000}
}

func marshal(t testing.TB, c Control, key []byte) []byte {
	t.Helper()
	b := make([]byte, 64)
	n, err := Marshal(b, &c, key)
	if err != nil {
		t.Fatal(err)
	}
	return b[:n]
}

// TestDecodeChecks: each stateless check of RFC 5880 §6.8.6 in order, and
// the auth section formats of §4.2–§4.4.
func TestDecodeChecks(t *testing.T) {
	good := marshal(t, basic(), nil)
	mod := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	withAuth := func(typ AuthType, key string) []byte {
		c := basic()
		c.AuthBit = true
		c.Auth = Auth{Type: typ, KeyID: 1, Seq: 7}
		return marshal(t, c, []byte(key))
	}
	cases := []struct {
		name string
		b    []byte
		want DropReason
	}{
		{"valid", good, DropNone},
		{"short payload", good[:23], DropTooShort},
		{"§6.8.6 step 1: version 0", mod(func(b []byte) { b[0] &= 0x1f }), DropBadVersion},
		{"§6.8.6 step 1: version 2", mod(func(b []byte) { b[0] = 2<<5 | b[0]&0x1f }), DropBadVersion},
		{"step 1 before step 4", mod(func(b []byte) { b[0] = 2 << 5; b[2] = 0 }), DropBadVersion},
		{"§6.8.6 step 2: Length 23", mod(func(b []byte) { b[3] = 23 }), DropBadLength},
		{"§6.8.6 step 2: A set, Length 25", mod(func(b []byte) { b[1] |= 0x04; b[3] = 25 }), DropBadLength},
		{"§6.8.6 step 3: Length beyond payload", mod(func(b []byte) { b[3] = 28 }), DropLengthExceedsPayload},
		{"§6.8.6 step 4: Detect Mult 0", mod(func(b []byte) { b[2] = 0 }), DropDetectMultZero},
		{"§6.8.6 step 5: Multipoint", mod(func(b []byte) { b[1] |= 0x01 }), DropMultipoint},
		{"§6.8.6 step 6: My Discriminator 0", mod(func(b []byte) { clear(b[4:8]) }), DropMyDiscrZero},
		{"§6.8.6 step 7: Your Discriminator 0 in Up", mod(func(b []byte) { clear(b[8:12]) }), DropYourDiscrZero},
		{"§6.8.6 step 7: Your Discriminator 0 in Init", mod(func(b []byte) { clear(b[8:12]); b[1] = 2 << 6 }), DropYourDiscrZero},
		{"Your Discriminator 0 in Down", mod(func(b []byte) { clear(b[8:12]); b[1] = 1 << 6 }), DropNone},
		{"Your Discriminator 0 in AdminDown", mod(func(b []byte) { clear(b[8:12]); b[1] = 0 }), DropNone},
		{"RFC 9764: padding after Length", append(append([]byte(nil), good...), make([]byte, 100)...), DropNone},
		{"A clear, Length 28", append(mod(func(b []byte) { b[3] = 28 }), 0, 0, 0, 0), DropBadLength},
		{"§4.2 simple 1 byte", withAuth(AuthSimple, "a"), DropNone},
		{"§4.2 simple 16 bytes", withAuth(AuthSimple, "0123456789abcdef"), DropNone},
		{"§4.3 keyed MD5", withAuth(AuthKeyedMD5, "k"), DropNone},
		{"§4.3 meticulous MD5", withAuth(AuthMeticulousMD5, "k"), DropNone},
		{"§4.4 keyed SHA1", withAuth(AuthKeyedSHA1, "k"), DropNone},
		{"§4.4 meticulous SHA1", withAuth(AuthMeticulousSHA1, "k"), DropNone},
		{"§4.2 simple, empty password", func() []byte {
			b := withAuth(AuthSimple, "a")
			b[3], b[25] = 27, 3
			return b[:27]
		}(), DropBadAuthSection},
		{"auth type 0", func() []byte { b := withAuth(AuthKeyedMD5, "k"); b[24] = 0; return b }(), DropBadAuthSection},
		{"auth type 6", func() []byte { b := withAuth(AuthKeyedMD5, "k"); b[24] = 6; return b }(), DropBadAuthSection},
		{"§4.3 MD5 Auth Len 28", func() []byte {
			c := basic()
			c.AuthBit = true
			c.Auth = Auth{Type: AuthKeyedSHA1}
			b := marshal(t, c, []byte("k"))
			b[24] = byte(AuthKeyedMD5)
			return b
		}(), DropBadAuthSection},
		{"Auth Len disagrees with Length", func() []byte { b := withAuth(AuthKeyedSHA1, "k"); b[25] = 24; return b }(), DropBadLength},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p Control
			if got := Decode(c.b, &p); got != c.want {
				t.Fatalf("Decode = %v, want %v", got, c.want)
			}
		})
	}
}

// TestSimplePasswordLimits: §4.2 passwords are 1 to 16 bytes.
func TestSimplePasswordLimits(t *testing.T) {
	c := basic()
	c.AuthBit = true
	c.Auth.Type = AuthSimple
	b := make([]byte, 64)
	for _, n := range []int{0, 17} {
		if _, err := Marshal(b, &c, make([]byte, n)); err != ErrKeyLength {
			t.Errorf("password of %d bytes: %v", n, err)
		}
	}
	c.Auth.Type = AuthKeyedSHA1
	if _, err := Marshal(b, &c, make([]byte, 21)); err != ErrKeyLength {
		t.Errorf("SHA1 key of 21 bytes: %v", err)
	}
	c.Auth.Type = 9
	if _, err := Marshal(b, &c, []byte("k")); err != ErrAuthType {
		t.Errorf("type 9: %v", err)
	}
	c.Auth.Type = AuthKeyedMD5
	if _, err := Marshal(b[:47], &c, []byte("k")); err != ErrShortBuffer {
		t.Errorf("short buffer: %v", err)
	}
}

// TestVerifyAuth: §6.7.2–§6.7.4 — the right key verifies, a wrong key or
// any changed byte does not.
func TestVerifyAuth(t *testing.T) {
	for _, typ := range []AuthType{AuthSimple, AuthKeyedMD5, AuthMeticulousMD5, AuthKeyedSHA1, AuthMeticulousSHA1} {
		t.Run(typ.String(), func(t *testing.T) {
			c := basic()
			c.AuthBit = true
			c.Auth = Auth{Type: typ, KeyID: 5, Seq: 0xfffffffe}
			key := []byte("sixteen-byte-key")
			b := marshal(t, c, key)
			var p Control
			if r := Decode(b, &p); r != DropNone {
				t.Fatal(r)
			}
			if r := VerifyAuth(b, &p, key); r != DropNone {
				t.Fatalf("right key: %v", r)
			}
			if r := VerifyAuth(b, &p, []byte("sixteen-byte-kez")); r != DropAuthDigest {
				t.Fatalf("wrong key: %v", r)
			}
			if r := VerifyAuth(b, &p, key[:15]); r != DropAuthDigest {
				t.Fatalf("key prefix: %v", r)
			}
			for i := range b {
				if typ == AuthSimple && i < HeaderLen+3 {
					continue // a password covers only itself; the session checks the key ID
				}
				tb := append([]byte(nil), b...)
				tb[i] ^= 0x40
				var q Control
				if Decode(tb, &q) != DropNone {
					continue
				}
				if r := VerifyAuth(tb, &q, key); r != DropAuthDigest {
					t.Fatalf("byte %d flipped: %v", i, r)
				}
			}
		})
	}
}

func TestStrings(t *testing.T) {
	seen := map[string]bool{}
	for r := DropReason(0); r < NumDropReasons; r++ {
		s := r.String()
		if s == "" || s == "unknown" || seen[s] {
			t.Errorf("DropReason %d: %q", r, s)
		}
		seen[s] = true
	}
	for s := State(0); s < 4; s++ {
		if s.String() == "State(?)" {
			t.Error(s)
		}
	}
	for d := Diag(0); d <= DiagReverseConcatPathDown; d++ {
		if d.String() == "Diag(?)" {
			t.Error(d)
		}
	}
	for a := AuthNone; a <= AuthMeticulousSHA1; a++ {
		if a.String() == "AuthType(?)" {
			t.Error(a)
		}
	}
}
