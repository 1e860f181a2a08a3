package engine

import (
	"context"
	"errors"

	"github.com/dantte-lp/gobfd/internal/netio"
)

// Listener is a set of receive sockets read by the shards themselves: one
// socket per shard for each address and port (netio.OpenShards), which the
// shard polls in its own sleep.
type Listener struct {
	e     *Engine
	socks [][]*netio.RxSocket
	// Steering is nil when the kernel steers every packet to the socket
	// of its shard, else why it cannot (packets then reach some shard
	// and are forwarded: correct, but one hand-over more).
	Steering error
}

// Listen opens receive sockets for o and hands each shard its own. The
// engine must be running.
func (e *Engine) Listen(ctx context.Context, o netio.ReceiverOptions) (*Listener, error) {
	socks, steering, err := netio.OpenShards(ctx, o, len(e.shards))
	if err != nil {
		return nil, err
	}
	l := &Listener{e: e, socks: socks, Steering: steering}
	for i, sh := range e.shards {
		ss := socks[i]
		if err := e.do(sh, func(sh *shard) { sh.rx.attach(ss) }); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// Close takes the sockets from their shards and closes them.
func (l *Listener) Close() error {
	var errs []error
	for i, sh := range l.e.shards {
		ss := l.socks[i]
		if err := l.e.do(sh, func(sh *shard) { sh.rx.detach(ss) }); err != nil {
			// The engine has stopped: no shard polls them any more.
			for _, s := range ss {
				errs = append(errs, s.Close())
			}
		}
	}
	return errors.Join(errs...)
}
