package netns

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Skip skips t unless the test runs as root with iproute2.
func Skip(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces (CI runs it as root)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs iproute2 (apt-get install iproute2)")
	}
}

// IP runs `ip args...` and fails t on error.
func IP(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Run runs a command and returns its combined output.
func Run(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

// Pair creates namespaces a and b joined by veth a0<->b0 with
// 198.18.0.1/24, 2001:db8::1/64 on a0 and .2/::2 on b0, all deleted at
// cleanup. Names get a per-process suffix so parallel runs do not collide.
func Pair(t testing.TB, prefix string) (a, b string) {
	t.Helper()
	suf := fmt.Sprintf("%d", os.Getpid()%100000)
	a, b = prefix+"a"+suf, prefix+"b"+suf
	la, lb := "v"+a, "v"+b
	if len(la) > 15 || len(lb) > 15 {
		t.Fatalf("interface name too long: %s", la)
	}
	Add(t, a)
	Add(t, b)
	IP(t, "link", "add", la, "netns", a, "type", "veth", "peer", "name", lb, "netns", b)
	IP(t, "-n", a, "addr", "add", "198.18.0.1/24", "dev", la)
	IP(t, "-n", b, "addr", "add", "198.18.0.2/24", "dev", lb)
	IP(t, "-n", a, "addr", "add", "2001:db8::1/64", "dev", la, "nodad")
	IP(t, "-n", b, "addr", "add", "2001:db8::2/64", "dev", lb, "nodad")
	IP(t, "-n", a, "link", "set", la, "up")
	IP(t, "-n", b, "link", "set", lb, "up")
	return a, b
}

// Add creates namespace name with loopback up and deletes it at cleanup.
func Add(t testing.TB, name string) {
	t.Helper()
	exec.Command("ip", "netns", "del", name).Run() // a leftover of a killed run
	IP(t, "netns", "add", name)
	t.Cleanup(func() {
		exec.Command("ip", "netns", "del", name).Run()
		// LAB.md: wait until the namespace is really gone.
		for i := 0; i < 50; i++ {
			if _, err := os.Stat("/var/run/netns/" + name); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	IP(t, "-n", name, "link", "set", "lo", "up")
}

// Do runs fn on a thread inside namespace name; sockets fn creates stay in
// that namespace.
func Do(name string, fn func() error) error {
	runtime.LockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	target, err := os.Open("/var/run/netns/" + name)
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("setns %s: %w", name, err)
	}
	defer func() {
		// A thread that cannot return to its namespace is left locked, so
		// the runtime retires it instead of reusing it.
		if unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
	}()
	return fn()
}
