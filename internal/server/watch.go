package server

import (
	"context"
	"net/netip"
	"time"

	"connectrpc.com/connect"

	"github.com/dantte-lp/gobfd/internal/engine"
	"github.com/dantte-lp/gobfd/internal/packet"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

// WatchSessionEvents streams state changes. The subscription is taken
// before the current states are read, so no change falls between the
// two; a change the snapshot already shows is not sent again. The
// engine's fan-out never waits for a watcher: while this stream is blocked
// (the client reads slowly, HTTP/2 flow control holds the write) its queue
// fills and further events are lost and counted, and the next event sent
// carries the count.
func (s *Server) WatchSessionEvents(ctx context.Context, req *connect.Request[bfdpb.WatchSessionEventsRequest], stream *connect.ServerStream[bfdpb.WatchSessionEventsResponse]) error {
	var peer netip.Addr
	if p := req.Msg.Peer; p != "" {
		var err error
		if peer, err = netip.ParseAddr(p); err != nil {
			return invalid([]error{fieldError("peer", p, "is not an IP address")})
		}
	}
	if int(s.watchers.Add(1)) > s.opts.MaxWatchers {
		s.watchers.Add(-1)
		return connect.NewError(connect.CodeResourceExhausted, errorf("too many watchers (at most %d)", s.opts.MaxWatchers))
	}
	defer s.watchers.Add(-1)
	sub := s.eng.Subscribe(s.opts.WatchQueue)
	defer sub.Close()

	send := func(ev *bfdpb.SessionEvent) error {
		return stream.Send(&bfdpb.WatchSessionEventsResponse{Event: ev})
	}
	var shown map[engine.Key]time.Time
	if req.Msg.IncludeCurrent {
		ds := s.eng.Select(func(k engine.Key, _ packet.State) bool { return !peer.IsValid() || k.Peer == peer })
		sortDetails(ds)
		shown = make(map[engine.Key]time.Time, len(ds))
		for i := range ds {
			shown[ds[i].Key] = ds[i].LastChange
			if err := send(currentPB(&ds[i])); err != nil {
				return err
			}
		}
		if err := send(&bfdpb.SessionEvent{Kind: bfdpb.EventKind_EVENT_KIND_CURRENT_END}); err != nil {
			return err
		}
	}
	var lost uint64
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.done:
			return connect.NewError(connect.CodeUnavailable, errorf("gobfd is shutting down"))
		case ev, ok := <-sub.C:
			if !ok {
				return connect.NewError(connect.CodeUnavailable, errorf("gobfd is shutting down"))
			}
			lost += ev.Lost
			if peer.IsValid() && ev.Key.Peer != peer {
				continue
			}
			if t, ok := shown[ev.Key]; ok && !ev.At.After(t) {
				continue // the snapshot already showed it
			}
			if err := send(eventPB(&ev, lost)); err != nil {
				return err
			}
			lost = 0
		}
	}
}
