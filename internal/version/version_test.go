package version

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDefaults(t *testing.T) {
	s := String("gobfd")
	if !strings.HasPrefix(s, "gobfd dev (commit unknown, built unknown, go") {
		t.Fatal(s)
	}
}

// TestLdflags builds a binary with the -X flags of the deployment guide and
// checks that they land.
func TestLdflags(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	if testing.Short() {
		t.Skip("builds a binary")
	}
	out := filepath.Join(t.TempDir(), "pv")
	const pkg = "github.com/dantte-lp/gobfd/internal/version"
	ld := "-X " + pkg + ".Version=v9.8.7 -X " + pkg + ".GitCommit=abc1234 -X " + pkg + ".BuildDate=2026-11-24T00:00:00Z"
	build := exec.Command(goBin, "build", "-ldflags", ld, "-o", out, "./testdata/printversion")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	b, err := exec.Command(out).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "printversion v9.8.7 (commit abc1234, built 2026-11-24T00:00:00Z, go"
	if !strings.HasPrefix(string(b), want) {
		t.Fatalf("got %q", b)
	}
}
