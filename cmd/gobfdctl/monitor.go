package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

func newMonitorCmd(g *globals) *cobra.Command {
	var current bool
	var peer string
	c := &cobra.Command{
		Use:   "monitor",
		Short: "Print session state changes as they happen (until interrupted)",
		Long: `monitor prints every state change as gobfd's engine sees it, with the
engine's timestamp, old and new state and both diagnostics. --current
starts with every session's current state. With --format json each event
is one JSON object per line; with yaml one document each.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.dial()
			if err != nil {
				return err
			}
			defer c.close()
			st, err := c.WatchSessionEvents(cmd.Context(), connect.NewRequest(&bfdpb.WatchSessionEventsRequest{
				IncludeCurrent: current, Peer: peer}))
			if err != nil {
				return err
			}
			defer st.Close()
			color := g.colors()
			if g.format == "table" {
				fmt.Fprintf(g.out, "%-23s  %-15s  %-15s  %-9s  %-19s  %-27s  %-27s  %s\n",
					"TIME", "PEER", "LOCAL", "INTERFACE", "EVENT", "DIAG", "REMOTE DIAG", "DETECT")
			}
			for st.Receive() {
				if err := g.printEvent(g.out, st.Msg().Event, color); err != nil {
					return err
				}
			}
			if err := st.Err(); err != nil && !errors.Is(err, context.Canceled) && cmd.Context().Err() == nil {
				return err
			}
			return nil
		},
	}
	c.Flags().BoolVar(&current, "current", false, "start with every session's current state")
	c.Flags().StringVar(&peer, "peer", "", "only sessions with this peer address")
	c.RegisterFlagCompletionFunc("peer", g.completePeers)
	return c
}

// printEvent writes one event: a table line, a JSON line or a YAML
// document.
func (g *globals) printEvent(w io.Writer, ev *bfdpb.SessionEvent, color bool) error {
	if g.format != "table" {
		return emit(w, g.format, ev, true)
	}
	if ev.Lost > 0 {
		fmt.Fprintf(w, "(%d events lost: this monitor read too slowly)\n", ev.Lost)
	}
	var what string
	switch ev.Kind {
	case bfdpb.EventKind_EVENT_KIND_CURRENT_END:
		return nil
	case bfdpb.EventKind_EVENT_KIND_CURRENT:
		what = "now " + stateText(ev.NewState, color)
	default:
		what = stateName(ev.OldState) + " -> " + stateText(ev.NewState, color)
	}
	pad := 19 - len(stateName(ev.OldState)+" -> "+stateName(ev.NewState))
	if ev.Kind == bfdpb.EventKind_EVENT_KIND_CURRENT {
		pad = 19 - len("now "+stateName(ev.NewState))
	}
	k := ev.Key
	_, err := fmt.Fprintf(w, "%-23s  %-15s  %-15s  %-9s  %s%*s  %-27s  %-27s  %s\n",
		timeText(ev.Time), k.GetPeer(), orDash(k.GetLocal()), orDash(k.GetInterface()), what, max(pad, 0), "",
		diagName(ev.LocalDiag), diagName(ev.RemoteDiag), durText(ev.DetectionTime))
	return err
}
