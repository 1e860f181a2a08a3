package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dantte-lp/gobfd/internal/netns"
)

var gobfdBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gobfd-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gobfdBin = filepath.Join(dir, "gobfd")
	if out, err := exec.Command("go", "build", "-o", gobfdBin, "../../cmd/gobfd").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building gobfd: %v\n%s", err, out)
		os.Exit(1)
	}
	code := 0
	func() {
		defer os.RemoveAll(dir)
		goleak.VerifyTestMain(exitCapture{&code, m})
	}()
	os.Exit(code)
}

type exitCapture struct {
	code *int
	m    *testing.M
}

func (e exitCapture) Run() int { *e.code = e.m.Run(); return *e.code }

// logLine is one JSON log line of gobfd.
type logLine struct {
	Time       time.Time `json:"time"`
	Level      string    `json:"level"`
	Msg        string    `json:"msg"`
	Peer       string    `json:"peer"`
	Local      string    `json:"local"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Diag       string    `json:"diag"`
	RemoteDiag string    `json:"remote_diag"`
	RemoteSt   string    `json:"remote_state"`
	Detection  string    `json:"detection_time"`
	Added      int       `json:"added"`
	Removed    int       `json:"removed"`
	Updated    int       `json:"updated"`
}

// daemon is a gobfd process in a namespace whose log the test reads.
type daemon struct {
	t    *testing.T
	cmd  *exec.Cmd
	cfg  string
	mu   sync.Mutex
	log  []logLine
	raw  []string
	cond *sync.Cond
	done chan struct{}
}

func startDaemon(t *testing.T, ns, yml string) *daemon {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "gobfd.yml")
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	d := &daemon{t: t, cfg: cfg, done: make(chan struct{})}
	d.cond = sync.NewCond(&d.mu)
	d.cmd = exec.Command("ip", "netns", "exec", ns, gobfdBin, "-config", cfg)
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(d.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var l logLine
			json.Unmarshal(sc.Bytes(), &l)
			d.mu.Lock()
			d.log = append(d.log, l)
			d.raw = append(d.raw, sc.Text())
			d.cond.Broadcast()
			d.mu.Unlock()
		}
		d.cmd.Wait()
		d.mu.Lock()
		d.cond.Broadcast()
		d.mu.Unlock()
	}()
	t.Cleanup(func() {
		d.cmd.Process.Signal(syscall.SIGKILL)
		<-d.done
		if t.Failed() {
			t.Logf("log of %s:\n%s", ns, strings.Join(d.lines(), "\n"))
		}
	})
	return d
}

func (d *daemon) lines() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.raw...)
}

// waitFor returns the first log line from index from on that matches.
func (d *daemon) waitFor(from int, what string, match func(logLine) bool, timeout time.Duration) (logLine, int) {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { d.mu.Lock(); d.cond.Broadcast(); d.mu.Unlock() })
	defer timer.Stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		for i := from; i < len(d.log); i++ {
			if match(d.log[i]) {
				return d.log[i], i + 1
			}
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("no %s within %v", what, timeout)
		}
		select {
		case <-d.done:
			d.t.Fatalf("gobfd exited while waiting for %s", what)
		default:
		}
		d.cond.Wait()
	}
}

// markAt converts a log mark into an index of lines().
func (d *daemon) markAt(m int) int { return m }

func (d *daemon) mark() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.log)
}

// changesSince returns d's state-change lines, from log index from on,
// whose change happened at t0 or later. The log writes a burst of changes
// up to 25 ms after they happened (each line carries its change's time),
// so a line after a mark may describe a change from before it.
func (d *daemon) changesSince(from int, t0 time.Time) []string {
	var out []string
	for _, l := range d.lines()[from:] {
		var ll logLine
		if json.Unmarshal([]byte(l), &ll) == nil && ll.Msg == "session state changed" && !ll.Time.Before(t0) {
			out = append(out, l)
		}
	}
	return out
}

// ups counts the state changes to Up in d's log.
func (d *daemon) ups() int {
	n := 0
	for _, l := range d.lines() {
		if strings.Contains(l, `"to":"Up"`) {
			n++
		}
	}
	return n
}

// waitAllUp waits until each daemon has logged n changes to Up.
func waitAllUp(t *testing.T, n int, timeout time.Duration, ds ...*daemon) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for _, d := range ds {
		for d.ups() < n {
			if time.Now().After(deadline) {
				t.Fatalf("Up after %v: %d of %d", timeout, d.ups(), n)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func change(peer, to string) func(logLine) bool {
	return func(l logLine) bool { return l.Msg == "session state changed" && l.Peer == peer && l.To == to }
}

func (d *daemon) signal(s syscall.Signal) { d.cmd.Process.Signal(s) }

func (d *daemon) rewrite(yml string) {
	if err := os.WriteFile(d.cfg, []byte(yml), 0o600); err != nil {
		d.t.Fatal(err)
	}
}

// exited waits for the process to end.
func (d *daemon) exited(timeout time.Duration) bool {
	select {
	case <-d.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

func sessionsYAML(iv string, pairs ...string) string {
	var b strings.Builder
	b.WriteString("sessions:\n")
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&b, "  - {peer: %q, local: %q, desired_min_tx: %s, required_min_rx: %s, detect_mult: 3}\n", pairs[i], pairs[i+1], iv, iv)
	}
	return b.String()
}

func silence(t *testing.T, ns, dev string, on bool) {
	t.Helper()
	if on {
		// LAB.md: a qdisc that holds no packet silences the wire while the
		// link stays up.
		netns.IP(t, "-n", ns, "link", "show", dev)
		if out, err := exec.Command("tc", "-n", ns, "qdisc", "replace", "dev", dev, "root", "pfifo", "limit", "0").CombinedOutput(); err != nil {
			t.Fatalf("tc: %v %s", err, out)
		}
		return
	}
	exec.Command("tc", "-n", ns, "qdisc", "del", "dev", dev, "root").Run()
}
