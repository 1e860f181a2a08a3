package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// pcapCapture records BFD packets on a namespace's veth with tcpdump into a
// pcap file with nanosecond timestamps (taken by the kernel as the packet
// passes the device: on the wire, for both directions).
type pcapCapture struct {
	cmd  *exec.Cmd
	path string
}

func startCapture(dir, ns, dev string) *pcapCapture {
	c := &pcapCapture{path: filepath.Join(dir, "detect.pcap")}
	c.cmd = exec.Command("ip", "netns", "exec", ns, "tcpdump", "-Z", "root", "-n", "-i", dev, "-s", "96", "-B", "131072",
		"--time-stamp-precision=nano", "-w", c.path, "udp port 3784")
	stderr, _ := c.cmd.StderrPipe()
	if err := c.cmd.Start(); err != nil {
		fatalf("tcpdump: %v (apt-get install tcpdump)", err)
	}
	// tcpdump says "listening on ..." once the capture runs.
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			if !once && strings.Contains(sc.Text(), "listening on") {
				close(ready)
				once = true
			}
			if strings.Contains(sc.Text(), "dropped by kernel") || strings.Contains(sc.Text(), "captured") || strings.Contains(sc.Text(), "tcpdump:") {
				fmt.Fprintln(os.Stderr, "bfdbench: capture:", sc.Text())
			}
		}
		if !once {
			close(ready)
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		fatalf("tcpdump did not start")
	}
	return c
}

func (c *pcapCapture) stop() {
	c.cmd.Process.Signal(syscall.SIGINT)
	c.cmd.Wait()
}

// wirePacket is one captured BFD Control packet.
type wirePacket struct {
	at       time.Time
	src, dst [4]byte
	state    uint8 // RFC 5880 §4.1 Sta
}

// readPcap reads IPv4/UDP BFD packets from an Ethernet pcap (nanosecond).
func readPcap(path string) ([]wirePacket, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var gh [24]byte
	if _, err := io.ReadFull(r, gh[:]); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	if m := le.Uint32(gh[:]); m != 0xa1b23c4d {
		return nil, fmt.Errorf("%s: not a nanosecond little-endian pcap (magic %#x)", path, m)
	}
	var out []wirePacket
	var rh [16]byte
	buf := make([]byte, 65536)
	for {
		if _, err := io.ReadFull(r, rh[:]); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return out, nil
			}
			return nil, err
		}
		incl := le.Uint32(rh[8:])
		if incl > uint32(len(buf)) {
			return nil, fmt.Errorf("%s: record of %d bytes", path, incl)
		}
		p := buf[:incl]
		if _, err := io.ReadFull(r, p); err != nil {
			return out, nil
		}
		// Ethernet (14) + IPv4 (IHL) + UDP (8) + BFD byte 1 (state).
		if len(p) < 14+20+8+2 || binary.BigEndian.Uint16(p[12:]) != 0x0800 {
			continue
		}
		ihl := int(p[14]&0x0f) * 4
		if len(p) < 14+ihl+8+2 {
			continue
		}
		var w wirePacket
		w.at = time.Unix(int64(le.Uint32(rh[0:])), int64(le.Uint32(rh[4:])))
		copy(w.src[:], p[14+12:14+16])
		copy(w.dst[:], p[14+16:14+20])
		w.state = p[14+ihl+8+1] >> 6
		out = append(out, w)
	}
}

// WireDetection is detection measured on the wire of side A: per session,
// the deadline is the last packet A heard from B plus the detection time,
// and A's first Down packet after it shows when A acted (LAB.md method).
type WireDetection struct {
	Sessions int     `json:"sessions"` // sessions with a Down packet after the fault
	P50Ms    float64 `json:"p50_ms"`   // first Down packet − deadline
	P99Ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
	// Event*: gobfd's Down event timestamps − the same wire deadline.
	EventP50Ms float64 `json:"event_p50_ms"`
	EventP99Ms float64 `json:"event_p99_ms"`
	EventMaxMs float64 `json:"event_max_ms"`
	Dropped    int     `json:"capture_dropped,omitempty"`
	// P99PerRunMs is the p99 of each cut on its own (the other figures
	// pool every cut's sessions).
	P99PerRunMs []float64 `json:"p99_per_run_ms,omitempty"`
}

// wireDetection pairs, for each (A, B) address pair, the last B→A packet
// before A's first Down packet after fault, and returns per session the
// first Down packet's and the Down event's lateness against last heard +
// detection time (ms).
func wireDetection(pkts []wirePacket, fault time.Time, det time.Duration, events map[[2][4]byte]time.Time) (lat, evLat []float64) {
	type st struct {
		lastHeard time.Time
		down      time.Time
	}
	ss := map[[2][4]byte]*st{} // key: {A address, B address}
	get := func(k [2][4]byte) *st {
		s := ss[k]
		if s == nil {
			s = &st{}
			ss[k] = s
		}
		return s
	}
	for _, p := range pkts {
		if p.src[1] == 19 { // B → A (B's addresses are 198.19/16)
			s := get([2][4]byte{p.dst, p.src})
			if s.down.IsZero() {
				s.lastHeard = p.at
			}
			continue
		}
		s := get([2][4]byte{p.src, p.dst})
		if s.down.IsZero() && p.state == 1 && p.at.After(fault.Add(-det)) && !s.lastHeard.IsZero() {
			s.down = p.at
		}
	}
	for k, s := range ss {
		if s.down.IsZero() || s.lastHeard.IsZero() {
			continue
		}
		deadline := s.lastHeard.Add(det)
		lat = append(lat, float64(s.down.Sub(deadline))/1e6)
		if os.Getenv("BFDBENCH_DEBUG") != "" && s.down.Sub(deadline) > time.Millisecond {
			fmt.Fprintf(os.Stderr, "late %v: deadline at fault%+.3fms, down %.3fms late, event %.3fms late\n", k, float64(deadline.Sub(fault))/1e6, float64(s.down.Sub(deadline))/1e6, float64(events[k].Sub(deadline))/1e6)
		}
		if ev, ok := events[k]; ok {
			evLat = append(evLat, float64(ev.Sub(deadline))/1e6)
		}
	}
	return lat, evLat
}

// quantiles returns p50, p99 and max of xs (nearest rank).
func quantiles(xs []float64) (p50, p99, mx float64) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	sort.Float64s(xs)
	q := func(p float64) float64 {
		i := int(p*float64(len(xs))+0.999999) - 1
		return xs[min(max(i, 0), len(xs)-1)]
	}
	return q(0.50), q(0.99), xs[len(xs)-1]
}
