package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// A reload that removes the last session bound to an interface closes the
// sockets bound to it (ss shows no UDP socket on 3784 bound to the device).
func TestReloadClosesDeviceSockets(t *testing.T) {
	netns.Skip(t)
	if _, err := exec.LookPath("ss"); err != nil {
		t.Skip("ss (iproute2) not installed")
	}
	a, b := netns.Pair(t, "rdv")
	dev := "v" + a
	bound := fmt.Sprintf("sessions:\n  - {peer: 198.18.0.2, local: 198.18.0.1, interface: %s, desired_min_tx: 50ms, required_min_rx: 50ms}\n", dev)
	da := startDaemon(t, a, bound)
	startDaemon(t, b, sessionsYAML("50ms", "198.18.0.1", "198.18.0.2"))
	da.waitFor(0, "Up", change("198.18.0.2", "Up"), 5*time.Second)
	sockets := func() string {
		out, _ := exec.Command("ip", "netns", "exec", a, "ss", "-uanp").CombinedOutput()
		return string(out)
	}
	if !strings.Contains(sockets(), "%"+dev+":3784") {
		t.Fatalf("no socket bound to %s:\n%s", dev, sockets())
	}
	m := da.mark()
	da.rewrite(sessionsYAML("50ms", "198.18.0.2", "198.18.0.1"))
	da.signal(syscall.SIGHUP)
	da.waitFor(m, "reloaded", func(l logLine) bool { return l.Msg == "reloaded" }, 5*time.Second)
	if s := sockets(); strings.Contains(s, "%"+dev+":3784") {
		t.Fatalf("socket bound to %s still open after reload:\n%s", dev, s)
	}
}
