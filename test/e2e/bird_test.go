package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// bird is a BIRD 2 instance in a namespace with its own control socket.
type bird struct {
	t    *testing.T
	ns   string
	dir  string
	conf string
	cmd  *exec.Cmd
}

func startBird(t *testing.T, ns, conf string) *bird {
	t.Helper()
	if _, err := exec.LookPath("bird"); err != nil {
		t.Skip("BIRD not installed: apt-get install bird2")
	}
	b := &bird{t: t, ns: ns, dir: t.TempDir()}
	b.conf = filepath.Join(b.dir, "bird.conf")
	writeFile(t, b.conf, conf)
	b.cmd = exec.Command("ip", "netns", "exec", ns, "bird", "-f", "-c", b.conf, "-s", b.sock(), "-P", filepath.Join(b.dir, "bird.pid"))
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.cmd.Process.Kill(); b.cmd.Wait() })
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(b.sock()); err == nil {
			return b
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("BIRD did not start")
	return nil
}

func (b *bird) sock() string { return filepath.Join(b.dir, "bird.ctl") }

func (b *bird) birdc(args ...string) string {
	out, err := exec.Command("birdc", append([]string{"-s", b.sock()}, args...)...).CombinedOutput()
	if err != nil {
		b.t.Fatalf("birdc %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// session returns BIRD's row for a peer: state, since, interval.
func (b *bird) session(peer string) (state, since, interval string) {
	for _, l := range strings.Split(b.birdc("show", "bfd", "sessions"), "\n") {
		f := strings.Fields(l)
		if len(f) >= 5 && f[0] == peer {
			return f[2], f[3], f[4]
		}
	}
	return "", "", ""
}

func (b *bird) waitState(peer, state string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if st, _, _ := b.session(peer); st == state {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	st, _, _ := b.session(peer)
	b.t.Fatalf("BIRD: %s is %q, want %s", peer, st, state)
}

func birdConf(dev string, iv int, auth string, neighbors ...string) string {
	var nb strings.Builder
	for _, n := range neighbors {
		fmt.Fprintf(&nb, "  neighbor %s;\n", n)
	}
	return fmt.Sprintf(`router id 198.18.0.2;
protocol device {}
protocol bfd bfd1 {
  interface "%s" { min rx interval %d ms; min tx interval %d ms; multiplier 3; %s };
  multihop { min rx interval %d ms; min tx interval %d ms; multiplier 3; %s };
%s}
`, dev, iv, iv, auth, iv, iv, auth, nb.String())
}

// gobfd ↔ BIRD 2 (Debian bird2): IPv4 and IPv6, single-hop and multihop,
// come Up; timer changes on either side renegotiate without a
// flap; a cut wire is detected by both; gobfd's shutdown reaches BIRD as
// AdminDown (BIRD goes Down at once, not after its detection time).
func TestInteropBIRD(t *testing.T) {
	netns.Skip(t)
	a, b, dev := interopHosts(t, "ib")
	defer capture(t, b, dev)()
	br := startBird(t, b, birdConf(dev, 50, "", `198.18.0.1 dev "`+dev+`" local 198.18.0.2`,
		`2001:db8::1 dev "`+dev+`" local 2001:db8::2`, `198.18.0.101 local 198.18.0.102 multihop`, `2001:db8:ff::101 local 2001:db8:ff::102 multihop`))
	cfg := func(iv string) string {
		// BIRD sends multihop packets with TTL 64, not 255: accept any TTL
		// on multihop (RFC 5883 leaves the check to authentication).
		return interopConfig("bfd: {multihop_min_ttl: 1}\n", iv)
	}
	peers, birdPeers := interopPeers, interopPeersSeen
	da := startDaemon(t, a, cfg("50ms"))
	for i, p := range peers {
		da.waitFor(0, p+" Up", change(p, "Up"), 10*time.Second)
		br.waitState(birdPeers[i], "Up", 5*time.Second)
	}
	time.Sleep(time.Second)

	// Timers from gobfd's side (SIGHUP), then from BIRD's (configure).
	_, since, _ := br.session("198.18.0.1")
	m := da.mark()
	da.rewrite(cfg("200ms"))
	da.signal(syscall.SIGHUP)
	time.Sleep(2 * time.Second)
	if st, s2, iv := br.session("198.18.0.1"); st != "Up" || !sameSince(s2, since) || iv != "0.200" {
		t.Fatalf("BIRD after gobfd retimed: %s since %s (was %s) interval %s", st, s2, since, iv)
	}
	writeFile(t, br.conf, birdConf(dev, 300, "", `198.18.0.1 dev "`+dev+`" local 198.18.0.2`,
		`2001:db8::1 dev "`+dev+`" local 2001:db8::2`, `198.18.0.101 local 198.18.0.102 multihop`, `2001:db8:ff::101 local 2001:db8:ff::102 multihop`))
	br.birdc("configure")
	time.Sleep(2 * time.Second)
	if st, s2, iv := br.session("198.18.0.1"); st != "Up" || !sameSince(s2, since) || iv != "0.300" {
		t.Fatalf("BIRD after its own retime: %s since %s interval %s", st, s2, iv)
	}
	for _, l := range da.lines()[da.markAt(m):] {
		if strings.Contains(l, "session state changed") {
			t.Fatalf("gobfd flapped on a timer change: %s", l)
		}
	}
	writeFile(t, br.conf, birdConf(dev, 50, "", `198.18.0.1 dev "`+dev+`" local 198.18.0.2`,
		`2001:db8::1 dev "`+dev+`" local 2001:db8::2`, `198.18.0.101 local 198.18.0.102 multihop`, `2001:db8:ff::101 local 2001:db8:ff::102 multihop`))
	br.birdc("configure")
	da.rewrite(cfg("50ms"))
	da.signal(syscall.SIGHUP)
	time.Sleep(2 * time.Second)

	// Cut the wire both ways: both sides detect.
	cutBothWays(t, a, b, dev, da, func(i int) { br.waitState(birdPeers[i], "Down", 3*time.Second) })

	// gobfd shuts down: BIRD sees AdminDown at once (its detection time
	// is 150 ms; it goes Down well before).
	da.signal(syscall.SIGTERM)
	start := time.Now()
	br.waitState("198.18.0.1", "Down", 2*time.Second)
	if d := time.Since(start); d > 140*time.Millisecond {
		t.Logf("BIRD went Down %v after SIGTERM", d)
	}
	if !da.exited(5 * time.Second) {
		t.Fatal("gobfd did not exit")
	}
}

// gobfd ↔ BIRD with each of the five RFC 5880 authentication types.
func TestInteropBIRDAuth(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "iba")
	dev := "v" + b
	types := map[string]string{
		"simple": "simple", "keyed_md5": "keyed md5", "meticulous_keyed_md5": "meticulous keyed md5",
		"keyed_sha1": "keyed sha1", "meticulous_keyed_sha1": "meticulous keyed sha1",
	}
	for ours, theirs := range types {
		t.Run(ours, func(t *testing.T) {
			defer capture(t, b, dev)()
			br := startBird(t, b, birdConf(dev, 50, "authentication "+theirs+`; password "s3cret" { id 7; };`,
				`198.18.0.1 dev "`+dev+`" local 198.18.0.2`))
			da := startDaemon(t, a, fmt.Sprintf("sessions:\n  - {peer: 198.18.0.2, local: 198.18.0.1, desired_min_tx: 50ms, required_min_rx: 50ms, auth: {type: %s, key_id: 7, secret: s3cret}}\n", ours))
			da.waitFor(0, "Up", change("198.18.0.2", "Up"), 10*time.Second)
			br.waitState("198.18.0.1", "Up", 5*time.Second)
			m := da.mark()
			time.Sleep(time.Second)
			if st, _, _ := br.session("198.18.0.1"); st != "Up" {
				t.Fatalf("not stable: BIRD says %s", st)
			}
			for _, l := range da.lines()[m:] {
				if strings.Contains(l, "session state changed") {
					t.Fatalf("state change after Up: %s", l)
				}
			}
			da.cmd.Process.Kill()
			<-da.done
			br.cmd.Process.Kill()
			br.cmd.Wait()
		})
	}
}

// sameSince compares BIRD's "Since" column, which it renders from a
// monotonic clock and so may move by a millisecond between two calls.
func sameSince(a, b string) bool {
	ta, err1 := time.Parse("15:04:05.000", a)
	tb, err2 := time.Parse("15:04:05.000", b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	d := ta.Sub(tb)
	return d < 10*time.Millisecond && d > -10*time.Millisecond
}
