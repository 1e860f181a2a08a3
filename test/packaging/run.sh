#!/usr/bin/env bash
# Packaging test (make test-packages; root, Debian): builds the .deb and
# .rpm, inspects both (dpkg-deb, rpm, lintian), installs the .deb on this
# machine, checks the user, files, modes and unit, verifies the unit
# offline (systemd-analyze verify), runs the installed daemon with the
# installed configuration as user gobfd with only CAP_NET_RAW and
# CAP_NET_ADMIN in a network namespace against a second gobfd in another,
# upgrades the package over an edited configuration, and purges it.
#
# Uses only 198.18.0.0/15, inside two namespaces it creates and deletes.
# Prints each step and its result; exits non-zero when a check failed.
# Needs: apt-get install -y rpm lintian (dpkg, systemd, iproute2,
# util-linux, curl are on every Debian machine it is meant for).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/local/go/bin:$PATH
export DEBIAN_FRONTEND=noninteractive
. test/packaging/lib.sh

CFG=/etc/gobfd/gobfd.yml
UNIT=/usr/lib/systemd/system/gobfd.service
GUIDE_BINS=(gobfd gobfdctl gobfd-haproxy-agent gobfd-exabgp-bridge)
SUF=$(($$ % 100000))
NSA=gpkga$SUF NSB=gpkgb$SUF
WORK=$(mktemp -d /tmp/gobfd-packaging.XXXXXX)
chmod 755 "$WORK"
PIDS=()
INSTALLED_HERE=0
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	ip netns del "$NSA" 2>/dev/null || true
	ip netns del "$NSB" 2>/dev/null || true
	if [ "$INSTALLED_HERE" = 1 ] && dpkg-query -W -f='${Status}' gobfd 2>/dev/null | grep -q installed; then
		echo "cleanup: purging the gobfd package this run installed"
		dpkg --purge gobfd >/dev/null 2>&1 || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# A binary the guide promises, or the reason it is not in the tree yet.
pending() { [ ! -d "cmd/$1" ]; }

step "preconditions"
must "running as root" test "$(id -u)" -eq 0
for tool in dpkg-deb dpkg rpm lintian systemd-analyze setpriv ip curl; do
	must "$tool is installed" command -v "$tool"
done
must "gobfd is not installed already (this test installs and purges it)" \
	bash -c '! dpkg-query -W -f="\${Status}" gobfd 2>/dev/null | grep -q "install ok"'
must "no gobfd user left from an earlier run" bash -c '! getent passwd gobfd'

step "make packages"
t=$SECONDS
must "make packages builds the .deb and .rpm" make packages
note "took $((SECONDS - t)) s"
DEB=$(ls dist/gobfd_*_amd64.deb)
RPM=$(ls dist/gobfd_*_amd64.rpm)
note "$DEB"
note "$RPM"

step "dpkg-deb -c / -I"
dpkg-deb -c "$DEB" >"$WORK/deb.txt"
sed 's/^/        /' "$WORK/deb.txt"
dpkg-deb -I "$DEB" | sed 's/^/        /'
deb_has() { grep -Eq -- "$1" "$WORK/deb.txt" || { echo "no entry matching: $1"; return 1; }; }
for b in "${GUIDE_BINS[@]}"; do
	if pending "$b"; then
		skip "/usr/local/bin/$b in the .deb" "cmd/$b is not in the tree yet"
	else
		check "/usr/local/bin/$b in the .deb, root:root 0755" deb_has "^-rwxr-xr-x root/root .* \./usr/local/bin/$b\$"
	fi
done
check "/etc/gobfd/ root:gobfd 0750" deb_has '^drwxr-x--- root/gobfd .* \./etc/gobfd/$'
check "/etc/gobfd/gobfd.yml root:gobfd 0640" deb_has '^-rw-r----- root/gobfd .* \./etc/gobfd/gobfd\.yml$'
check "$UNIT root:root 0644" deb_has "^-rw-r--r-- root/root .* \\.$UNIT\$"
check "copyright and lintian overrides" deb_has 'usr/share/doc/gobfd/copyright$'
check "gobfd.yml is a conffile (kept on upgrade)" bash -c "dpkg-deb -I '$DEB' conffiles | grep -qx /etc/gobfd/gobfd.yml"
check "control: Package gobfd, Architecture amd64, Depends passwd" bash -c \
	"f=\$(dpkg-deb -f '$DEB' Package Architecture Depends); grep -qx 'Package: gobfd' <<<\"\$f\" && grep -qx 'Architecture: amd64' <<<\"\$f\" && grep -qx 'Depends: passwd' <<<\"\$f\""
check "maintainer scripts: preinst postinst prerm postrm" bash -c \
	"for s in preinst postinst prerm postrm; do dpkg-deb -I '$DEB' \$s >/dev/null || exit 1; done"
check "the shipped configuration is configs/gobfd.example.yml" cmp configs/gobfd.example.yml <(dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./etc/gobfd/gobfd.yml)

step "rpm -qip / -qlp"
rpm -qip "$RPM" 2>/dev/null | sed 's/^/        /'
rpm -qlvp "$RPM" 2>/dev/null | sed 's/^/        /'
rpm -qp --qf '[%{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEMODES:perms} %{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM" \
	>"$WORK/rpm.txt" 2>/dev/null
rpm_has() { grep -Eq -- "$1" "$WORK/rpm.txt" || { echo "no entry matching: $1"; return 1; }; }
for b in "${GUIDE_BINS[@]}"; do
	if pending "$b"; then
		skip "/usr/local/bin/$b in the .rpm" "cmd/$b is not in the tree yet"
	else
		check "/usr/local/bin/$b in the .rpm, root:root 0755" rpm_has "^root:root -rwxr-xr-x +/usr/local/bin/$b\$"
	fi
done
check "/etc/gobfd/gobfd.yml root:gobfd 0640 %config(noreplace)" rpm_has '^root:gobfd -rw-r----- cn /etc/gobfd/gobfd\.yml$'
check "$UNIT root:root 0644" rpm_has "^root:root -rw-r--r-- +$UNIT\$"
check "scriptlets: pre post preun postun" bash -c \
	"s=\$(rpm -qp --scripts '$RPM' 2>/dev/null); for x in preinstall postinstall preuninstall postuninstall; do grep -q \"^\$x scriptlet\" <<<\"\$s\" || exit 1; done"
check "rpm Requires shadow-utils" bash -c "rpm -qp --requires '$RPM' 2>/dev/null | grep -qx shadow-utils"

step "lintian"
check "lintian: no error or warning (justified overrides: deployments/nfpm/lintian-overrides)" \
	lintian --fail-on error,warning --pedantic --display-info "$DEB"
# What the overrides hide (--show-overrides would count them as failures).
lintian --pedantic --display-info --show-overrides "$DEB" 2>/dev/null | grep -v '^N: ' | sed 's/^/        /' || true

step "dpkg -i"
INSTALLED_HERE=1
must "dpkg -i $DEB" dpkg -i "$DEB"

step "installed: user, files, modes, unit"
check "system user gobfd: uid < 1000, group gobfd, no login shell, no home" bash -c '
	IFS=: read -r _ _ uid gid _ home shell < <(getent passwd gobfd)
	[ "$uid" -lt 1000 ] && [ "$(getent group "$gid" | cut -d: -f1)" = gobfd ] &&
	[ "$shell" = /usr/sbin/nologin ] && [ "$home" = /nonexistent ] && [ ! -e /nonexistent ]'
check "system group gobfd (gid < 1000)" bash -c '[ "$(getent group gobfd | cut -d: -f3)" -lt 1000 ]'
for b in "${GUIDE_BINS[@]}"; do
	pending "$b" && continue
	check "/usr/local/bin/$b root:root 755" stat_is "/usr/local/bin/$b" "root:root 755"
	vflag=-version
	[ "$b" = gobfdctl ] && vflag=version # the guide's "gobfdctl version"
	check "$b $vflag names this build (commit $COMMIT)" bash -c "/usr/local/bin/$b $vflag 2>&1 | grep -q '$COMMIT'"
done
check "/etc/gobfd root:gobfd 750" stat_is /etc/gobfd "root:gobfd 750"
check "$CFG root:gobfd 640" stat_is "$CFG" "root:gobfd 640"
check "$UNIT root:root 644, the unit of deployments/systemd" bash -c "stat -c '%U:%G %a' $UNIT | grep -qx 'root:root 644' && cmp $UNIT deployments/systemd/gobfd.service"
check "the unit is enabled (multi-user.target.wants)" test -L /etc/systemd/system/multi-user.target.wants/gobfd.service
check "the unit is not started (no process of user gobfd)" bash -c '! pgrep -u gobfd'
check "user gobfd can read the configuration" setpriv --reuid=gobfd --regid=gobfd --init-groups head -c1 "$CFG"
check "other users cannot" bash -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups head -c1 $CFG"

step "systemd-analyze verify"
if [ -d /run/systemd/system ]; then
	note "systemd runs here (PID 1): verify also loads the running manager's units"
else
	note "systemd is not PID 1 here: verify works offline on the unit files"
fi
verify_clean() {
	local out
	out=$(systemd-analyze verify "$UNIT" 2>&1) || { echo "$out"; return 1; }
	# Messages about network-online.target would come from this machine's
	# units (the target's providers), not from gobfd.service; none are
	# expected, and any message at all counts as a failure.
	[ -z "$out" ] || { echo "$out"; return 1; }
}
check "systemd-analyze verify $UNIT: no messages" verify_clean

step "the installed daemon as user gobfd with CAP_NET_RAW+CAP_NET_ADMIN, against a second gobfd"
netns_pair "$NSA" "$NSB"
note "namespaces $NSA (198.18.0.1) and $NSB (198.18.0.2)"

# The installed configuration, edited in place as an operator would: the
# package's own file with its example sessions replaced by the test
# session (restored and compared afterwards). Everything else is the
# shipped file's: loopback API and metrics, JSON logs, the flight recorder.
cp -p "$CFG" "$WORK/gobfd.yml.orig"
{
	sed '/^sessions:/,$d' "$WORK/gobfd.yml.orig"
	session_yml 198.18.0.1 198.18.0.2 | sed -n '/^sessions:/,$p'
} >"$CFG"
session_yml 198.18.0.2 198.18.0.1 >"$WORK/b.yml"
check "the edited $CFG keeps root:gobfd 640" stat_is "$CFG" "root:gobfd 640"
check "the edited $CFG is the shipped file but for its sessions" bash -c \
	"diff <(sed '/^sessions:/,\$d' '$WORK/gobfd.yml.orig') <(sed '/^sessions:/,\$d' '$CFG')"
# What the unit's StateDirectory=gobfd provides under systemd.
install -d -o gobfd -g gobfd -m 0750 /var/lib/gobfd

ip netns exec "$NSA" setpriv "${UNIT_SETPRIV[@]}" /usr/local/bin/gobfd -config "$CFG" 2>"$WORK/a.log" &
PID_A=$!
PIDS+=("$PID_A")
ip netns exec "$NSB" bin/gobfd -config "$WORK/b.yml" 2>"$WORK/b.log" &
PID_B=$!
PIDS+=("$PID_B")

up_a=$(up_line 198.18.0.2)
up_b=$(up_line 198.18.0.1)
check "the installed daemon runs /usr/local/bin/gobfd" wait_until 5 bash -c "[ \"\$(readlink /proc/$PID_A/exe)\" = /usr/local/bin/gobfd ]"
check "the shipped configuration keeps a flight recorder running in /var/lib/gobfd/flightrec" \
	wait_until 5 has_line "$WORK/a.log" '"msg":"flight recorder running","dir":"/var/lib/gobfd/flightrec"'
check "session Up in the installed daemon's JSON log" wait_until 15 has_line "$WORK/a.log" "$up_a"
check "session Up in the peer's log" wait_until 15 has_line "$WORK/b.log" "$up_b"
grep -h '"session state changed"' "$WORK/a.log" | sed 's/^/        A: /'
status_is() { # field value
	local got
	got=$(awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$PID_A/status")
	[ "$got" = "$2" ] || { echo "$1: '$got', want '$2'"; return 1; }
}
uid=$(id -u gobfd) gid=$(id -g gobfd)
check "runs as user gobfd (uid $uid)" status_is Uid "$uid $uid $uid $uid"
check "and group gobfd only (gid $gid)" bash -c "awk '/^Gid:/ { exit !(\$2 == $gid && \$3 == $gid) }' /proc/$PID_A/status && [ \"\$(awk '/^Groups:/ { \$1 = \"\"; print }' /proc/$PID_A/status | xargs)\" = $gid ]"
# CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13: 0x3000.
for set in CapInh CapPrm CapEff CapBnd CapAmb; do
	check "$set = CAP_NET_RAW+CAP_NET_ADMIN only" status_is "$set" 0000000000003000
done
check "NoNewPrivs (as the unit's NoNewPrivileges=true)" status_is NoNewPrivs 1
check "metrics on 127.0.0.1:9100: gobfd_bfd_sessions Up = 1" bash -c \
	"ip netns exec $NSA curl -fsS --max-time 5 http://127.0.0.1:9100/metrics | grep -Eq '^gobfd_bfd_sessions\\{.*state=\"Up\".*\\} 1\$'"

# The API (grpc.addr 127.0.0.1:50051) comes with internal/server; the two
# minimal companions check it.
for b in gobfd-haproxy-agent gobfd-exabgp-bridge; do
	if [ -d internal/server ]; then
		check "$b finds the installed daemon SERVING" ip netns exec "$NSA" "/usr/local/bin/$b" -addr 127.0.0.1:50051
	else
		check "$b says clearly that no API answers (internal/server is not in the tree yet)" bash -c \
			"out=\$(ip netns exec $NSA /usr/local/bin/$b -addr 127.0.0.1:50051 2>&1); [ \$? -eq 1 ] && grep -q 'no gobfd daemon answers at 127.0.0.1:50051' <<<\"\$out\""
	fi
done
if pending gobfdctl; then
	skip "gobfdctl session list shows the session Up" "cmd/gobfdctl is not in the tree yet"
else
	check "gobfdctl session list shows the session Up" bash -c \
		"ip netns exec $NSA /usr/local/bin/gobfdctl session list | tee /dev/stderr | grep 198.18.0.2 | grep -qi up"
fi

# ExecReload=/bin/kill -HUP $MAINPID
kill -HUP "$PID_A"
check "SIGHUP (the unit's ExecReload) reloads the installed configuration" \
	wait_until 5 has_line "$WORK/a.log" '"msg":"reloaded"'

# Graceful stop: the peer sees AdminDown, not a timeout.
kill -TERM "$PID_A"
down_b='"msg":"session state changed".*"peer":"198\.18\.0\.1".*"to":"Down".*"diag":"NeighborSignaledSessionDown".*"remote_diag":"AdministrativelyDown"'
check "SIGTERM: the peer sees AdminDown (diag 3 / remote diag 7)" wait_until 5 has_line "$WORK/b.log" "$down_b"
rc=0
wait "$PID_A" || rc=$?
check "the installed daemon exits 0 after SIGTERM" test "$rc" -eq 0
kill -TERM "$PID_B" 2>/dev/null || true
wait "$PID_B" || true
PIDS=()
ip netns del "$NSA"
ip netns del "$NSB"

step "upgrade over the edited configuration"
cp "$CFG" "$WORK/edited.yml"
ver=$(dpkg-query -W -f='${Version}' gobfd)
next=${ver%-1}+upgradetest
check "build a newer .deb ($next)" bash -c "GOARCH=amd64 PKG_VERSION='$next' go tool -modfile=tools/go.mod nfpm pkg \
	--config deployments/nfpm/nfpm.yaml --packager deb --target '$WORK/'"
check "dpkg -i the newer package (no prompt)" bash -c "dpkg -i $WORK/gobfd_*upgradetest*.deb </dev/null"
check "the installed version is the newer one" bash -c "[ \"\$(dpkg-query -W -f='\${Version}' gobfd)\" = '$next-1' ]"
check "the edited $CFG is kept" cmp "$CFG" "$WORK/edited.yml"
check "no .dpkg-dist/.dpkg-new beside it" bash -c '! ls /etc/gobfd/*.dpkg-* 2>/dev/null'
check "$CFG still root:gobfd 640" stat_is "$CFG" "root:gobfd 640"
check "user gobfd unchanged (uid $uid)" test "$(id -u gobfd)" = "$uid"
check "the unit is still enabled" test -L /etc/systemd/system/multi-user.target.wants/gobfd.service

cp -p "$WORK/gobfd.yml.orig" "$CFG"
check "the configuration restored to the package's file" cmp "$CFG" configs/gobfd.example.yml

step "dpkg --purge"
check "dpkg --purge gobfd" dpkg --purge gobfd
check "the package is gone" bash -c '! dpkg-query -W -f="\${Status}" gobfd 2>/dev/null | grep -q installed'
check "binaries, unit, configuration gone" lacks /usr/local/bin/gobfd /usr/local/bin/gobfdctl \
	/usr/local/bin/gobfd-haproxy-agent /usr/local/bin/gobfd-exabgp-bridge "$UNIT" /etc/gobfd /var/lib/gobfd
check "no enablement or mask left" lacks /etc/systemd/system/multi-user.target.wants/gobfd.service \
	/etc/systemd/system/gobfd.service /var/lib/systemd/deb-systemd-helper-enabled/gobfd.service.dsh-also \
	/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/gobfd.service \
	/var/lib/systemd/deb-systemd-helper-masked/gobfd.service
check "user and group gobfd removed" bash -c '! getent passwd gobfd && ! getent group gobfd'
INSTALLED_HERE=0

summary
