package main

import (
	"context"
	"fmt"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	"github.com/dantte-lp/gobfd/internal/version"
	"github.com/dantte-lp/gobfd/pkg/bfdpb"
)

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the versions of gobfdctl and of the daemon",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			client := version.Get()
			var daemon *bfdpb.GetVersionResponse
			err := g.call(cmd, func(ctx context.Context, c *conn) error {
				r, err := c.GetVersion(ctx, connect.NewRequest(&bfdpb.GetVersionRequest{}))
				if err == nil {
					daemon = r.Msg
				}
				return err
			})
			if g.format != "table" {
				out := map[string]any{"client": map[string]any{"version": client.Version, "git_commit": client.GitCommit,
					"build_date": client.BuildDate, "go_version": client.GoVersion, "platform": client.Platform}}
				if daemon != nil {
					t, terr := tree(daemon)
					if terr != nil {
						return terr
					}
					out["daemon"] = t
				}
				if eerr := emit(g.out, g.format, out, false); eerr != nil {
					return eerr
				}
				return err
			}
			fmt.Fprintln(g.out, version.String("gobfdctl"))
			if daemon != nil {
				fmt.Fprintf(g.out, "gobfd %s (commit %s, built %s, %s %s) at %s\n", daemon.Version, daemon.GitCommit,
					daemon.BuildDate, daemon.GoVersion, daemon.Platform, g.addr)
			}
			return err
		},
	}
}
