// Command ceiling measures the physical ceiling of the benchmark machine
// for BFD-sized traffic (docs/en/12-benchmarks.md): 24-byte UDP datagrams
// between two network namespaces over one veth, sent and received in
// batches (sendmmsg/recvmmsg through x/net) in both directions at once. No
// BFD implementation can carry more here; gobfd's results are reported as
// a fraction of it. Needs root; uses 198.18.0.1/.2 only.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/dantte-lp/gobfd/internal/netns"
)

func main() {
	dur := flag.Duration("d", 10*time.Second, "measurement time")
	batch := flag.Int("batch", 64, "datagrams per system call")
	jsonOut := flag.String("json", "", "append the result as a JSON line to this file")
	flag.Parse()
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "ceiling needs root (network namespaces)")
		os.Exit(2)
	}
	a, b := "bfceila", "bfceilb"
	run := func(args ...string) {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "ip %v: %v %s\n", args, err, out)
			os.Exit(1)
		}
	}
	for _, ns := range []string{a, b} {
		exec.Command("ip", "netns", "del", ns).Run()
	}
	defer exec.Command("ip", "netns", "del", a).Run()
	defer exec.Command("ip", "netns", "del", b).Run()
	run("netns", "add", a)
	run("netns", "add", b)
	run("link", "add", "bfcA", "netns", a, "type", "veth", "peer", "name", "bfcB", "netns", b)
	run("-n", a, "addr", "add", "198.18.0.1/24", "dev", "bfcA")
	run("-n", b, "addr", "add", "198.18.0.2/24", "dev", "bfcB")
	run("-n", a, "link", "set", "bfcA", "up")
	run("-n", b, "link", "set", "bfcB", "up")

	conns := map[string]*net.UDPConn{}
	for ns, addr := range map[string]string{a: "198.18.0.1:3784", b: "198.18.0.2:3784"} {
		if err := netns.Do(ns, func() error {
			c, err := net.ListenPacket("udp4", addr)
			if err != nil {
				return err
			}
			uc := c.(*net.UDPConn)
			uc.SetReadBuffer(32 << 20)
			uc.SetWriteBuffer(32 << 20)
			conns[ns] = uc
			return nil
		}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var received [2]atomic.Uint64
	var sent [2]atomic.Uint64
	var wg sync.WaitGroup
	peers := [2]string{"198.18.0.2:3784", "198.18.0.1:3784"}
	for i, ns := range []string{a, b} {
		pc := ipv4.NewPacketConn(conns[ns])
		dst, _ := net.ResolveUDPAddr("udp4", peers[i])
		wg.Add(2)
		go func() { // sender
			defer wg.Done()
			ms := make([]ipv4.Message, *batch)
			for j := range ms {
				ms[j] = ipv4.Message{Buffers: [][]byte{make([]byte, 24)}, Addr: dst}
			}
			for ctx.Err() == nil {
				n, err := pc.WriteBatch(ms, 0)
				if err != nil {
					runtime.Gosched()
					continue
				}
				sent[i].Add(uint64(n))
			}
		}()
		go func() { // receiver
			defer wg.Done()
			ms := make([]ipv4.Message, *batch)
			for j := range ms {
				ms[j] = ipv4.Message{Buffers: [][]byte{make([]byte, 64)}}
			}
			for {
				conns[ns].SetReadDeadline(time.Now().Add(200 * time.Millisecond))
				n, err := pc.ReadBatch(ms, 0)
				if ctx.Err() != nil {
					return
				}
				if err == nil {
					received[i].Add(uint64(n))
				}
			}
		}()
	}
	start := time.Now()
	<-ctx.Done()
	secs := time.Since(start).Seconds()
	wg.Wait()
	fmt.Printf("24-byte UDP datagrams, both directions at once, batches of %d, %v:\n", *batch, *dur)
	fmt.Printf("  A->B: %.0f/s sent, %.0f/s arrived\n", float64(sent[0].Load())/secs, float64(received[1].Load())/secs)
	fmt.Printf("  B->A: %.0f/s sent, %.0f/s arrived\n", float64(sent[1].Load())/secs, float64(received[0].Load())/secs)
	ceiling := min(float64(received[0].Load()), float64(received[1].Load())) / secs
	fmt.Printf("ceiling (arrived, each way): %.0f datagrams/s\n", ceiling)
	if *jsonOut != "" {
		b, _ := json.Marshal(map[string]any{"impl": "ceiling", "ceiling_dps_each_way": math.Round(ceiling),
			"batch": *batch, "seconds": secs, "when": time.Now().UTC().Format(time.RFC3339)})
		f, err := os.OpenFile(*jsonOut, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		f.Write(append(b, '\n'))
		f.Close()
	}
}
