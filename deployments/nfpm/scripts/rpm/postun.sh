#!/bin/sh
# gobfd .rpm %postun: 0 (erase) | 1 (upgrade)
# RPM has no purge: an erase keeps the gobfd user and group (files an
# operator kept may still belong to them) and saves a changed
# /etc/gobfd/gobfd.yml as gobfd.yml.rpmsave.
set -e

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
