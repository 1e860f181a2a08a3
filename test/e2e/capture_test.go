package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// capture records BFD traffic on dev in namespace ns with tshark; the
// returned check stops it and asserts that every captured BFD packet
// decodes with no malformed field or expert warning.
func capture(t *testing.T, ns, dev string) (check func()) {
	t.Helper()
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Log("tshark not installed: capture check skipped")
		return func() {}
	}
	file := filepath.Join(t.TempDir(), "bfd.pcap")
	cmd := exec.Command("ip", "netns", "exec", ns, tshark, "-q", "-i", dev,
		"-f", "udp port 3784 or udp port 4784", "-w", file)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond) // tshark needs a moment to open the interface
	return func() {
		t.Helper()
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		n, _ := exec.Command(tshark, "-r", file, "-Y", "bfd").Output()
		frames := strings.Count(string(n), "\n")
		if frames == 0 {
			t.Fatal("capture holds no BFD packet")
		}
		bad, err := exec.Command(tshark, "-r", file, "-Y",
			"_ws.malformed || _ws.expert.severity >= warning || bfd.auth.len.invalid || bfd.auth.no_data").Output()
		if err != nil {
			t.Fatal(err)
		}
		if s := strings.TrimSpace(string(bad)); s != "" {
			t.Fatalf("tshark flags captured frames:\n%s", s)
		}
		t.Logf("tshark decoded %d captured BFD packets, none malformed", frames)
	}
}
