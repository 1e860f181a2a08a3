#!/bin/sh
# gobfd: before the package's files are unpacked.
#   deb preinst: install | upgrade OLD | abort-upgrade NEW
#   rpm %pre:    1 (install) | 2 (upgrade)
# Creates the gobfd system group and user (no home, no login shell) first,
# so that /etc/gobfd and /etc/gobfd/gobfd.yml unpack with group gobfd.
set -e

if ! getent group gobfd >/dev/null; then
	groupadd --system gobfd
fi
if ! getent passwd gobfd >/dev/null; then
	useradd --system --gid gobfd --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin --comment "gobfd BFD daemon" gobfd
fi
exit 0
