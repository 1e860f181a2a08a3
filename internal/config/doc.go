// Package config loads and validates /etc/gobfd/gobfd.yml: YAML with
// durations as strings ("100ms"), GOBFD_* environment overrides, defaults,
// and validation that names the key, the value and the reason. It also
// turns a configuration into the engine's session list and computes what a
// reload changes. It is used by cmd/gobfd at start and on SIGHUP.
package config
