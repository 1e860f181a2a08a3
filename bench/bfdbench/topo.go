package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// topo is two namespaces joined by one veth (LAB.md), with addresses for
// the sessions: A_i = 198.18.H.L, B_i = 198.19.H.L, all on-link in /15.
type topo struct {
	a, b       string // namespaces
	devA, devB string
	addrA      []string
	addrB      []string
}

func newTopo(nA, nB int) *topo {
	t := &topo{a: "bfbencha", b: "bfbenchb", devA: "bfbA", devB: "bfbB"}
	// LAB.md: past ~500 peers the neighbour tables overflow their
	// defaults; the limits are global.
	for _, fam := range []string{"ipv4", "ipv6"} {
		for k, v := range map[string]string{"gc_thresh1": "65536", "gc_thresh2": "131072", "gc_thresh3": "196608"} {
			exec.Command("sysctl", "-qw", fmt.Sprintf("net.%s.neigh.default.%s=%s", fam, k, v)).Run()
		}
	}
	for _, ns := range []string{t.a, t.b} {
		exec.Command("ip", "netns", "del", ns).Run()
	}
	waitUntil(5*time.Second, 50*time.Millisecond, func() bool {
		return exec.Command("ip", "link", "show", t.devA).Run() != nil
	})
	atExit(func() {
		exec.Command("ip", "netns", "del", t.a).Run()
		exec.Command("ip", "netns", "del", t.b).Run()
	})
	sh("ip", "netns", "add", t.a)
	sh("ip", "netns", "add", t.b)
	sh("ip", "link", "add", t.devA, "netns", t.a, "type", "veth", "peer", "name", t.devB, "netns", t.b)
	for _, ns := range []string{t.a, t.b} {
		sh("ip", "-n", ns, "link", "set", "lo", "up")
		// A large queue so that bursts of a tick do not drop at the veth.
		sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.core.rmem_max=33554432", "net.core.wmem_max=33554432")
	}
	t.addrA = addrs(18, nA)
	t.addrB = addrs(19, nB)
	t.addAddrs(t.a, t.devA, t.addrA)
	t.addAddrs(t.b, t.devB, t.addrB)
	sh("ip", "-n", t.a, "link", "set", t.devA, "txqueuelen", "10000", "up")
	sh("ip", "-n", t.b, "link", "set", t.devB, "txqueuelen", "10000", "up")
	return t
}

func addrs(second, n int) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = fmt.Sprintf("198.%d.%d.%d", second, 1+i/250, 1+i%250)
	}
	return out
}

func (t *topo) addAddrs(ns, dev string, as []string) {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "addr add %s/15 dev %s\n", a, dev)
	}
	cmd := exec.Command("ip", "-n", ns, "-batch", "-")
	cmd.Stdin = strings.NewReader(b.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		fatalf("adding addresses: %v %s", err, out)
	}
}

// packets returns the packets received on the veth in namespace a so far
// (both directions cross it: rx is B->A, tx is A->B).
func (t *topo) packets() (rx, tx uint64) {
	read := func(f string) uint64 {
		out, err := exec.Command("ip", "netns", "exec", t.a, "cat", "/sys/class/net/"+t.devA+"/statistics/"+f).Output()
		if err != nil {
			return 0
		}
		var v uint64
		fmt.Sscan(string(out), &v)
		return v
	}
	return read("rx_packets"), read("tx_packets")
}

func writeFile(path, s string) {
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		fatalf("%v", err)
	}
}
