package main

import (
	"context"
	"fmt"

	"github.com/dantte-lp/gobfd/internal/config"
	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/server"
)

// The API (internal/server) as the daemon runs it: started once the
// configured sessions exist, fed each reloaded configuration, closed
// before the sessions go AdminDown at shutdown.
//
// Ownership (docs/en/04-cli.md): a session whose key the configuration
// file lists belongs to the file; any other was added over the API and is
// run-time state. A reload applies the file to the file's sessions only,
// including those deleted over the API with force (restored) and those an
// API session held before the file listed them (taken over); API sessions
// are never touched.

// apiState is the daemon's side of the API.
type apiState struct {
	srv  *server.Server // nil: the API is off (no grpc.addr, no grpc.socket)
	grpc config.GRPC    // the grpc section the listeners were started with
}

// apiWatchQueue bounds a watcher's event queue: enough for every
// session's change in a burst at common sizes, 4.7 MB at most per watcher.
const apiWatchQueue = 1 << 15

// startAPI binds the API's listeners and serves it.
func (d *daemon) startAPI() error {
	g := d.cfg.GRPC
	if g.Addr == "" && g.Socket == "" {
		d.log.Info("api off: neither grpc.addr nor grpc.socket is set")
		return nil
	}
	srv := server.New(server.Options{Engine: d.eng, Config: d.cfg, Prepare: d.openDevice, Log: d.log,
		WatchQueue: min(eventQueue(len(d.cfg.Sessions)), apiWatchQueue)})
	if err := srv.Listen(g); err != nil {
		srv.Close()
		return err
	}
	d.api = apiState{srv: srv, grpc: g}
	for _, a := range srv.Addrs() {
		d.log.Info("api listening", "addr", a.String(), "network", a.Network(),
			"tls", g.TLS.Cert != "" && a.Network() == "tcp", "mutual_tls", g.TLS.ClientCA != "" && a.Network() == "tcp",
			"token", g.TokenFile != "")
	}
	return nil
}

// stopAPI closes the API: watch streams end, no call changes a session any
// more.
func (d *daemon) stopAPI() {
	if d.api.srv != nil {
		d.api.srv.Close()
	}
}

// reloadAPI gives the API a reloaded configuration: the defaults of new
// sessions, which sessions the file owns, the token and the TLS
// certificate (files re-read). Listeners and limits change at the next
// restart.
func (d *daemon) reloadAPI(cfg *config.Config) {
	if d.api.srv == nil {
		if cfg.GRPC.Addr != "" || cfg.GRPC.Socket != "" {
			d.log.Warn("reload: the api starts at the next restart")
		}
		return
	}
	d.api.srv.SetConfig(cfg)
	if err := d.api.srv.Reload(cfg.GRPC); err != nil {
		d.log.Error("reload: api token or certificate not reloaded, keeping the previous ones", "err", err)
	}
	was, now := d.api.grpc, cfg.GRPC
	was.TokenFile, now.TokenFile = "", "" // the token file is re-read at every reload
	if was != now {
		d.log.Warn("reload: grpc listener settings change at the next restart", "addr", cfg.GRPC.Addr, "socket", cfg.GRPC.Socket)
	}
}

// openDevice opens the receive sockets a session added over the API needs
// when it is bound to an interface or VRF (SO_BINDTODEVICE): listen does
// for it what it does for the file's sessions.
func (d *daemon) openDevice(k engine.Key) error {
	if k.Device() == "" {
		return nil
	}
	one := &config.Config{Sessions: []config.Session{{Peer: k.Peer.String(), Local: k.Local.String(),
		Interface: k.Interface, VRF: k.VRF, Type: k.Type.String()}}}
	if err := d.listen(context.Background(), one); err != nil {
		return fmt.Errorf("receive sockets on %s: %w", k.Device(), err)
	}
	return nil
}

// receiversInUse is the set of receive sockets that cfg's sessions and the
// running API sessions need (closeUnused keeps those).
func (d *daemon) receiversInUse(cfg *config.Config) map[rxKey]bool {
	want := receiversFor(cfg)
	for _, k := range d.eng.Keys() {
		if dev := k.Device(); dev != "" {
			want[rxKey{dev, k.VRF}] = true
		}
	}
	return want
}

// ownSessions adjusts a reload's change (computed between the old and the
// new file) to what is running, so that the file governs its own sessions
// and nothing else:
//   - a file session that is not running (deleted over the API with force)
//     is added again;
//   - a session the file adds whose key an API session already uses is
//     updated to the file's parameters instead (a Poll Sequence, no flap)
//     and belongs to the file from now on;
//   - a session the file drops or changes that is no longer running is
//     left alone (removed, or added again, as above).
//
// API sessions are not in either file, so no change names them.
func ownSessions(ch config.Change, cur []engine.SessionConfig, live map[engine.Key]bool) config.Change {
	var out config.Change
	for _, k := range ch.Remove {
		if live[k] {
			out.Remove = append(out.Remove, k)
		}
	}
	planned := make(map[engine.Key]bool, len(ch.Add)+len(ch.Update))
	for _, s := range ch.Add {
		planned[s.Key] = true
		if live[s.Key] {
			out.Update = append(out.Update, s) // taken over from the API
		} else {
			out.Add = append(out.Add, s)
		}
	}
	for _, s := range ch.Update {
		planned[s.Key] = true
		if live[s.Key] {
			out.Update = append(out.Update, s)
		} else {
			out.Add = append(out.Add, s)
		}
	}
	for _, s := range cur {
		if !planned[s.Key] && !live[s.Key] {
			out.Add = append(out.Add, s) // restored after a forced delete
		}
	}
	return out
}

// liveKeys is the set of sessions the engine runs.
func (d *daemon) liveKeys() map[engine.Key]bool {
	keys := d.eng.Keys()
	m := make(map[engine.Key]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}
