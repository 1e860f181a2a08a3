package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// log.level changes on reload, at once: after a SIGHUP to level warn, a
// session's Down (a WARN line) is logged and its return to Up (INFO) is
// not, nor the reload's own INFO line; a SIGHUP back to info brings them
// back.
func TestReloadLogLevel(t *testing.T) {
	netns.Skip(t)
	a, b := netns.Pair(t, "e2l")
	sess := sessionsYAML("50ms", "198.18.0.2", "198.18.0.1")
	da := startDaemon(t, a, "log: {level: info}\n"+sess)
	startDaemon(t, b, sessionsYAML("50ms", "198.18.0.1", "198.18.0.2"))
	da.waitFor(0, "Up", change("198.18.0.2", "Up"), 5*time.Second)
	c := apiClient(t, a, "127.0.0.1:50051")
	waitAPI(t, c)

	// To warn. The metrics change makes the reload say something at WARN
	// (it applies at the next restart), so that the test knows it ran.
	m := da.mark()
	da.rewrite("log: {level: warn}\nmetrics: {addr: \"127.0.0.1:9101\"}\n" + sess)
	da.signal(syscall.SIGHUP)
	da.waitFor(m, "the reload's warning", func(l logLine) bool {
		return strings.HasPrefix(l.Msg, "reload: metrics settings change")
	}, 5*time.Second)
	silence(t, b, "v"+b, true)
	da.waitFor(m, "Down at WARN", change("198.18.0.2", "Down"), 5*time.Second)
	silence(t, b, "v"+b, false)
	waitUp(t, c, 1, 10*time.Second)
	time.Sleep(300 * time.Millisecond) // the log writes bursts a little later
	sawDown := false
	for _, line := range da.lines()[m:] {
		switch {
		case strings.Contains(line, `"level":"INFO"`):
			t.Fatalf("an INFO line at level warn: %s", line)
		case strings.Contains(line, `"to":"Down"`):
			sawDown = strings.Contains(line, `"level":"WARN"`)
		}
	}
	if !sawDown {
		t.Fatal("the Down was not logged at WARN")
	}

	// Back to info: the reload's INFO line, with the level it set.
	m = da.mark()
	da.rewrite("log: {level: info}\nmetrics: {addr: \"127.0.0.1:9101\"}\n" + sess)
	da.signal(syscall.SIGHUP)
	l, _ := da.waitFor(m, "reloaded at info", func(l logLine) bool { return l.Msg == "reloaded" }, 5*time.Second)
	if !strings.Contains(strings.Join(da.lines()[m:], "\n"), `"log_level":"info"`) {
		t.Fatalf("reloaded line: %+v", l)
	}
}
