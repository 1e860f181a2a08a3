package session

import (
	"math/rand/v2"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dantte-lp/gobfd/internal/packet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const ms = time.Millisecond

func params(tx, rx time.Duration, mult uint8) Params {
	return Params{DesiredMinTx: tx, RequiredMinRx: rx, DetectMult: mult}
}

func newSession(t testing.TB, discr uint32, p Params, now Time) *Session {
	t.Helper()
	s, err := New(Config{Params: p, LocalDiscr: discr, Rand: rand.NewPCG(uint64(discr), 7)}, now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// build returns the decoded next packet of s.
func build(t testing.TB, s *Session, now Time) (packet.Control, []byte) {
	t.Helper()
	buf := make([]byte, packet.MaxPacketLen)
	n := s.BuildControl(now, buf)
	if n == 0 {
		t.Fatalf("BuildControl sent nothing (state %v)", s.State())
	}
	var c packet.Control
	if r := packet.Decode(buf[:n], &c); r != packet.DropNone {
		t.Fatalf("own packet does not decode: %v", r)
	}
	return c, buf[:n]
}

// deliver builds a packet from src and hands it to dst.
func deliver(t testing.TB, src, dst *Session, now Time) (packet.Control, Output) {
	t.Helper()
	c, raw := build(t, src, now)
	return c, dst.HandlePacket(now, &c, raw)
}

// ctl is a packet from a peer with discriminator 99 to local discriminator your.
func ctl(st packet.State, your uint32) packet.Control {
	return packet.Control{
		Version: 1, State: st, DetectMult: 3, MyDiscr: 99, YourDiscr: your,
		DesiredMinTx: 100_000, RequiredMinRx: 100_000,
	}
}

// rx hands a hand-made packet to s.
func rx(t testing.TB, s *Session, now Time, c packet.Control) Output {
	t.Helper()
	buf := make([]byte, packet.MaxPacketLen)
	n, err := packet.Marshal(buf, &c, nil)
	if err != nil {
		t.Fatal(err)
	}
	var d packet.Control
	if r := packet.Decode(buf[:n], &d); r != packet.DropNone {
		t.Fatalf("test packet rejected by Decode: %v", r)
	}
	return s.HandlePacket(now, &d, buf[:n])
}

// up brings two sessions Up with a lossless, instantaneous exchange and
// returns the time reached.
func up(t testing.TB, a, b *Session, now Time) Time {
	t.Helper()
	for i := 0; i < 6 && (a.State() != packet.StateUp || b.State() != packet.StateUp); i++ {
		deliver(t, a, b, now)
		deliver(t, b, a, now)
		now = now.Add(time.Millisecond)
	}
	if a.State() != packet.StateUp || b.State() != packet.StateUp {
		t.Fatalf("not Up: a=%v b=%v", a.State(), b.State())
	}
	// Let the Poll Sequences of the Up transition (1 s floor lifted) finish.
	for i := 0; i < 4; i++ {
		deliver(t, a, b, now)
		deliver(t, b, a, now)
	}
	return now
}
