// Command gobfdctl is the command-line client of gobfd's API
// (api/bfd/v1/bfd.proto, served by internal/server): one-shot commands for
// sessions, a live event monitor, an interactive shell, and bash, zsh and
// fish completion. docs/en/04-cli.md shows every command.
//
// Files: root.go holds the command tree and the global flags; client.go
// the connection to gobfd (TCP with or without TLS, or a Unix socket; the
// bearer token) and the one-line messages errors become; session.go the
// session commands; monitor.go the live event stream; output.go the
// table, JSON and YAML output; shell.go the interactive shell;
// complete.go the completions (commands, flags, session peers) that the
// shell shares with bash, zsh and fish.
package main
