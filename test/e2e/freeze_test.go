package e2e

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// RFC 5880 §6.8.4 when the host itself stops: both daemons frozen at once
// for well over a Detection Time (SIGSTOP: the stand-in for a virtual
// machine paused by its hypervisor, in which no process sends and none
// receives) lose no session, since neither could have heard its peer
// meanwhile; then only B freezes, and A, which kept running, declares
// every session Down — a frozen peer is a silent one.
func TestWholeHostFreezeIsNotAFailure(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "fz")
	const k = 4
	addrA, addrB := addressPairs(t, a, b, "198.18.3", "/24", k)
	conf := func(local, peer []string) string {
		var pairs []string
		for _, l := range local {
			for _, p := range peer {
				pairs = append(pairs, p, l)
			}
		}
		return "log: {level: info}\n" + sessionsYAML("20ms", pairs...)
	}
	da := startDaemon(t, a, conf(addrA, addrB))
	db := startDaemon(t, b, conf(addrB, addrA))
	waitAllUp(t, k*k, 20*time.Second, da, db)
	time.Sleep(3 * time.Second) // the Poll Sequences of the Up transitions end
	ma, mb, t0 := da.mark(), db.mark(), time.Now()
	c0 := sampleCPU()
	for range 3 {
		// 150 ms: 2.5 Detection Times of 3 x 20 ms.
		da.signal(syscall.SIGSTOP)
		db.signal(syscall.SIGSTOP)
		time.Sleep(150 * time.Millisecond)
		da.signal(syscall.SIGCONT)
		db.signal(syscall.SIGCONT)
		time.Sleep(time.Second)
	}
	c1 := sampleCPU()
	changes := append(da.changesSince(ma, t0), db.changesSince(mb, t0)...)
	if len(changes) > 0 {
		skipIfStolen(t, c0, c1, fmt.Sprintf("%d state changes after freezing both daemons", len(changes)))
		t.Fatalf("%d state changes after freezing both daemons together, first: %s", len(changes), changes[0])
	}
	t.Logf("both daemons frozen 3 x 150 ms together: no state change (%d sessions at 20 ms x 3)", k*k)

	// Only B stops: A hears nothing for 150 ms and must say so.
	ma = da.mark()
	db.signal(syscall.SIGSTOP)
	time.Sleep(150 * time.Millisecond)
	db.signal(syscall.SIGCONT)
	for _, p := range addrB {
		da.waitFor(ma, "Down of "+p+" after B alone froze", func(l logLine) bool {
			return change(p, "Down")(l) && l.Diag == "ControlDetectionTimeExpired"
		}, 5*time.Second)
	}
	waitAllUp(t, 2*k*k, 20*time.Second, da)
}
