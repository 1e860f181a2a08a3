package engine

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/dantte-lp/gobfd/internal/netio"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

// upShard returns a shard (not running: the benchmark is its goroutine)
// holding one session brought Up with a peer session, and a Control
// packet of that peer as it arrives from the wire.
func upShard(b testing.TB) (*shard, netio.Message) {
	e := New(discard{}, Options{Shards: 1})
	sh := e.shards[0]
	sh.rx.init(sh.w)
	b.Cleanup(func() { sh.w.close() })
	local, peer := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")
	key := Key{Peer: peer, Local: local}
	p := params(10*time.Millisecond, 3)
	s, _ := session.New(session.Config{Params: p, LocalDiscr: 1, Rand: rand.NewPCG(1, 2)}, 0)
	sh.insert(&entry{key: key, s: s, srcPort: 49152, index: -1})
	ps, _ := session.New(session.Config{Params: p, LocalDiscr: 2, Rand: rand.NewPCG(3, 4)}, 0)
	buf := make([]byte, packet.MaxPacketLen)
	m := netio.Message{Src: netip.AddrPortFrom(peer, 49153), Dst: netip.AddrPortFrom(local, netio.PortSingleHop), TTL: 255}
	var c packet.Control
	for now := session.Time(0); s.State() != packet.StateUp || ps.State() != packet.StateUp; now += session.Time(time.Millisecond) {
		n := ps.BuildControl(now, buf)
		m.Buf = buf[:n]
		sh.dispatch(now, &m)
		sh.flush()
		n = s.BuildControl(now, buf)
		packet.Decode(buf[:n], &c)
		ps.HandlePacket(now, &c, buf[:n])
	}
	n := ps.BuildControl(0, buf)
	m.Buf = buf[:n]
	return sh, m
}

// BenchmarkShardReceive: one received Control packet through a shard as
// it comes off the socket: steering check, RFC 5880 §6.8.6 checks,
// demultiplexing by Your Discriminator, the session, its per-session
// packet counter (an atomic the metrics read at scrape time) and the
// deadline heap. 0 allocs/op is the target.
func BenchmarkShardReceive(b *testing.B) {
	sh, m := upShard(b)
	e := sh.byDiscr[1]
	before := e.counters.PacketsIn.Load()
	at := session.Time(time.Second)
	b.ReportAllocs()
	for b.Loop() {
		sh.dispatch(at, &m)
	}
	if e.counters.PacketsIn.Load() == before {
		b.Fatal("packets not accepted")
	}
}

// transmitter returns one periodic transmission of sh's session: the
// timer fires, the packet is built into the batch with its counter and
// TX-lateness observation, and the batch is sent; the peer is then heard,
// so that the Detection Time never expires.
func transmitter(sh *shard) func() {
	now := session.Time(time.Second)
	heard := &packet.Control{Version: 1, State: packet.StateUp, DetectMult: 3, MyDiscr: 2, YourDiscr: 1,
		DesiredMinTx: 10_000, RequiredMinRx: 10_000}
	return func() {
		e := sh.heap.peek()
		now = max(now, e.deadline)
		sh.fireTimers(now, session.Never)
		sh.flush()
		e.s.HandlePacket(now, heard, nil)
	}
}

// BenchmarkShardTransmit: one periodic transmission (to a sender that
// discards it).
func BenchmarkShardTransmit(b *testing.B) {
	sh, _ := upShard(b)
	tx := transmitter(sh)
	b.ReportAllocs()
	for b.Loop() {
		tx()
	}
}

// The per-packet paths allocate nothing (the benchmarks above report the
// same as 0 allocs/op; this makes it a failure): a received packet with
// its per-session counter, and a periodic transmission with its counter
// and TX-lateness observation.
func TestHotPathsDoNotAllocate(t *testing.T) {
	sh, m := upShard(t)
	at := session.Time(time.Second)
	if n := testing.AllocsPerRun(1000, func() { sh.dispatch(at, &m) }); n != 0 {
		t.Errorf("receive: %v allocations per packet", n)
	}
	if n := testing.AllocsPerRun(1000, transmitter(sh)); n != 0 {
		t.Errorf("transmit: %v allocations per packet", n)
	}
	if got := sh.byDiscr[1].counters.PacketsOut.Load(); got < 1000 {
		t.Fatalf("%d packets sent: the loop did not transmit", got)
	}
}
