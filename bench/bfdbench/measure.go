package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// cpuTicks is utime+stime of pid in clock ticks (1/100 s on Linux).
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	var u, k int64
	fmt.Sscan(f[11], &u)
	fmt.Sscan(f[12], &k)
	return u + k
}

// rssKiB is VmRSS of pid.
func rssKiB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			var v int64
			fmt.Sscan(strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:")), &v)
			return v
		}
	}
	return 0
}

// wireWatch counts, on the veth of namespace ns, the session ends that send
// any packet whose state is not Up — the same BPF filter for every
// implementation (LAB.md), free in steady state.
type wireWatch struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	ends map[string]bool
	done chan struct{}
}

func watchNonUp(ns, dev string) *wireWatch {
	w := &wireWatch{ends: map[string]bool{}, done: make(chan struct{})}
	w.cmd = exec.Command("ip", "netns", "exec", ns, "tcpdump", "-l", "-n", "-q", "-i", dev,
		"udp dst port 3784 and (udp[9] & 0xc0) != 0xc0")
	out, _ := w.cmd.StdoutPipe()
	if err := w.cmd.Start(); err != nil {
		fatalf("tcpdump: %v (apt-get install tcpdump)", err)
	}
	go func() {
		defer close(w.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			// "12:00:00.000 IP 198.18.1.1.49152 > 198.19.1.1.3784: UDP, length 24"
			f := strings.Fields(sc.Text())
			if len(f) >= 5 && f[1] == "IP" {
				src := f[2][:strings.LastIndexByte(f[2], '.')]
				dst := strings.TrimSuffix(f[4], ":")
				dst = dst[:strings.LastIndexByte(dst, '.')]
				w.mu.Lock()
				w.ends[src+">"+dst] = true
				w.mu.Unlock()
			}
		}
	}()
	return w
}

// stop ends the capture and returns the number of session ends seen.
func (w *wireWatch) stop() int {
	w.cmd.Process.Signal(syscall.SIGINT)
	w.cmd.Wait()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.ends)
}

// waitQuiet waits until the machine is nearly idle (at least 90 % idle
// over a second), at most limit: deleting the namespaces of a large run
// goes on in a kernel worker after `ip netns del` returns and takes
// seconds of CPU, which the next run would otherwise share.
func waitQuiet(limit time.Duration) {
	sample := func() (idle, total uint64) {
		for i, x := range procStatCPU() {
			total += x
			if i == 3 || i == 4 { // idle, iowait
				idle += x
			}
		}
		return idle, total
	}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		i0, t0 := sample()
		time.Sleep(time.Second)
		i1, t1 := sample()
		if t1 > t0 && float64(i1-i0)/float64(t1-t0) >= 0.9 {
			return
		}
	}
	fmt.Fprintln(os.Stderr, "bfdbench: the machine did not become quiet; measuring anyway")
}

// procStatCPU is the machine's CPU time so far, in clock ticks (1/100 s),
// by kind: the values of /proc/stat's "cpu" line (user, nice, system,
// idle, iowait, irq, softirq, steal, …; proc(5)). nil if unreadable.
func procStatCPU() []uint64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil
	}
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
	if len(f) == 0 || f[0] != "cpu" {
		return nil
	}
	v := make([]uint64, len(f)-1)
	for i, x := range f[1:] {
		fmt.Sscan(x, &v[i])
	}
	return v
}

// stealTicks is the steal time of all CPUs so far (ticks).
func stealTicks() int64 {
	if v := procStatCPU(); len(v) > 7 {
		return int64(v[7])
	}
	return 0
}

// udpRcvbufErrors is the UDP RcvbufErrors counter (IPv4 and IPv6) of the
// network namespace pid lives in: datagrams the kernel dropped because a
// socket's receive buffer was full — packets a daemon never saw.
// /proc/net/snmp has a "Udp:" line of names followed by one of values;
// /proc/net/snmp6 has a "name value" line per counter.
func udpRcvbufErrors(pid int) int64 {
	var total int64
	add := func(v string) {
		var x int64
		fmt.Sscan(v, &x)
		total += x
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/snmp", pid)); err == nil {
		var names []string
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			if len(f) == 0 || f[0] != "Udp:" {
				continue
			}
			if names == nil {
				names = f
				continue
			}
			for k, name := range names {
				if name == "RcvbufErrors" && k < len(f) {
					add(f[k])
				}
			}
			break
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/snmp6", pid)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) == 2 && f[0] == "Udp6RcvbufErrors" {
				add(f[1])
			}
		}
	}
	return total
}
