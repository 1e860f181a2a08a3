// Package server is gobfd's API: the bfd.v1.BfdService of
// api/bfd/v1/bfd.proto (ConnectRPC handlers that speak gRPC, gRPC-Web and
// Connect from one http.Handler), the grpc.health.v1 health service and
// gRPC server reflection, served over HTTP/2 cleartext (h2c) or TLS on
// grpc.addr and, optionally, over HTTP/2 on a Unix socket.
//
// It reads sessions through the engine's query commands (copies made on
// the owning shard) and changes them through the engine's Add, Remove,
// Update and SetAdminDown; it never touches a session itself. Watchers
// get the engine's event fan-out, whose bounded queues drop events for a
// slow reader instead of ever blocking a shard.
//
// Requests are checked with the configuration file's own checks
// (internal/config, CheckSession and friends), so the API refuses what
// the file refuses, with InvalidArgument naming the field. Ownership: a
// session whose key the configuration file lists belongs to the file;
// every other session was added over the API and is run-time state (see
// docs/en/04-cli.md).
//
// cmd/gobfd creates the Server after the engine runs and its configured
// sessions exist (cmd/gobfd/api.go), feeds it each reloaded configuration
// and closes it before the engine shuts down. Each request runs on its
// own net/http goroutine; the Server's state is atomics.
package server
