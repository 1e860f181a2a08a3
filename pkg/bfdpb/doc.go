// Package bfdpb is the generated protobuf code of gobfd's API
// (api/bfd/v1/bfd.proto, package bfd.v1); bfdpbconnect holds the
// ConnectRPC client and handler. Regenerate with `make proto`, never edit
// the generated files: generate_test.go fails when they differ from a fresh
// generation. The server is internal/server; the client is cmd/gobfdctl.
package bfdpb
