package bfdpb

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The committed code is exactly what `make proto` generates from
// api/bfd/v1/bfd.proto with the pinned tools (protoc from Debian, the Go
// plugins from go.mod).
func TestGeneratedCodeIsFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("runs protoc")
	}
	for _, tool := range []string{"protoc", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s (apt-get install protobuf-compiler libprotobuf-dev make)", tool)
		}
	}
	if _, err := os.Stat("/usr/include/google/protobuf/duration.proto"); err != nil {
		t.Skip("needs the well-known types of protobuf (apt-get install libprotobuf-dev)")
	}
	committed := []string{"bfd.pb.go", "bfdpbconnect/bfd.connect.go"}
	// The header names the protoc that generated the code: another
	// version would differ in that line alone, so it is a skip, not a
	// failure.
	head, err := os.ReadFile(committed[0])
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`protoc +(v\S+)`).FindSubmatch(head)
	ver, err := exec.Command("protoc", "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want == nil || !bytes.Contains(ver, bytes.TrimPrefix(want[1], []byte("v"))) {
		t.Skipf("protoc is %s; the committed code was generated with %s (Debian 12's protobuf-compiler)",
			bytes.TrimSpace(ver), want[1])
	}

	out := t.TempDir()
	cmd := exec.Command("make", "-s", "-C", "../..", "proto", "PROTO_OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make proto: %v\n%s", err, b)
	}
	for _, f := range committed {
		old, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := os.ReadFile(filepath.Join(out, "pkg/bfdpb", f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(old, fresh) {
			t.Errorf("pkg/bfdpb/%s differs from a fresh generation: run `make proto` and commit the result", f)
		}
	}
}
