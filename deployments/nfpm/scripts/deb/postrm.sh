#!/bin/sh
# gobfd .deb postrm: remove | purge | upgrade NEW | failed-upgrade OLD | abort-install | abort-upgrade | disappear
# remove masks the unit (deb-systemd-helper remembers whether it was
# enabled, for a reinstall); purge forgets that and removes the state
# directory and the gobfd user and group. dpkg itself removes
# /etc/gobfd/gobfd.yml on purge.
set -e

case "$1" in
remove)
	if command -v deb-systemd-helper >/dev/null 2>&1; then
		deb-systemd-helper mask gobfd.service >/dev/null || true
	fi
	;;
purge)
	if command -v deb-systemd-helper >/dev/null 2>&1; then
		deb-systemd-helper purge gobfd.service >/dev/null || true
		deb-systemd-helper unmask gobfd.service >/dev/null || true
	fi
	rm -rf /var/lib/gobfd
	if getent passwd gobfd >/dev/null; then
		userdel gobfd || true
	fi
	if getent group gobfd >/dev/null; then
		groupdel gobfd || true
	fi
	;;
esac

if [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
exit 0
