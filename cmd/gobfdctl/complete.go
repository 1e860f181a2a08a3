package main

import (
	"context"
	"slices"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

// completePeers completes a peer address from the daemon's sessions (for
// --peer); nothing when the daemon does not answer within a second.
func (g *globals) completePeers(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	c, err := g.dial()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r, err := c.ListSessions(ctx, connect.NewRequest(&bfdpb.ListSessionsRequest{}))
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	seen := map[string]bool{}
	for _, s := range r.Msg.Sessions {
		if seen[s.Peer] {
			continue
		}
		seen[s.Peer] = true
		// "value\tdescription": shells show the description beside it.
		out = append(out, s.Peer+"\t"+stateName(s.State)+" from "+orDash(s.Local)+" "+typeName(s.Type))
	}
	slices.Sort(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completePeerArg completes the PEER argument of the commands that select
// a session.
func (g *globals) completePeerArg(cmd *cobra.Command, args []string, word string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return g.completePeers(cmd, args, word)
}
