package packet

import (
	"math/rand/v2"
	"testing"
)

// randomControl builds a valid Control packet from r, and the key to sign it.
func randomControl(r *rand.Rand) (Control, []byte) {
	c := Control{
		Diag:              Diag(r.IntN(9)),
		State:             State(r.IntN(4)),
		CPI:               r.IntN(2) == 0,
		Demand:            r.IntN(2) == 0,
		DetectMult:        uint8(1 + r.IntN(255)),
		MyDiscr:           1 + r.Uint32N(1<<32-1),
		YourDiscr:         r.Uint32(),
		DesiredMinTx:      r.Uint32(),
		RequiredMinRx:     r.Uint32(),
		RequiredMinEchoRx: r.Uint32(),
	}
	switch r.IntN(3) {
	case 1:
		c.Poll = true
	case 2:
		c.Final = true
	}
	if c.YourDiscr == 0 && c.State > StateDown {
		c.YourDiscr = 1
	}
	t := AuthType(r.IntN(6))
	if t == AuthNone {
		return c, nil
	}
	c.AuthBit = true
	c.Auth = Auth{Type: t, KeyID: uint8(r.Uint32())}
	if t.HasSequence() {
		c.Auth.Seq = r.Uint32()
	}
	maxKey := 16
	if t == AuthKeyedSHA1 || t == AuthMeticulousSHA1 {
		maxKey = 20
	}
	key := make([]byte, 1+r.IntN(maxKey))
	for i := range key {
		key[i] = byte(r.Uint32())
	}
	return c, key
}

// TestRoundTrip: decode(encode(p)) == p for random valid packets of every
// kind, and the digest verifies with the key it was made with.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, MaxPacketLen)
	for i := 0; i < 20000; i++ {
		c, key := randomControl(r)
		n, err := Marshal(b, &c, key)
		if err != nil {
			t.Fatal(err)
		}
		var d Control
		if got := Decode(b[:n], &d); got != DropNone {
			t.Fatalf("%+v: %v", c, got)
		}
		if d != c {
			t.Fatalf("round trip:\n got %+v\nwant %+v", d, c)
		}
		if c.AuthBit {
			if got := VerifyAuth(b[:n], &d, key); got != DropNone {
				t.Fatalf("%v does not verify", c.Auth.Type)
			}
		}
	}
}
