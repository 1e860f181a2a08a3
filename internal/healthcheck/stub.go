package healthcheck

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/dantte-lp/gobfd/internal/version"
)

// Stub is the minimal form of a helper binary whose real function comes
// later (gobfd-haproxy-agent, gobfd-exabgp-bridge): it parses -addr and
// -version, prints its usage, and checks that the daemon's API serves.
// Everything but -version goes to stderr (a helper's stdout may belong to
// another program, as ExaBGP's process API does).
type Stub struct {
	Name    string // the binary
	Usage   string // the text -h prints before the flags
	Pending string // what is not in this release, e.g. "the ExaBGP bridge"
}

// Run is the whole program; it returns the exit status: 0 when the daemon
// is serving, 1 when it is not (or not reachable), 2 on bad usage.
func (s Stub) Run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(s.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:50051", "the gobfd daemon's API address (grpc.addr)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), s.Usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (see -h)\n", s.Name, fs.Arg(0))
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, version.String(s.Name))
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := RequireServing(ctx, *addr); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", s.Name, err)
		return 1
	}
	fmt.Fprintf(stderr, "%s: gobfd at %s is serving; %s is not in this release yet\n", s.Name, *addr, s.Pending)
	return 0
}
