package deployments_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// The images' capability model, run here without a container engine: gobfd
// as user 10001 with CAP_NET_RAW and CAP_NET_ADMIN only in the bounding set
// (how a runtime hands --cap-add, cap_add or capabilities.add to a non-root
// process) and as file capabilities of the binary (setcap, as the
// Containerfiles do). It brings a session Up with a peer in another
// namespace. With no_new_privs (no-new-privileges, allowPrivilegeEscalation:
// false) the kernel grants file capabilities only up to what the process
// already held, so gobfd starts without them and says what is missing.
func TestImageCapabilityModel(t *testing.T) {
	netns.Skip(t)
	for _, tool := range []string{"setcap", "setpriv"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install libcap2-bin util-linux)", tool)
		}
	}
	dir, err := os.MkdirTemp("", "gobfd-filecaps")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil { // reachable by uid 10001
		t.Fatal(err)
	}
	bin, peerBin := filepath.Join(dir, "gobfd"), filepath.Join(dir, "gobfd-peer")
	for _, out := range []string{bin, peerBin} {
		build := exec.Command("go", "build", "-trimpath", "-o", out, "../cmd/gobfd")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, b)
		}
	}
	if b, err := exec.Command("setcap", "cap_net_raw,cap_net_admin=ep", bin).CombinedOutput(); err != nil {
		t.Skipf("setcap on %s: %v %s (the file system has no security xattrs)", dir, err, b)
	}

	a, b := netns.Pair(t, "fcap")
	conf := func(name, local, peer string) string {
		p := filepath.Join(dir, name)
		yml := "grpc: {addr: \"\"}\nmetrics: {addr: \"\"}\nsessions:\n  - {peer: " + peer + ", local: " + local +
			", desired_min_tx: 50ms, required_min_rx: 50ms, detect_mult: 3}\n"
		if err := os.WriteFile(p, []byte(yml), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// As a runtime starts a non-root process: the added capabilities in
	// the bounding set only. The shell between setpriv and gobfd is a
	// plain execve by uid 10001, which empties the permitted set; then
	// gobfd's execve takes its file capabilities (permitted = file ∩
	// bounding).
	cfgA := conf("a.yml", "198.18.0.1", "198.18.0.2")
	asImage := func(extra ...string) []string {
		args := []string{"netns", "exec", a, "setpriv", "--reuid=" + imageUID, "--regid=" + imageUID, "--clear-groups",
			"--inh-caps=-all", "--bounding-set=-all,+net_raw,+net_admin"}
		return append(append(args, extra...), "/bin/sh", "-c",
			`grep -q '^CapPrm:[[:space:]]*0*$' /proc/self/status || { echo "permitted set not empty" >&2; exit 9; }; exec "$0" "$@"`,
			bin, "-config", cfgA)
	}

	startLogged(t, filepath.Join(dir, "b.log"), "ip", "netns", "exec", b, peerBin, "-config",
		conf("b.yml", "198.18.0.2", "198.18.0.1"))
	d := startLogged(t, filepath.Join(dir, "a.log"), "ip", asImage()...)
	up := `"msg":"session state changed".*"to":"Up"`
	waitLog(t, filepath.Join(dir, "a.log"), up, 10*time.Second)
	waitLog(t, filepath.Join(dir, "b.log"), up, 10*time.Second)

	st, err := os.ReadFile("/proc/" + strconv.Itoa(d.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Uid:\t" + imageUID + "\t", "CapEff:\t0000000000003000", "CapBnd:\t0000000000003000",
		"CapAmb:\t0000000000000000", "CapInh:\t0000000000000000"} {
		if !strings.Contains(string(st), want) {
			t.Errorf("gobfd's status lacks %q:\n%s", want, st)
		}
	}

	// One gobfd per namespace: the first one goes before the second try.
	d.Process.Kill()
	d.Wait()

	// no_new_privs: the kernel grants file capabilities only up to the
	// permitted set the process already had (none here).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", asImage("--no-new-privs")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "needs CAP_NET_RAW") {
		t.Fatalf("with no_new_privs: %v\n%s", err, out)
	}
}

// startLogged starts a command with its stderr in logPath, killed at cleanup.
func startLogged(t *testing.T, logPath, name string, args ...string) *exec.Cmd {
	t.Helper()
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stderr = f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("%s:\n%s", filepath.Base(logPath), b)
		}
	})
	return cmd
}

// waitLog polls logPath until a line matches re or the timeout passes.
func waitLog(t *testing.T, logPath, re string, timeout time.Duration) {
	t.Helper()
	rx := regexp.MustCompile(re)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(timeout)
	for {
		if b, _ := os.ReadFile(logPath); rx.Match(b) {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%s: no line matching %s within %v", filepath.Base(logPath), re, timeout)
		}
	}
}
