// Command gobfd-exabgp-bridge will run as an ExaBGP process (ExaBGP's
// process API: commands on stdout, ExaBGP's messages on stdin): it
// announces a route while the BFD session it depends on is Up in the gobfd
// daemon and withdraws it when the session goes Down, so BGP follows BFD
// within the detection time.
//
// This release is the minimal form: it checks that the gobfd daemon's API
// answers (grpc.health.v1.Health on -addr) and says clearly when it does
// not. Because stdout belongs to ExaBGP, every message goes to stderr. The
// bridge itself comes in a later release.
package main

import (
	"os"

	"github.com/dantte-lp/gobfd/internal/healthcheck"
)

const usage = `usage: gobfd-exabgp-bridge [-addr HOST:PORT] [-version]

gobfd-exabgp-bridge will run under ExaBGP as a process speaking ExaBGP's
process API: it announces a route while its BFD session in gobfd is Up and
withdraws it when the session goes Down.

This release checks only that the gobfd daemon answers on -addr (its
grpc.addr in /etc/gobfd/gobfd.yml); the bridge comes in a later release.
Messages go to stderr (stdout is ExaBGP's command channel).

`

func main() {
	os.Exit(healthcheck.Stub{Name: "gobfd-exabgp-bridge", Usage: usage, Pending: "the ExaBGP bridge"}.Run(os.Args[1:], os.Stdout, os.Stderr))
}
