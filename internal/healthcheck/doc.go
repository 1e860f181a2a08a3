// Package healthcheck asks a gobfd daemon whether its API is serving: one
// grpc.health.v1.Health/Check call in the Connect protocol (unary, JSON)
// over cleartext HTTP, with the standard library only, so that small
// companion binaries need no gRPC stack.
//
// The companion binaries (cmd/gobfd-haproxy-agent, cmd/gobfd-exabgp-bridge)
// call Check once at start, on their main goroutine, and stop with a clear
// message when no daemon answers. Check starts no goroutine that outlives
// it.
package healthcheck
