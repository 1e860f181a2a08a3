package sdnotify

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Against a real unixgram socket, as systemd listens.
func TestNotifySocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Setenv("NOTIFY_SOCKET", path)
	n := FromEnv()
	if !n.Active() {
		t.Fatal("inactive")
	}
	read := func() string {
		l.SetReadDeadline(time.Now().Add(2 * time.Second))
		b := make([]byte, 512)
		k, err := l.Read(b)
		if err != nil {
			t.Fatal(err)
		}
		return string(b[:k])
	}
	n.Ready("3 sessions")
	if got := read(); got != "READY=1\nSTATUS=3 sessions" {
		t.Fatalf("%q", got)
	}
	n.Reloading()
	if got := read(); !strings.HasPrefix(got, "RELOADING=1\nMONOTONIC_USEC=") || len(got) < 30 {
		t.Fatalf("%q", got)
	}
	n.Watchdog()
	if got := read(); got != "WATCHDOG=1" {
		t.Fatalf("%q", got)
	}
	n.Stopping()
	if got := read(); got != "STOPPING=1" {
		t.Fatalf("%q", got)
	}
}

func TestInactiveAndWatchdogEnv(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if err := FromEnv().Ready("x"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WATCHDOG_USEC", "30000000")
	t.Setenv("WATCHDOG_PID", "")
	if d := WatchdogInterval(); d != 15*time.Second {
		t.Fatal(d)
	}
	t.Setenv("WATCHDOG_PID", "1")
	if d := WatchdogInterval(); d != 0 {
		t.Fatal("watchdog for another pid")
	}
}
