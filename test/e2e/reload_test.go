package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// SIGHUP reconciles: a new session starts, a removed one sends AdminDown
// and goes, a retimed one renegotiates without a flap, an untouched one is
// untouched; a bad file is reported and the running configuration stays.
func TestReload(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "e2r")
	// Extra addresses so that four sessions run between the two hosts.
	for i, ns := range []string{a, b} {
		for _, h := range []string{"11", "12", "13"} {
			netns.IP(t, "-n", ns, "addr", "add", "198.18.0."+h+string(rune('0'+i))+"/24", "dev", "v"+ns)
		}
	}
	// Side A: .1 .110 .120 .130; side B: .2 .111 .121 .131.
	cfgA := sessionsYAML("50ms", "198.18.0.2", "198.18.0.1", "198.18.0.111", "198.18.0.110", "198.18.0.121", "198.18.0.120")
	cfgB := sessionsYAML("50ms", "198.18.0.1", "198.18.0.2", "198.18.0.110", "198.18.0.111", "198.18.0.120", "198.18.0.121",
		"198.18.0.130", "198.18.0.131")
	da := startDaemon(t, a, cfgA)
	db := startDaemon(t, b, cfgB)
	for _, p := range []string{"198.18.0.1", "198.18.0.110", "198.18.0.120"} {
		db.waitFor(0, p+" Up", change(p, "Up"), 5*time.Second)
	}
	time.Sleep(time.Second)
	ma, mb := da.mark(), db.mark()

	// .2 untouched, .111 retimed, .121 removed, .131 added.
	da.rewrite(sessionsYAML("50ms", "198.18.0.2", "198.18.0.1") +
		"  - {peer: 198.18.0.111, local: 198.18.0.110, desired_min_tx: 200ms, required_min_rx: 200ms, detect_mult: 3}\n" +
		"  - {peer: 198.18.0.131, local: 198.18.0.130, desired_min_tx: 50ms, required_min_rx: 50ms, detect_mult: 3}\n")
	da.signal(syscall.SIGHUP)
	l, _ := da.waitFor(ma, "reloaded", func(l logLine) bool { return l.Msg == "reloaded" }, 5*time.Second)
	if l.Added != 1 || l.Removed != 1 || l.Updated != 1 {
		t.Fatalf("reload: added %d removed %d updated %d", l.Added, l.Removed, l.Updated)
	}
	// The removed session says AdminDown to its peer.
	rm, _ := db.waitFor(mb, "removed session Down", change("198.18.0.120", "Down"), 3*time.Second)
	if rm.RemoteDiag != "AdministrativelyDown" {
		t.Fatalf("removed session: peer saw remote diag %s", rm.RemoteDiag)
	}
	db.waitFor(mb, "added session Up", change("198.18.0.130", "Up"), 5*time.Second)
	time.Sleep(2 * time.Second)
	for _, line := range da.lines()[ma:] {
		if strings.Contains(line, "session state changed") &&
			(strings.Contains(line, `"198.18.0.2"`) || strings.Contains(line, `"198.18.0.111"`)) {
			t.Fatalf("an untouched or retimed session changed state: %s", line)
		}
	}
	for _, line := range db.lines()[mb:] {
		if strings.Contains(line, "session state changed") &&
			(strings.Contains(line, `"198.18.0.1"`) || strings.Contains(line, `"198.18.0.110"`)) {
			t.Fatalf("the peer saw a flap: %s", line)
		}
	}

	// A bad file on reload: reported, nothing changes.
	ma = da.mark()
	da.rewrite("sessions:\n  - {peer: 198.18.0.2, local: 198.18.0.1, detect_mult: 0, desired_min_tx: 1ms}\n")
	da.signal(syscall.SIGHUP)
	bad, _ := da.waitFor(ma, "reload failure", func(l logLine) bool {
		return strings.HasPrefix(l.Msg, "reload failed")
	}, 5*time.Second)
	_ = bad
	if !strings.Contains(strings.Join(da.lines()[ma:], "\n"), "sessions[0].desired_min_tx") {
		t.Fatal("the reload error does not name the key")
	}
	time.Sleep(time.Second)
	for _, line := range da.lines()[ma:] {
		if strings.Contains(line, "session state changed") {
			t.Fatalf("a bad reload changed a session: %s", line)
		}
	}
}
