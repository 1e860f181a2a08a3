package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netns"
)

// frr is a zebra + bfdd pair in a namespace, separated from other
// instances with -N (LAB.md).
type frr struct {
	t    *testing.T
	name string
	run  string
}

func startFRR(t *testing.T, ns, conf string) *frr {
	t.Helper()
	if _, err := os.Stat("/usr/lib/frr/bfdd"); err != nil {
		t.Skip("FRR not installed: apt-get install frr")
	}
	f := &frr{t: t, name: ns, run: "/var/run/frr/" + ns}
	if err := os.MkdirAll(f.run, 0o755); err != nil {
		t.Fatal(err)
	}
	if u, err := user.Lookup("frr"); err == nil {
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		os.Chown(f.run, uid, gid)
	}
	// FRR drops to user frr: the file must be readable by it.
	cfg := filepath.Join(f.run, "frr.conf")
	writeFile(t, cfg, conf)
	os.Chmod(cfg, 0o644)
	for _, d := range []string{"zebra", "bfdd"} {
		out, err := exec.Command("ip", "netns", "exec", ns, "/usr/lib/frr/"+d, "-N", ns, "-d", "-f", cfg,
			"-i", filepath.Join(f.run, d+".pid")).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", d, err, out)
		}
	}
	t.Cleanup(func() {
		for _, d := range []string{"bfdd", "zebra"} {
			b, err := os.ReadFile(filepath.Join(f.run, d+".pid"))
			if err != nil {
				continue
			}
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			if pid > 0 {
				syscall.Kill(pid, syscall.SIGTERM)
				for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}
		os.RemoveAll(f.run)
	})
	return f
}

func (f *frr) vtysh(cmds ...string) string {
	args := []string{"-N", f.name}
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	out, err := exec.Command("vtysh", args...).Output()
	if err != nil {
		f.t.Fatalf("vtysh %v: %v\n%s", cmds, err, out)
	}
	return string(out)
}

type frrPeer struct {
	Peer       string `json:"peer"`
	Status     string `json:"status"`
	Uptime     int    `json:"uptime"`
	Diag       string `json:"diagnostic"`
	RemoteDiag string `json:"remote-diagnostic"`
	RemoteTx   int    `json:"remote-transmit-interval"`
	RemoteRx   int    `json:"remote-receive-interval"`
}

func (f *frr) peer(addr string) frrPeer {
	var ps []frrPeer
	out := f.vtysh("show bfd peers json")
	if err := json.Unmarshal([]byte(out), &ps); err != nil {
		f.t.Fatalf("FRR json: %v\n%s", err, out)
	}
	for _, p := range ps {
		if p.Peer == addr {
			return p
		}
	}
	return frrPeer{}
}

func (f *frr) waitStatus(addr, status string, timeout time.Duration) frrPeer {
	f.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		p := f.peer(addr)
		if p.Status == status {
			return p
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("FRR: %s is %q, want %s", addr, p.Status, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func frrConf(dev string, iv int) string {
	return fmt.Sprintf(`bfd
 peer 198.18.0.1 local-address 198.18.0.2 interface %[1]s
  receive-interval %[2]d
  transmit-interval %[2]d
 !
 peer 2001:db8::1 local-address 2001:db8::2 interface %[1]s
  receive-interval %[2]d
  transmit-interval %[2]d
 !
 peer 198.18.0.101 local-address 198.18.0.102 multihop
  receive-interval %[2]d
  transmit-interval %[2]d
 !
 peer 2001:db8:ff::101 local-address 2001:db8:ff::102 multihop
  receive-interval %[2]d
  transmit-interval %[2]d
 !
!
`, dev, iv)
}

// gobfd ↔ FRR bfdd (Debian frr): IPv4 and IPv6, single-hop and multihop,
// come Up; timer changes on either side renegotiate without a
// flap; a cut wire is detected by both sides; AdminDown from either side is
// understood (diag 3 with remote diag 7, not a timeout).
func TestInteropFRR(t *testing.T) {
	netns.Skip(t)
	a, b, dev := interopHosts(t, "if")
	defer capture(t, b, dev)()
	fr := startFRR(t, b, frrConf(dev, 50))
	cfg := func(iv string) string { return interopConfig("", iv) }
	peers, frrPeers := interopPeers, interopPeersSeen
	da := startDaemon(t, a, cfg("50ms"))
	for i, p := range peers {
		da.waitFor(0, p+" Up", change(p, "Up"), 10*time.Second)
		fr.waitStatus(frrPeers[i], "up", 5*time.Second)
	}
	time.Sleep(time.Second)

	// Timers from gobfd's side, then from FRR's.
	m := da.mark()
	da.rewrite(cfg("200ms"))
	da.signal(syscall.SIGHUP)
	time.Sleep(2 * time.Second)
	if p := fr.peer("198.18.0.1"); p.Status != "up" || p.RemoteTx != 200 || p.RemoteRx != 200 || p.Uptime < 2 {
		t.Fatalf("FRR after gobfd retimed: %+v", p)
	}
	fr.vtysh("configure terminal", "bfd", "peer 198.18.0.1 local-address 198.18.0.2 interface "+dev,
		"receive-interval 300", "transmit-interval 300")
	time.Sleep(2 * time.Second)
	for _, s := range da.lines()[m:] {
		if strings.Contains(s, "session state changed") {
			t.Fatalf("gobfd flapped on a timer change: %s", s)
		}
	}
	if p := fr.peer("198.18.0.1"); p.Status != "up" || p.Uptime < 4 {
		t.Fatalf("FRR flapped: %+v", p)
	}
	fr.vtysh("configure terminal", "bfd", "peer 198.18.0.1 local-address 198.18.0.2 interface "+dev,
		"receive-interval 50", "transmit-interval 50")
	da.rewrite(cfg("50ms"))
	da.signal(syscall.SIGHUP)
	time.Sleep(time.Second)

	// AdminDown from FRR's side.
	m = da.mark()
	fr.vtysh("configure terminal", "bfd", "peer 198.18.0.1 local-address 198.18.0.2 interface "+dev, "shutdown")
	l, _ := da.waitFor(m, "Down on FRR shutdown", change("198.18.0.2", "Down"), 3*time.Second)
	// FRR 8.4 sends AdminDown with diag 0: the state says it all.
	if l.Diag != "NeighborSignaledSessionDown" || l.RemoteSt != "AdminDown" {
		t.Fatalf("gobfd saw diag %s, remote state %s", l.Diag, l.RemoteSt)
	}
	fr.vtysh("configure terminal", "bfd", "peer 198.18.0.1 local-address 198.18.0.2 interface "+dev, "no shutdown")
	da.waitFor(m, "Up after FRR no shutdown", change("198.18.0.2", "Up"), 5*time.Second)
	time.Sleep(time.Second)

	// Cut the wire both ways: both detect.
	cutBothWays(t, a, b, dev, da, func(i int) {
		if fp := fr.waitStatus(frrPeers[i], "down", 3*time.Second); fp.Diag != "control detection time expired" {
			t.Logf("FRR diag for %s: %q", frrPeers[i], fp.Diag)
		}
	})

	// AdminDown from gobfd's side (shutdown).
	da.signal(syscall.SIGTERM)
	p := fr.waitStatus("198.18.0.1", "down", 2*time.Second)
	if !strings.Contains(p.RemoteDiag, "administratively down") {
		t.Fatalf("FRR saw remote diag %q", p.RemoteDiag)
	}
	if !da.exited(5 * time.Second) {
		t.Fatal("gobfd did not exit")
	}
}
