package e2e

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// The daemon's systemd conversation over a real NOTIFY_SOCKET: READY=1 once
// sockets and sessions exist, WATCHDOG=1 at half of WATCHDOG_USEC,
// RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 on SIGTERM.
func TestSystemdNotify(t *testing.T) {
	netns.Skip(t)
	a, _ := netns.Pair(t, "sd")
	dir := t.TempDir()
	sock := filepath.Join(dir, "notify")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cfg := filepath.Join(dir, "gobfd.yml")
	writeFile(t, cfg, sessionsYAML("100ms", "198.18.0.2", "198.18.0.1"))
	cmd := exec.Command("ip", "netns", "exec", a, gobfdBin, "-config", cfg)
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=400000")
	var logb strings.Builder
	cmd.Stderr = &logb
	defer func() {
		if t.Failed() {
			t.Logf("gobfd log:\n%s", logb.String())
		}
	}()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	next := func() string {
		t.Helper()
		l.SetReadDeadline(time.Now().Add(3 * time.Second))
		b := make([]byte, 512)
		n, err := l.Read(b)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return string(b[:n])
	}
	expect := func(prefix string) string {
		t.Helper()
		for i := 0; i < 20; i++ {
			m := next()
			if strings.HasPrefix(m, prefix) {
				return m
			}
			if !strings.HasPrefix(m, "WATCHDOG=1") && !strings.HasPrefix(m, "STATUS=") {
				t.Fatalf("got %q while waiting for %q", m, prefix)
			}
		}
		t.Fatalf("no %q", prefix)
		return ""
	}
	if m := expect("READY=1"); !strings.Contains(m, "STATUS=1 sessions") {
		t.Fatalf("%q", m)
	}
	expect("WATCHDOG=1")
	cmd.Process.Signal(syscall.SIGHUP)
	if m := expect("RELOADING=1"); !strings.Contains(m, "MONOTONIC_USEC=") {
		t.Fatalf("%q", m)
	}
	expect("READY=1")
	cmd.Process.Signal(syscall.SIGTERM)
	expect("STOPPING=1")
}
