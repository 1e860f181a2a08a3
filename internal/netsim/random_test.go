package netsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

func randInterval(r *rand.Rand) time.Duration {
	// Log-uniform from 10 ms to 1 s, whole milliseconds.
	return time.Duration(math.Round(10*math.Pow(100, r.Float64()))) * ms
}

func randParams(r *rand.Rand) session.Params {
	return params(randInterval(r), randInterval(r), uint8(1+r.IntN(5)))
}

// gentle is an impairment under which, by construction, at least one packet
// reaches the receiver within every Detection Time: consecutive losses stay
// below the sender's Detect Mult − 1 and delay variation below a tenth of the
// shortest interval (RFC 5880 §6.8.4, §6.8.7: packets leave at 75–100 % of
// the interval).
func gentle(r *rand.Rand, sender session.Params, minIv time.Duration) Impairment {
	imp := Impairment{
		Delay:  time.Duration(r.Int64N(int64(5 * ms))),
		Jitter: time.Duration(r.Int64N(int64(minIv / 10))),
		Dup:    r.Float64() * 0.05,
	}
	if k := int(sender.DetectMult) - 2; k > 0 {
		imp.Loss = r.Float64() * 0.3
		imp.MaxBurst = k
	}
	return imp
}

// TestRandomWorlds runs 1000 seeds of random parameters and impairments and
// checks the invariants of RFC 5880 on every one:
//
//	(a) no session reaches Up unless the packet that moved it shows the peer
//	    in Init or Up with our discriminator (§6.2 three-way handshake);
//	(b) after a partition at T, an Up session is Down no later than
//	    T + Detection Time + one TX interval (§6.8.4);
//	(c) while at least one packet per Detection Time gets through, no
//	    session goes Down.
func TestRandomWorlds(t *testing.T) {
	seeds := 1000
	if testing.Short() {
		seeds = 100
	}
	var steps uint64
	for seed := range seeds {
		n, err := randomWorld(uint64(seed))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		steps += n
	}
	t.Logf("%d worlds, %d simulated events", seeds, steps)
}

func randomWorld(seed uint64) (uint64, error) {
	r := rand.New(rand.NewPCG(seed, 99))
	pa, pb := randParams(r), randParams(r)
	s, a, b, l := Pair(seed, pa, pb)

	// Phase 1: a hostile network (loss up to 30 %, delay, jitter,
	// reordering, duplication, random partitions). Only (a) is checked.
	hostile := Impairment{Loss: r.Float64() * 0.3, Delay: time.Duration(r.Int64N(int64(5 * ms))),
		Jitter: time.Duration(r.Int64N(int64(5 * ms))), Reorder: r.Float64() * 0.1, Dup: r.Float64() * 0.05}
	l.Set(hostile)
	for range r.IntN(3) {
		at := time.Duration(r.Int64N(int64(15 * time.Second)))
		dur := time.Duration(r.Int64N(int64(3 * time.Second)))
		s.At(s.Now().Add(at), func() { l.Cut(true) })
		s.At(s.Now().Add(at+dur), func() { l.Cut(false) })
	}
	s.RunFor(20 * time.Second)
	l.Cut(false)

	// Phase 2: a network that keeps every Detection Time fed. Both sides
	// come Up and stay Up — (c).
	minIv := min(pa.DesiredMinTx, pa.RequiredMinRx, pb.DesiredMinTx, pb.RequiredMinRx)
	l.SetDir(a, gentle(r, pa, minIv))
	l.SetDir(b, gentle(r, pb, minIv))
	if !s.WaitFor(bothUp(a, b), 30*time.Second) {
		return 0, fmt.Errorf("not Up within 30 s on a gentle network: a=%v b=%v (%+v / %+v)", a.State(), b.State(), pa, pb)
	}
	s.RunFor(3 * time.Second) // let the Poll Sequences of the Up transition end
	na, nb := len(a.Events), len(b.Events)
	s.RunFor(10 * time.Second)
	if len(a.Events) != na || len(b.Events) != nb {
		return 0, fmt.Errorf("state change while every Detection Time was fed: a=%v b=%v (%+v / %+v, %+v / %+v)",
			a.Events[na:], b.Events[nb:], pa, pb, l.ab.imp, l.ba.imp)
	}

	// Phase 3: partition — (b).
	snap := map[*Endpoint]session.Snapshot{a: a.S.Snapshot(), b: b.S.Snapshot()}
	cut := s.Now()
	l.Cut(true)
	s.RunFor(20 * time.Second)
	// The bound is computed from the configuration, independently of the
	// session's own arithmetic: remote Detect Mult × max(local Required Min
	// RX, remote Desired Min TX); TX interval max(local Desired Min TX,
	// remote Required Min RX).
	expect := func(local, remote session.Params) session.Snapshot {
		return session.Snapshot{
			DetectionTime: time.Duration(remote.DetectMult) * max(local.RequiredMinRx, remote.DesiredMinTx),
			TxInterval:    max(local.DesiredMinTx, remote.RequiredMinRx),
		}
	}
	want := map[*Endpoint]session.Snapshot{a: expect(pa, pb), b: expect(pb, pa)}
	for ep, sn := range snap {
		if sn.DetectionTime != want[ep].DetectionTime || sn.TxInterval != want[ep].TxInterval {
			return 0, fmt.Errorf("%s negotiated detection %v / tx %v, RFC 5880 §6.8.2/§6.8.4 give %v / %v",
				ep.Name, sn.DetectionTime, sn.TxInterval, want[ep].DetectionTime, want[ep].TxInterval)
		}
		var down *Record
		for i := range ep.Events {
			if ep.Events[i].At >= cut && ep.Events[i].New == packet.StateDown {
				down = &ep.Events[i]
				break
			}
		}
		if down == nil {
			return 0, fmt.Errorf("%s never went Down after the cut", ep.Name)
		}
		if lim := cut.Add(sn.DetectionTime + sn.TxInterval); down.At > lim {
			return 0, fmt.Errorf("%s Down %v after the cut; detection time %v, tx interval %v",
				ep.Name, down.At.Sub(cut), sn.DetectionTime, sn.TxInterval)
		}
	}
	for _, ep := range []*Endpoint{a, b} {
		if len(ep.HandshakeViolations) > 0 {
			return 0, fmt.Errorf("%v", ep.HandshakeViolations)
		}
	}
	return s.Steps(), nil
}
