package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/metrics"
	"github.com/dantte-lp/gobfd/internal/netio"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/internal/sdnotify"
	"github.com/dantte-lp/gobfd/internal/version"
)

// daemon wires configuration, engine, sockets, logs and systemd together.
type daemon struct {
	path  string
	cfg   *config.Config
	level *slog.LevelVar
	log   *slog.Logger
	sd    *sdnotify.Notifier
	eng   *engine.Engine
	rx    map[rxKey]*engine.Listener
	rxMu  sync.Mutex // guards rx: the API opens receive sockets too (api.go)
	api   apiState   // api.go
	// threadSetup gives the shard threads the configured
	// scheduling class (nil: the default class).
	threadSetup func()
	// events logs state changes through eventsOut, flushed per burst.
	events    *slog.Logger
	eventsOut *lineBuffer
}

// rxKey is a set of receive sockets: unbound (""), or bound to a device
// (an interface, or a VRF) of some session.
type rxKey struct{ device, vrf string }

// listen opens the receive sockets that cfg's sessions need: the unbound
// ones, and one set per interface or VRF a session is bound to
// (SO_BINDTODEVICE), so that packets arriving in a VRF reach us and a
// session bound to an interface hears only that interface.
func (d *daemon) listen(ctx context.Context, cfg *config.Config) error {
	d.rxMu.Lock()
	defer d.rxMu.Unlock()
	want := receiversFor(cfg)
	for k := range want {
		if d.rx[k] != nil {
			continue
		}
		r, err := d.openRx(ctx, k)
		if err != nil {
			return err
		}
		d.rx[k] = r
	}
	return nil
}

// openRx opens the receive sockets of one device (or the unbound ones),
// read by the engine's shards.
func (d *daemon) openRx(ctx context.Context, k rxKey) (*engine.Listener, error) {
	r, err := d.eng.Listen(ctx, netio.ReceiverOptions{Device: k.device, VRF: k.vrf})
	if err != nil {
		return nil, err
	}
	if r.Steering != nil {
		d.log.Warn("receive sockets: the kernel cannot steer packets to their shard; shards forward them instead",
			"device", k.device, "err", r.Steering)
	}
	return r, nil
}

// receiversFor is the set of receive sockets cfg's sessions need.
func receiversFor(cfg *config.Config) map[rxKey]bool {
	want := map[rxKey]bool{{}: true}
	for _, s := range cfg.EngineSessions() {
		if dev := s.Key.Device(); dev != "" {
			want[rxKey{dev, s.Key.VRF}] = true
		}
	}
	return want
}

// closeUnused closes device-bound receive sockets that no session of cfg
// (nor of the API) needs any more (after a reload removed the last one).
func (d *daemon) closeUnused(cfg *config.Config) {
	d.rxMu.Lock()
	defer d.rxMu.Unlock()
	want := d.receiversInUse(cfg)
	for k, r := range d.rx {
		if !want[k] {
			r.Close()
			delete(d.rx, k)
		}
	}
}

func newDaemon(path string, cfg *config.Config) *daemon {
	d := &daemon{path: path, cfg: cfg, level: new(slog.LevelVar), sd: sdnotify.FromEnv()}
	d.level.UnmarshalText([]byte(cfg.Log.Level))
	d.log = slog.New(d.handler(lockedStderr{}))
	// State changes come in bursts (a link takes hundreds of sessions
	// down at once): their writer buffers lines and writes them out when
	// its queue is empty, one system call per burst instead of per line.
	d.eventsOut = &lineBuffer{w: lockedStderr{}, max: 64 << 10}
	d.events = slog.New(d.handler(d.eventsOut))
	return d
}

// handler is the configured log format writing to w.
func (d *daemon) handler(w io.Writer) slog.Handler {
	opts := &slog.HandlerOptions{Level: d.level}
	if d.cfg.Log.Format == "text" {
		return slog.NewTextHandler(w, opts)
	}
	return slog.NewJSONHandler(w, opts)
}

// lockedStderr writes to stderr under the lock the default handlers
// share, so buffered event lines never interleave with other lines.
type lockedStderr struct{}

var stderrMu sync.Mutex

func (lockedStderr) Write(p []byte) (int, error) {
	stderrMu.Lock()
	defer stderrMu.Unlock()
	return os.Stderr.Write(p)
}

// lineBuffer collects whole log records (a slog handler writes each record
// with one Write) and writes them out together: a flush never splits a
// line, so lines of other loggers cannot land inside one.
type lineBuffer struct {
	w   io.Writer
	max int
	buf []byte
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	if len(b.buf)+len(p) > b.max {
		b.Flush()
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush writes what is buffered.
func (b *lineBuffer) Flush() {
	if len(b.buf) > 0 {
		b.w.Write(b.buf)
		b.buf = b.buf[:0]
	}
}

func (d *daemon) run(ctx context.Context) error {
	d.log.Info("starting", "version", version.Version, "commit", version.GitCommit, "config", d.path)
	claim, err := claimInstance()
	if err != nil {
		return err
	}
	defer claim.Close()
	tx, err := netio.NewSenders(netio.SenderOptions{})
	if err != nil {
		return err
	}
	defer tx.Close()
	d.threadSetup = d.schedSetup()
	shards := shardsAndProcs(d.cfg)
	d.eng = engine.New(tx, engine.Options{Shards: shards, MinMultiHopTTL: uint8(d.cfg.BFD.MultiHopMinTTL),
		ThreadSetup: d.threadSetup})
	events := d.eng.Subscribe(eventQueue(len(d.cfg.Sessions)))
	d.eng.Start(ctx)
	defer d.startFlightRecorder()() // flightrec.go
	defer d.startDropLog()()        // droplog.go
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		d.logEvents(events)
	}()
	if a := d.cfg.Metrics.Addr; a != "" {
		x := metrics.NewExporter(d.eng, metrics.Options{Aggregate: d.cfg.Metrics.Aggregate}, version.Version, version.GitCommit)
		ms, err := metrics.Listen(a, d.cfg.Metrics.Path, x, burstHandler)
		if err != nil {
			d.eng.Stop()
			<-logged
			return err
		}
		defer ms.Close()
		d.log.Info("metrics listening", "addr", ms.Addr().String(), "path", d.cfg.Metrics.Path)
	}
	d.rx = map[rxKey]*engine.Listener{}
	if err := d.listen(ctx, d.cfg); err != nil {
		d.eng.Stop()
		<-logged
		return err
	}
	d.addAll(d.cfg.EngineSessions(), "session not started")
	if err := d.startAPI(); err != nil { // api.go
		d.eng.Stop()
		<-logged
		return err
	}
	if err := d.sd.Ready(d.status()); err != nil {
		d.log.Warn("systemd notification failed", "err", err)
	}
	endBurst()
	d.log.Info("ready", "sessions", len(d.cfg.Sessions), "shards", shards)

	stopWatchdog := d.watchdog()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	for sig := range sigs {
		if sig == syscall.SIGHUP {
			d.reload()
			continue
		}
		d.log.Info("shutting down: sessions go AdminDown", "signal", sig.String())
		d.sd.Stopping()
		stopWatchdog()
		d.stopAPI() // api.go: no call changes a session while they go down
		sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		d.eng.Shutdown(sctx) // peers see AdminDown (diag 7), not a timeout
		cancel()
		for _, r := range d.rx {
			r.Close()
		}
		<-logged
		d.log.Info("stopped")
		return nil
	}
	return nil
}

// reload applies a changed configuration file (SIGHUP); a file that does
// not load leaves everything as it is.
func (d *daemon) reload() {
	beginBurst()
	defer endBurst()
	d.sd.Reloading()
	defer d.sd.Ready(d.status())
	cfg, err := config.Load(d.path, nil)
	if err != nil {
		d.log.Error("reload failed, keeping the running configuration", "config", d.path, "err", err)
		return
	}
	if cfg.Scheduling != d.cfg.Scheduling {
		d.log.Warn("reload: scheduling changes at the next restart", "policy", cfg.SchedPolicy().String())
	}
	if cfg.Log.Format != d.cfg.Log.Format {
		d.log.Warn("reload: log.format changes at the next restart", "format", cfg.Log.Format)
	}
	if cfg.BFD.MultiHopMinTTL != d.cfg.BFD.MultiHopMinTTL {
		d.log.Warn("reload: bfd.multihop_min_ttl changes at the next restart", "ttl", cfg.BFD.MultiHopMinTTL)
	}
	if cfg.Metrics != d.cfg.Metrics {
		d.log.Warn("reload: metrics settings change at the next restart", "addr", cfg.Metrics.Addr)
	}
	d.reloadFlightRecorder(cfg)
	d.level.UnmarshalText([]byte(cfg.Log.Level))
	if err := d.listen(context.Background(), cfg); err != nil {
		d.log.Error("reload failed, keeping the running configuration", "err", err)
		return
	}
	cur := cfg.EngineSessions()
	ch := config.Diff(d.cfg.EngineSessions(), cur)
	// The file governs its own sessions, as they run now, and nothing
	// else: sessions deleted over the API with force come back, API
	// sessions it now lists are taken over, others are untouched (api.go).
	ch = ownSessions(ch, cur, d.liveKeys())
	for _, k := range ch.Remove {
		if err := d.eng.Remove(k); err != nil {
			d.log.Error("reload: remove", "session", k.String(), "err", err)
		}
	}
	for _, s := range ch.Update {
		if err := d.eng.Update(s.Key, s.Params); err != nil {
			d.log.Error("reload: update", "session", s.Key.String(), "err", err)
		}
		if err := d.eng.SetPaddedSize(s.Key, s.PaddedSize); err != nil {
			d.log.Error("reload: update padded_pdu_size", "session", s.Key.String(), "err", err)
		}
	}
	d.addAll(ch.Add, "reload: add")
	d.cfg = cfg
	d.reloadAPI(cfg) // api.go
	d.closeUnused(cfg)
	d.log.Info("reloaded", "added", len(ch.Add), "removed", len(ch.Remove), "updated", len(ch.Update),
		"log_level", cfg.Log.Level)
}

// addAll starts sessions in one batch per shard and logs each failure.
func (d *daemon) addAll(ss []engine.SessionConfig, msg string) {
	_, errs := d.eng.AddAll(ss)
	for i, err := range errs {
		if err != nil {
			d.log.Error(msg, "session", ss[i].Key.String(), "err", err)
		}
	}
}

// watchdog sends WATCHDOG=1 at half of WatchdogSec while every shard is
// alive: a stuck shard stops the keep-alives and systemd restarts us.
func (d *daemon) watchdog() (stop func()) {
	iv := sdnotify.WatchdogInterval()
	done := make(chan struct{})
	if iv == 0 || !d.sd.Active() {
		return func() {}
	}
	go func() {
		t := time.NewTicker(iv)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if d.eng.Alive(iv) {
					d.sd.Watchdog()
					d.sd.Status(d.status())
				} else {
					d.log.Error("a shard is stuck: withholding the watchdog keep-alive")
				}
			}
		}
	}()
	return func() { close(done) }
}

func (d *daemon) status() string {
	n := d.eng.StateCounts()
	return fmt.Sprintf("%d sessions: %d up, %d down, %d init, %d admin-down",
		n[0]+n[1]+n[2]+n[3], n[packet.StateUp], n[packet.StateDown], n[packet.StateInit], n[packet.StateAdminDown])
}

// eventQueue sizes the state-change log's queue so that every session of
// the configuration can come Up at once without a line being lost (the
// writer drains it while sessions come up: 15,000 sessions Up within
// 2.4 s and 50,000 within 5 s lose nothing); an event is 144 bytes and the
// queue is bounded at 2^17 events (~19 MB).
func eventQueue(sessions int) int {
	return min(max(4096, sessions+1024), 1<<17)
}

// logSettle is how long the state-change log lets a burst of changes
// happen before it writes their lines (see logEvents).
const logSettle = 25 * time.Millisecond

// logEvents writes one line per state change.
//
// Logging a line allocates; after a burst (a mass bring-up, a link taking
// hundreds of sessions down) the writer settles the garbage once the queue
// is empty, so that with GOGC=off RSS tracks the sessions, not the history.
func (d *daemon) logEvents(s *engine.Subscription) {
	const burst = 1024
	since := 0
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	defer quiet.Stop()
	for {
		var ev engine.Event
		select {
		case <-quiet.C:
			settle() // two seconds after the 1024th line of a burst
			since = 0
			continue
		case e, ok := <-s.C:
			if !ok {
				d.eventsOut.Flush()
				return
			}
			ev = e
		}
		if len(s.C) == 0 {
			// The first change of a burst: let the burst happen first.
			// When a link dies, hundreds of sessions expire within one
			// interval; formatting their lines meanwhile took CPU from
			// the shards that were still detecting and announcing the
			// others (500 sessions at 10 ms: the last Down packets left
			// up to 1.7 ms after their deadlines instead of 0.5 ms). The
			// lines carry the time of each change, so a line written
			// later says the same.
			time.Sleep(logSettle)
		}
		if since++; since == burst {
			quiet.Reset(2 * time.Second)
		}
		lvl := slog.LevelInfo
		if ev.Old == packet.StateUp {
			lvl = slog.LevelWarn
		}
		if ev.Lost > 0 {
			d.log.Warn("state-change log fell behind", "lost_events", ev.Lost)
		}
		// The record carries the engine's time of the change, not the
		// time the line was written.
		if h := d.events.Handler(); h.Enabled(context.Background(), lvl) {
			r := slog.NewRecord(ev.At, lvl, "session state changed", 0)
			r.AddAttrs(
				slog.String("peer", ev.Key.Peer.String()), slog.String("local", ev.Key.Local.String()),
				slog.String("interface", ev.Key.Interface), slog.String("type", ev.Key.Type.String()),
				slog.Any("discriminator", ev.LocalDiscr),
				slog.String("from", ev.Old.String()), slog.String("to", ev.New.String()),
				slog.String("diag", ev.LocalDiag.String()), slog.String("remote_diag", ev.RemoteDiag.String()),
				slog.String("remote_state", ev.RemoteState.String()),
				slog.String("detection_time", ev.DetectionTime.String()))
			h.Handle(context.Background(), r)
		}
		if len(s.C) == 0 {
			d.eventsOut.Flush() // the burst is over (or it was one line)
		}
	}
}

// schedSetup returns the thread setup for the configured scheduling class,
// or nil when none is configured. Failing to set it (no CAP_SYS_NICE, no
// LimitRTPRIO) is logged once and the daemon runs in the default class.
func (d *daemon) schedSetup() func() {
	pol := d.cfg.SchedPolicy()
	if !pol.Enabled() {
		return nil
	}
	var once sync.Once
	d.log.Info("shard threads get their own scheduling class", "class", pol.String())
	return func() {
		if err := pol.Apply(); err != nil {
			once.Do(func() {
				d.log.Warn("scheduling class not applied; running in the default class", "err", err)
			})
		}
	}
}
