#!/bin/sh
# gobfd .deb postinst: configure [OLD] | abort-upgrade | abort-remove | abort-deconfigure
# The unit is enabled but not started: the configuration needs editing
# first. deb-systemd-helper records the enablement (also in a container or
# chroot without a running systemd) and keeps it across upgrades and a
# remove/reinstall. An upgrade restarts a running daemon (try-restart), which
# takes its sessions AdminDown before it exits.
set -e

case "$1" in
configure | abort-upgrade | abort-remove | abort-deconfigure) ;;
*) exit 0 ;;
esac

if command -v deb-systemd-helper >/dev/null 2>&1; then
	deb-systemd-helper unmask gobfd.service >/dev/null || true
	if deb-systemd-helper --quiet was-enabled gobfd.service; then
		deb-systemd-helper enable gobfd.service >/dev/null || true
	else
		deb-systemd-helper update-state gobfd.service >/dev/null || true
	fi
fi

if [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
	if [ "$1" = configure ] && [ -n "$2" ]; then
		deb-systemd-invoke try-restart gobfd.service >/dev/null || true
	fi
fi
exit 0
