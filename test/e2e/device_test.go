package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// Sessions bound to an interface use sockets bound to it
// (SO_BINDTODEVICE) and come Up over IPv4 and IPv6.
func TestInterfaceBoundSessions(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "dev")
	cfg := func(dev, peer4, local4, peer6, local6 string) string {
		return fmt.Sprintf(`sessions:
  - {peer: %s, local: %s, interface: %s, desired_min_tx: 50ms, required_min_rx: 50ms}
  - {peer: "%s", local: "%s", interface: %s, desired_min_tx: 50ms, required_min_rx: 50ms}
`, peer4, local4, dev, peer6, local6, dev)
	}
	da := startDaemon(t, a, cfg("v"+a, "198.18.0.2", "198.18.0.1", "2001:db8::2", "2001:db8::1"))
	db := startDaemon(t, b, cfg("v"+b, "198.18.0.1", "198.18.0.2", "2001:db8::1", "2001:db8::2"))
	for _, p := range []string{"198.18.0.2", "2001:db8::2"} {
		da.waitFor(0, p+" Up", change(p, "Up"), 5*time.Second)
	}
	for _, p := range []string{"198.18.0.1", "2001:db8::1"} {
		db.waitFor(0, p+" Up", change(p, "Up"), 5*time.Second)
	}
}

// A session in a VRF: sockets bound to the VRF device, routing in the
// VRF's table. Needs a kernel with VRF support (CONFIG_NET_VRF).
func TestVRFSession(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "vrf")
	if out, err := netns.Run("ip", "-n", a, "link", "add", "blue", "type", "vrf", "table", "10"); err != nil {
		if strings.Contains(out, "Unknown device type") {
			t.Skip("this kernel has no VRF support (CONFIG_NET_VRF): ip link add type vrf fails")
		}
		t.Fatalf("%v %s", err, out)
	}
	netns.IP(t, "-n", a, "link", "set", "blue", "up")
	netns.IP(t, "-n", a, "link", "set", "v"+a, "master", "blue")
	da := startDaemon(t, a, "sessions:\n  - {peer: 198.18.0.2, local: 198.18.0.1, vrf: blue, desired_min_tx: 50ms, required_min_rx: 50ms}\n")
	db := startDaemon(t, b, sessionsYAML("50ms", "198.18.0.1", "198.18.0.2"))
	da.waitFor(0, "Up in the VRF", change("198.18.0.2", "Up"), 5*time.Second)
	db.waitFor(0, "Up", change("198.18.0.1", "Up"), 5*time.Second)
}
