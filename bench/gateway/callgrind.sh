#!/usr/bin/env bash
# bench/gateway/callgrind.sh — instructions per proxied request, the load-independent figure used
# to compare hot-path changes while the machine is shared (wall-clock runs need an idle machine).
#
# Osprey runs under callgrind with run.sh's config (admin key, JSON access log on, metrics on) in
# front of the fake OpenAI upstream; wrk -c4 sends run.sh's request. Instrumentation is on for
# an idle window and then for a 5 s load window of the same length: the idle count (timers,
# background threads) is subtracted, so the figure does not depend on how many requests a slow
# machine manages. All of Osprey's threads count, the usage-ledger writer included.
#
# usage: bench/gateway/callgrind.sh [OUT_DIR]   (OSPREY_BIN / FAKE_BIN as for run.sh)
# Prints one line (requests, instructions, per-request figure) and leaves callgrind.out in
# OUT_DIR for `callgrind_annotate [--inclusive=yes] OUT_DIR/callgrind.out`. CACHE_SIM=1 also
# simulates the first-level caches (32 KiB each) and prints their misses per request: the path is
# mostly straight-line code, so instruction-cache misses show how much code a request runs.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=osprey_config.sh
. "$HERE/osprey_config.sh"
# shellcheck source=started_server.sh
. "$HERE/started_server.sh"
OSPREY_BIN="${OSPREY_BIN:-$ROOT/build/release/src/osprey}"
FAKE_BIN="${FAKE_BIN:-$ROOT/build/release/tests/fakes/osprey-fake-upstream}"
OUT="${1:-$(mktemp -d /tmp/osprey-callgrind.XXXXXX)}"
WINDOW=5

for tool in valgrind callgrind_control wrk; do
  command -v "$tool" >/dev/null || { echo "callgrind.sh: needs $tool (apt-get install valgrind wrk)" >&2; exit 2; }
done
[ -x "$OSPREY_BIN" ] && [ -x "$FAKE_BIN" ] ||
  { echo "callgrind.sh: build osprey and osprey-fake-upstream first (or set OSPREY_BIN/FAKE_BIN)" >&2; exit 2; }

rm -rf "$OUT/data"
mkdir -p "$OUT"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$FAKE_BIN" --vendor openai --port 0 --threads 1 --record-limit 0 >"$OUT/fake.out" 2>"$OUT/fake.err" &
PIDS+=($!)
FAKE_URL="$(wait_for_url "$OUT/fake.out" 'listening on' "${PIDS[0]}" osprey-fake-upstream)"

osprey_bench_config "$OUT/data" "$FAKE_URL" bench-model >"$OUT/osprey.yaml"
CACHE_SIM_FLAG=()
[ "${CACHE_SIM:-0}" = 1 ] && CACHE_SIM_FLAG=(--cache-sim=yes)
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" --dump-instr=no \
  "${CACHE_SIM_FLAG[@]}" --instr-atstart=no "$OSPREY_BIN" serve --config "$OUT/osprey.yaml" \
  >"$OUT/osprey.out" 2>"$OUT/osprey.err" &
VP=$!
PIDS+=("$VP")
URL="$(wait_for_url "$OUT/osprey.out" 'osprey listening on' "$VP" osprey)"
KEY="$(admin_key "$OUT/osprey.out")"
load() { BENCH_MODEL=bench-model BENCH_API_KEY="$KEY" wrk -t1 -c4 -d"$1"s -s "$HERE/chat.lua" "$URL/v1/chat/completions"; }

load 3 >/dev/null  # warm-up: pools, allocator, caches
sleep 1
callgrind_control -i on "$VP" >/dev/null
sleep "$WINDOW.3"
callgrind_control --dump=idle "$VP" >/dev/null  # the idle window, in callgrind.out.1
callgrind_control -z "$VP" >/dev/null
load "$WINDOW" >"$OUT/wrk.out"
sleep 0.3  # the usage ledger writes its last rows inside the window
callgrind_control -i off "$VP" >/dev/null
kill "$VP"
wait "$VP" 2>/dev/null || true

requests="$(grep -oE '^ *[0-9]+ requests' "$OUT/wrk.out" | grep -oE '[0-9]+')"
# Event counts of the load and idle windows: Ir first, then (CACHE_SIM=1) Dr Dw I1mr D1mr D1mw ...
read -ra load_counts <<<"$(sed -n 's/^totals: //p' "$OUT/callgrind.out")"
read -ra idle_counts <<<"$(sed -n 's/^totals: //p' "$OUT/callgrind.out.1")"
total="${load_counts[0]}"
idle="${idle_counts[0]}"
sed -i "s/^summary: .*/summary: ${load_counts[*]}/" "$OUT/callgrind.out"  # wrong after -z; annotate reads it
echo "requests=$requests instructions=$total idle=$idle per_request=$(((total - idle) / requests))"
if [ "${CACHE_SIM:-0}" = 1 ]; then
  per_request() { echo $(((load_counts[$1] - idle_counts[$1]) / requests)); }
  echo "per_request: i1_misses=$(per_request 3) d1_read_misses=$(per_request 4)" \
    "d1_write_misses=$(per_request 5)"
fi
echo "profile: callgrind_annotate --inclusive=yes $OUT/callgrind.out" >&2
