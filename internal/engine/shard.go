package engine

import (
	"context"
	"net/netip"
	"runtime"
	"time"

	"github.com/dantte-lp/gobfd/internal/netio"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

const (
	batchSize = 64   // received messages per batch handed to a shard
	outSize   = 256  // packets a shard accumulates before a flush
	maxTxLen  = 1400 // largest (padded, RFC 9764) packet a shard sends
)

// rxMsg is a received packet copied out of the reader's buffer. BFD's
// Length field is one byte, so 255 bytes hold every Control packet; a
// longer (RFC 9764 padded) datagram is cut there, which keeps the §6.8.6
// Length ≤ payload check exact.
type rxMsg struct {
	buf  [255]byte
	n    int
	at   session.Time  // when it was received (see Engine.Deliver)
	meta netio.Message // Buf unused
}

type rxBatch struct {
	n    int
	msgs [batchSize]rxMsg
}

type peerKey struct {
	peer [16]byte
	typ  Type
}

// shard owns a set of sessions; all of its fields are touched only by its
// goroutine (run), except the channels.
type shard struct {
	id   int
	eng  *Engine
	in   chan *rxBatch
	cmds chan func(*shard)

	byDiscr map[uint32]*entry
	byKey   map[Key]*entry
	byPeer  map[peerKey][]*entry
	heap    deadlines
	w       *waiter

	// tick is the grid the shard's timer fires on: deadlines that fall
	// between two ticks are served together, so one wake-up and one
	// sendmmsg carry the packets of many sessions. It is a twentieth of
	// the shortest interval configured in the shard, within
	// [minTick, maxTick]; a packet is at most one tick late.
	tick  time.Duration
	minIv time.Duration

	out     []netio.Message
	outDue  [outSize]session.Time // schedule of each packet in out; 0: not periodic
	due     session.Time          // schedule of the packet transmit is about to build
	outBufs [outSize][maxTxLen]byte
	txLate  histogram // send time - schedule, periodic packets
	detLate histogram // handled - Detection Time deadline
	ctl     packet.Control
}

func newShard(id int, e *Engine) *shard {
	return &shard{
		id: id, eng: e,
		in:      make(chan *rxBatch, 256),
		cmds:    make(chan func(*shard), 64),
		byDiscr: make(map[uint32]*entry),
		byKey:   make(map[Key]*entry),
		byPeer:  make(map[peerKey][]*entry),
		out:     make([]netio.Message, 0, outSize),
		w:       newWaiter(),
	}
}

func (sh *shard) run(ctx context.Context) {
	// The shard sleeps in a system call on its own thread (see waiter).
	runtime.LockOSThread()
	lowTimerSlack()
	for ctx.Err() == nil {
		sh.runCommands()
		// Packets that arrived before now count before any timer fires:
		// after a stall (no CPU for this goroutine), queued packets must not
		// lose to the detection timers they would have reset (RFC 5880
		// §6.8.4 counts a packet when it is received).
		for drained := false; !drained; {
			select {
			case b := <-sh.in:
				sh.receiveBatch(b)
			default:
				drained = true
			}
		}
		sh.fireTimers(sh.eng.now())
		sh.flush()
		sh.eng.heartbeat(sh.id)
		wait := sh.nextWake()
		// When the shard wakes soon anyway — within five ticks, a quarter
		// of its shortest interval — received packets wait for that
		// wake-up instead of causing one: one wake-up then serves both.
		// Their receive time is the kernel's (see Deliver) and they are
		// handled before any timer fires, so no detection depends on
		// it; a state change or a Final is at most that much later.
		mode := int32(sleepAll)
		if sh.tick > 0 && wait <= 5*sh.tick {
			mode = sleepCmdsOn
		}
		sh.w.prepare(mode)
		if len(sh.cmds) > 0 || (mode == sleepAll && len(sh.in) > 0) || ctx.Err() != nil {
			sh.w.cancel()
			continue
		}
		sh.w.sleep(wait)
	}
}

// runCommands runs the queued management commands.
func (sh *shard) runCommands() {
	for {
		select {
		case f := <-sh.cmds:
			f(sh)
		default:
			return
		}
	}
}

// nextWake is how long the shard may sleep: until the tick on or after
// the earliest deadline, and at most the heartbeat interval.
func (sh *shard) nextWake() time.Duration {
	d := time.Hour
	if e := sh.heap.peek(); e != nil {
		at := e.deadline
		// Transmissions are coalesced onto the tick grid; Detection Time
		// expiries onto a grid five times finer (rarely the earliest
		// deadline: every packet received pushes one out). Fine, not
		// exact: when a link dies, hundreds of sessions expire within
		// one interval, and a wake-up each (one syscall, one packet)
		// cost more than the whole batch and made the last ones late.
		if g := sh.tick; g > 0 {
			if at == e.s.DetectDue() {
				g = max(g/5, 50*time.Microsecond)
			}
			at = (at + session.Time(g) - 1) / session.Time(g) * session.Time(g)
		}
		d = max(at.Sub(sh.eng.now()), 0)
	}
	return min(d, sh.eng.heartbeatEvery, maxSleep)
}

// maxSleep bounds one sleep of a shard below the 10 ms after which the Go
// runtime's monitor takes the P of a thread in a system call away: that
// hand-off, every idle period, kept the monitor polling every 20 µs, a
// few per cent of a core on an idle daemon.
const maxSleep = 9 * time.Millisecond

// noteInterval keeps the shard's tick fine enough for its fastest session.
func (sh *shard) noteInterval(p session.Params) {
	iv := p.DesiredMinTx
	if p.RequiredMinRx > 0 {
		iv = min(iv, p.RequiredMinRx)
	}
	if sh.minIv == 0 || iv < sh.minIv {
		sh.minIv = iv
		sh.tick = min(max(iv/20, sh.eng.opts.MinTick), sh.eng.opts.MaxTick)
	}
}

func (sh *shard) fireTimers(now session.Time) {
	for e := sh.heap.peek(); e != nil && e.deadline <= now; e = sh.heap.peek() {
		if e.removeAt != 0 && now >= e.removeAt {
			// Removal: one more AdminDown, then the session is gone.
			sh.transmit(now, e)
			sh.delete(e)
			continue
		}
		txDue, detDue := e.s.TxDue(), e.s.DetectDue()
		out := e.s.HandleTimer(now)
		if detDue <= now && out.Changed && out.Event.LocalDiag == packet.DiagControlDetectExpired {
			sh.detLate.observe(time.Duration(now - detDue))
		}
		if txDue <= now {
			sh.due = txDue
		}
		sh.act(now, e, out)
		sh.due = 0
	}
}

// receiveBatch handles each packet at the time it was received.
func (sh *shard) receiveBatch(b *rxBatch) {
	for i := 0; i < b.n; i++ {
		sh.receive(b.msgs[i].at, &b.msgs[i])
	}
	b.n = 0
	sh.eng.batches.Put(b)
}

// receive runs RFC 5880 §6.8.6 for one packet: stateless checks, GTSM,
// demultiplexing, then the session.
func (sh *shard) receive(now session.Time, m *rxMsg) {
	typ := SingleHop
	if m.meta.Dst.Port() == netio.PortMultiHop {
		typ = MultiHop
	}
	raw := m.buf[:m.n]
	c := &sh.ctl
	if r := packet.Decode(raw, c); r != packet.DropNone {
		sh.eng.drop(r)
		return
	}
	// RFC 5881 §5: single-hop packets MUST arrive with TTL 255; RFC 5883
	// §5: multihop ones at least with the configured minimum.
	if (typ == SingleHop && m.meta.TTL != 255) || (typ == MultiHop && m.meta.TTL < sh.eng.opts.MinMultiHopTTL) {
		sh.eng.drop(packet.DropTTL)
		return
	}
	var e *entry
	if c.YourDiscr != 0 {
		e = sh.byDiscr[c.YourDiscr]
		if e != nil && (e.key.Type != typ || e.key.Peer != m.meta.Src.Addr() || e.key.VRF != m.meta.VRF) {
			e = nil // a discriminator of ours used by a stranger, on the wrong port or VRF
		}
	} else {
		e = sh.match(m.meta.Src.Addr(), m.meta.Dst.Addr(), m.meta.IfIndex, m.meta.VRF, typ)
	}
	if e == nil {
		sh.eng.drop(packet.DropNoSession)
		return
	}
	out := e.s.HandlePacket(now, c, raw)
	if out.Drop != packet.DropNone {
		e.counters.Drops.Add(1)
		sh.eng.drop(out.Drop)
	} else {
		e.counters.PacketsIn.Add(1)
	}
	sh.act(now, e, out)
}

// match finds the session for a packet with Your Discriminator zero.
func (sh *shard) match(peer, local netip.Addr, ifIndex int, vrf string, typ Type) *entry {
	for _, e := range sh.byPeer[peerKey{peer.As16(), typ}] {
		if e.key.VRF != vrf {
			continue
		}
		if e.key.Local.IsValid() && e.key.Local != local {
			continue
		}
		if e.ifIndex != 0 && ifIndex != 0 && e.ifIndex != ifIndex {
			continue
		}
		return e
	}
	return nil
}

// act performs a session Output.
func (sh *shard) act(now session.Time, e *entry, out session.Output) {
	if out.Changed {
		ev := out.Event
		e.counters.State.Store(uint32(ev.New))
		sh.eng.transitions[ev.Old&3][ev.New&3].Add(1)
		if ev.New == packet.StateUp {
			e.counters.UpTransitions.Add(1)
		} else if ev.Old == packet.StateUp {
			e.counters.DownTransitions.Add(1)
		}
		sh.eng.events.publish(Event{
			Key: e.key, LocalDiscr: e.s.LocalDiscr(), Old: ev.Old, New: ev.New,
			LocalDiag: ev.LocalDiag, RemoteDiag: ev.RemoteDiag, RemoteState: ev.RemoteState, At: sh.eng.wall(ev.At),
			DetectionTime: e.s.Snapshot().DetectionTime,
		})
	}
	if out.Send {
		sh.transmit(now, e)
	}
	if out.SendEcho {
		// The echo transport (UDP 3785) is not wired yet; keep the
		// session's echo schedule moving.
		e.s.EchoSent(now)
	}
	sh.heap.set(e, e.nextDeadline())
}

// transmit builds e's next Control packet into the output batch.
func (sh *shard) transmit(now session.Time, e *entry) {
	if len(sh.out) == outSize {
		sh.flush()
	}
	buf := sh.outBufs[len(sh.out)][:]
	n := e.s.BuildControl(now, buf)
	if n == 0 {
		return
	}
	if p := e.padded; p > n && p <= maxTxLen {
		// RFC 9764: zero padding after the Length the packet declares.
		clear(buf[n:p])
		n = p
	}
	e.counters.PacketsOut.Add(1)
	sh.outDue[len(sh.out)] = sh.due
	sh.out = append(sh.out, netio.Message{
		Buf:     buf[:n],
		Src:     netip.AddrPortFrom(e.key.Local, e.srcPort),
		Dst:     netip.AddrPortFrom(e.key.Peer, e.key.Type.Port()),
		IfIndex: e.ifIndex,
		TTL:     255, // RFC 5881 §5, RFC 5883 §5 (GTSM, RFC 5082)
		TOS:     sh.eng.opts.TOS,
		Device:  e.device,
	})
}

// flush sends the accumulated batch in one call.
func (sh *shard) flush() {
	if len(sh.out) == 0 {
		return
	}
	t := sh.eng.now()
	for i := range sh.out {
		if d := sh.outDue[i]; d != 0 {
			sh.txLate.observe(time.Duration(t - d))
			sh.outDue[i] = 0
		}
	}
	if err := sh.eng.tx.Send(sh.out); err != nil {
		sh.eng.sendErrors.Add(1)
	}
	sh.out = sh.out[:0]
}

func (sh *shard) insert(e *entry) {
	sh.noteInterval(e.s.Params())
	sh.byDiscr[e.s.LocalDiscr()] = e
	sh.byKey[e.key] = e
	pk := peerKey{e.key.Peer.As16(), e.key.Type}
	sh.byPeer[pk] = append(sh.byPeer[pk], e)
	e.counters.State.Store(uint32(e.s.State()))
	sh.heap.set(e, e.nextDeadline())
}

func (sh *shard) delete(e *entry) {
	sh.heap.remove(e)
	delete(sh.byDiscr, e.s.LocalDiscr())
	delete(sh.byKey, e.key)
	pk := peerKey{e.key.Peer.As16(), e.key.Type}
	list := sh.byPeer[pk]
	for i, x := range list {
		if x == e {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(sh.byPeer, pk)
	} else {
		sh.byPeer[pk] = list
	}
	sh.eng.release(e)
}
