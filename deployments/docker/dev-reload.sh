#!/usr/bin/env bash
# Hot reload for the development stack (compose.dev.yml, service gobfd):
# builds gobfd from the mounted tree and runs it; when a Go file changes it
# rebuilds and restarts the daemon (SIGTERM: its sessions go AdminDown
# first), and when the configuration changes it sends SIGHUP (the daemon
# reloads it). Polls every 2 s: no inotify tool needed.
set -euo pipefail
cd "${GOBFD_SRC:-/src}"
cfg=${GOBFD_DEV_CONFIG:-deployments/docker/gobfd.yml}
bin=${GOBFD_DEV_BIN:-/tmp/gobfd-dev}
stamp=$(mktemp)
pid=

build() { go build -o "$bin" ./cmd/gobfd; }
start() {
	"$bin" -config "$cfg" &
	pid=$!
	echo "dev-reload: gobfd running (pid $pid, $cfg)"
}
stop() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=
	fi
}
trap 'stop; rm -f "$stamp"; exit 0' TERM INT

touch "$stamp"
build && start
while sleep 2; do
	if [ -n "$(find cmd internal pkg go.mod go.sum -newer "$stamp" \( -name '*.go' -o -name 'go.*' \) 2>/dev/null | head -1)" ]; then
		touch "$stamp"
		echo "dev-reload: Go sources changed: rebuilding"
		if build; then
			stop
			start
		else
			echo "dev-reload: build failed; gobfd keeps running the previous build"
		fi
	elif [ "$cfg" -nt "$stamp" ]; then
		touch "$stamp"
		echo "dev-reload: $cfg changed: SIGHUP"
		[ -n "$pid" ] && kill -HUP "$pid"
	elif [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid" || true
		pid=
		echo "dev-reload: gobfd exited; it restarts at the next change"
	fi
done
