#!/usr/bin/env bash
# Makes real data for docs/en/img/dashboard.png and draws it (root; about
# 5 minutes once the machine is quiet; needs iproute2, nftables,
# prometheus and Go).
#
# Two gobfd daemons in network namespaces joined by a veth, 256 IPv4
# sessions at 100 ms between them (16 addresses per side, one session per
# pair), plus one session whose keys differ (it never comes Up: auth drops)
# and packets from an unconfigured peer (no_session drops). A Prometheus in
# namespace A scrapes both daemons every 2 s and evaluates the shipped rules.
# Timeline: bring-up; at 1.5 min A stops hearing B for 4 s (nftables drops
# BFD on A's input: every session times out on A, B hears A's Down, all
# recover); at 3 min 6 % of B's packets are lost on A's input for a minute
# (sessions flap now and then); then the dashboard is drawn from
# Prometheus by render (this directory) over the whole run. A's flight
# recorder is on; with LAB_TRACES=DIR its traces and both daemons' logs
# are kept in DIR.
#
# The daemons run their shard threads in SCHED_FIFO so that other work on
# the machine does not starve them; still, run it on a quiet machine (it
# waits up to 2 minutes for the 1-minute load average to fall below 1).
#
#   sudo deployments/compose/render/lab.sh [OUT.png]
# (LAB_QUICK=1: the same story in under 2 minutes, to try the tools.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$(realpath -m "${1:-$root/docs/en/img/dashboard.png}")
export PATH=/usr/local/go/bin:$PATH
[ "$(id -u)" -eq 0 ] || { echo "lab.sh: needs root (network namespaces)" >&2; exit 1; }
for c in ip nft prometheus go; do command -v $c >/dev/null || { echo "lab.sh: needs $c" >&2; exit 1; }; done

work=$(mktemp -d /tmp/gobfd-render.XXXXXX)
A=rla$$ B=rlb$$
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del $A 2>/dev/null || true
	ip netns del $B 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "== building gobfd and render"
(cd "$root" && go build -o "$work/gobfd" ./cmd/gobfd)
(cd "$here" && go build -o "$work/render" .)

echo "== namespaces $A, $B"
ip netns add $A
ip netns add $B
ip link add v$A netns $A type veth peer name v$B netns $B
for ns in $A $B; do ip -n $ns link set lo up; done
K=16
{ for i in $(seq 1 $K); do echo "addr add 198.18.1.$i/16 dev v$A"; done
  echo "addr add 198.18.1.200/16 dev v$A"; echo "addr add 198.18.3.1/16 dev v$A"; } | ip -n $A -batch -
{ for i in $(seq 1 $K); do echo "addr add 198.18.2.$i/16 dev v$B"; done
  echo "addr add 198.18.4.1/16 dev v$B"; } | ip -n $B -batch -
ip -n $A link set v$A up
ip -n $B link set v$B up

conf() { # local-prefix peer-prefix metrics-addr extra-sessions
	echo "metrics: {addr: \"$3\"}"
	echo "log: {level: info}"
	# A real-time class for shard and reader threads (docs/en/03): the
	# picture should show the faults below, not a compile next door.
	echo "scheduling: {policy: fifo, priority: 10}"
	echo "sessions:"
	for i in $(seq 1 $K); do for j in $(seq 1 $K); do
		echo "  - {peer: $2.$j, local: $1.$i, desired_min_tx: 100ms, required_min_rx: 100ms, detect_mult: 3}"
	done; done
	echo "$4"
}
conf 198.18.1 198.18.2 127.0.0.1:9100 \
	"  - {peer: 198.18.4.1, local: 198.18.3.1, auth: {type: keyed_sha1, key_id: 1, secret: alpha}}" > "$work/a.yml"
cat >> "$work/a.yml" <<EOT
flight_recorder: {enabled: true, dir: "$work/flightrec", window: 5s, min_interval: 1m}
EOT
conf 198.18.2 198.18.1 198.18.2.1:9100 \
	"  - {peer: 198.18.3.1, local: 198.18.4.1, auth: {type: keyed_sha1, key_id: 1, secret: bravo}}
  - {peer: 198.18.1.200, local: 198.18.2.1}" > "$work/b.yml"

cat > "$work/prometheus.yml" <<EOT
global: {scrape_interval: 2s, evaluation_interval: 2s}
rule_files: ["$root/deployments/compose/configs/prometheus/rules/gobfd.rules.yml"]
scrape_configs:
  - job_name: gobfd
    static_configs: [{targets: ["127.0.0.1:9100", "198.18.2.1:9100"]}]
EOT
ip netns exec $A prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
	--web.listen-address=127.0.0.1:9090 --log.level=warn 2>"$work/prometheus.log" &
pids+=($!)
for i in $(seq 1 24); do
	load=$(cut -d' ' -f1 /proc/loadavg)
	awk -v l="$load" 'BEGIN { exit !(l < 1.0) }' && break
	[ "$i" -eq 1 ] && echo "== waiting for a quiet machine (load $load)"
	sleep 5
done
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "== $start: daemons start"
GOMEMLIMIT=256MiB GOGC=off ip netns exec $A "$work/gobfd" -config "$work/a.yml" 2>"$work/a.log" &
pids+=($!)
GOMEMLIMIT=256MiB GOGC=off ip netns exec $B "$work/gobfd" -config "$work/b.yml" 2>"$work/b.log" &
pids+=($!)

# phases (s): bring-up, after the cut, loss, after the loss
if [ -n "${LAB_QUICK:-}" ]; then p1=30 p2=30 p3=20 p4=20; else p1=90 p2=86 p3=60 p4=60; fi
# Faults on A's input: a drop on B's output would fail B's sends (EPERM),
# which the dashboard would rightly show as send errors.
nft_a() { ip netns exec $A nft "$@"; }
nft_a add table inet lab
nft_a "add chain inet lab in { type filter hook input priority 0; }"
sleep $p1
echo "== $(date -u +%T): BFD from $B cut for 4 s"
nft_a add rule inet lab in udp dport 3784 drop
sleep 4
nft_a flush chain inet lab in
sleep $p2
echo "== $(date -u +%T): 6 % loss from $B for $p3 s"
nft_a add rule inet lab in udp dport 3784 numgen random mod 100 \< 6 drop
sleep $p3
nft_a flush chain inet lab in
sleep $p4
end=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "== $end: drawing"
mkdir -p "$(dirname "$out")"
ip netns exec $A "$work/render" -prom http://127.0.0.1:9090 -scrape 2s -start "$start" -end "$end" \
	-dashboard "$root/deployments/compose/configs/grafana/dashboards/bfd.json" -o "$out"
echo "== flight recorder traces of $A:"
ls -l "$work/flightrec"
if [ -n "${LAB_TRACES:-}" ]; then
	mkdir -p "$LAB_TRACES" && cp "$work"/flightrec/*.trace "$work/a.log" "$work/b.log" "$LAB_TRACES"/ 2>/dev/null || true
	echo "== traces and logs copied to $LAB_TRACES"
fi
