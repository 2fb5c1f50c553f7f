#!/usr/bin/env bash
# bench/maze/run.sh — the issue-7 persistence benchmark: E experiments × A actions (default
# 10,000 × 2,000 = 20 M rows) through the Store on SQLite and PostgreSQL, then the latency of
# reading one experiment's actions and of filtering experiments by model_config.temperature.
# Writes a Markdown report to bench/maze/results/<UTC date>[-<rows>].md. See bench/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BENCH_BIN=${BENCH_BIN:-$ROOT/build/release/bench/maze/osprey_bench_maze}
EXPERIMENTS=10000
ACTIONS=2000
BATCH=2000
READS=200
BASELINE=1000000
BACKENDS="sqlite postgres"
PG_THREADS=2
OUT=""

usage() {
  cat <<USAGE
usage: bench/maze/run.sh [--experiments E] [--actions A] [--batch B] [--reads R]
                         [--baseline-rows N] [--sqlite-only|--pg-only] [--out FILE]
  --experiments E    experiments (default 10000)
  --actions A        actions per experiment (default 2000)
  --batch B          actions per append_actions call (default 2000: one call per experiment)
  --reads R          timed reads of each kind (default 200)
  --baseline-rows N  rows of the plain-insert baseline, run before and after (default 1000000)
  --out FILE         report file (default bench/maze/results/<UTC date>[-<rows>].md)
Data goes to a temp dir under /tmp (SQLite file, throwaway PostgreSQL cluster from
scripts/pg-test-server.sh), removed on exit. BENCH_BIN picks the binary.
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --experiments) EXPERIMENTS="$2"; shift 2 ;;
    --actions) ACTIONS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --reads) READS="$2"; shift 2 ;;
    --baseline-rows) BASELINE="$2"; shift 2 ;;
    --sqlite-only) BACKENDS="sqlite"; shift ;;
    --pg-only) BACKENDS="postgres"; shift ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

[ -x "$BENCH_BIN" ] || {
  echo "run.sh: no $BENCH_BIN (ninja -C build/release osprey_bench_maze)" >&2
  exit 1
}
command -v psql >/dev/null || { echo "run.sh: psql is missing (apt-get install postgresql-client)" >&2; exit 1; }

ROWS=$((EXPERIMENTS * ACTIONS))
if [ -z "$OUT" ]; then
  suffix=""
  [ "$ROWS" -ne 20000000 ] && suffix="-${ROWS}rows"
  OUT="$HERE/results/$(date -u +%Y-%m-%d)$suffix.md"
fi

TMP=$(mktemp -d /tmp/osprey-bench-maze.XXXXXX)
chmod 755 "$TMP"  # the PostgreSQL server may run as another user (root: postgres)
PG_DIR=""
cleanup() {
  [ -n "$PG_DIR" ] && "$ROOT/scripts/pg-test-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

common=(--experiments "$EXPERIMENTS" --actions "$ACTIONS" --batch "$BATCH" --reads "$READS"
        --baseline-rows "$BASELINE")
report="$TMP/report.md"
{
  echo "# bench/maze — $EXPERIMENTS experiments × $ACTIONS actions ($ROWS rows)"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$report"

for backend in $BACKENDS; do
  echo "== $backend" >&2
  if [ "$backend" = sqlite ]; then
    args=(--url "sqlite:$TMP/maze.db" --threads 1)
  else
    PG_DIR="$TMP/pg"
    url=$("$ROOT/scripts/pg-test-server.sh" start "$PG_DIR")
    psql -q "$url" -c "CREATE DATABASE maze_bench" >/dev/null
    args=(--url "${url%/*}/maze_bench" --pg-data-dir "$PG_DIR/data" --threads "$PG_THREADS")
  fi
  { echo; echo "## $backend"; echo; echo '```'; } >>"$report"
  "$BENCH_BIN" "${args[@]}" "${common[@]}" | tee -a "$report" >&2
  echo '```' >>"$report"
  if [ "$backend" = sqlite ]; then
    rm -f "$TMP"/maze.db*
  else
    "$ROOT/scripts/pg-test-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
done

mkdir -p "$(dirname "$OUT")"
cp "$report" "$OUT"
echo "report: $OUT" >&2
