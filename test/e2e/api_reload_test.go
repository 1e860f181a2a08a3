package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// The ownership rule across reloads: a session added over the API
// survives a reload untouched; a file session deleted over the API with
// force comes back at the next reload; when the file starts listing an
// API session's key, the reload takes the session over (new timers by
// Poll Sequence, no flap) and it belongs to the file from then on.
func TestAPIReloadOwnership(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "ear")
	netns.IP(t, "-n", a, "addr", "add", "198.18.0.11/24", "dev", "v"+a)
	netns.IP(t, "-n", b, "addr", "add", "198.18.0.12/24", "dev", "v"+b)
	fileA := sessionsYAML("50ms", "198.18.0.2", "198.18.0.1")
	da := startDaemon(t, a, fileA)
	db := startDaemon(t, b, sessionsYAML("50ms", "198.18.0.1", "198.18.0.2", "198.18.0.11", "198.18.0.12"))
	da.waitFor(0, "Up", change("198.18.0.2", "Up"), 5*time.Second)
	da.waitFor(0, "ready", func(l logLine) bool { return l.Msg == "ready" }, 5*time.Second)
	ctlOK(t, a, "session", "add", "198.18.0.12", "--local", "198.18.0.11", "--desired-min-tx", "50ms", "--required-min-rx", "50ms")
	db.waitFor(0, "API session Up", change("198.18.0.11", "Up"), 5*time.Second)

	// Force-delete the file's session, then reload the same file.
	ctlOK(t, a, "session", "delete", "198.18.0.2", "--force")
	db.waitFor(0, "file session Down", change("198.18.0.1", "Down"), 3*time.Second)
	time.Sleep(300 * time.Millisecond) // the deletion completes (two transmit intervals)
	ma, mb := da.mark(), db.mark()
	da.signal(syscall.SIGHUP)
	l, _ := da.waitFor(ma, "reloaded", func(l logLine) bool { return l.Msg == "reloaded" }, 5*time.Second)
	if l.Added != 1 || l.Removed != 0 || l.Updated != 0 {
		t.Fatalf("reload: added %d removed %d updated %d, want the deleted session restored", l.Added, l.Removed, l.Updated)
	}
	db.waitFor(mb, "file session Up again", change("198.18.0.1", "Up"), 5*time.Second)
	if out := ctlOK(t, a, "session", "show", "198.18.0.12", "-o", "json"); !strings.Contains(out, `"owner": "OWNER_API"`) {
		t.Fatalf("API session after reload:\n%s", out)
	}
	for _, line := range db.lines()[mb:] {
		if strings.Contains(line, "session state changed") && strings.Contains(line, `"peer":"198.18.0.11"`) {
			t.Fatalf("the reload touched the API session: %s", line)
		}
	}

	// The file now lists the API session's key, with another multiplier.
	ma, mb = da.mark(), db.mark()
	da.rewrite(fileA + "  - {peer: 198.18.0.12, local: 198.18.0.11, desired_min_tx: 50ms, required_min_rx: 50ms, detect_mult: 5}\n")
	da.signal(syscall.SIGHUP)
	l, _ = da.waitFor(ma, "reloaded", func(l logLine) bool { return l.Msg == "reloaded" }, 5*time.Second)
	if l.Added != 0 || l.Updated != 1 {
		t.Fatalf("reload: added %d updated %d, want the API session taken over (updated)", l.Added, l.Updated)
	}
	time.Sleep(time.Second)
	out := ctlOK(t, a, "session", "show", "198.18.0.12", "-o", "json")
	if !strings.Contains(out, `"owner": "OWNER_CONFIG"`) || !strings.Contains(out, `"detect_mult": 5`) {
		t.Fatalf("taken over session:\n%s", out)
	}
	for _, line := range append(da.lines()[ma:], db.lines()[mb:]...) {
		if strings.Contains(line, "session state changed") {
			t.Fatalf("the takeover flapped a session: %s", line)
		}
	}
	if r := ctl(t, a, "session", "delete", "198.18.0.12"); r.code != 1 || !strings.Contains(r.err, "permission denied") {
		t.Fatalf("delete of the taken-over session without --force: %+v", r)
	}
}
