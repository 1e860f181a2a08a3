package e2e

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// With the flight recorder on, a silenced wire (a detection timeout on
// both sessions, RFC 5880 §6.8.4) writes exactly one trace — one file for
// the burst — and `go tool trace` parses it from end to end. The daemon's
// own shutdown afterwards (AdminDown) writes none.
func TestFlightRecorderDumpsOnDetectionTimeout(t *testing.T) {
	netns.Skip(t)
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("needs the go command to read the trace")
	}
	a, b := netns.Pair(t, "e2f")
	dir := filepath.Join(t.TempDir(), "flightrec") // created by the daemon
	da := startDaemon(t, a, fmt.Sprintf("flight_recorder: {enabled: true, dir: %q, window: 2s, max_bytes: 4194304, min_interval: 1m, max_files: 5}\n", dir)+
		sessionsYAML("50ms", "198.18.0.2", "198.18.0.1", "2001:db8::2", "2001:db8::1"))
	startDaemon(t, b, sessionsYAML("50ms", "198.18.0.1", "198.18.0.2", "2001:db8::1", "2001:db8::2"))
	da.waitFor(0, "flight recorder running", func(l logLine) bool { return l.Msg == "flight recorder running" }, 5*time.Second)
	for _, p := range []string{"198.18.0.2", "2001:db8::2"} {
		da.waitFor(0, p+" Up", change(p, "Up"), 10*time.Second)
	}
	if n := len(traceFiles(t, dir)); n != 0 {
		t.Fatalf("%d trace files before any failure", n)
	}

	m := da.mark()
	silence(t, b, "v"+b, true)
	for _, p := range []string{"198.18.0.2", "2001:db8::2"} {
		l, _ := da.waitFor(m, p+" Down", change(p, "Down"), 5*time.Second)
		if l.Diag != "ControlDetectionTimeExpired" {
			t.Fatalf("%s: diag %s", p, l.Diag)
		}
	}
	da.waitFor(m, "trace written", func(l logLine) bool { return l.Msg == "flight recorder: trace written" }, 10*time.Second)

	// Stop the daemon: its recorder handles every queued event before it
	// exits, so the count below is final; the shutdown's AdminDowns must
	// not add a file.
	da.signal(syscall.SIGTERM)
	if !da.exited(10 * time.Second) {
		t.Fatal("gobfd did not exit after SIGTERM")
	}
	files := traceFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("trace files: %v, want exactly one", files)
	}
	name := filepath.Base(files[0])
	if !strings.HasSuffix(name, "-198.18.0.2.trace") && !strings.HasSuffix(name, "-2001_db8__2.trace") {
		t.Errorf("file %s is not named after a failed session's peer", name)
	}
	fi, _ := os.Stat(files[0])
	cmd := exec.Command(goTool, "tool", "trace", "-d=parsed", files[0])
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("go tool trace -d=parsed %s: %v\n%s", name, err, stderr.String())
	}
	t.Logf("%s: %d bytes, parsed by go tool trace in %v", name, fi.Size(), time.Since(start).Round(time.Millisecond))
}

func traceFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "gobfd-*.trace"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
