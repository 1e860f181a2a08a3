package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// RFC 5883: a multihop session through a router namespace comes Up (the
// packets arrive with TTL 254, the configured minimum) and detects a
// silenced path.
func TestMultiHopThroughRouter(t *testing.T) {
	netns.Skip(t)
	suf := fmt.Sprint(os.Getpid() % 100000)
	a, r, b := "e2ma"+suf, "e2mr"+suf, "e2mb"+suf
	for _, ns := range []string{a, r, b} {
		netns.Add(t, ns)
	}
	netns.IP(t, "link", "add", "a"+suf, "netns", a, "type", "veth", "peer", "name", "ra"+suf, "netns", r)
	netns.IP(t, "link", "add", "b"+suf, "netns", b, "type", "veth", "peer", "name", "rb"+suf, "netns", r)
	netns.IP(t, "-n", a, "addr", "add", "198.18.1.1/24", "dev", "a"+suf)
	netns.IP(t, "-n", r, "addr", "add", "198.18.1.254/24", "dev", "ra"+suf)
	netns.IP(t, "-n", r, "addr", "add", "198.18.2.254/24", "dev", "rb"+suf)
	netns.IP(t, "-n", b, "addr", "add", "198.18.2.1/24", "dev", "b"+suf)
	for _, l := range [][2]string{{a, "a" + suf}, {r, "ra" + suf}, {r, "rb" + suf}, {b, "b" + suf}} {
		netns.IP(t, "-n", l[0], "link", "set", l[1], "up")
	}
	netns.IP(t, "-n", a, "route", "add", "198.18.2.0/24", "via", "198.18.1.254")
	netns.IP(t, "-n", b, "route", "add", "198.18.1.0/24", "via", "198.18.2.254")
	if out, err := netns.Run("ip", "netns", "exec", r, "sysctl", "-qw", "net.ipv4.ip_forward=1"); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	mh := func(peer, local string) string {
		return fmt.Sprintf("sessions:\n  - {peer: %s, local: %s, type: multi_hop, desired_min_tx: 100ms, required_min_rx: 100ms, detect_mult: 3}\n", peer, local)
	}
	da := startDaemon(t, a, mh("198.18.2.1", "198.18.1.1"))
	db := startDaemon(t, b, mh("198.18.1.1", "198.18.2.1"))
	da.waitFor(0, "multihop Up", change("198.18.2.1", "Up"), 5*time.Second)
	db.waitFor(0, "multihop Up", change("198.18.1.1", "Up"), 5*time.Second)
	time.Sleep(500 * time.Millisecond)
	m := da.mark()
	// The router stops forwarding both ways (one way only, B would detect
	// first and A would hear B's Down: diag 3).
	silence(t, r, "rb"+suf, true)
	silence(t, r, "ra"+suf, true)
	l, _ := da.waitFor(m, "multihop Down", change("198.18.2.1", "Down"), 3*time.Second)
	if l.Diag != "ControlDetectionTimeExpired" {
		t.Fatal(l.Diag)
	}
}

// RFC 5880 §6.7: every authentication type between two gobfd daemons.
func TestAuthTypesBetweenDaemons(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "e2a")
	for _, typ := range []string{"simple", "keyed_md5", "meticulous_keyed_md5", "keyed_sha1", "meticulous_keyed_sha1"} {
		t.Run(typ, func(t *testing.T) {
			auth := fmt.Sprintf("auth: {type: %s, key_id: 7, secret: \"s3cret-%d\"}", typ, len(typ)%10)
			cfg := func(peer, local string) string {
				return fmt.Sprintf("sessions:\n  - {peer: %s, local: %s, desired_min_tx: 50ms, required_min_rx: 50ms, %s}\n", peer, local, auth)
			}
			da := startDaemon(t, a, cfg("198.18.0.2", "198.18.0.1"))
			db := startDaemon(t, b, cfg("198.18.0.1", "198.18.0.2"))
			da.waitFor(0, "Up", change("198.18.0.2", "Up"), 5*time.Second)
			db.waitFor(0, "Up", change("198.18.0.1", "Up"), 5*time.Second)
			m := da.mark()
			time.Sleep(time.Second)
			for _, l := range da.lines()[m:] {
				if strings.Contains(l, "session state changed") {
					t.Fatalf("state change after Up: %s", l)
				}
			}
			da.cmd.Process.Kill()
			db.cmd.Process.Kill()
			<-da.done
			<-db.done
		})
	}
}
