#!/usr/bin/env bash
# The deployment guide's commands (docs/en/06-deployment.md), each run as
# written against this repository where a Debian machine without a
# container engine can run it, with its result: PASS, FAIL, or SKIP with
# the reason it does not apply here (and where it is checked instead).
#
# Root; installs the .deb and purges it at the end. Daemons run only in
# network namespaces it creates and deletes (198.18.0.0/15). `sudo` is
# dropped where it is not installed (the script runs as root). Needs what
# run.sh needs.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/local/go/bin:$PATH
export DEBIAN_FRONTEND=noninteractive
. test/packaging/lib.sh

GUIDE_BINS=(gobfd gobfdctl gobfd-haproxy-agent gobfd-exabgp-bridge)
SUF=$(($$ % 100000))
NSA=gguia$SUF NSB=gguib$SUF
WORK=$(mktemp -d /tmp/gobfd-guide.XXXXXX)
chmod 755 "$WORK"
PIDS=()
INSTALLED_HERE=0
COPIED_HERE=()
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
SYSTEMD=0
[ -d /run/systemd/system ] && SYSTEMD=1

cleanup() {
	local pid f
	for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	ip netns del "$NSA" 2>/dev/null || true
	ip netns del "$NSB" 2>/dev/null || true
	for f in "${COPIED_HERE[@]}"; do rm -f "$f"; done
	if [ "$INSTALLED_HERE" = 1 ] && dpkg-query -W -f='${Status}' gobfd 2>/dev/null | grep -q installed; then
		[ "$SYSTEMD" = 1 ] && systemctl stop gobfd >/dev/null 2>&1 || true
		dpkg --purge gobfd >/dev/null 2>&1 || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# as_written CMD: the guide's command line, run by bash (sudo dropped when
# it is not installed: this runs as root).
as_written() {
	local cmd=$1
	command -v sudo >/dev/null 2>&1 || cmd=${cmd//sudo /}
	bash -c "$cmd"
}

# guide CMD: prints the guide's command and checks it.
guide() {
	printf '  $ %s\n' "$1"
	check "$1" as_written "$1"
}

# na CMD REASON: a command of the guide that does not apply here.
na() {
	printf '  $ %s\n' "$1"
	skip "$1" "$2"
}

pending() { [ ! -d "cmd/$1" ]; }

step "preconditions"
must "running as root" test "$(id -u)" -eq 0
must "gobfd is not installed already (this script installs and purges it)" \
	bash -c '! dpkg-query -W -f="\${Status}" gobfd 2>/dev/null | grep -q "install ok"'
command -v sudo >/dev/null 2>&1 || note "sudo is not installed: the guide's sudo commands run as root without it"
if [ "$SYSTEMD" = 1 ]; then
	note "systemd is PID 1: the systemctl and journalctl commands run for real"
else
	note "systemd is not PID 1 here: systemctl/journalctl cannot reach a manager; their effect is checked directly"
fi

step "Requirements"
check "Linux kernel" test "$(uname -s)" = Linux
check "Go 1.26+ (building from source)" bash -c 'v=$(go env GOVERSION); v=${v#go}; [ "$(printf "%s\n" 1.26 "$v" | sort -V | head -1)" = 1.26 ]'
check "CAP_NET_RAW and CAP_NET_ADMIN: the unit's set (checked on the running daemon below)" \
	grep -qx 'CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN' deployments/systemd/gobfd.service

step "Building from source"
na "git clone https://github.qkg1.top/dantte-lp/gobfd.git" "no Git host is reachable here; this checkout stands for the clone (CI's is a fresh one)"
na "cd gobfd" "the commands run in this checkout"
guide "make build"
for b in "${GUIDE_BINS[@]}"; do
	if pending "$b"; then
		skip "bin/$b" "cmd/$b is not in the tree yet"
		continue
	fi
	check "bin/$b is static (CGO_ENABLED=0)" bash -c "file bin/$b | grep -q 'statically linked'"
	vflag=-version
	[ "$b" = gobfdctl ] && vflag=version
	check "bin/$b $vflag names commit $COMMIT" bash -c "bin/$b $vflag 2>&1 | grep -q '$COMMIT'"
done

# The guide's manual build, verbatim (its URL is a mirror's rewrite of
# github.com; see docs/en/06-deployment.md).
MANUAL='VERSION=$(git describe --tags --always --dirty)
GIT_COMMIT=$(git rev-parse --short HEAD)
BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS="-s -w \
-X github.qkg1.top/dantte-lp/gobfd/internal/version.Version=${VERSION} \
-X github.qkg1.top/dantte-lp/gobfd/internal/version.GitCommit=${GIT_COMMIT} \
-X github.qkg1.top/dantte-lp/gobfd/internal/version.BuildDate=${BUILD_DATE}"
go build -ldflags="${LDFLAGS}" -o bin/gobfd ./cmd/gobfd
go build -ldflags="${LDFLAGS}" -o bin/gobfdctl ./cmd/gobfdctl
go build -ldflags="${LDFLAGS}" -o bin/gobfd-haproxy-agent ./cmd/gobfd-haproxy-agent
go build -ldflags="${LDFLAGS}" -o bin/gobfd-exabgp-bridge ./cmd/gobfd-exabgp-bridge'
sed 's/^/  $ /' <<<"$MANUAL"
if pending gobfdctl; then
	skip "the guide's manual go build lines" "cmd/gobfdctl is not in the tree yet"
else
	check "the guide's manual go build lines build the four binaries" bash -c "$MANUAL"
	check "with the guide's -X names (github.qkg1.top/...) the version stays dev: the module is github.com/dantte-lp/gobfd" \
		bash -c "bin/gobfd -version | grep -q '^gobfd dev (commit unknown'"
	FIXED=${MANUAL//github.qkg1.top/github.com}
	check "the same lines with the module path github.com/dantte-lp/gobfd set the version (commit $COMMIT)" \
		bash -c "$FIXED && bin/gobfd -version | grep -q '(commit $COMMIT,'"
	# Plain go build links dynamically where cgo is on (a C compiler is
	# there) and statically where it is not; make build always sets
	# CGO_ENABLED=0.
	if [ "$(go env CGO_ENABLED)" = 1 ]; then
		check "the manual build is dynamically linked here (cgo is on); make build sets CGO_ENABLED=0" \
			bash -c "file bin/gobfd | grep -q 'dynamically linked'"
	else
		check "the manual build is static here (no C compiler: cgo is off)" \
			bash -c "file bin/gobfd | grep -q 'statically linked'"
	fi
	guide "make build" # static binaries again for what follows
fi

INSTALL="sudo install -m 755 bin/gobfd bin/gobfdctl bin/gobfd-haproxy-agent bin/gobfd-exabgp-bridge /usr/local/bin/"
if pending gobfdctl; then
	na "$INSTALL" "cmd/gobfdctl is not in the tree yet"
elif ls /usr/local/bin/gobfd* >/dev/null 2>&1; then
	na "$INSTALL" "/usr/local/bin already has gobfd binaries; not overwriting them"
else
	COPIED_HERE=(/usr/local/bin/gobfd /usr/local/bin/gobfdctl /usr/local/bin/gobfd-haproxy-agent /usr/local/bin/gobfd-exabgp-bridge)
	guide "$INSTALL"
	check "installed with mode 755" bash -c 'for f in /usr/local/bin/gobfd /usr/local/bin/gobfdctl /usr/local/bin/gobfd-haproxy-agent /usr/local/bin/gobfd-exabgp-bridge; do [ "$(stat -c %a "$f")" = 755 ] || exit 1; done'
	check "/usr/local/bin/gobfd -version" bash -c "/usr/local/bin/gobfd -version | grep -q '$COMMIT'"
	rm -f "${COPIED_HERE[@]}"
	COPIED_HERE=()
	note "(removed again: the package installs the same files next)"
fi

step "Installation Methods: packages"
check "make packages (the .deb and .rpm the guide installs)" make packages
guide "cd dist && sudo dpkg -i gobfd_*.deb"
INSTALLED_HERE=1
# A Debian machine: rpm would install past dpkg, so the guide's command
# runs into a scratch root (its own RPM database; the scriptlets need an
# RPM system and are read by run.sh instead).
check "sudo rpm -i gobfd_*.rpm (cd dist; into a scratch --root, --nodeps --noscripts: this is Debian)" bash -c \
	'cd dist && r=$(mktemp -d) && rpm --root "$r" --initdb && rpm --root "$r" -i --nodeps --noscripts gobfd_*.rpm &&
	for b in gobfd gobfdctl gobfd-haproxy-agent gobfd-exabgp-bridge; do [ -x "$r/usr/local/bin/$b" ] || exit 1; done &&
	[ -f "$r/etc/gobfd/gobfd.yml" ] && [ -f "$r/usr/lib/systemd/system/gobfd.service" ]; s=$?; rm -rf "$r"; exit $s'
na "sudo vim /etc/gobfd/gobfd.yml" "an interactive editor; the file is written below instead"
check "Packages include the four binaries in /usr/local/bin" bash -c \
	'for b in gobfd gobfd-haproxy-agent gobfd-exabgp-bridge '"$(pending gobfdctl || echo gobfdctl)"'; do [ -x /usr/local/bin/$b ] || exit 1; done'
check "/etc/gobfd/gobfd.yml example configuration" cmp /etc/gobfd/gobfd.yml configs/gobfd.example.yml
check "/usr/lib/systemd/system/gobfd.service systemd unit" cmp /usr/lib/systemd/system/gobfd.service deployments/systemd/gobfd.service
check "gobfd system user and group" bash -c 'getent passwd gobfd && getent group gobfd'

# The configuration of this run: one session to a peer in a namespace
# (where systemd runs the daemon, in this machine's own network: no
# session there, so it sends nothing).
cp -p /etc/gobfd/gobfd.yml "$WORK/gobfd.yml.orig"
if [ "$SYSTEMD" = 1 ]; then
	printf 'log: {format: json}\nsessions: []\n' >/etc/gobfd/gobfd.yml
else
	session_yml 198.18.0.1 198.18.0.2 >/etc/gobfd/gobfd.yml
fi

step "systemd Service"
if [ "$SYSTEMD" = 1 ]; then
	guide "sudo systemctl enable --now gobfd"
	guide "sudo systemctl status gobfd"
	guide "sudo systemctl reload gobfd"
	check "the reload is in the journal" bash -c 'sleep 1; journalctl -u gobfd --no-pager | grep -q "\"msg\":\"reloaded\""'
	printf '  $ sudo journalctl -u gobfd -f\n'
	check "sudo journalctl -u gobfd -f (3 s of it)" bash -c 'out=$(timeout 3 journalctl -u gobfd -f --no-pager); [ -n "$out" ]'
	guide "sudo systemctl stop gobfd"
	guide "sudo systemctl start gobfd"
	check "the daemon runs as gobfd with CAP_NET_RAW+CAP_NET_ADMIN only" bash -c \
		'pid=$(systemctl show -p MainPID --value gobfd); grep -q "^CapEff:[[:space:]]*0000000000003000$" /proc/$pid/status && [ "$(stat -c %U /proc/$pid)" = gobfd ]'
	if pending gobfdctl; then
		skip "gobfdctl session list" "cmd/gobfdctl is not in the tree yet"
	else
		guide "gobfdctl session list"
	fi
	guide "sudo systemctl stop gobfd"
else
	printf '  $ sudo systemctl enable --now gobfd\n'
	out=$(as_written "sudo systemctl enable --now gobfd" 2>&1) || true
	note "${out//$'\n'/ | }"
	skip "sudo systemctl enable --now gobfd" "systemd is not PID 1: the unit is enabled (the package did it), nothing can start it"
	check "the unit is enabled (multi-user.target.wants/gobfd.service)" test -L /etc/systemd/system/multi-user.target.wants/gobfd.service
	for c in "sudo systemctl status gobfd" "sudo systemctl start gobfd" "sudo systemctl stop gobfd" \
		"sudo systemctl reload gobfd" "sudo journalctl -u gobfd -f"; do
		na "$c" "systemd is not PID 1; the unit's ExecStart, ExecReload (SIGHUP) and stop (SIGTERM) run directly below"
	done

	# The unit's ExecStart as the unit runs it, in namespace A; a second
	# gobfd in B is the peer.
	netns_pair "$NSA" "$NSB"
	session_yml 198.18.0.2 198.18.0.1 >"$WORK/b.yml"
	printf '  (ExecStart in %s) setpriv %s /usr/local/bin/gobfd -config /etc/gobfd/gobfd.yml\n' "$NSA" "${UNIT_SETPRIV[*]}"
	ip netns exec "$NSA" env GOMEMLIMIT=256MiB GOGC=off setpriv "${UNIT_SETPRIV[@]}" \
		/usr/local/bin/gobfd -config /etc/gobfd/gobfd.yml 2>"$WORK/a.log" &
	PID_A=$!
	PIDS+=("$PID_A")
	ip netns exec "$NSB" bin/gobfd -config "$WORK/b.yml" 2>"$WORK/b.log" &
	PID_B=$!
	PIDS+=("$PID_B")
	check "the session comes Up" wait_until 15 has_line "$WORK/a.log" "$(up_line 198.18.0.2)"

	if pending gobfdctl; then
		skip "gobfdctl session list" "cmd/gobfdctl is not in the tree yet"
	else
		printf '  $ gobfdctl session list    (in %s)\n' "$NSA"
		check "gobfdctl session list shows the session to 198.18.0.2 Up" bash -c \
			"out=\$(ip netns exec $NSA gobfdctl session list 2>&1); echo \"\$out\"; grep 198.18.0.2 <<<\"\$out\" | grep -qi up"
		ip netns exec "$NSA" gobfdctl session list 2>&1 | sed 's/^/        /' || true
	fi

	step "Production Checklist"
	M=$WORK/metrics.txt
	ip netns exec "$NSA" curl -fsS --max-time 5 -o "$M" http://127.0.0.1:9100/metrics || true
	# A scrape runs with the collector on (cmd/gobfd/memory.go), so
	# go_gc_gogc_percent reads 100 then; GOGC=off is in the environment.
	check "Set GOMEMLIMIT and GOGC=off (Environment=): the runtime's limit is 256MiB, GOGC=off set" bash -c \
		"grep -Eq '^go_gc_gomemlimit_bytes 2\.68435456e\+08\$' $M && tr '\\0' '\\n' </proc/$PID_A/environ | grep -qx GOGC=off"
	check "Monitor process_resident_memory_bytes relative to GOMEMLIMIT" grep -q '^process_resident_memory_bytes ' "$M"
	check "Configure gobfd.yml with appropriate session parameters (validated at start)" has_line "$WORK/a.log" '"msg":"ready","sessions":1'
	check "Set log.format: json for structured logging" bash -c "head -1 '$WORK/a.log' | jq -e .msg"
	skip "Enable GoBGP integration if using BFD for BGP failover" "not in this release (planned: internal/gobgp)"
	skip "Enable flap dampening to prevent route churn" "not in this release (planned with the GoBGP actuator)"
	check "Set up Prometheus scraping of :9100/metrics" grep -q '^gobfd_bfd_sessions' "$M"
	if command -v promtool >/dev/null 2>&1; then
		check "  the compose stack's Prometheus configuration: promtool check config" \
			promtool check config deployments/compose/configs/prometheus/prometheus.yml
	fi
	check "Import Grafana dashboard from deployments/compose/configs/grafana/dashboards/bfd.json" \
		jq -e .panels deployments/compose/configs/grafana/dashboards/bfd.json
	check 'Configure alerting on gobfd_bfd_state_transitions_total{from_state="Up",to_state="Down"}' \
		grep -q '^gobfd_bfd_state_transitions_total{from_state="Up",to_state="Down"}' "$M"
	check "Verify CAP_NET_RAW is available: the daemon runs with CAP_NET_RAW+CAP_NET_ADMIN only, as gobfd" bash -c \
		"grep -q '^CapEff:[[:space:]]*0000000000003000\$' /proc/$PID_A/status && [ \"\$(stat -c %U /proc/$PID_A)\" = gobfd ]"
	kill -HUP "$PID_A"
	check "Test SIGHUP reload (the unit's ExecReload=/bin/kill -HUP \$MAINPID)" wait_until 5 has_line "$WORK/a.log" '"msg":"reloaded"'
	kill -TERM "$PID_A"
	check "Verify graceful shutdown sends AdminDown (check peer logs)" wait_until 5 has_line "$WORK/b.log" \
		'"to":"Down".*"diag":"NeighborSignaledSessionDown".*"remote_diag":"AdministrativelyDown"'
	kill -TERM "$PID_B" 2>/dev/null || true
	wait "$PID_A" "$PID_B" 2>/dev/null || true
	PIDS=()
fi
cp -p "$WORK/gobfd.yml.orig" /etc/gobfd/gobfd.yml

step "Podman Compose and Container Image"
for c in "podman-compose -f deployments/compose/compose.dev.yml up -d --build" \
	"podman-compose -f deployments/compose/compose.dev.yml exec dev bash" \
	"podman-compose -f deployments/compose/compose.yml up -d" \
	"podman build -f deployments/docker/Containerfile -t gobfd ."; do
	na "$c" "no container engine here; the files are checked by go test ./deployments"
done
check "go test ./deployments (Containerfiles, compose, Kubernetes, GoReleaser, unit)" \
	go test -count=1 ./deployments
check "make && make test inside the dev container: the same targets run here" bash -c 'make -n build test >/dev/null'
printf '  $ goreleaser release --snapshot --clean    (go tool -modfile=tools/go.mod goreleaser: the pinned GoReleaser)\n'
if out=$(go tool -modfile=tools/go.mod goreleaser release --snapshot --clean 2>&1); then
	check "goreleaser release --snapshot --clean" true
elif grep -qiE 'docker|buildx' <<<"$(grep -E '⨯|error' <<<"$out")"; then
	note "$(grep -m1 -E '⨯' <<<"$out")"
	skip "goreleaser release --snapshot --clean" "the images need docker buildx and a daemon, which are not here"
	check "goreleaser release --snapshot --clean --skip=docker: archives and packages for amd64 and arm64" bash -c \
		'go tool -modfile=tools/go.mod goreleaser release --snapshot --clean --skip=docker >/dev/null 2>&1 &&
		ls dist/gobfd_*_linux_amd64.tar.gz dist/gobfd_*_linux_arm64.tar.gz dist/gobfd_*_amd64.deb dist/gobfd_*_arm64.deb \
			dist/gobfd_*_amd64.rpm dist/gobfd_*_arm64.rpm'
else
	check "goreleaser release --snapshot --clean" bash -c "echo \"\$1\"; false" _ "$(tail -5 <<<"$out")"
fi

step "clean up"
check "dpkg --purge gobfd" dpkg --purge gobfd
INSTALLED_HERE=0

summary
