// Package bfdpbconnect is the generated ConnectRPC code of gobfd's API
// (api/bfd/v1/bfd.proto): a client that speaks Connect, gRPC or gRPC-Web,
// and the handler internal/server implements. Regenerate with `make proto`.
package bfdpbconnect
