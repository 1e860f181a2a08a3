package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dantte-lp/gobfd/internal/discr"
	"github.com/dantte-lp/gobfd/internal/netio"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/session"
)

// maxShards bounds the shard count (Deliver keeps one pending batch per
// shard on its stack).
const maxShards = 64

// Options configure an Engine.
type Options struct {
	Shards         int   // default: GOMAXPROCS
	MinMultiHopTTL uint8 // RFC 5883 §5; default 254
	TOS            uint8 // IP TOS byte; default 0xc0 (DSCP CS6)
	// MinTick and MaxTick bound the timer grid of a shard (a twelfth of
	// its shortest interval): defaults 250µs and 8ms. MaxTick < 0 turns
	// coalescing off (every deadline served exactly).
	MinTick, MaxTick time.Duration
	// ThreadSetup, if set, runs first on each shard's goroutine, e.g. to
	// lock it to a thread with a real-time class (internal/sched). A
	// goroutine that ends locked takes its thread with it.
	ThreadSetup func()
}

// Errors of session management.
var (
	ErrExists   = errors.New("engine: session already exists")
	ErrNotFound = errors.New("engine: no such session")
	ErrStopped  = errors.New("engine: not running")
	ErrNoPorts  = errors.New("engine: no free source port")
)

// Forker is a Sender that can open an independent copy of itself
// (netio.Senders): each shard then sends through its own sockets and
// lock.
type Forker interface {
	Fork() (netio.Sender, error)
}

// Engine runs all sessions. Create it with New, start it with Start.
type Engine struct {
	opts   Options
	tx     netio.Sender
	shards []*shard
	events *hub
	discr  *discr.Allocator

	start time.Time

	batches sync.Pool

	portsMu sync.Mutex
	ports   map[uint16]bool
	nextSrc uint16

	drops    [packet.NumDropReasons]atomic.Uint64
	overruns atomic.Uint64
	held     atomic.Uint64 // DetectionsHeld
	// transitions[from][to] counts state changes (RFC 5880 §6.2).
	transitions [4][4]atomic.Uint64
	sendErrors  atomic.Uint64
	rxErrors    atomic.Uint64
	running     atomic.Bool

	heartbeatEvery time.Duration
	beats          []atomic.Int64

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New creates an engine that sends through tx.
func New(tx netio.Sender, o Options) *Engine {
	if o.Shards <= 0 {
		o.Shards = runtime.GOMAXPROCS(0)
	}
	o.Shards = min(o.Shards, maxShards)
	if o.MinMultiHopTTL == 0 {
		o.MinMultiHopTTL = 254
	}
	if o.TOS == 0 {
		o.TOS = 0xc0
	}
	if o.MinTick == 0 {
		o.MinTick = 250 * time.Microsecond
	}
	if o.MaxTick == 0 {
		o.MaxTick = 8 * time.Millisecond
	}
	if o.MaxTick < 0 {
		o.MinTick, o.MaxTick = 0, 0
	}
	e := &Engine{
		opts: o, tx: tx, events: newHub(), discr: discr.New(),
		start: time.Now(), ports: make(map[uint16]bool),
		nextSrc:        netio.SrcPortMin + uint16(rand.IntN(netio.SrcPortMax-netio.SrcPortMin)),
		heartbeatEvery: 250 * time.Millisecond,
		beats:          make([]atomic.Int64, o.Shards),
	}
	e.batches.New = func() any { return new(rxBatch) }
	for i := range o.Shards {
		sh := newShard(i, e)
		sh.tx = tx
		if f, ok := tx.(Forker); ok {
			if own, err := f.Fork(); err == nil {
				sh.tx = own
			}
		}
		e.shards = append(e.shards, sh)
	}
	return e
}

// now is the engine's monotonic clock in session.Time.
func (e *Engine) now() session.Time { return session.Time(time.Since(e.start)) }

// wall turns a session.Time back into a time.Time with a monotonic reading.
func (e *Engine) wall(t session.Time) time.Time { return e.start.Add(time.Duration(t)) }

// Start runs the shards until ctx ends or Stop is called.
func (e *Engine) Start(ctx context.Context) {
	ctx, e.cancel = context.WithCancel(ctx)
	e.running.Store(true)
	for _, sh := range e.shards {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			if e.opts.ThreadSetup != nil {
				e.opts.ThreadSetup()
			}
			sh.run(ctx)
		}()
	}
}

// Stop ends the shards at once (see Shutdown for the graceful way).
func (e *Engine) Stop() {
	e.running.Store(false)
	if e.cancel != nil {
		e.cancel()
	}
	for _, sh := range e.shards {
		sh.w.signal(true)
	}
	e.wg.Wait()
	for _, sh := range e.shards {
		sh.w.close()
		if c, ok := sh.tx.(io.Closer); ok && sh.tx != e.tx {
			c.Close()
		}
	}
	e.events.closeAll()
}

// Subscribe returns a stream of state changes with a queue of n events.
func (e *Engine) Subscribe(n int) *Subscription { return e.events.subscribe(n) }

// EventsLost counts state-change events that subscribers (API watchers,
// the log) missed because their queues were full; the shards never wait
// for them.
func (e *Engine) EventsLost() uint64 { return e.events.lost.Load() }

// Drops returns the engine-wide count of packets dropped for reason r.
func (e *Engine) Drops(r packet.DropReason) uint64 { return e.drops[r].Load() }

// Overruns counts received packets dropped because a shard's queue was full.
func (e *Engine) Overruns() uint64 { return e.overruns.Load() }

// SendErrors counts batches whose send system call failed.
func (e *Engine) SendErrors() uint64 { return e.sendErrors.Load() }

// ReceiveErrors counts failed reads of the receive sockets.
func (e *Engine) ReceiveErrors() uint64 { return e.rxErrors.Load() }

// Transitions counts the state changes from one state to another.
func (e *Engine) Transitions(from, to packet.State) uint64 {
	return e.transitions[from&3][to&3].Load()
}

func (e *Engine) drop(r packet.DropReason) { e.drops[r].Add(1) }

// heartbeat records that shard id completed a loop; Alive uses it.
func (e *Engine) heartbeat(id int) { e.beats[id].Store(int64(e.now())) }

// Alive reports whether every shard has run its loop within maxAge — the
// engine's own liveness, for a watchdog. An idle shard loops every
// heartbeat interval, so maxAge is at least two of those.
func (e *Engine) Alive(maxAge time.Duration) bool {
	maxAge = max(maxAge, 2*e.heartbeatEvery)
	now := e.now()
	for i := range e.beats {
		if now.Sub(session.Time(e.beats[i].Load())) > maxAge {
			return false
		}
	}
	return true
}

// do runs f on the shard's goroutine and waits for it.
func (e *Engine) do(sh *shard, f func(*shard)) error {
	if !e.running.Load() {
		return ErrStopped
	}
	done := make(chan struct{})
	select {
	case sh.cmds <- func(sh *shard) { f(sh); close(done) }:
		sh.w.signal(true)
	case <-time.After(5 * time.Second):
		return ErrStopped
	}
	select {
	case <-done:
		return nil
	case <-time.After(5 * time.Second):
		return ErrStopped
	}
}

func (e *Engine) shardFor(k Key) *shard { return e.shards[shardOf(k.Peer, k.Type, len(e.shards))] }

// Add creates a session and returns its local discriminator.
func (e *Engine) Add(cfg SessionConfig) (uint32, error) {
	ds, errs := e.AddAll([]SessionConfig{cfg})
	return ds[0], errs[0]
}

// firstTxPace is how fast sessions started together send their first
// packets: 50,000 a second, each at a random moment of the spread. Their
// later packets follow their first (RFC 5880 §6.8.7), so a daemon that
// starts 50,000 sessions at 1 s sends them evenly through the second
// instead of in one burst every second that the peer's kernel must absorb
// at once; a few hundred sessions start within milliseconds.
const firstTxPace = 20 * time.Microsecond

// firstTxSpread is the window over which n sessions added together send
// their first packets: 0 for a handful, at most the 1 s a session not Up
// sends at (§6.8.3).
func firstTxSpread(n int) time.Duration {
	if n < 50 {
		return 0
	}
	return min(time.Duration(n)*firstTxPace, time.Second)
}

// prepared is a session whose discriminator, source port and interface are
// settled, ready to be inserted by its shard.
type prepared struct {
	i       int
	cfg     SessionConfig
	d       uint32
	port    uint16
	ifIndex int
}

// AddAll creates many sessions with one command per shard. Their first
// packets are spread over firstTxSpread(len(cfgs)) on each shard's
// transmission grid, so that they leave in a few batches per shard rather
// than one packet per system call, and not as one burst either. It
// returns each session's discriminator or error, index for index.
func (e *Engine) AddAll(cfgs []SessionConfig) ([]uint32, []error) {
	ds := make([]uint32, len(cfgs))
	errs := make([]error, len(cfgs))
	perShard := make([][]prepared, len(e.shards))
	for i, cfg := range cfgs {
		p, err := e.prepare(cfg)
		if err != nil {
			errs[i] = err
			continue
		}
		p.i = i
		sh := e.shardFor(cfg.Key)
		perShard[sh.id] = append(perShard[sh.id], p)
	}
	spread := firstTxSpread(len(cfgs))
	for id, ps := range perShard {
		if len(ps) == 0 {
			continue
		}
		err := e.do(e.shards[id], func(sh *shard) {
			now := e.now()
			for _, p := range ps {
				if _, ok := sh.byKey[p.cfg.Key]; ok {
					errs[p.i] = ErrExists
					continue
				}
				s, err := session.New(session.Config{Params: p.cfg.Params, LocalDiscr: p.d,
					Rand: rand.NewPCG(rand.Uint64(), rand.Uint64())}, now)
				if err != nil {
					errs[p.i] = err
					continue
				}
				en := &entry{key: p.cfg.Key, owner: p.cfg.Owner, padded: p.cfg.PaddedSize, s: s, srcPort: p.port, ifIndex: p.ifIndex,
					device: p.cfg.Key.Device(), index: -1}
				sh.insert(en) // sets the session's transmission grid
				if spread > 0 {
					s.DelayFirstTx(now.Add(time.Duration(rand.Int64N(int64(spread)))))
					sh.heap.set(en, en.nextDeadline())
				}
				ds[p.i] = p.d
			}
		})
		for _, p := range ps {
			if err != nil {
				errs[p.i] = err
			}
			if errs[p.i] != nil {
				e.discr.Release(p.d)
				e.releasePort(p.port)
			}
		}
	}
	return ds, errs
}

// prepare allocates what a new session needs outside its shard.
func (e *Engine) prepare(cfg SessionConfig) (prepared, error) {
	if !cfg.Key.Peer.IsValid() {
		return prepared{}, fmt.Errorf("engine: session needs a peer address")
	}
	if err := cfg.Params.Validate(); err != nil {
		return prepared{}, err
	}
	ifIndex, err := ifIndexOf(cfg.Key.Interface)
	if err != nil {
		return prepared{}, err
	}
	sh := e.shardFor(cfg.Key)
	// The discriminator names its shard (d mod shards), so packets with a
	// non-zero Your Discriminator find it without a shared table.
	var d uint32
	for range 1000 {
		if d, err = e.discr.Allocate(); err != nil {
			return prepared{}, err
		}
		if int(d%uint32(len(e.shards))) == sh.id {
			break
		}
		e.discr.Release(d)
		d = 0
	}
	if d == 0 {
		return prepared{}, discr.ErrExhausted
	}
	port, err := e.allocPort()
	if err != nil {
		e.discr.Release(d)
		return prepared{}, err
	}
	return prepared{cfg: cfg, d: d, port: port, ifIndex: ifIndex}, nil
}

// Remove takes a session down gracefully: it goes AdminDown at once (the
// peer sees diag 7 and goes Down with diag 3, not a detection timeout), a
// second AdminDown follows two transmit intervals later, and then the
// session is gone (RFC 5880 §6.8.16).
func (e *Engine) Remove(k Key) error {
	var found bool
	err := e.do(e.shardFor(k), func(sh *shard) {
		en := sh.byKey[k]
		if en == nil || en.removeAt != 0 {
			return
		}
		found = true
		now := e.now()
		iv := en.s.TxInterval()
		sh.act(now, en, en.s.SetAdminDown(now))
		en.removeAt = now.Add(min(2*iv, 2*time.Second))
		sh.heap.set(en, en.nextDeadline())
	})
	if err == nil && !found {
		err = ErrNotFound
	}
	return err
}

// Update changes a session's parameters; timer changes use a Poll Sequence
// and never flap an Up session (RFC 5880 §6.8.3).
func (e *Engine) Update(k Key, p session.Params) error {
	var res error = ErrNotFound
	err := e.do(e.shardFor(k), func(sh *shard) {
		en := sh.byKey[k]
		if en == nil || en.removeAt != 0 {
			return
		}
		out, err := en.s.SetParams(e.now(), p)
		if res = err; err == nil {
			sh.noteInterval(p)
			sh.act(e.now(), en, out)
		}
	})
	if err != nil {
		return err
	}
	return res
}

// SetPaddedSize changes the size a session's Control packets are padded
// to (RFC 9764; 0: none) from its next packet on.
func (e *Engine) SetPaddedSize(k Key, n int) error {
	var res error = ErrNotFound
	err := e.do(e.shardFor(k), func(sh *shard) {
		if en := sh.byKey[k]; en != nil && en.removeAt == 0 {
			en.padded, res = n, nil
		}
	})
	if err != nil {
		return err
	}
	return res
}

// SetAdminDown disables (true) or enables (false) a session (§6.8.16).
func (e *Engine) SetAdminDown(k Key, down bool) error {
	var res error = ErrNotFound
	err := e.do(e.shardFor(k), func(sh *shard) {
		en := sh.byKey[k]
		if en == nil || en.removeAt != 0 {
			return
		}
		res = nil
		now := e.now()
		if down {
			sh.act(now, en, en.s.SetAdminDown(now))
		} else {
			sh.act(now, en, en.s.SetAdminUp(now))
		}
	})
	if err != nil {
		return err
	}
	return res
}

// forEachLive runs f on every session that is not being removed, on its
// shard's goroutine, one shard after the other: the one way the readers
// (API queries, metrics, status) walk the sessions.
func (e *Engine) forEachLive(f func(en *entry)) {
	var mu sync.Mutex // f's results are written from each shard's goroutine in turn
	for _, sh := range e.shards {
		e.do(sh, func(sh *shard) {
			mu.Lock()
			defer mu.Unlock()
			for _, en := range sh.byKey {
				if en.removeAt == 0 {
					f(en)
				}
			}
		})
	}
}

// Shutdown takes every session AdminDown so that peers see an
// administrative shutdown rather than a failure, repeats the AdminDown
// after two of the longest transmit interval (at most 2 s, or ctx), and
// stops the engine.
func (e *Engine) Shutdown(ctx context.Context) {
	var wait time.Duration
	var mu sync.Mutex
	for _, sh := range e.shards {
		e.do(sh, func(sh *shard) {
			now := e.now()
			for _, en := range sh.byKey {
				iv := en.s.TxInterval()
				mu.Lock()
				wait = max(wait, min(2*iv, 2*time.Second))
				mu.Unlock()
				sh.act(now, en, en.s.SetAdminDown(now))
			}
			sh.flush()
		})
	}
	select {
	case <-time.After(wait):
	case <-ctx.Done():
	}
	for _, sh := range e.shards {
		e.do(sh, func(sh *shard) {
			now := e.now()
			for _, en := range sh.byKey {
				sh.transmit(now, en)
			}
			sh.flush()
		})
	}
	e.Stop()
}

func (e *Engine) release(en *entry) {
	e.discr.Release(en.s.LocalDiscr())
	e.releasePort(en.srcPort)
}

// allocPort picks a source port in 49152–65535 not used by another session
// (RFC 5881 §4: "SHOULD be unique"); past 16384 sessions ports are shared.
func (e *Engine) allocPort() (uint16, error) {
	e.portsMu.Lock()
	defer e.portsMu.Unlock()
	const span = netio.SrcPortMax - netio.SrcPortMin + 1
	if len(e.ports) >= span {
		// Every port is taken: share one without scanning them all (a scan
		// per session made adding 50,000 sessions quadratic: 15 s).
		return netio.SrcPortMin + uint16(rand.IntN(span)), nil
	}
	for range span {
		p := e.nextSrc
		e.nextSrc++
		if e.nextSrc < netio.SrcPortMin || e.nextSrc > netio.SrcPortMax {
			e.nextSrc = netio.SrcPortMin
		}
		if !e.ports[p] {
			e.ports[p] = true
			return p, nil
		}
	}
	return netio.SrcPortMin + uint16(rand.IntN(span)), nil
}

func (e *Engine) releasePort(p uint16) {
	e.portsMu.Lock()
	delete(e.ports, p)
	e.portsMu.Unlock()
}

// StateCounts returns how many sessions are in each state (indexed by
// packet.State) without copying the sessions: cheap enough for a status
// line or a metrics scrape at any session count.
func (e *Engine) StateCounts() [4]int {
	var n [4]int
	e.forEachLive(func(en *entry) { n[en.s.State()&3]++ })
	return n
}
