package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// A second gobfd in the same network namespace stops with a clear error
// instead of silently sharing the first one's receive sockets (they use
// SO_REUSEPORT); the first one keeps running.
func TestOneDaemonPerNamespace(t *testing.T) {
	netns.Skip(t)
	a, _ := netns.Pair(t, "e2i")
	cfg := sessionsYAML("100ms", "198.18.0.2", "198.18.0.1")
	d := startDaemon(t, a, cfg)
	d.waitFor(0, "ready", func(l logLine) bool { return l.Msg == "ready" }, 5*time.Second)
	path := t.TempDir() + "/second.yml"
	writeFile(t, path, "metrics: {addr: \"\"}\ngrpc: {addr: \"\"}\n"+cfg)
	out, err := exec.Command("ip", "netns", "exec", a, gobfdBin, "-config", path).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("second daemon: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "another gobfd is running in this network namespace") {
		t.Fatalf("second daemon said: %s", out)
	}
	if d.exited(100 * time.Millisecond) {
		t.Fatal("the first daemon stopped")
	}
}
