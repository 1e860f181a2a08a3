#!/bin/sh
# gobfd .deb prerm: remove | upgrade NEW | deconfigure | failed-upgrade OLD
# On removal the daemon stops (its sessions go AdminDown); an upgrade
# leaves it running until postinst restarts it.
set -e

if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
	deb-systemd-invoke stop gobfd.service >/dev/null || true
fi
exit 0
