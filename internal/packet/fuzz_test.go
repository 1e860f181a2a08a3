package packet

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func seeds(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, MaxPacketLen)
	for i := 0; i < 40; i++ {
		c, key := randomControl(r)
		n, _ := Marshal(b, &c, key)
		f.Add(append([]byte(nil), b[:n]...))
		f.Add(append([]byte(nil), b[:n/2]...))
	}
	f.Add([]byte{})
	f.Add(make([]byte, 24))
}

// FuzzDecode: Decode never panics, and whatever it accepts re-encodes to
// the same Length bytes (the digest cannot be recomputed without the key,
// so for MD5/SHA1 all but the digest is compared).
func FuzzDecode(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		var p Control
		if Decode(in, &p) != DropNone {
			return
		}
		c := p
		out := make([]byte, MaxPacketLen)
		var key []byte
		if p.AuthBit && p.Auth.Type == AuthSimple {
			key = p.Auth.Password[:p.Auth.PasswordLen]
		} else if p.AuthBit {
			key = []byte{1}
		}
		n, err := Marshal(out, &c, key)
		if err != nil {
			t.Fatalf("accepted packet does not re-encode: %v", err)
		}
		want := in[:p.Length]
		got := out[:n]
		if p.AuthBit && p.Auth.Type != AuthSimple {
			want = append([]byte(nil), want...)
			got = append([]byte(nil), got...)
			clear(want[HeaderLen+8:])
			clear(got[HeaderLen+8:])
			want[HeaderLen+3], got[HeaderLen+3] = 0, 0 // Reserved: ignored on receipt
		}
		if !bytes.Equal(want, got) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", want, got)
		}
		_ = VerifyAuth(in, &p, key) // must not panic
	})
}

// FuzzRoundTrip builds packets from fuzzed fields: Marshal then Decode must
// give them back.
func FuzzRoundTrip(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(0), uint64(0))
	f.Fuzz(func(t *testing.T, s1, s2 uint64) {
		c, key := randomControl(rand.New(rand.NewPCG(s1, s2)))
		b := make([]byte, MaxPacketLen)
		n, err := Marshal(b, &c, key)
		if err != nil {
			t.Fatal(err)
		}
		var d Control
		if r := Decode(b[:n], &d); r != DropNone || d != c {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", r, d, c)
		}
		if c.AuthBit && VerifyAuth(b[:n], &d, key) != DropNone {
			t.Fatal("own digest does not verify")
		}
	})
}
