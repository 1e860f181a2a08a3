#!/usr/bin/env bash
# make bench-system: everything in docs/en/12-benchmarks.md's system table,
# from scratch, into bench/results/ (root; Debian packages bird2, frr,
# tcpdump, nftables, stress-ng). About 25 minutes with the default 60 s hold.
# BENCH_HOLD=20s for a quick look.
set -uo pipefail
cd "$(dirname "$0")/.."
HOLD=${BENCH_HOLD:-60s}
# BENCH_RESULTS=dir writes the results elsewhere (a second machine's run
# beside the committed one, docs/en/12-benchmarks.md).
RES=${BENCH_RESULTS:-bench/results}
mkdir -p "$RES"
RES=$(cd "$RES" && pwd)
OUT=$RES/system.jsonl
NEW=$OUT.new
: >"$NEW"
go build -o bin/bfdbench ./bench/bfdbench || exit 1
go build -o bin/ceiling ./bench/ceiling || exit 1

run() { echo "== $*"; bin/bfdbench -gobfd bin/gobfd -hold "$HOLD" -json "$NEW" "$@" | grep -v '^impl '; }

echo "== ceiling"
bin/ceiling -d 10s -json "$NEW"

# gobfd: the targets of issue 4, the idle cost, and the memory baseline;
# the largest runs are scraped every 15 s during the hold, as Prometheus
# would (a scrape must be quick and must not disturb the sessions).
run -impl gobfd -n 100 -interval 100ms
run -impl gobfd -n 500 -interval 10ms -detect
run -impl gobfd -n 1000 -interval 50ms
run -impl gobfd -n 2500 -interval 50ms
run -impl gobfd -n 15000 -interval 300ms -scrape-every 15s
run -impl gobfd -n 1000 -interval 1s
run -impl gobfd -n 50000 -interval 1s -up-timeout 60s -scrape-every 15s
run -impl gobfd -n 100 -interval 10ms -detect

# The same harness on BIRD 2 and FRR bfdd (Debian packages).
run -impl bird -n 100 -interval 100ms
run -impl bird -n 100 -interval 10ms
run -impl bird -n 500 -interval 10ms -up-timeout 30s
run -impl bird -n 1000 -interval 50ms
run -impl frr -n 100 -interval 100ms
run -impl frr -n 100 -interval 10ms
run -impl frr -n 1000 -interval 50ms -up-timeout 30s

# Under stress-ng --cpu 2, with and without real-time shard threads.
run -impl gobfd -n 500 -interval 50ms -stress
run -impl gobfd -n 500 -interval 50ms -stress -settings "scheduling: fifo 10" \
	-gobfd-yaml $'scheduling: {policy: fifo, priority: 10}\n'

mv "$NEW" "$OUT"
bin/bfdbench -table "$OUT" >"$RES/system.md"
(cd bench/chart && go run . -o "$RES/sessions-vs-interval.png" "$OUT")
cat "$RES/system.md"
