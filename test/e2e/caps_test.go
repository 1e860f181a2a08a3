package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// gobfd works without root, with only CAP_NET_RAW and CAP_NET_ADMIN (the
// deployment guide's unit), as an unprivileged user; without them it says
// which capability is missing.
func TestRunsWithOnlyNetRawAndNetAdmin(t *testing.T) {
	netns.Skip(t)
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) not installed")
	}
	a, b := netns.Pair(t, "cap")
	// The binary and config must be reachable by user nobody.
	dir, err := os.MkdirTemp("", "gobfd-caps")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "gobfd")
	data, _ := os.ReadFile(gobfdBin)
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "a.yml")
	writeFile(t, cfg, sessionsYAML("50ms", "198.18.0.2", "198.18.0.1"))
	os.Chmod(cfg, 0o644)

	run := func(caps string) *exec.Cmd {
		return exec.Command("ip", "netns", "exec", a, "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
			"--inh-caps="+caps, "--ambient-caps="+caps, "--bounding-set="+caps, bin, "-config", cfg)
	}
	// Without capabilities: a clear error naming CAP_NET_RAW.
	out, err := run("-all").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "CAP_NET_RAW") {
		t.Fatalf("without capabilities: %v\n%s", err, out)
	}

	db := startDaemon(t, b, sessionsYAML("50ms", "198.18.0.1", "198.18.0.2"))
	cmd := run("-all,+net_raw,+net_admin")
	var logb strings.Builder
	cmd.Stderr = &logb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	db.waitFor(0, "Up with the unprivileged peer", change("198.18.0.1", "Up"), 5*time.Second)
	st, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
	if !strings.Contains(string(st), "Uid:\t65534") {
		t.Fatalf("not running as nobody:\n%s", st)
	}
}
