package flightrec

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/packet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeTracer stands in for the runtime's flight recorder.
type fakeTracer struct {
	started, stopped bool
	writes           int
	err              error
}

func (f *fakeTracer) Start() error { f.started = true; return nil }
func (f *fakeTracer) Stop()        { f.stopped = true }
func (f *fakeTracer) WriteTo(w io.Writer) (int64, error) {
	f.writes++
	if f.err != nil {
		w.Write([]byte("half a trace"))
		return 12, f.err
	}
	n, err := w.Write([]byte("go 1.26 trace\x00\x00\x00"))
	return int64(n), err
}

// clock is a hand-stepped clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) step(d time.Duration)    { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }
func logTo(b *bytes.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }
func files(t *testing.T, dir string) []string {
	t.Helper()
	names, err := traceFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

var peer = netip.MustParseAddr("198.18.0.2")

// down is a detection timeout of the session with peer p (RFC 5880 §6.8.4).
func down(p netip.Addr) engine.Event {
	return engine.Event{Key: engine.Key{Peer: p, Local: netip.MustParseAddr("198.18.0.1")},
		Old: packet.StateUp, New: packet.StateDown, LocalDiag: packet.DiagControlDetectExpired,
		RemoteState: packet.StateUp}
}

// feed runs the recorder over evs, stepping the clock by gap after each.
func feed(r *Recorder, c *clock, gap time.Duration, evs ...engine.Event) {
	ch := make(chan engine.Event, len(evs))
	for _, ev := range evs {
		ch <- ev
	}
	close(ch)
	// One event at a time so that the clock moves between them.
	for ev := range ch {
		one := make(chan engine.Event, 1)
		one <- ev
		close(one)
		r.loop(one, nil)
		c.step(gap)
	}
}

func TestTrigger(t *testing.T) {
	ev := func(from, to packet.State, diag packet.Diag, remote packet.State) engine.Event {
		return engine.Event{Old: from, New: to, LocalDiag: diag, RemoteState: remote}
	}
	up, down, initS, admin := packet.StateUp, packet.StateDown, packet.StateInit, packet.StateAdminDown
	cases := []struct {
		name string
		ev   engine.Event
		want bool
	}{
		{"detection timeout while Up", ev(up, down, packet.DiagControlDetectExpired, up), true},
		{"detection timeout while coming Up", ev(initS, down, packet.DiagControlDetectExpired, initS), true},
		{"neighbour signalled Down", ev(up, down, packet.DiagNeighborDown, down), true},
		{"path down", ev(up, down, packet.DiagPathDown, up), true},
		{"echo failed", ev(up, down, packet.DiagEchoFailed, up), true},
		{"peer shut down (AdminDown)", ev(up, down, packet.DiagNeighborDown, admin), false},
		{"we went AdminDown", ev(up, admin, packet.DiagAdminDown, up), false},
		{"Down with diag AdminDown", ev(up, down, packet.DiagAdminDown, up), false},
		{"Down without a diagnostic", ev(up, down, packet.DiagNone, up), false},
		{"AdminDown lifted", ev(admin, down, packet.DiagNone, down), false},
		{"coming Up", ev(down, initS, packet.DiagNone, down), false},
		{"Up", ev(initS, up, packet.DiagNone, up), false},
	}
	for _, c := range cases {
		if got := Trigger(c.ev); got != c.want {
			t.Errorf("%s: Trigger = %v, want %v", c.name, got, c.want)
		}
	}
}

// A cut link takes many sessions Down at once: one file, written at the
// first; the next failure within MinInterval writes none; the first one
// after it writes the next file and reports what was skipped.
func TestOneFilePerBurstAndInterval(t *testing.T) {
	dir := t.TempDir()
	c, tr := newClock(), &fakeTracer{}
	var logs bytes.Buffer
	r, err := start(Options{Dir: dir, MinInterval: time.Minute, MaxFiles: 10, Log: logTo(&logs), Now: c.now}, tr)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	var burst []engine.Event
	for i := range 500 {
		burst = append(burst, down(netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)})))
	}
	feed(r, c, 0, burst...)
	if got := files(t, dir); len(got) != 1 || tr.writes != 1 {
		t.Fatalf("burst of 500 Downs: files %v, %d writes", got, tr.writes)
	}
	c.step(30 * time.Second)
	feed(r, c, 0, down(peer))
	if got := files(t, dir); len(got) != 1 {
		t.Fatalf("a Down within min_interval wrote a file: %v", got)
	}
	c.step(31 * time.Second)
	feed(r, c, 0, down(peer))
	got := files(t, dir)
	if len(got) != 2 || got[1] != "gobfd-20260301T120101.000Z-198.18.0.2.trace" {
		t.Fatalf("after min_interval: %v", got)
	}
	if !strings.Contains(logs.String(), "failures_since_last_trace=500") {
		t.Errorf("the skipped failures are not reported:\n%s", logs.String())
	}
	if !tr.started || tr.stopped {
		t.Error("the tracer was not started (or stopped early)")
	}
}

// Administrative Downs (our shutdown, a peer's shutdown, a reload) write
// nothing.
func TestAdministrativeDownWritesNothing(t *testing.T) {
	dir := t.TempDir()
	c, tr := newClock(), &fakeTracer{}
	r, err := start(Options{Dir: dir, MinInterval: time.Second, MaxFiles: 10, Now: c.now}, tr)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	peerShutdown := down(peer)
	peerShutdown.LocalDiag, peerShutdown.RemoteState = packet.DiagNeighborDown, packet.StateAdminDown
	ours := down(peer)
	ours.New, ours.LocalDiag = packet.StateAdminDown, packet.DiagAdminDown
	feed(r, c, time.Minute, peerShutdown, ours)
	if n := len(files(t, dir)); n != 0 || tr.writes != 0 {
		t.Fatalf("%d files, %d writes", n, tr.writes)
	}
}

// Only the newest MaxFiles files stay, also across restarts.
func TestMaxFiles(t *testing.T) {
	dir := t.TempDir()
	c, tr := newClock(), &fakeTracer{}
	r, err := start(Options{Dir: dir, MinInterval: time.Second, MaxFiles: 3, Now: c.now}, tr)
	if err != nil {
		t.Fatal(err)
	}
	feed(r, c, 2*time.Second, down(peer), down(peer), down(peer), down(peer), down(peer))
	r.Stop()
	got := files(t, dir)
	want := []string{"gobfd-20260301T120004.000Z-198.18.0.2.trace", "gobfd-20260301T120006.000Z-198.18.0.2.trace",
		"gobfd-20260301T120008.000Z-198.18.0.2.trace"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("kept %v, want %v", got, want)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600)
	if _, err := start(Options{Dir: dir, MinInterval: time.Second, MaxFiles: 1, Now: c.now}, &fakeTracer{}); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); len(got) != 1 || got[0] != want[2] {
		t.Fatalf("after a restart with max_files 1: %v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Fatal("a file that is not a trace was deleted")
	}
}

// A failed write leaves neither a trace nor a partial file, and is logged.
func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	c, tr := newClock(), &fakeTracer{err: errors.New("disk full")}
	var logs bytes.Buffer
	r, err := start(Options{Dir: dir, MinInterval: time.Second, MaxFiles: 3, Log: logTo(&logs), Now: c.now}, tr)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	feed(r, c, 0, down(peer))
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Fatalf("left behind: %v", ents)
	}
	if !strings.Contains(logs.String(), "trace not written") || !strings.Contains(logs.String(), "disk full") {
		t.Fatalf("log: %s", logs.String())
	}
}

// A directory that cannot be created is reported at start.
func TestBadDirectory(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o600)
	_, err := start(Options{Dir: filepath.Join(f, "traces"), MinInterval: time.Second, MaxFiles: 3}, &fakeTracer{})
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("err = %v", err)
	}
}

func TestFileName(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 123e6, time.FixedZone("CET", 3600))
	for p, want := range map[string]string{
		"198.18.0.2":         "gobfd-20260301T110000.123Z-198.18.0.2.trace",
		"2001:db8::2":        "gobfd-20260301T110000.123Z-2001_db8__2.trace",
		"fe80::1%bfd0":       "gobfd-20260301T110000.123Z-fe80__1_bfd0.trace",
		"::ffff:198.18.0.10": "gobfd-20260301T110000.123Z-__ffff_198.18.0.10.trace",
	} {
		if got := fileName(at, netip.MustParseAddr(p)); got != want {
			t.Errorf("%s: %s, want %s", p, got, want)
		}
	}
}

// The real runtime flight recorder: a detection timeout writes one file
// that `go tool trace` parses from end to end.
func TestRuntimeFlightRecorder(t *testing.T) {
	dir := t.TempDir()
	r, err := Start(Options{Dir: dir, Window: time.Second, MaxBytes: 4 << 20, MinInterval: time.Minute, MaxFiles: 2})
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan engine.Event, 2)
	done := make(chan struct{})
	go func() { defer close(done); r.Run(events) }()
	work := make(chan int)
	go func() { // something for the trace to show
		defer close(work)
		for i := range 1000 {
			work <- i
		}
	}()
	for range work {
	}
	events <- down(peer)
	events <- down(peer) // the same burst: no second file
	close(events)
	<-done
	r.Stop()
	got := files(t, dir)
	if len(got) != 1 || r.Written() != 1 {
		t.Fatalf("files %v", got)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to read the trace with")
	}
	cmd := exec.Command(goTool, "tool", "trace", "-d=parsed", filepath.Join(dir, got[0]))
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go tool trace: %v\n%s", err, stderr.String())
	}
}
