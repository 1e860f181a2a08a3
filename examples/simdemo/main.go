// Command simdemo runs two BFD systems over gobfd's deterministic network
// simulator and prints what happens, in virtual time: the three-way
// handshake to Up, a cut link detected with diag 1 within the detection
// time, and recovery when the link heals. It is `make demo` until the
// daemon can be shown in network namespaces.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/dantte-lp/gobfd/internal/netsim"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

func main() {
	p := session.Params{DesiredMinTx: 50 * time.Millisecond, RequiredMinRx: 50 * time.Millisecond, DetectMult: 3}
	sim, a, b, link := netsim.Pair(2026, p, p)
	link.Set(netsim.Impairment{Delay: 500 * time.Microsecond})
	stamp := func(t session.Time) string { return fmt.Sprintf("%9.3fs", time.Duration(t).Seconds()) }
	for _, ep := range []*netsim.Endpoint{a, b} {
		ep.OnEvent = func(ep *netsim.Endpoint, r netsim.Record) {
			fmt.Printf("%s  %s: %-9v -> %-9v diag %v\n", stamp(r.At), ep.Name, r.Old, r.New, r.LocalDiag)
		}
	}
	fmt.Println("two systems a and b, 50 ms timers, detect multiplier 3, 0.5 ms link")
	bothUp := func() bool { return a.State() == packet.StateUp && b.State() == packet.StateUp }
	if !sim.WaitFor(bothUp, 10*time.Second) {
		fmt.Println("sessions did not come Up")
		os.Exit(1)
	}
	sim.RunFor(2 * time.Second)
	sn := a.S.Snapshot()
	fmt.Printf("%s  both Up: tx interval %v, detection time %v, %d packets sent by a\n",
		stamp(sim.Now()), sn.TxInterval, sn.DetectionTime, sn.Counters.PacketsOut)

	sim.RunUntil(session.Time(10 * time.Second))
	cut := sim.Now()
	fmt.Printf("%s  the link is cut\n", stamp(cut))
	link.Cut(true)
	sim.WaitFor(func() bool { return a.State() != packet.StateUp && b.State() != packet.StateUp }, 5*time.Second)
	ev, _ := a.LastEvent()
	fmt.Printf("%s  a declared Down after %v (detection time %v), diag %v\n",
		stamp(sim.Now()), ev.At.Sub(cut).Round(time.Millisecond), sn.DetectionTime, ev.LocalDiag)

	sim.RunUntil(session.Time(15 * time.Second))
	fmt.Printf("%s  the link is restored\n", stamp(sim.Now()))
	link.Cut(false)
	if !sim.WaitFor(bothUp, 10*time.Second) {
		fmt.Println("sessions did not recover")
		os.Exit(1)
	}
	fmt.Printf("%s  both Up again\n", stamp(sim.Now()))
}
