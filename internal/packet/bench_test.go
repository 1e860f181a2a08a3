package packet

import "testing"

var benchTypes = []AuthType{AuthSimple, AuthKeyedMD5, AuthMeticulousMD5, AuthKeyedSHA1, AuthMeticulousSHA1}

// BenchmarkDecode: decode and validate (RFC 5880 §6.8.6 steps 1–7) a plain
// Control packet.
func BenchmarkDecode(b *testing.B) {
	buf := marshal(b, basic(), nil)
	var p Control
	b.ReportAllocs()
	for b.Loop() {
		if Decode(buf, &p) != DropNone {
			b.Fatal("drop")
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	c := basic()
	buf := make([]byte, MaxPacketLen)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Marshal(buf, &c, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalAuth(b *testing.B) {
	buf := make([]byte, MaxPacketLen)
	for _, typ := range benchTypes {
		b.Run(typ.String(), func(b *testing.B) {
			c := basic()
			c.AuthBit = true
			c.Auth = Auth{Type: typ, KeyID: 1}
			key := []byte("secret")
			b.ReportAllocs()
			for b.Loop() {
				c.Auth.Seq++
				if _, err := Marshal(buf, &c, key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeVerify: decode, validate and authenticate (§6.7).
func BenchmarkDecodeVerify(b *testing.B) {
	for _, typ := range benchTypes {
		b.Run(typ.String(), func(b *testing.B) {
			c := basic()
			c.AuthBit = true
			c.Auth = Auth{Type: typ, KeyID: 1, Seq: 9}
			key := []byte("secret")
			buf := marshal(b, c, key)
			var p Control
			b.ReportAllocs()
			for b.Loop() {
				if Decode(buf, &p) != DropNone || VerifyAuth(buf, &p, key) != DropNone {
					b.Fatal("drop")
				}
			}
		})
	}
}
