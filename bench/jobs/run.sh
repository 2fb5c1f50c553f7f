#!/usr/bin/env bash
# bench/jobs/run.sh — end-to-end job throughput: submit one N-item noop job (default 100,000)
# over HTTP and time until its _SUCCESS marker exists; items/s = N / that time. Repeats and
# reports the median, on SQLite and (with --pg, or when OSPREY_TEST_PG_URL is set) PostgreSQL.
# Everything listens on 127.0.0.1. See bench/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OSPREY_BIN=${OSPREY_BIN:-$ROOT/build/release/src/osprey}
ITEMS=100000
REPS=3
BACKENDS="sqlite"
PG_URL=${OSPREY_TEST_PG_URL:-}
EXTRA=()

usage() {
  cat <<USAGE
usage: bench/jobs/run.sh [--items N] [--reps N] [--pg] [--pg-url URL] [--set KEY=VALUE]...
  --items N     items in the job (default 100000)
  --reps N      runs per backend; the median is reported (default 3)
  --pg          also PostgreSQL: OSPREY_TEST_PG_URL or --pg-url, else a throwaway cluster from
                scripts/pg-test-server.sh
  --pg-only     PostgreSQL only
  --set K=V     extra configuration for the server (e.g. jobs.claim_batch=512)
OSPREY_BIN picks the binary (default build/release/src/osprey).
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --items) ITEMS="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --pg) BACKENDS="sqlite postgres"; shift ;;
    --pg-only) BACKENDS="postgres"; shift ;;
    --pg-url) PG_URL="$2"; BACKENDS="sqlite postgres"; shift 2 ;;
    --set) EXTRA+=(--set "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

for tool in curl jq psql; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
[ -x "$OSPREY_BIN" ] || { echo "run.sh: no osprey binary at $OSPREY_BIN" >&2; exit 1; }

TMP=$(mktemp -d /tmp/osprey-bench-jobs.XXXXXX)
chmod 755 "$TMP"  # the PostgreSQL server may run as another user (root: postgres)
SERVER_PID=""
PG_DIR=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "$PG_DIR" ] && "$ROOT/scripts/pg-test-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

if [[ "$BACKENDS" == *postgres* && -z "$PG_URL" ]]; then
  PG_DIR="$TMP/pg"
  PG_URL=$("$ROOT/scripts/pg-test-server.sh" start "$PG_DIR")
fi

# One run: fresh server and a fresh store (SQLite file or PostgreSQL database), submit, wait for
# _SUCCESS. Prints items/s, wall seconds and the server's CPU seconds.
run_once() {
  local backend=$1 n=$2
  local data="$TMP/data-$backend-$n"
  local store=()
  if [ "$backend" = postgres ]; then
    # A fresh database per run: rows left by earlier runs or tests slow every claim.
    local db="osprey_bench_$$_$n" base="${PG_URL%%\?*}"
    psql -q "$PG_URL" -c "CREATE DATABASE $db" >/dev/null
    store=(--store-url "${base%/*}/$db")
  fi
  "$OSPREY_BIN" serve --listen 127.0.0.1:0 --data-dir "$data" --log-level warn \
    --set log.access_log=false --set jobs.poll_ms=20 "${store[@]}" "${EXTRA[@]}" \
    >"$TMP/out-$backend-$n" 2>"$TMP/err-$backend-$n" &
  SERVER_PID=$!
  local url=""
  for _ in $(seq 1 300); do
    url=$(grep -o 'http://[0-9.:]*' "$TMP/out-$backend-$n" 2>/dev/null | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.05
  done
  [ -n "$url" ] || { echo "server did not start" >&2; cat "$TMP/err-$backend-$n" >&2; exit 1; }
  # /v1 needs a key: the admin key printed on the first start of this fresh store.
  local key
  key=$(sed -n 's/^osprey admin key (shown once): //p' "$TMP/out-$backend-$n")
  [ -n "$key" ] || { echo "no admin key in the server output" >&2; exit 1; }
  local start end id
  start=$(date +%s.%N)
  id=$(curl -sf -X POST "$url/v1/jobs" -H 'content-type: application/json' \
    -H "authorization: Bearer $key" \
    -d "{\"workload\":\"noop\",\"spec\":{\"count\":$ITEMS}}" | jq -r .id)
  [ -n "$id" ] && [ "$id" != null ] || { echo "submit failed" >&2; exit 1; }
  local marker="$data/jobs/$id/_SUCCESS"
  for _ in $(seq 1 60000); do
    [ -f "$marker" ] && break
    sleep 0.01
  done
  end=$(date +%s.%N)
  [ -f "$marker" ] || { echo "no _SUCCESS after 600 s" >&2; exit 1; }
  local lines
  lines=$(wc -l <"$data/jobs/$id/results.jsonl")
  [ "$lines" -eq "$ITEMS" ] || { echo "results have $lines lines, want $ITEMS" >&2; exit 1; }
  # CPU seconds the server used (user + system): a load-independent figure next to the wall time.
  local ticks cpu
  ticks=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
  cpu=$(echo "$ticks $(getconf CLK_TCK)" | awk '{printf "%.2f", $1 / $2}')
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  echo "$start $end $cpu" | awk -v n="$ITEMS" '{printf "%.0f %.2f %s\n", n / ($2 - $1), $2 - $1, $3}'
}

echo "# bench/jobs — $ITEMS-item noop job, submit to _SUCCESS ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
for backend in $BACKENDS; do
  rates=()
  for n in $(seq 1 "$REPS"); do
    read -r rate secs cpu < <(run_once "$backend" "$n")
    echo "$backend run $n: $rate items/s ($secs s wall, server CPU $cpu s)"
    rates+=("$rate")
  done
  median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$backend median: $median items/s"
done
