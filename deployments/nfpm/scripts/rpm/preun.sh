#!/bin/sh
# gobfd .rpm %preun: 0 (erase) | 1 (upgrade)
# On erase the daemon stops (its sessions go AdminDown) and the unit is
# disabled; an upgrade leaves both alone.
set -e

if [ "$1" = 0 ] && command -v systemctl >/dev/null 2>&1; then
	if [ -d /run/systemd/system ]; then
		systemctl stop gobfd.service >/dev/null 2>&1 || true
	fi
	systemctl --no-reload disable gobfd.service >/dev/null 2>&1 || true
fi
exit 0
