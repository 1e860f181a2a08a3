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
	outSize   = 256  // periodic packets a shard accumulates before a flush
	urgSize   = 64   // state changes, Finals: sent first, see transmit
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
	tx   netio.Sender // its own (Forker) or the engine's
	in   chan *rxBatch
	cmds chan func(*shard)

	byDiscr map[uint32]*entry
	byKey   map[Key]*entry
	byPeer  map[peerKey][]*entry
	heap    deadlines
	w       *waiter

	// tick is the grid the shard's sessions transmit on
	// (session.SetTxGrid): sessions due at one grid point are served
	// together, so one wake-up and one sendmmsg carry the packets of
	// many sessions, and none leaves later than RFC 5880 §6.8.7 allows.
	// It is a twelfth of the shortest interval configured in the shard,
	// within [MinTick, MaxTick]. Detection Time expiries use a grid five
	// times finer.
	tick  time.Duration
	minIv time.Duration

	out     outBatch     // periodic packets
	urgent  outBatch     // everything else: sent first (transmit)
	due     session.Time // schedule of the packet transmit is about to build
	txLate  histogram    // send time - schedule, periodic packets
	detLate histogram    // handled - Detection Time deadline
	ctl     packet.Control
	// postponed: due sessions whose Detection Time waits for queued
	// packets (fireTimers); empty between rounds.
	postponed []*entry

	rx rxState // the shard's own receive sockets (shard_rx.go)
	// locked: the goroutine is locked to a thread with its own
	// scheduling class (Options.ThreadSetup).
	locked  bool
	yielded session.Time // last yield

	// The shard's own run, for its stalls (stall.go): wokeAt, when its
	// round began; ranAt, when it ended; expect, when it planned to run
	// again (the end of its sleep, or ranAt); stall, the last gap found;
	// stalls, their lengths.
	wokeAt session.Time
	ranAt  session.Time
	expect session.Time
	stall  stallWindow
	stalls histogram
}

func newShard(id int, e *Engine) *shard {
	return &shard{
		id: id, eng: e,
		in:      make(chan *rxBatch, 256),
		cmds:    make(chan func(*shard), 64),
		byDiscr: make(map[uint32]*entry),
		byKey:   make(map[Key]*entry),
		byPeer:  make(map[peerKey][]*entry),
		out:     newOutBatch(outSize),
		urgent:  newOutBatch(urgSize),
		w:       newWaiter(),
	}
}

func (sh *shard) run(ctx context.Context) {
	// With a scheduling class the shard runs on its own locked thread
	// (Options.ThreadSetup has locked it); see yield for the default.
	sh.locked = sh.eng.opts.ThreadSetup != nil
	if sh.locked {
		lowTimerSlack()
	}
	sh.rx.init(sh.w)
	polled := false // the sockets' poll results are fresh from the sleep
	for ctx.Err() == nil {
		sh.noteWake(sh.eng.now())
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
		more, heard := sh.readSockets(polled)
		sh.fireTimers(sh.eng.now(), heard)
		sh.flush()
		sh.eng.heartbeat(sh.id)
		// Yield between the work and the sleep: whatever the scheduler
		// takes comes out of the sleep, not out of a deadline's service.
		sh.yield()
		sh.ranAt = sh.eng.now()
		wait := sh.nextWake(sh.ranAt)
		sh.expect = sh.ranAt.Add(wait)
		// When the shard wakes soon anyway — within five ticks, a quarter
		// of its shortest interval — received packets wait for that
		// wake-up instead of causing one: one wake-up then serves both.
		// Their receive time is the kernel's and they are handled before
		// any timer fires, so no detection depends on it; a state change
		// or a Final is at most that much later.
		mode := int32(sleepAll)
		if sh.tick > 0 && wait <= min(5*sh.tick, maxRxWait) {
			mode = sleepCmdsOn
		}
		sh.w.prepare(mode)
		if more || len(sh.cmds) > 0 || (mode == sleepAll && len(sh.in) > 0) || ctx.Err() != nil {
			sh.w.cancel()
			polled = false
			sh.expect = sh.ranAt // no sleep: it runs again at once
			continue
		}
		polled = sh.w.sleep(wait, sh.rx.pollSet(mode == sleepAll))
	}
	sh.rx.closeAll()
}

// maxRxWait bounds how long received packets may wait for a wake-up that
// is due anyway (a Final or a state change is at most that late).
const maxRxWait = 10 * time.Millisecond

// yieldEvery is how often an unlocked shard yields (see yield): well
// within the runtime monitor's 10 ms.
const yieldEvery = 5 * time.Millisecond

// yield lets the Go scheduler see the shard's goroutine change hands once
// per loop. A goroutine that never yields looks, to the runtime's
// monitor, like one running for ever: every 10 ms it is preempted and its
// P taken from the system call it sleeps in, and each time the monitor
// falls back to polling every 20 µs — thousands of wake-ups a second,
// half the CPU of an idle daemon. After a Gosched it sees a new
// scheduling round and stays at its 10 ms pace. A locked thread (a
// scheduling class) cannot yield cheaply and does not.
func (sh *shard) yield() {
	if sh.locked {
		return
	}
	if now := sh.eng.now(); now.Sub(sh.yielded) >= yieldEvery {
		sh.yielded = now
		runtime.Gosched()
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

// nextWake is how long the shard may sleep from now: until the earliest
// deadline, and at most the heartbeat interval.
func (sh *shard) nextWake(now session.Time) time.Duration {
	d := time.Hour
	if e := sh.heap.peek(); e != nil {
		at := e.deadline
		// Transmissions are on the tick grid already (session.SetTxGrid),
		// so sessions due together share one deadline. Detection Time
		// expiries go onto a grid five times finer (rarely the earliest
		// deadline: every packet received pushes one out). Fine, not
		// exact: when a link dies, hundreds of sessions expire within
		// one interval, and a wake-up each (one syscall, one packet)
		// cost more than the whole batch and made the last ones late.
		if g := sh.tick / 5; g > 0 && at == e.s.DetectDue() {
			g = max(g, 50*time.Microsecond)
			at = (at + session.Time(g) - 1) / session.Time(g) * session.Time(g)
		}
		d = max(at.Sub(now), 0)
	}
	return min(d, sh.eng.heartbeatEvery, maxSleep)
}

// maxSleep bounds one sleep of a shard below the 10 ms after which the Go
// runtime's monitor takes the P of a thread in a system call away: that
// hand-off, every idle period, kept the monitor polling every 20 µs, a
// few per cent of a core on an idle daemon.
const maxSleep = 9 * time.Millisecond

// tickDivisor: a shard's tick is this fraction of its shortest interval,
// so that the RFC 5880 §6.8.7 jitter window (a quarter of the interval)
// holds three grid points (session.SetTxGrid).
const tickDivisor = 12

// noteInterval keeps the shard's tick fine enough for its fastest
// session, and every session's transmissions on it.
func (sh *shard) noteInterval(p session.Params) {
	iv := p.DesiredMinTx
	if p.RequiredMinRx > 0 {
		iv = min(iv, p.RequiredMinRx)
	}
	if sh.minIv == 0 || iv < sh.minIv {
		sh.minIv = iv
		tick := min(max(iv/tickDivisor, sh.eng.opts.MinTick), sh.eng.opts.MaxTick)
		if tick != sh.tick {
			sh.tick = tick
			for _, e := range sh.byKey {
				e.s.SetTxGrid(tick)
			}
		}
	}
}

// fireTimers serves the deadlines due by now. heard is the receive time up
// to which every queued packet has been read (session.Never: all of
// them): a Detection Time that expires after it is not served yet, since
// the packet that resets it may be among those still queued (RFC 5880
// §6.8.4: the session goes Down when no packet has been *received* for
// the Detection Time). Declaring it anyway was how a shard that lost its
// CPU for tens of milliseconds, and then read its backlog in
// maxReadPerSocket slices, took sessions Down falsely — and the state
// changes that followed loaded the machine further: a flap storm at 500
// sessions of 10 ms after a link healed (docs/en/12-benchmarks.md). Such a
// session is set aside for this round (its periodic packet too, at most
// one read batch later: the shard reads on without sleeping), and every
// other due deadline is served as usual, so a flood that keeps a socket
// backlogged delays only the sessions whose verdict waits on it.
func (sh *shard) fireTimers(now, heard session.Time) {
	for e := sh.heap.peek(); e != nil && e.deadline <= now; e = sh.heap.peek() {
		if e.removeAt != 0 && now >= e.removeAt {
			// Removal: one more AdminDown, then the session is gone.
			sh.transmit(now, e)
			sh.delete(e)
			continue
		}
		txDue, detDue := e.s.TxDue(), e.s.DetectDue()
		if detDue <= now && sh.holdInStall(e, detDue) {
			detDue = e.s.DetectDue()
		}
		if detDue <= now && detDue > heard {
			sh.heap.remove(e)
			sh.postponed = append(sh.postponed, e)
			continue
		}
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
	// The sessions set aside go back at their unchanged deadlines.
	for i, e := range sh.postponed {
		sh.heap.set(e, e.deadline)
		sh.postponed[i] = nil
	}
	sh.postponed = sh.postponed[:0]
}

// receiveBatch handles each packet at the time it was received.
func (sh *shard) receiveBatch(b *rxBatch) {
	for i := 0; i < b.n; i++ {
		m := &b.msgs[i]
		sh.receive(m.at, m.buf[:m.n], &m.meta)
	}
	b.n = 0
	sh.eng.batches.Put(b)
}

// receive runs RFC 5880 §6.8.6 for one packet: stateless checks, GTSM,
// demultiplexing, then the session.
func (sh *shard) receive(now session.Time, raw []byte, m *netio.Message) {
	typ := SingleHop
	if m.Dst.Port() == netio.PortMultiHop {
		typ = MultiHop
	}
	c := &sh.ctl
	if r := packet.Decode(raw, c); r != packet.DropNone {
		sh.eng.drop(r)
		return
	}
	// RFC 5881 §5: single-hop packets MUST arrive with TTL 255; RFC 5883
	// §5: multihop ones at least with the configured minimum.
	if (typ == SingleHop && m.TTL != 255) || (typ == MultiHop && m.TTL < sh.eng.opts.MinMultiHopTTL) {
		sh.eng.drop(packet.DropTTL)
		return
	}
	var e *entry
	if c.YourDiscr != 0 {
		e = sh.byDiscr[c.YourDiscr]
		if e != nil && (e.key.Type != typ || e.key.Peer != m.Src.Addr() || e.key.VRF != m.VRF) {
			e = nil // a discriminator of ours used by a stranger, on the wrong port or VRF
		}
	} else {
		e = sh.match(m.Src.Addr(), m.Dst.Addr(), m.IfIndex, m.VRF, typ)
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
			DetectionTime: e.s.DetectionTime(),
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

// transmit builds e's next Control packet into an output batch. Periodic
// packets (sh.due set) go into the main batch; a packet that answers an
// event — a state change (RFC 5880 §6.8.6: the new state is announced at
// once), a Final, an AdminDown — goes into the urgent one, which flush
// sends first: a Down packet does not wait behind a tick's worth of
// periodic ones inside the same sendmmsg.
func (sh *shard) transmit(now session.Time, e *entry) {
	b := &sh.out
	if sh.due == 0 {
		b = &sh.urgent
	}
	if b.full() {
		sh.flush()
	}
	buf := b.next()
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
	b.add(sh.due, netio.Message{
		Buf:     buf[:n],
		Src:     netip.AddrPortFrom(e.key.Local, e.srcPort),
		Dst:     netip.AddrPortFrom(e.key.Peer, e.key.Type.Port()),
		IfIndex: e.ifIndex,
		TTL:     255, // RFC 5881 §5, RFC 5883 §5 (GTSM, RFC 5082)
		TOS:     sh.eng.opts.TOS,
		Device:  e.device,
	})
}

// flush sends the accumulated batches, the urgent one first, one system
// call each.
func (sh *shard) flush() {
	for _, b := range [2]*outBatch{&sh.urgent, &sh.out} {
		if len(b.msgs) == 0 {
			continue
		}
		t := sh.eng.now()
		for i := range b.msgs {
			if d := b.due[i]; d != 0 {
				sh.txLate.observe(time.Duration(t - d))
			}
		}
		if err := sh.tx.Send(b.msgs); err != nil {
			sh.eng.sendErrors.Add(1)
		}
		b.msgs = b.msgs[:0]
	}
}

func (sh *shard) insert(e *entry) {
	e.s.SetTxGrid(sh.tick)
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
