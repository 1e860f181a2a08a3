package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// The interop topology: gobfd in a, the peer implementation in b, one
// wire, and loopbacks 198.18.0.101 / 2001:db8:ff::101 (a) and .102 / ::102
// (b) routed over it for multihop sessions.
var (
	interopPeers     = []string{"198.18.0.2", "2001:db8::2", "198.18.0.102", "2001:db8:ff::102"} // as gobfd sees them
	interopPeersSeen = []string{"198.18.0.1", "2001:db8::1", "198.18.0.101", "2001:db8:ff::101"} // as the peer sees gobfd
)

func interopHosts(t *testing.T, prefix string) (a, b, dev string) {
	t.Helper()
	a, b = netns.Pair(t, prefix)
	netns.IP(t, "-n", a, "addr", "add", "198.18.0.101/32", "dev", "lo")
	netns.IP(t, "-n", b, "addr", "add", "198.18.0.102/32", "dev", "lo")
	netns.IP(t, "-n", a, "route", "add", "198.18.0.102/32", "via", "198.18.0.2")
	netns.IP(t, "-n", b, "route", "add", "198.18.0.101/32", "via", "198.18.0.1")
	netns.IP(t, "-n", a, "addr", "add", "2001:db8:ff::101/128", "dev", "lo")
	netns.IP(t, "-n", b, "addr", "add", "2001:db8:ff::102/128", "dev", "lo")
	netns.IP(t, "-n", a, "route", "add", "2001:db8:ff::102/128", "via", "2001:db8::2")
	netns.IP(t, "-n", b, "route", "add", "2001:db8:ff::101/128", "via", "2001:db8::1")
	return a, b, "v" + b
}

// interopConfig is gobfd's side: single-hop IPv4 and IPv6 and multihop
// IPv4 and IPv6 at interval iv; extra is prepended (e.g. a bfd: block).
func interopConfig(extra, iv string) string {
	return extra + sessionsYAML(iv, "198.18.0.2", "198.18.0.1", "2001:db8::2", "2001:db8::1") +
		fmt.Sprintf("  - {peer: 198.18.0.102, local: 198.18.0.101, type: multi_hop, desired_min_tx: %s, required_min_rx: %s}\n", iv, iv) +
		fmt.Sprintf("  - {peer: \"2001:db8:ff::102\", local: \"2001:db8:ff::101\", type: multi_hop, desired_min_tx: %s, required_min_rx: %s}\n", iv, iv)
}

// cutBothWays silences the wire in both directions and checks that gobfd
// declares its single-hop sessions Down with diag 1 and that the peer,
// asked through peerDown, does too; then it heals the wire and waits for
// every session to come back.
func cutBothWays(t *testing.T, a, b, dev string, da *daemon, peerDown func(i int)) {
	t.Helper()
	m := da.mark()
	silence(t, a, "v"+a, true)
	silence(t, b, dev, true)
	for i, p := range interopPeers[:2] {
		l, _ := da.waitFor(m, p+" Down", change(p, "Down"), 3*time.Second)
		if l.Diag != "ControlDetectionTimeExpired" {
			t.Fatalf("%s: %s", p, l.Diag)
		}
		peerDown(i)
	}
	silence(t, a, "v"+a, false)
	silence(t, b, dev, false)
	for _, p := range interopPeers {
		da.waitFor(m, p+" Up again", change(p, "Up"), 10*time.Second)
	}
	time.Sleep(time.Second)
}
