#!/usr/bin/env bash
# gobfd demo: two daemons in network namespaces bring BFD sessions Up over
# IPv4 and IPv6, a silenced link is detected, the link comes back, and
# both daemons shut down gracefully. Needs root and iproute2; uses only
# 198.18.0.0/15 and 2001:db8::/32 inside namespaces it creates and deletes.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "the namespace demo needs root (ip netns); showing the simulated demo instead"
	exec go run ./examples/simdemo
fi

A=gobfd-demo-a B=gobfd-demo-b
WORK=$(mktemp -d)
cleanup() {
	pkill -TERM -f "gobfd -config $WORK/" 2>/dev/null || true
	sleep 0.3
	ip netns del $A 2>/dev/null || true
	ip netns del $B 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
ip netns del $A 2>/dev/null || true
ip netns del $B 2>/dev/null || true

echo "== building gobfd"
go build -o "$WORK/gobfd" ./cmd/gobfd

echo "== two hosts, one wire: $A (198.18.0.1, 2001:db8::1) <-> $B (198.18.0.2, 2001:db8::2)"
ip netns add $A; ip netns add $B
ip link add demo-a netns $A type veth peer name demo-b netns $B
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A addr add 198.18.0.1/24 dev demo-a; ip -n $B addr add 198.18.0.2/24 dev demo-b
ip -n $A addr add 2001:db8::1/64 dev demo-a nodad; ip -n $B addr add 2001:db8::2/64 dev demo-b nodad
ip -n $A link set demo-a up; ip -n $B link set demo-b up

conf() { # local4 peer4 local6 peer6
	cat <<YML
log: {format: text}
sessions:
  - {peer: $2, local: $1, desired_min_tx: 50ms, required_min_rx: 50ms, detect_mult: 3}
  - {peer: "$4", local: "$3", desired_min_tx: 50ms, required_min_rx: 50ms, detect_mult: 3}
YML
}
conf 198.18.0.1 198.18.0.2 2001:db8::1 2001:db8::2 > "$WORK/a.yml"
conf 198.18.0.2 198.18.0.1 2001:db8::2 2001:db8::1 > "$WORK/b.yml"

echo "== starting a gobfd daemon in each namespace (50 ms timers, multiplier 3: detection time 150 ms)"
ip netns exec $A "$WORK/gobfd" -config "$WORK/a.yml" 2> "$WORK/a.log" &
ip netns exec $B "$WORK/gobfd" -config "$WORK/b.yml" 2> "$WORK/b.log" &

# wait_for FILE PATTERN COUNT TIMEOUT_S
wait_for() {
	local end=$((SECONDS + $4))
	while [ "$(grep -c -- "$2" "$1" || true)" -lt "$3" ]; do
		[ $SECONDS -ge $end ] && { echo "timed out waiting for '$2' in $1"; cat "$1"; exit 1; }
		sleep 0.05
	done
}
wait_for "$WORK/a.log" "to=Up" 2 10
wait_for "$WORK/b.log" "to=Up" 2 10
echo "-- state changes seen by A:"
grep "session state changed" "$WORK/a.log" | sed -E 's/.*peer=([^ ]+).*from=([^ ]+) to=([^ ]+) diag=([^ ]+).*/   \1: \2 -> \3 (diag \4)/'

sleep 1
echo "== silencing the wire from B (tc qdisc pfifo limit 0): B's packets stop arriving at A"
CUT=$(date +%s%N)
tc -n $B qdisc replace dev demo-b root pfifo limit 0
wait_for "$WORK/a.log" "to=Down" 2 5
grep "to=Down" "$WORK/a.log" | while read -r line; do
	t=$(sed -E 's/^time=([^ ]+).*/\1/' <<<"$line")
	peer=$(sed -E 's/.*peer=([^ ]+).*/\1/' <<<"$line")
	diag=$(sed -E 's/.* diag=([^ ]+).*/\1/' <<<"$line")
	ms=$(( ($(date -d "$t" +%s%N) - CUT) / 1000000 ))
	echo "   A declared $peer Down after ${ms} ms (detection time 150 ms), diag $diag"
done

echo "== restoring the wire"
tc -n $B qdisc del dev demo-b root
wait_for "$WORK/a.log" "to=Up" 4 10
echo "   both sessions Up again"

echo "== stopping A with SIGTERM: B must see AdminDown, not a timeout"
pkill -TERM -f "gobfd -config $WORK/a.yml"
wait_for "$WORK/b.log" "remote_diag=AdministrativelyDown" 2 5
grep "remote_diag=AdministrativelyDown" "$WORK/b.log" | sed -E 's/.*peer=([^ ]+).*from=([^ ]+) to=([^ ]+) diag=([^ ]+) remote_diag=([^ ]+).*/   B: \1 \2 -> \3, diag \4, peer said \5/'
echo "== done"
