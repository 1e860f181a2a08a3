package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/dantte-lp/gobfd/internal/netns"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
	"github.com/dantte-lp/gobfd/pkg/bfdpb/bfdpbconnect"
)

// gobfdctl is built once, beside gobfd (TestMain removes that directory).
var (
	gobfdctlOnce sync.Once
	gobfdctlBin  string
	gobfdctlErr  error
)

func ctlBin(t *testing.T) string {
	t.Helper()
	gobfdctlOnce.Do(func() {
		gobfdctlBin = filepath.Join(filepath.Dir(gobfdBin), "gobfdctl")
		out, err := exec.Command("go", "build", "-o", gobfdctlBin, "../../cmd/gobfdctl").CombinedOutput()
		if err != nil {
			gobfdctlErr = errors.New("building gobfdctl: " + err.Error() + "\n" + string(out))
		}
	})
	if gobfdctlErr != nil {
		t.Fatal(gobfdctlErr)
	}
	return gobfdctlBin
}

// ctlResult is what a gobfdctl run printed and its exit status.
type ctlResult struct {
	out, err string
	code     int
}

// ctl runs gobfdctl in namespace ns (ns "" runs it here) with stdin.
func ctlIn(t *testing.T, ns, stdin string, args ...string) ctlResult {
	t.Helper()
	bin := ctlBin(t)
	var cmd *exec.Cmd
	if ns == "" {
		cmd = exec.Command(bin, args...)
	} else {
		cmd = exec.Command("ip", append([]string{"netns", "exec", ns, bin}, args...)...)
	}
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+t.TempDir())
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return ctlResult{out.String(), errb.String(), code}
}

func ctl(t *testing.T, ns string, args ...string) ctlResult {
	t.Helper()
	return ctlIn(t, ns, "", args...)
}

// ctlOK runs gobfdctl and fails the test unless it exits 0.
func ctlOK(t *testing.T, ns string, args ...string) string {
	t.Helper()
	r := ctl(t, ns, args...)
	if r.code != 0 {
		t.Fatalf("gobfdctl %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r.out
}

// nsDialer dials from inside namespace ns: the socket is created there
// and then used from any goroutine.
func nsDialer(ns string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		err := netns.Do(ns, func() error {
			var d net.Dialer
			var err error
			c, err = d.DialContext(ctx, network, addr)
			return err
		})
		return c, err
	}
}

// apiClient is a Go client of the API at addr inside ns (gRPC over
// HTTP/2 cleartext), closed at cleanup.
func apiClient(t *testing.T, ns, addr string) bfdpbconnect.BfdServiceClient {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p, DialContext: nsDialer(ns)}
	t.Cleanup(tr.CloseIdleConnections)
	return bfdpbconnect.NewBfdServiceClient(&http.Client{Transport: tr}, "http://"+addr, connect.WithGRPC())
}

// waitAPI waits until the API at addr inside ns answers.
func waitAPI(t *testing.T, c bfdpbconnect.BfdServiceClient) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := c.GetVersion(ctx, connect.NewRequest(&bfdpb.GetVersionRequest{}))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the API does not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// countUp returns how many sessions the daemon behind c reports Up.
func countUp(t *testing.T, c bfdpbconnect.BfdServiceClient) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := c.ListSessions(ctx, connect.NewRequest(&bfdpb.ListSessionsRequest{State: bfdpb.SessionState_SESSION_STATE_UP}))
	if err != nil {
		t.Fatal(err)
	}
	return len(r.Msg.Sessions)
}

// waitUp waits until n sessions are Up on the daemon behind c.
func waitUp(t *testing.T, c bfdpbconnect.BfdServiceClient, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := countUp(t, c)
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d sessions Up after %v", got, n, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cpuIdle is the share of CPU time the machine spent idle over d.
func cpuIdle(d time.Duration) float64 {
	i0, t0 := cpuTimes()
	time.Sleep(d)
	i1, t1 := cpuTimes()
	return idleShare(i0, t0, i1, t1)
}

func idleShare(i0, t0, i1, t1 uint64) float64 {
	if t1 == t0 {
		return 1
	}
	return float64(i1-i0) / float64(t1-t0)
}

// cpuSample is the machine's CPU time so far (ticks, all CPUs), from
// /proc/stat's "cpu" line (user nice system idle iowait irq softirq steal
// …; proc(5)): idle counts idle and iowait, steal the time the hypervisor
// gave to other guests while this one wanted to run.
type cpuSample struct{ idle, total, steal uint64 }

func sampleCPU() (c cpuSample) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return c
	}
	line, _, _ := strings.Cut(string(b), "\n")
	for i, f := range strings.Fields(line)[1:] {
		var x uint64
		fmt.Sscan(f, &x)
		c.total += x
		switch i {
		case 3, 4:
			c.idle += x
		case 7:
			c.steal = x
		}
	}
	return c
}

// cpuTimes returns the machine's idle and total CPU time so far (ticks).
func cpuTimes() (idle, total uint64) {
	c := sampleCPU()
	return c.idle, c.total
}

// waitQuiet waits (up to max) until three quarters of the machine's CPU time
// is idle, so that a test that holds fast sessions measures gobfd and not
// the builds and tests running beside it (go test runs packages in
// parallel); it returns the idle share it saw last.
func waitQuiet(t *testing.T, max time.Duration) float64 {
	t.Helper()
	deadline := time.Now().Add(max)
	for {
		idle := cpuIdle(time.Second)
		if idle >= 0.75 || time.Now().After(deadline) {
			t.Logf("machine %.0f%% idle", 100*idle)
			return idle
		}
	}
}

// maxSteal is the share of the machine's CPU time (all CPUs) the
// hypervisor may take during a hold of fast sessions before a flap is put
// down to the machine: a fifth of a 2-core machine is 40 % of a core, and
// the VM then stalls for tens of milliseconds at a time, longer than a
// 150 ms Detection Time can ride out. Below it, a flap fails the test.
const maxSteal = 0.2

// skipIfStolen skips a test whose sessions flapped while the hypervisor
// took more than maxSteal of the machine between samples a and b, saying
// so; it returns otherwise, and the caller fails.
func skipIfStolen(t *testing.T, a, b cpuSample, what string) {
	t.Helper()
	if b.total > a.total {
		if share := float64(b.steal-a.steal) / float64(b.total-a.total); share > maxSteal {
			t.Skipf("%s, but the hypervisor took %.0f%% of the machine's CPU time during the hold (steal): the stalls were the machine's, not gobfd's",
				what, 100*share)
		}
	}
}
