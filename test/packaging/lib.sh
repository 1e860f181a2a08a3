# Helpers shared by run.sh and guide.sh: each check prints one line with
# its result, and summary prints the totals ("N passed, N failed").
# shellcheck shell=bash

PASSED=0 FAILED=0 SKIPPED=0
T0=$SECONDS

# step NAME: a heading for what follows.
step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - T0)); }

# check DESCRIPTION CMD...: runs CMD; PASS or FAIL with the end of its output.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		printf '  PASS  %s\n' "$desc"
		PASSED=$((PASSED + 1))
	else
		printf '  FAIL  %s\n' "$desc"
		[ -n "$out" ] && tail -n 20 <<<"$out" | sed 's/^/        | /'
		FAILED=$((FAILED + 1))
	fi
	return 0
}

# must DESCRIPTION CMD...: like check, but the run stops when it fails.
must() {
	local before=$FAILED
	check "$@"
	if [ "$FAILED" -ne "$before" ]; then
		printf '  stopping: the steps after this one depend on it\n'
		summary
		exit 1
	fi
}

# skip DESCRIPTION REASON: a check that cannot run here, and why.
skip() {
	printf '  SKIP  %s (%s)\n' "$1" "$2"
	SKIPPED=$((SKIPPED + 1))
}

# note TEXT: information, no result.
note() { printf '        %s\n' "$*"; }

# summary: the totals; returns non-zero when a check failed.
summary() {
	printf '\n(%ds)\n%d passed, %d failed, %d skipped\n' $((SECONDS - T0)) "$PASSED" "$FAILED" "$SKIPPED"
	[ "$FAILED" -eq 0 ]
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s until it succeeds.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

# has_line FILE ERE: FILE has a line matching ERE.
has_line() { grep -Eq -- "$2" "$1"; }

# lacks PATH...: none of the paths exists.
lacks() {
	local p rc=0
	for p in "$@"; do
		if [ -e "$p" ] || [ -L "$p" ]; then
			echo "still there: $p"
			rc=1
		fi
	done
	return $rc
}

# stat_is PATH "OWNER:GROUP MODE": owner, group and octal mode of PATH.
stat_is() {
	local got
	got=$(stat -c '%U:%G %a' "$1") || return 1
	[ "$got" = "$2" ] || { echo "$1: $got, want $2"; return 1; }
}

# The unit's User=gobfd, Group=gobfd, NoNewPrivileges=true and
# AmbientCapabilities=/CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN,
# as setpriv options: how these scripts run the installed daemon where
# systemd is not PID 1.
# shellcheck disable=SC2034,SC2054 # used by the scripts that source this; commas are setpriv's
UNIT_SETPRIV=(--reuid=gobfd --regid=gobfd --init-groups --no-new-privs
	--inh-caps=-all,+net_raw,+net_admin --ambient-caps=-all,+net_raw,+net_admin
	--bounding-set=-all,+net_raw,+net_admin)

# netns_pair A B: namespaces A and B, loopback up, joined by veth vA <-> vB
# with 198.18.0.1/24 on A and 198.18.0.2/24 on B (RFC 2544 range only).
netns_pair() {
	ip netns add "$1"
	ip netns add "$2"
	ip link add "v$1" netns "$1" type veth peer name "v$2" netns "$2"
	ip -n "$1" link set lo up
	ip -n "$2" link set lo up
	ip -n "$1" addr add 198.18.0.1/24 dev "v$1"
	ip -n "$2" addr add 198.18.0.2/24 dev "v$2"
	ip -n "$1" link set "v$1" up
	ip -n "$2" link set "v$2" up
}

# session_yml LOCAL PEER: a configuration with one 50 ms session.
session_yml() {
	cat <<YML
log: {level: info, format: json}
sessions:
  - {peer: $2, local: $1, desired_min_tx: 50ms, required_min_rx: 50ms, detect_mult: 3}
YML
}

# A state change to Up for PEER in a JSON log.
up_line() { printf '"msg":"session state changed".*"peer":"%s".*"to":"Up"' "${1//./\\.}"; }
