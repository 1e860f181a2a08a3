package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// impl is one BFD implementation under test: a daemon in each namespace.
type impl interface {
	name() string
	start(t *topo, pairs [][2]int, iv time.Duration, mult int)
	up() (a, b int) // sessions Up on each side
	pids() []int    // the daemon processes whose CPU and RSS count
	stop()
}

// ---- gobfd ----

type gobfdImpl struct {
	bin   string
	dir   string
	cmds  [2]*exec.Cmd
	mu    sync.Mutex
	ups   [2]int
	downs [2][]downEvent // each Down event of a side (the engine's timestamp)
	wg    sync.WaitGroup
	opts  string   // extra YAML
	env   []string // extra environment
}

func (g *gobfdImpl) name() string { return "gobfd" }

func (g *gobfdImpl) start(t *topo, pairs [][2]int, iv time.Duration, mult int) {
	for side, ns := range []string{t.a, t.b} {
		var b strings.Builder
		b.WriteString("log: {level: info, format: json}\n" + g.opts + "sessions:\n")
		for _, p := range pairs {
			local, peer := t.addrA[p[0]], t.addrB[p[1]]
			if side == 1 {
				local, peer = peer, local
			}
			fmt.Fprintf(&b, "  - {peer: %s, local: %s, desired_min_tx: %v, required_min_rx: %v, detect_mult: %d}\n",
				peer, local, iv, iv, mult)
		}
		cfg := filepath.Join(g.dir, fmt.Sprintf("gobfd-%d.yml", side))
		writeFile(cfg, b.String())
		cmd := exec.Command("ip", "netns", "exec", ns, g.bin, "-config", cfg)
		cmd.Env = append(append(os.Environ(), "GOGC=off", "GOMEMLIMIT=1GiB"), g.env...)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			fatalf("gobfd: %v", err)
		}
		g.cmds[side] = cmd
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			sc := bufio.NewScanner(stderr)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			var dbg *os.File
			if os.Getenv("BFDBENCH_DEBUG") != "" {
				dbg, _ = os.Create(filepath.Join(debugDir, fmt.Sprintf("bfdbench-gobfd-%d.log", side)))
				defer dbg.Close()
			}
			for sc.Scan() {
				line := sc.Text()
				if dbg != nil {
					fmt.Fprintln(dbg, line)
				}
				if strings.Contains(line, "fell behind") {
					fmt.Fprintf(os.Stderr, "bfdbench: gobfd %d lost state-change log lines; Up counts are not exact: %s\n", side, line)
				}
				if !strings.Contains(line, "session state changed") {
					continue
				}
				// Counting Up needs no decoding (at 50,000 sessions a full
				// decode of every line was a tenth of the machine, taken
				// from the daemons it measures); Down lines are decoded
				// for their time and key (-detect).
				from := strings.Contains(line, `"from":"Up"`)
				to := strings.Contains(line, `"to":"Up"`)
				var d downEvent
				isDown := strings.Contains(line, `"to":"Down"`)
				if isDown {
					var l struct {
						Time        time.Time
						Peer, Local string
					}
					json.Unmarshal([]byte(line), &l)
					d = downEvent{at: l.Time, local: l.Local, peer: l.Peer}
				}
				g.mu.Lock()
				if isDown {
					g.downs[side] = append(g.downs[side], d)
				}
				if to {
					g.ups[side]++
				}
				if from {
					g.ups[side]--
				}
				g.mu.Unlock()
			}
		}()
	}
}

func (g *gobfdImpl) up() (int, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ups[0], g.ups[1]
}

func (g *gobfdImpl) pids() []int { return []int{g.cmds[0].Process.Pid, g.cmds[1].Process.Pid} }

func (g *gobfdImpl) stop() {
	for _, c := range g.cmds {
		if c != nil {
			c.Process.Kill()
			c.Wait()
		}
	}
	g.wg.Wait()
}

// ---- BIRD 2 ----

type birdImpl struct {
	dir  string
	cmds [2]*exec.Cmd
}

func (b *birdImpl) name() string { return "bird" }

func (b *birdImpl) sock(side int) string {
	return filepath.Join(b.dir, fmt.Sprintf("bird-%d.ctl", side))
}

func (b *birdImpl) start(t *topo, pairs [][2]int, iv time.Duration, mult int) {
	for side, ns := range []string{t.a, t.b} {
		dev := []string{t.devA, t.devB}[side]
		var sb strings.Builder
		fmt.Fprintf(&sb, "router id 198.18.0.%d;\nprotocol device {}\nprotocol bfd {\n", side+1)
		fmt.Fprintf(&sb, "  interface %q { min rx interval %d ms; min tx interval %d ms; multiplier %d; };\n",
			dev, iv.Milliseconds(), iv.Milliseconds(), mult)
		for _, p := range pairs {
			local, peer := t.addrA[p[0]], t.addrB[p[1]]
			if side == 1 {
				local, peer = peer, local
			}
			fmt.Fprintf(&sb, "  neighbor %s dev %q local %s;\n", peer, dev, local)
		}
		sb.WriteString("}\n")
		cfg := filepath.Join(b.dir, fmt.Sprintf("bird-%d.conf", side))
		writeFile(cfg, sb.String())
		cmd := exec.Command("ip", "netns", "exec", ns, "bird", "-f", "-c", cfg, "-s", b.sock(side),
			"-P", filepath.Join(b.dir, fmt.Sprintf("bird-%d.pid", side)))
		if err := cmd.Start(); err != nil {
			fatalf("bird: %v", err)
		}
		b.cmds[side] = cmd
	}
	waitUntil(10*time.Second, 50*time.Millisecond, func() bool {
		_, e1 := os.Stat(b.sock(0))
		_, e2 := os.Stat(b.sock(1))
		return e1 == nil && e2 == nil
	})
}

func (b *birdImpl) up() (int, int) {
	count := func(side int) int {
		out, _ := exec.Command("birdc", "-s", b.sock(side), "show", "bfd", "sessions").Output()
		n := 0
		for _, l := range strings.Split(string(out), "\n") {
			if f := strings.Fields(l); len(f) >= 3 && f[2] == "Up" {
				n++
			}
		}
		return n
	}
	return count(0), count(1)
}

func (b *birdImpl) pids() []int { return []int{b.cmds[0].Process.Pid, b.cmds[1].Process.Pid} }

func (b *birdImpl) stop() {
	for _, c := range b.cmds {
		if c != nil {
			c.Process.Kill()
			c.Wait()
		}
	}
}

// ---- FRR bfdd ----

type frrImpl struct {
	dir   string
	names [2]string
}

func (f *frrImpl) name() string { return "frr" }

func (f *frrImpl) run(side int) string { return "/var/run/frr/" + f.names[side] }

func (f *frrImpl) start(t *topo, pairs [][2]int, iv time.Duration, mult int) {
	f.names = [2]string{"bfbencha", "bfbenchb"}
	for side, ns := range []string{t.a, t.b} {
		dev := []string{t.devA, t.devB}[side]
		os.MkdirAll(f.run(side), 0o755)
		exec.Command("chown", "frr:frr", f.run(side)).Run()
		var sb strings.Builder
		sb.WriteString("bfd\n")
		for _, p := range pairs {
			local, peer := t.addrA[p[0]], t.addrB[p[1]]
			if side == 1 {
				local, peer = peer, local
			}
			fmt.Fprintf(&sb, " peer %s local-address %s interface %s\n  receive-interval %d\n  transmit-interval %d\n  detect-multiplier %d\n !\n",
				peer, local, dev, iv.Milliseconds(), iv.Milliseconds(), mult)
		}
		sb.WriteString("!\n")
		cfg := filepath.Join(f.run(side), "frr.conf")
		writeFile(cfg, sb.String())
		for _, d := range []string{"zebra", "bfdd"} {
			sh("ip", "netns", "exec", ns, "/usr/lib/frr/"+d, "-N", f.names[side], "-d", "-f", cfg,
				"-i", filepath.Join(f.run(side), d+".pid"))
		}
	}
}

func (f *frrImpl) pid(side int, d string) int {
	b, _ := os.ReadFile(filepath.Join(f.run(side), d+".pid"))
	p, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return p
}

func (f *frrImpl) up() (int, int) {
	count := func(side int) int {
		out, _ := exec.Command("vtysh", "-N", f.names[side], "-c", "show bfd peers json").Output()
		var ps []struct{ Status string }
		json.Unmarshal(out, &ps)
		n := 0
		for _, p := range ps {
			if p.Status == "up" {
				n++
			}
		}
		return n
	}
	return count(0), count(1)
}

func (f *frrImpl) pids() []int { return []int{f.pid(0, "bfdd"), f.pid(1, "bfdd")} }

func (f *frrImpl) stop() {
	for side := range 2 {
		for _, d := range []string{"bfdd", "zebra"} {
			if p := f.pid(side, d); p > 0 {
				exec.Command("kill", strconv.Itoa(p)).Run()
				waitUntil(5*time.Second, 20*time.Millisecond, func() bool {
					return exec.Command("kill", "-0", strconv.Itoa(p)).Run() != nil
				})
			}
		}
		os.RemoveAll(f.run(side))
	}
}

// downEvent is a logged transition to Down.
type downEvent struct {
	at          time.Time
	local, peer string
}

// downsSince returns the Down events of side since t.
func (g *gobfdImpl) downsSince(side int, t time.Time) []downEvent {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []downEvent
	for _, d := range g.downs[side] {
		if !d.at.Before(t) {
			out = append(out, d)
		}
	}
	return out
}
