package session

import (
	"testing"

	"github.com/dantte-lp/gobfd/internal/packet"
)

// benchUp returns a session that is Up with a synthetic peer whose Detect
// Mult and Desired Min TX make the Detection Time far longer than any
// benchmark runs, so the steady state is measured.
func benchUp(b *testing.B, p Params) (*Session, packet.Control) {
	s := newSession(b, 1, p, 0)
	peer := packet.Control{Version: 1, State: packet.StateInit, DetectMult: 255, MyDiscr: 99, YourDiscr: 1,
		DesiredMinTx: 1_000_000_000, RequiredMinRx: 10_000}
	var key []byte
	if p.Auth.Type != packet.AuthNone {
		peer.AuthBit = true
		peer.Auth = packet.Auth{Type: p.Auth.Type, KeyID: p.Auth.TxKeyID, Seq: 1}
		key = p.Auth.Keys[0].Secret
	}
	buf := make([]byte, packet.MaxPacketLen)
	n, err := packet.Marshal(buf, &peer, key)
	if err != nil {
		b.Fatal(err)
	}
	var c packet.Control
	packet.Decode(buf[:n], &c)
	s.HandlePacket(0, &c, buf[:n])
	if s.State() != packet.StateUp {
		b.Fatal("not Up")
	}
	peer.State = packet.StateUp
	return s, peer
}

// BenchmarkReceive: the session's share of receiving one Control packet
// in steady state (RFC 5880 §6.8.6 after demultiplexing).
func BenchmarkReceive(b *testing.B) {
	s, peer := benchUp(b, params(10*ms, 10*ms, 3))
	buf := make([]byte, packet.MaxPacketLen)
	n, _ := packet.Marshal(buf, &peer, nil)
	var c packet.Control
	packet.Decode(buf[:n], &c)
	b.ReportAllocs()
	now := Time(0)
	for b.Loop() {
		now += Time(ms)
		if out := s.HandlePacket(now, &c, buf[:n]); out.Drop != 0 || out.Changed {
			b.Fatal(out)
		}
	}
}

// BenchmarkDecodeReceive: packet.Decode plus the session, as the engine
// runs them per received packet; with authentication per type (the keyed
// types accept a repeated sequence number, so one packet can be replayed;
// the meticulous types cost the same digest work).
func BenchmarkDecodeReceive(b *testing.B) {
	for _, typ := range []packet.AuthType{packet.AuthNone, packet.AuthSimple, packet.AuthKeyedMD5, packet.AuthKeyedSHA1} {
		b.Run(typ.String(), func(b *testing.B) {
			p := params(10*ms, 10*ms, 3)
			var key []byte
			if typ != packet.AuthNone {
				p.Auth = Auth{Type: typ, Keys: []Key{{ID: 1, Secret: []byte("secret")}}, TxKeyID: 1}
				key = []byte("secret")
			}
			s := newSession(b, 1, p, 0)
			peer := packet.Control{Version: 1, State: packet.StateInit, DetectMult: 255, MyDiscr: 99, YourDiscr: 1,
				DesiredMinTx: 1_000_000_000, RequiredMinRx: 10_000}
			if typ != packet.AuthNone {
				peer.AuthBit = true
				peer.Auth = packet.Auth{Type: typ, KeyID: 1, Seq: 5}
			}
			buf := make([]byte, packet.MaxPacketLen)
			n, err := packet.Marshal(buf, &peer, key)
			if err != nil {
				b.Fatal(err)
			}
			var c packet.Control
			b.ReportAllocs()
			now := Time(0)
			for b.Loop() {
				now += Time(ms)
				if r := packet.Decode(buf[:n], &c); r != 0 {
					b.Fatal(r)
				}
				if out := s.HandlePacket(now, &c, buf[:n]); out.Drop != 0 {
					b.Fatal(out.Drop)
				}
			}
		})
	}
}

// BenchmarkTransmit: one periodic transmission — HandleTimer at the TX
// deadline and BuildControl (RFC 5880 §6.8.7), with and without a digest.
func BenchmarkTransmit(b *testing.B) {
	for _, typ := range []packet.AuthType{packet.AuthNone, packet.AuthMeticulousSHA1} {
		b.Run(typ.String(), func(b *testing.B) {
			p := params(10*ms, 10*ms, 3)
			if typ != packet.AuthNone {
				p.Auth = Auth{Type: typ, Keys: []Key{{ID: 1, Secret: []byte("secret")}}, TxKeyID: 1}
			}
			s, _ := benchUp(b, p)
			benchTx(b, s)
		})
	}
}

func benchTx(b *testing.B, s *Session) {
	buf := make([]byte, packet.MaxPacketLen)
	b.ReportAllocs()
	for b.Loop() {
		now := s.NextDeadline()
		out := s.HandleTimer(now)
		if !out.Send {
			continue
		}
		if s.BuildControl(now, buf) == 0 {
			b.Fatal("nothing built")
		}
	}
}
