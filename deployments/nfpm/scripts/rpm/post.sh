#!/bin/sh
# gobfd .rpm %post: 1 (install) | 2 (upgrade)
# The unit is enabled on first install but not started: the configuration
# needs editing first. Without a running systemd (a container or chroot)
# enabling only creates the symlinks. An upgrade restarts a running daemon
# (try-restart), which takes its sessions AdminDown before it exits.
set -e

if [ "$1" = 1 ] && command -v systemctl >/dev/null 2>&1; then
	systemctl --no-reload enable gobfd.service >/dev/null 2>&1 || true
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	if [ "$1" = 2 ]; then
		systemctl try-restart gobfd.service >/dev/null 2>&1 || true
	fi
fi
exit 0
