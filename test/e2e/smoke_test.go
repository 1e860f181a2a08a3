package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// Smoke benchmark of the engine's scale design: 1,024 sessions at 50 ms
// (32 addresses per side, one session per address pair) between two
// daemons come Up and hold for 30 s without a single state change. The
// full scale work and its figures live in bench/.
func TestSmoke1000At50ms(t *testing.T) {
	netns.Skip(t)
	if testing.Short() {
		t.Skip("30 s hold")
	}
	a, b := netns.Pair(t, "sm")
	const k = 32
	addrA, addrB := addressPairs(t, a, b, "198.18.1", "/16", k)
	conf := func(local, peer []string) string {
		var sb strings.Builder
		sb.WriteString("log: {level: info}\nsessions:\n")
		for _, l := range local {
			for _, p := range peer {
				fmt.Fprintf(&sb, "  - {peer: %s, local: %s, desired_min_tx: 50ms, required_min_rx: 50ms, detect_mult: 3}\n", p, l)
			}
		}
		return sb.String()
	}
	start := time.Now()
	da := startDaemon(t, a, conf(addrA, addrB))
	db := startDaemon(t, b, conf(addrB, addrA))
	waitAllUp(t, k*k, 30*time.Second, da, db)
	allUp := time.Since(start)
	time.Sleep(3 * time.Second) // let the Poll Sequences of the Up transitions finish
	ma, mb := da.mark(), db.mark()
	cpuA0, cpuB0 := cpuTicks(t, da), cpuTicks(t, db)
	c0 := sampleCPU()
	time.Sleep(30 * time.Second)
	cpuA, cpuB := cpuTicks(t, da)-cpuA0, cpuTicks(t, db)-cpuB0
	c1 := sampleCPU()
	flaps := 0
	for _, l := range append(da.lines()[ma:], db.lines()[mb:]...) {
		if strings.Contains(l, "session state changed") {
			flaps++
			if flaps < 5 {
				t.Log(l)
			}
		}
	}
	t.Logf("%d sessions at 50 ms: all Up after %v; 30 s hold: %d state changes; CPU %.0f%% + %.0f%% of a core",
		k*k, allUp.Round(time.Millisecond), flaps, float64(cpuA)/30, float64(cpuB)/30)
	if flaps != 0 {
		skipIfStolen(t, c0, c1, fmt.Sprintf("%d state changes during the hold", flaps))
		t.Fatalf("%d state changes during the hold", flaps)
	}
}

// cpuTicks reads utime+stime (in 1/100 s) of the gobfd process behind d
// (the child of `ip netns exec`, which execs it in place).
func cpuTicks(t *testing.T, d *daemon) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", d.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	var u, s int64
	fmt.Sscan(f[11], &u)
	fmt.Sscan(f[12], &s)
	return u + s
}
