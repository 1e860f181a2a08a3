package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
)

// globals are the flags every command shares.
type globals struct {
	addr      string // host:port or unix:///path
	format    string // table, json, yaml
	timeout   time.Duration
	tls       bool
	tlsCA     string
	tlsCert   string
	tlsKey    string
	tlsServer string
	tokenFile string
	color     string // auto, always, never

	out, errOut io.Writer
}

// defaultGlobals takes the defaults from GOBFDCTL_* variables where set.
func defaultGlobals() *globals {
	g := &globals{addr: "127.0.0.1:50051", format: "table", timeout: 10 * time.Second, color: "auto",
		out: os.Stdout, errOut: os.Stderr}
	if v := os.Getenv("GOBFDCTL_ADDR"); v != "" {
		g.addr = v
	}
	if v := os.Getenv("GOBFDCTL_TOKEN_FILE"); v != "" {
		g.tokenFile = v
	}
	return g
}

// newRoot builds the command tree over g (a new tree per command line:
// cobra keeps flag values in the tree).
func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "gobfdctl",
		Short: "Control the gobfd BFD daemon",
		Long: `gobfdctl talks to gobfd's API (gRPC/Connect on grpc.addr, by default
127.0.0.1:50051, or the Unix socket grpc.socket) to list, inspect, add,
change and remove BFD sessions and to watch their state changes.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			switch g.format {
			case "table", "json", "yaml":
			default:
				return usageErr("--format %q: want table, json or yaml", g.format)
			}
			switch g.color {
			case "auto", "always", "never":
			default:
				return usageErr("--color %q: want auto, always or never", g.color)
			}
			return nil
		},
	}
	root.SetOut(g.out)
	root.SetErr(g.errOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
	f := root.PersistentFlags()
	f.StringVar(&g.addr, "addr", g.addr, "gobfd's API: host:port or unix:///path/to/socket (env GOBFDCTL_ADDR)")
	f.StringVarP(&g.format, "format", "o", g.format, "output: table, json or yaml")
	f.DurationVar(&g.timeout, "timeout", g.timeout, "deadline of each call (not of monitor)")
	f.BoolVar(&g.tls, "tls", g.tls, "connect with TLS (implied by the other --tls-* flags)")
	f.StringVar(&g.tlsCA, "tls-ca", g.tlsCA, "CA certificate that signed gobfd's certificate (PEM)")
	f.StringVar(&g.tlsCert, "tls-cert", g.tlsCert, "client certificate for mutual TLS (PEM)")
	f.StringVar(&g.tlsKey, "tls-key", g.tlsKey, "client key for mutual TLS (PEM)")
	f.StringVar(&g.tlsServer, "tls-server-name", g.tlsServer, "name to verify gobfd's certificate against (default: the host of --addr)")
	f.StringVar(&g.tokenFile, "token-file", g.tokenFile, "bearer token for calls that change sessions (env GOBFDCTL_TOKEN_FILE)")
	f.StringVar(&g.color, "color", g.color, "state colours in tables: auto (when stdout is a terminal), always, never")
	root.RegisterFlagCompletionFunc("format", fixed("table", "json", "yaml"))
	root.RegisterFlagCompletionFunc("color", fixed("auto", "always", "never"))

	root.AddCommand(newSessionCmd(g), newMonitorCmd(g), newVersionCmd(g), newShellCmd(g))
	return root
}

// usageError is a bad command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErr(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// fixed completes a flag from a fixed list.
func fixed(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}
