package netsim

import (
	"math"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const ms = time.Millisecond

func params(tx, rx time.Duration, mult uint8) session.Params {
	return session.Params{DesiredMinTx: tx, RequiredMinRx: rx, DetectMult: mult}
}

func TestDeliveryOrderAndDelay(t *testing.T) {
	s := New(1)
	a := s.AddEndpoint("a", params(time.Second, time.Second, 3))
	b := s.AddEndpoint("b", params(time.Second, time.Second, 3))
	l := s.Connect(a, b)
	l.Set(Impairment{Delay: 7 * ms})
	a.RecordTx = true
	if !s.WaitFor(func() bool { return b.S.Counters().PacketsIn > 0 }, time.Second) {
		t.Fatal("nothing delivered")
	}
	if got := s.Now().Sub(a.Tx[0].At); got != 7*ms {
		t.Fatalf("first packet took %v, want 7ms", got)
	}
}

func TestLossRateAndBurstCap(t *testing.T) {
	s := New(2)
	a := s.AddEndpoint("a", params(time.Second, time.Second, 3))
	b := s.AddEndpoint("b", params(time.Second, time.Second, 3))
	l := s.Connect(a, b)
	l.Set(Impairment{Loss: 0.3})
	for i := 0; i < 20000; i++ {
		l.send(a, []byte{1}, false)
	}
	sent, lost, _ := l.Stats(a)
	if r := float64(lost) / float64(sent); math.Abs(r-0.3) > 0.02 {
		t.Fatalf("loss %.3f, want 0.3", r)
	}
	l.Set(Impairment{Loss: 0.9, MaxBurst: 2})
	run := 0
	for i := 0; i < 10000; i++ {
		_, before, _ := l.Stats(a)
		l.send(a, []byte{1}, false)
		_, after, _ := l.Stats(a)
		if after > before {
			run++
			if run > 2 {
				t.Fatal("more than MaxBurst consecutive losses")
			}
		} else {
			run = 0
		}
	}
	s.RunFor(time.Second)
	_ = b
}

func TestPartitionAndDuplication(t *testing.T) {
	s, a, b, l := Pair(3, params(10*ms, 10*ms, 3), params(10*ms, 10*ms, 3))
	l.Set(Impairment{Dup: 1})
	s.RunFor(3 * time.Second)
	if a.State() != packet.StateUp {
		t.Fatal("not Up with duplication")
	}
	in := b.S.Counters().PacketsIn
	if out := a.S.Counters().PacketsOut; in < 2*out-2 {
		t.Fatalf("duplication: %d sent, %d received", out, in)
	}
	l.Cut(true)
	before := b.S.Counters().PacketsIn
	s.RunFor(time.Second)
	if b.S.Counters().PacketsIn != before {
		t.Fatal("packets crossed a partition")
	}
}

// Same seed, same trace: the simulator is deterministic.
func TestDeterminism(t *testing.T) {
	trace := func() []Record {
		s, a, b, l := Pair(42, params(10*ms, 10*ms, 3), params(20*ms, 10*ms, 2))
		l.Set(Impairment{Loss: 0.2, Delay: 2 * ms, Jitter: 3 * ms, Reorder: 0.1, Dup: 0.05})
		s.RunFor(20 * time.Second)
		l.Cut(true)
		s.RunFor(2 * time.Second)
		return append(a.Events, b.Events...)
	}
	x, y := trace(), trace()
	if len(x) == 0 || len(x) != len(y) {
		t.Fatalf("traces differ in length: %d vs %d", len(x), len(y))
	}
	for i := range x {
		if x[i] != y[i] {
			t.Fatalf("event %d differs: %+v vs %+v", i, x[i], y[i])
		}
	}
}
