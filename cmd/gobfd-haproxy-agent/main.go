// Command gobfd-haproxy-agent will answer HAProxy agent checks from BFD
// session state: HAProxy asks the agent about a backend server, and the
// agent answers "up" or "down" (and a weight) from the state of the BFD
// session to that server in the gobfd daemon, so traffic leaves a server
// within the BFD detection time.
//
// This release is the minimal form: it checks that the gobfd daemon's API
// answers (grpc.health.v1.Health on -addr) and says clearly when it does
// not. The agent-check server itself comes in a later release.
package main

import (
	"os"

	"github.com/dantte-lp/gobfd/internal/healthcheck"
)

const usage = `usage: gobfd-haproxy-agent [-addr HOST:PORT] [-version]

gobfd-haproxy-agent will serve HAProxy agent checks (the "agent-check"
server option) from BFD session state: a backend server whose BFD session
in gobfd is Down is reported "down", and "up" again when the session is Up.

This release checks only that the gobfd daemon answers on -addr (its
grpc.addr in /etc/gobfd/gobfd.yml); the agent-check server comes in a later
release.

`

func main() {
	os.Exit(healthcheck.Stub{Name: "gobfd-haproxy-agent", Usage: usage, Pending: "the agent-check server"}.Run(os.Args[1:], os.Stdout, os.Stderr))
}
