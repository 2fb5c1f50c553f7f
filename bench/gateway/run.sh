#!/usr/bin/env bash
# bench/gateway/run.sh — requests/s and p50/p99 latency of non-streaming chat completions for
# the fake OpenAI upstream directly, nginx as a plain reverse proxy in front of it, and Osprey in
# front of it; plus Osprey's idle resident memory and a memory soak under load. Two more Osprey
# scenarios (issue 4): `osprey-limits`, the same server called with a tenant key whose plan has
# request, token and concurrency limits (generous enough that nothing is refused), and
# `osprey-cache`, a second Osprey with the response cache on, answering the same cacheable request
# from its cache. Then streamed chat completions (`stream: true`, SSE) through direct, nginx and
# Osprey: a figure without a target.
#
# Servers under test and the fake upstream share core 0 (taskset -c 0); wrk gets core 1.
# Everything listens on 127.0.0.1 only. See bench/README.md for how to read the output.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=osprey_config.sh
. "$HERE/osprey_config.sh"
# shellcheck source=started_server.sh
. "$HERE/started_server.sh"

usage() {
  cat <<EOF
usage: bench/gateway/run.sh [options]
  --duration S     seconds per measured run (default 5)
  --warmup S       seconds of warm-up per target and connection count (default 3)
  --reps N         measured runs per scenario; medians are reported (default 7)
  --soak S         memory soak: seconds of load at 32 connections on Osprey (default 600, 0 = off)
  --stream-conns N connections for the streamed-chat scenario (default 8, 0 = off); it runs on
                   the direct, nginx and osprey targets that are selected
  --quick          duration 3, warm-up 1, 3 reps, no soak (unless --soak / --reps are given)
  --targets LIST   comma-separated subset of direct,nginx,osprey,osprey-limits,osprey-cache
                   (default all five)
  --build-dir DIR  where osprey-fake-upstream is built (default build/bench; built there with
                   cmake + ninja -j2 if missing). Osprey is the production build,
                   build/pgo/src/osprey (scripts/build-pgo.sh runs if it is missing).
                   OSPREY_BIN / FAKE_BIN override (OSPREY_BIN=build/release/src/osprey
                   measures the plain release build).
  --out FILE       results file (default bench/gateway/results/<UTC date>.md,
                   <date>-quick.md with --quick); --no-save to only print
  --label TEXT     a note printed at the top of the results (e.g. "machine busy")
  --keep-tmp       keep the temp dir (configs, logs, raw wrk output) for inspection
EOF
}

DURATION=5
WARMUP=3
REPS=7
REPS_SET=0
SOAK=600
SOAK_SET=0
QUICK=0
TARGETS="direct,nginx,osprey,osprey-limits,osprey-cache"
ALL_TARGETS="direct nginx osprey osprey-limits osprey-cache"
# Measuring order within a repetition: Osprey right after the fake alone and right before nginx,
# so each target comparison pairs runs taken seconds apart (see "paired" below).
RUN_ORDER="direct osprey nginx osprey-limits osprey-cache"
BUILD_DIR="$ROOT/build/bench"
OUT=""
SAVE=1
LABEL=""
KEEP_TMP=0
MODEL="bench-model"
CONNS_THROUGHPUT=32
CONNS_LATENCY=4
STREAM_CONNS=8

need_value() { [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) need_value "$@"; DURATION="$2"; shift 2 ;;
    --warmup) need_value "$@"; WARMUP="$2"; shift 2 ;;
    --reps) need_value "$@"; REPS="$2"; REPS_SET=1; shift 2 ;;
    --soak) need_value "$@"; SOAK="$2"; SOAK_SET=1; shift 2 ;;
    --stream-conns) need_value "$@"; STREAM_CONNS="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --targets) need_value "$@"; TARGETS="$2"; shift 2 ;;
    --build-dir) need_value "$@"; BUILD_DIR="$2"; shift 2 ;;
    --out) need_value "$@"; OUT="$2"; shift 2 ;;
    --no-save) SAVE=0; shift ;;
    --label) need_value "$@"; LABEL="$2"; shift 2 ;;
    --keep-tmp) KEEP_TMP=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  DURATION=3
  WARMUP=1
  [ "$REPS_SET" = 1 ] || REPS=3
  [ "$SOAK_SET" = 1 ] || SOAK=0
fi
for v in DURATION WARMUP REPS SOAK STREAM_CONNS; do
  opt="${v,,}"
  is_uint "${!v}" || { echo "run.sh: --${opt//_/-} must be a whole number (got '${!v}')" >&2; exit 2; }
done
[ "$DURATION" -ge 1 ] && [ "$REPS" -ge 1 ] || { echo "run.sh: --duration and --reps must be >= 1" >&2; exit 2; }
if [ "$SOAK" -gt 0 ] && [ "$SOAK" -lt 120 ]; then
  echo "run.sh: --soak needs at least 120 s (a first and a last minute), or 0 for off" >&2
  exit 2
fi
declare -A WANT=()
IFS=',' read -r -a target_list <<<"$TARGETS"
for t in "${target_list[@]}"; do
  case "$t" in
    direct | nginx | osprey | osprey-cache) WANT[$t]=1 ;;
    osprey-limits) WANT[$t]=1; WANT[osprey]=1 ;; # the same server, another key
    *) echo "run.sh: unknown target '$t' (direct, nginx, osprey, osprey-limits, osprey-cache)" >&2; exit 2 ;;
  esac
done
# The streamed scenario's targets: the same servers, asked for `stream: true`; run in the same
# order as the others (Osprey between its two baselines).
STREAM_TARGETS="direct-stream nginx-stream osprey-stream"
STREAM_ORDER="direct-stream osprey-stream nginx-stream"
if [ "$STREAM_CONNS" -gt 0 ]; then
  for t in direct nginx osprey; do
    if [ -n "${WANT[$t]:-}" ]; then WANT[$t-stream]=1; fi
  done
fi

# ---- prerequisites -------------------------------------------------------------------------
missing=()
for pair in wrk:wrk nginx:nginx taskset:util-linux curl:curl jq:jq ss:iproute2 awk:mawk; do
  tool="${pair%%:*}"
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool (Debian package ${pair#*:})")
done
if [ ${#missing[@]} -gt 0 ]; then
  printf 'run.sh: missing %s\n' "${missing[@]}" >&2
  echo "run.sh: install with: apt-get install -y wrk nginx util-linux curl jq iproute2" >&2
  exit 1
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
if [ "$(nproc --all)" -lt 2 ]; then
  echo "run.sh: needs 2 cores (servers on core 0, wrk on core 1); this machine has $(nproc --all)" >&2
  exit 1
fi

DEFAULT_OSPREY_BIN="$ROOT/build/pgo/src/osprey"
OSPREY_BIN="${OSPREY_BIN:-$DEFAULT_OSPREY_BIN}"
FAKE_BIN="${FAKE_BIN:-$BUILD_DIR/tests/fakes/osprey-fake-upstream}"
# build_step LOG COMMAND...: runs a build step, its output appended to LOG, whose tail is shown
# if it fails.
build_step() {
  local log="$1"
  shift
  mkdir -p "$(dirname "$log")"
  if ! "$@" >>"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "run.sh: build failed (full log: $log)" >&2
    exit 1
  fi
}
if [ ! -x "$FAKE_BIN" ]; then
  echo "run.sh: building osprey-fake-upstream in $BUILD_DIR (Release)" >&2
  build_step "$BUILD_DIR/bench-build.log" cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
  build_step "$BUILD_DIR/bench-build.log" ninja -C "$BUILD_DIR" -j2 osprey-fake-upstream
fi
if { [ -n "${WANT[osprey]:-}" ] || [ -n "${WANT[osprey-cache]:-}" ]; } && [ ! -x "$OSPREY_BIN" ]; then
  [ "$OSPREY_BIN" = "$DEFAULT_OSPREY_BIN" ] ||
    { echo "run.sh: OSPREY_BIN=$OSPREY_BIN is not an executable" >&2; exit 1; }
  echo "run.sh: building $OSPREY_BIN with scripts/build-pgo.sh (about twice a release build)" >&2
  build_step "$BUILD_DIR/bench-pgo-build.log" "$ROOT/scripts/build-pgo.sh" "$ROOT/build/pgo"
fi

# What is measured, read now: a binary rebuilt or a checkout changed during a long run must not
# be what the report names.
OSPREY_VERSION="$("$OSPREY_BIN" version 2>/dev/null | head -1 || true)"
CHECKOUT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ -n "$(git -C "$ROOT" status --porcelain -- src 2>/dev/null)" ]; then
  CHECKOUT+=" + uncommitted changes under src/"
fi
# The production build is only rebuilt when missing: say so when the checkout's code has changed
# since the commit it was built from.
BUILT_FROM="${OSPREY_VERSION##*(commit }"
BUILT_FROM="${BUILT_FROM%)}"
if ! git -C "$ROOT" diff --quiet "${BUILT_FROM%-dirty}" HEAD -- src cmake CMakeLists.txt 2>/dev/null; then
  echo "run.sh: warning: $OSPREY_BIN ($OSPREY_VERSION) was built from other code than the" \
    "checkout (${CHECKOUT%% *}); rebuild it with scripts/build-pgo.sh" >&2
fi

# ---- process bookkeeping and teardown --------------------------------------------------------
TMP="$(mktemp -d /tmp/osprey-bench.XXXXXX)"
chmod 755 "$TMP" # nginx workers run as an unprivileged user when started by root
PIDS=()

stop_pid() {
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[$i]}"; done
  wait 2>/dev/null || true
  if [ "$KEEP_TMP" = 1 ]; then
    echo "run.sh: temp files kept in $TMP" >&2
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM

die() {
  echo "run.sh: $*" >&2
  exit 1
}

free_port() {
  local p i
  for i in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ]; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# Keeps the access logs from filling the disk during long runs; both writers append (O_APPEND),
# so truncating in place is safe and the logging cost stays on the measured path.
trim_logs() {
  local f
  for f in "$TMP/osprey-stderr.log" "$TMP/osprey-cache-stderr.log" "$TMP/nginx-access.log"; do
    if [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt $((256 * 1024 * 1024)) ]; then : >"$f"; fi
  done
}

# ---- start the servers -----------------------------------------------------------------------
echo "run.sh: temp dir $TMP" >&2
taskset -c 0 "$FAKE_BIN" --vendor openai --port 0 --threads 1 --record-limit 0 \
  >"$TMP/fake.out" 2>"$TMP/fake.err" &
PIDS+=($!)
FAKE_PID=$!
FAKE_URL="$(wait_for_url "$TMP/fake.out" 'listening on' "$FAKE_PID" "osprey-fake-upstream")" || exit 1
FAKE_PORT="${FAKE_URL##*:}"

NGINX_URL=""
if [ -n "${WANT[nginx]:-}" ]; then
  NGINX_PORT="$(free_port)" || die "no free port for nginx"
  NGINX_STREAM_PORT="$(free_port)" || die "no free port for nginx"
  [ "$NGINX_STREAM_PORT" != "$NGINX_PORT" ] || NGINX_STREAM_PORT="$(free_port)" || die "no free port for nginx"
  mkdir -p "$TMP/nginx"
  # A plain reverse proxy: one worker, upstream keep-alive, HTTP/1.1 to the upstream, and nginx's
  # default access log (combined format) written to a file, as Osprey writes its access log.
  cat >"$TMP/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log $TMP/nginx-access.log combined;
  client_body_temp_path $TMP/nginx/client_body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  upstream fake {
    server 127.0.0.1:$FAKE_PORT;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
  # For streams, as SSE is proxied: each event passed on as it arrives, not buffered.
  server {
    listen 127.0.0.1:$NGINX_STREAM_PORT;
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
  taskset -c 0 "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx.conf" -e "$TMP/nginx-error.log" \
    >"$TMP/nginx.out" 2>&1 &
  PIDS+=($!)
  NGINX_PID=$!
  for i in $(seq 1 100); do
    [ -n "$(ss -Htln "sport = :$NGINX_PORT" 2>/dev/null)" ] && break
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$(ss -Htln "sport = :$NGINX_PORT" 2>/dev/null)" ] ||
    { cat "$TMP/nginx.out" "$TMP/nginx-error.log" >&2 2>/dev/null; die "nginx did not start"; }
  NGINX_URL="http://127.0.0.1:$NGINX_PORT"
  NGINX_STREAM_URL="http://127.0.0.1:$NGINX_STREAM_PORT"
fi

OSPREY_URL=""
IDLE_RSS_KB=""
if [ -n "${WANT[osprey]:-}" ]; then
  osprey_bench_config "$TMP/osprey-data" "$FAKE_URL" "$MODEL" >"$TMP/osprey.yaml"
  # Access log on: JSON lines on stderr, appended to a file. Metrics are always on.
  taskset -c 0 "$OSPREY_BIN" serve --config "$TMP/osprey.yaml" \
    >"$TMP/osprey.out" 2>>"$TMP/osprey-stderr.log" &
  PIDS+=($!)
  OSPREY_PID=$!
  OSPREY_URL="$(wait_for_url "$TMP/osprey.out" 'osprey listening on' "$OSPREY_PID" osprey)" ||
    { tail -n 20 "$TMP/osprey-stderr.log" >&2; exit 1; }
  # The admin key printed on the first start of the fresh data dir authenticates every request
  # (chat.lua and the check below send it to every target; the others ignore it).
  OSPREY_KEY="$(admin_key "$TMP/osprey.out")"
  if [ -n "${WANT[osprey-limits]:-}" ]; then
    # A tenant key with every per-key limit set (requests/s, tokens/min, concurrency), far above
    # what one core can serve, so the limits are checked on every request and nothing is refused.
    curl -fsS -o /dev/null -H "Authorization: Bearer $OSPREY_KEY" -d '{"name":"bench"}' \
      "$OSPREY_URL/admin/tenants" || die "could not create the bench tenant"
    LIMITS_KEY="$(curl -fsS -H "Authorization: Bearer $OSPREY_KEY" \
      -d '{"name":"bench","plan":{"requests_per_second":1000000,"burst":1000000,"tokens_per_minute":1000000000,"max_concurrent":10000}}' \
      "$OSPREY_URL/admin/tenants/bench/keys" | jq -r .key)"
    [ -n "$LIMITS_KEY" ] && [ "$LIMITS_KEY" != null ] || die "could not create the bench tenant's key"
  fi
  sleep 2 # let start-up allocations settle before reading the idle footprint
  IDLE_RSS_KB="$(rss_kb "$OSPREY_PID")"
fi

OSPREY_CACHE_URL=""
if [ -n "${WANT[osprey-cache]:-}" ]; then
  sed -e "s|$TMP/osprey-data|$TMP/osprey-cache-data|" "$TMP/osprey.yaml" >"$TMP/osprey-cache.yaml"
  printf 'cache:\n  enabled: true\n' >>"$TMP/osprey-cache.yaml"
  taskset -c 0 "$OSPREY_BIN" serve --config "$TMP/osprey-cache.yaml" \
    >"$TMP/osprey-cache.out" 2>>"$TMP/osprey-cache-stderr.log" &
  PIDS+=($!)
  OSPREY_CACHE_PID=$!
  OSPREY_CACHE_URL="$(wait_for_url "$TMP/osprey-cache.out" 'osprey listening on' "$OSPREY_CACHE_PID" osprey-cache)" ||
    { tail -n 20 "$TMP/osprey-cache-stderr.log" >&2; exit 1; }
  CACHE_KEY="$(admin_key "$TMP/osprey-cache.out")"
fi

target_url() {
  case "$1" in
    direct | direct-stream) echo "$FAKE_URL" ;;
    nginx) echo "$NGINX_URL" ;;
    nginx-stream) echo "$NGINX_STREAM_URL" ;;
    osprey | osprey-limits | osprey-stream) echo "$OSPREY_URL" ;;
    osprey-cache) echo "$OSPREY_CACHE_URL" ;;
  esac
}

# The key each target is called with (the fake upstream and nginx ignore it).
target_key() {
  case "$1" in
    osprey-limits) echo "${LIMITS_KEY:-}" ;;
    osprey-cache) echo "${CACHE_KEY:-}" ;;
    *) echo "${OSPREY_KEY:-}" ;;
  esac
}

# ---- one checked request per target before measuring -----------------------------------------
# The request chat.lua sends (keep the two in step): the streamed check counts its answer's events
# for the report.
CHAT_BODY='{"model":"'"$MODEL"'","messages":[{"role":"system","content":"You are a terse assistant."},{"role":"user","content":"Say hello to the benchmark in five words."}],"max_tokens":16,"temperature":0}'
# check_target TARGET BODY IS_OK WHAT: POSTs BODY once; stops the run unless it answers HTTP 200
# with a body IS_OK accepts (the body in $TMP/check-TARGET.out, the headers beside it).
check_target() {
  local t="$1" body="$2" is_ok="$3" what="$4" url code
  url="$(target_url "$t")/v1/chat/completions"
  code="$(curl -sS -N -o "$TMP/check-$t.out" -D "$TMP/check-$t.headers" -w '%{http_code}' \
    --max-time 5 -H 'Content-Type: application/json' -H "Authorization: Bearer $(target_key "$t")" \
    --data "$body" "$url")" || code="${code:-000}"
  if [ "$code" != 200 ] || ! "$is_ok" "$TMP/check-$t.out"; then
    echo "run.sh: $t answered HTTP $code on POST $url:" >&2
    head -c 400 "$TMP/check-$t.out" >&2 2>/dev/null || true
    echo >&2
    die "$t does not serve $what; nothing measured"
  fi
}
is_chat_answer() { jq -e '.choices[0].message' "$1" >/dev/null 2>&1; }
is_whole_stream() { [ "$(grep '^data: ' "$1" | tail -n 1)" = "data: [DONE]" ]; }
for t in $ALL_TARGETS; do
  [ -n "${WANT[$t]:-}" ] || continue
  check_target "$t" "$CHAT_BODY" is_chat_answer "non-streaming chat completions"
done
if [ -n "${WANT[osprey]:-}" ]; then
  grep -qi '^x-osprey-deployment:' "$TMP/check-osprey.headers" ||
    echo "run.sh: warning: Osprey's answer has no x-osprey-deployment header" >&2
fi
STREAM_EVENTS=""
for t in $STREAM_TARGETS; do
  [ -n "${WANT[$t]:-}" ] || continue
  check_target "$t" "${CHAT_BODY%\}},\"stream\":true}" is_whole_stream "streamed chat completions"
  if [ "$t" = osprey-stream ]; then STREAM_EVENTS="$(grep -c '^data: ' "$TMP/check-$t.out")"; fi
done

# ---- load runs -------------------------------------------------------------------------------
RUNS="$TMP/runs.jsonl"
: >"$RUNS"

# run_wrk TARGET CONNS SECONDS -> prints the WRK_JSON object
run_wrk() {
  local target="$1" conns="$2" secs="$3" out="$TMP/wrk-$1-$2.out" stream=0
  [ "${target%-stream}" = "$target" ] || stream=1
  BENCH_STREAM="$stream" BENCH_MODEL="$MODEL" BENCH_API_KEY="$(target_key "$target")" taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" --timeout 5s --latency \
    -s "$HERE/chat.lua" "$(target_url "$target")/v1/chat/completions" >"$out" 2>&1 ||
    { cat "$out" >&2; die "wrk failed against $target"; }
  grep -m1 '^WRK_JSON ' "$out" | cut -d' ' -f2- || { cat "$out" >&2; die "no result from wrk"; }
}

LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
n_plain=0
n_stream=0
for t in "${!WANT[@]}"; do
  if [ "${t%-stream}" = "$t" ]; then n_plain=$((n_plain + 1)); else n_stream=$((n_stream + 1)); fi
done
total_runs=$(((n_plain * 2 + n_stream) * REPS))
n=0
# Scenarios: "targets:connections" (the streamed one only when it has targets).
SCENARIOS="$ALL_TARGETS:$CONNS_THROUGHPUT;$ALL_TARGETS:$CONNS_LATENCY"
if [ "$n_stream" -gt 0 ]; then SCENARIOS+=";$STREAM_TARGETS:$STREAM_CONNS"; fi
IFS=';' read -r -a scenario_list <<<"$SCENARIOS"
for scenario in "${scenario_list[@]}"; do
  targets="${scenario%:*}"
  conns="${scenario##*:}"
  order="$RUN_ORDER"
  [ "$targets" = "$ALL_TARGETS" ] || order="$STREAM_ORDER"
  # Warm up each target at this connection count (connection pools, allocator, caches), then
  # interleave the measured repetitions so drift on a shared machine hits every target alike.
  for t in $targets; do
    [ -n "${WANT[$t]:-}" ] || continue
    if [ "$WARMUP" -gt 0 ]; then run_wrk "$t" "$conns" "$WARMUP" >/dev/null; fi
  done
  for rep in $(seq 1 "$REPS"); do
    for t in $order; do
      [ -n "${WANT[$t]:-}" ] || continue
      n=$((n + 1))
      result="$(run_wrk "$t" "$conns" "$DURATION")"
      jq -c --arg t "$t" --argjson c "$conns" --argjson r "$rep" \
        '{target: $t, conns: $c, rep: $r} + .' <<<"$result" >>"$RUNS"
      printf 'run.sh: [%d/%d] %-13s c=%-2s rep %d: %s\n' "$n" "$total_runs" "$t" "$conns" "$rep" \
        "$(jq -r '"\(.rps|floor) req/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, errors \(.errors|add)"' <<<"$result")" >&2
      trim_logs
    done
  done
done
# Usage-ledger rows still queued in memory: a ledger that falls behind lends its CPU to the
# request path, so the throughput it allows is not sustainable (and memory grows).
ledger_pending() {
  curl -fsS --max-time 5 -H "Authorization: Bearer $OSPREY_KEY" "$OSPREY_URL/metrics" 2>/dev/null |
    awk '/^osprey_usage_ledger_pending / {print int($2)}'
}
AFTER_RSS_KB=""
LEDGER_AFTER_LOAD=""
if [ -n "${WANT[osprey]:-}" ]; then
  AFTER_RSS_KB="$(rss_kb "$OSPREY_PID")"
  LEDGER_AFTER_LOAD="$(ledger_pending)"
fi

# ---- memory soak -----------------------------------------------------------------------------
SOAK_TSV="$TMP/soak.tsv"
SOAK_JSON=""
LEDGER_AFTER_SOAK=""
if [ "$SOAK" -gt 0 ] && [ -n "${WANT[osprey]:-}" ]; then
  echo "run.sh: soak: ${SOAK}s at $CONNS_THROUGHPUT connections on Osprey, RSS every 10 s" >&2
  : >"$SOAK_TSV"
  BENCH_MODEL="$MODEL" BENCH_API_KEY="$OSPREY_KEY" taskset -c 1 wrk -t1 -c"$CONNS_THROUGHPUT" -d"${SOAK}s" --timeout 5s \
    --latency -s "$HERE/chat.lua" "$OSPREY_URL/v1/chat/completions" >"$TMP/wrk-soak.out" 2>&1 &
  PIDS+=($!)
  SOAK_WRK=$!
  start=$SECONDS
  while kill -0 "$SOAK_WRK" 2>/dev/null; do
    sleep 10
    t=$((SECONDS - start))
    [ "$t" -le "$SOAK" ] || break
    kill -0 "$OSPREY_PID" 2>/dev/null || die "Osprey exited during the soak"
    printf '%d\t%d\n' "$t" "$(rss_kb "$OSPREY_PID")" >>"$SOAK_TSV"
    trim_logs
  done
  wait "$SOAK_WRK" || { cat "$TMP/wrk-soak.out" >&2; die "wrk failed during the soak"; }
  SOAK_JSON="$(grep -m1 '^WRK_JSON ' "$TMP/wrk-soak.out" | cut -d' ' -f2-)"
  LEDGER_AFTER_SOAK="$(ledger_pending)"
fi

# ---- report ----------------------------------------------------------------------------------
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print ""; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
metric() { jq -r --arg t "$1" --argjson c "$2" "select(.target==\$t and .conns==\$c) | $3" "$RUNS" | median; }
errors_of() { jq -r --arg t "$1" --argjson c "$2" 'select(.target==$t and .conns==$c) | .errors | add' "$RUNS" | awk '{s+=$1} END {print s+0}'; }
calc() { awk "BEGIN {printf \"$1\", $2}"; }
# paired A B CONNS EXPR: EXPR (jq, over $a and $b, the runs of A and B) for every repetition
# that has both, one value per line in repetition order. A machine whose speed drifts within a
# run (this VM's does, by up to 2×) moves runs seconds apart together, so the median of these
# per-repetition comparisons is steadier than a comparison of the two columns' medians.
paired() {
  jq -rs --arg ta "$1" --arg tb "$2" --argjson c "$3" "
    [.[] | select(.conns == \$c)] as \$r
    | [range(1; ([\$r[].rep] | max) + 1)][] as \$k
    | [\$r[] | select(.rep == \$k and .target == \$ta)][0] as \$a
    | [\$r[] | select(.rep == \$k and .target == \$tb)][0] as \$b
    | select(\$a != null and \$b != null) | $4" "$RUNS"
}
per_rep() { awk -v f="$1" '{printf "%s" f, (NR > 1 ? " " : ""), $1}'; }
mb() { calc '%.1f' "$1/1024"; }

declare -A RPS P50 P99 ERR
for scenario in "${scenario_list[@]}"; do
  conns="${scenario##*:}"
  for t in ${scenario%:*}; do
    [ -n "${WANT[$t]:-}" ] || continue
    RPS[$t.$conns]="$(metric "$t" "$conns" .rps)"
    P50[$t.$conns]="$(metric "$t" "$conns" .p50_ms)"
    P99[$t.$conns]="$(metric "$t" "$conns" .p99_ms)"
    ERR[$t.$conns]="$(errors_of "$t" "$conns")"
  done
done

REPORT="$TMP/report.md"
{
  echo "# Osprey gateway benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  if [ -n "$LABEL" ]; then printf '> %s\n\n' "$LABEL"; fi
  if [ "$QUICK" = 1 ]; then
    printf '> Quick run (--quick): short durations, no soak; numbers are indicative only.\n\n'
  fi
  echo "- Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc --all) cores, Linux $(uname -r)."
  echo "- Load average (1/5/15 min) before the runs: $LOAD_START; after: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "- Osprey binary \`$OSPREY_BIN\` (\`osprey version\` when the run began: $OSPREY_VERSION); checkout at $CHECKOUT."
  echo "- Osprey (Release), \`server.io_threads: 1\`, \`worker_threads: 2\`, JSON access log on (stderr appended to a file), metrics on."
  echo "- \`osprey\` is called with the admin key (authenticated, no plan limits); \`osprey-limits\` with a tenant key whose plan sets requests/s, tokens/min and max concurrent (never reached); \`osprey-cache\` is a second Osprey with \`cache.enabled: true\` serving the same request (temperature 0) from its cache after the first miss."
  echo "- nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'): 1 worker, \`proxy_pass\` with upstream \`keepalive 64\`, \`proxy_http_version 1.1\`, default \`combined\` access log to a file."
  echo "- Fake upstream: \`osprey-fake-upstream --vendor openai --threads 1 --record-limit 0\` (no latency)."
  echo "- Pinning: fake upstream, nginx and Osprey on core 0 (\`taskset -c 0\`); \`wrk -t1\` on core 1."
  echo "- Each scenario: ${WARMUP} s warm-up, then ${REPS} × ${DURATION} s measured runs (interleaved across targets, in the order $RUN_ORDER); the table shows the median of each column, and each target below is judged on the median of its per-repetition comparison (runs seconds apart)."
  if [ "$n_stream" -gt 0 ]; then
    echo "- Streams (\`-stream\` rows): the same request with \`\"stream\": true\`; Osprey's answer is ${STREAM_EVENTS:-?} SSE events (\`data: [DONE]\` included); req/s counts whole streams and latency runs to a stream's end. nginx proxies them from a second \`server\` with \`proxy_buffering off\`, as SSE is proxied. No target applies."
  fi
  echo
  echo "| scenario | conns | req/s | p50 ms | p99 ms | req/s vs nginx | p50 / p99 overhead vs direct (ms) | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for scenario in "${scenario_list[@]}"; do
    conns="${scenario##*:}"
    for t in ${scenario%:*}; do
      [ -n "${WANT[$t]:-}" ] || continue
      k="$t.$conns"
      sfx=""
      [ "${t%-stream}" = "$t" ] || sfx="-stream"
      vs_nginx="—"
      [ -n "${RPS[nginx$sfx.$conns]:-}" ] && vs_nginx="$(calc '%.2f×' "${RPS[$k]}/${RPS[nginx$sfx.$conns]}")"
      vs_direct="—"
      if [ "$t" != "direct$sfx" ] && [ -n "${P50[direct$sfx.$conns]:-}" ]; then
        vs_direct="$(calc '%+.3f / %+.3f' "${P50[$k]}-${P50[direct$sfx.$conns]}, ${P99[$k]}-${P99[direct$sfx.$conns]}")"
      fi
      errs="${ERR[$k]}"
      [ "$errs" = 0 ] || errs="**$errs**"
      printf '| %s | %s | %.0f | %.3f | %.3f | %s | %s | %s |\n' "$t" "$conns" "${RPS[$k]}" \
        "${P50[$k]}" "${P99[$k]}" "$vs_nginx" "$vs_direct" "$errs"
    done
  done
  echo
  if [ -n "${WANT[osprey]:-}" ]; then
    echo "## Memory (Osprey, VmRSS)"
    echo
    echo "- Idle, 2 s after start: $(mb "$IDLE_RSS_KB") MB; after the load runs: $(mb "$AFTER_RSS_KB") MB."
    echo "- Usage-ledger rows still queued (\`osprey_usage_ledger_pending\`) right after the load runs: ${LEDGER_AFTER_LOAD:-unknown}${LEDGER_AFTER_SOAK:+; right after the soak: $LEDGER_AFTER_SOAK} (a few hundred is one batch in flight; a growing queue means the ledger fell behind and lent its CPU to the measured path)."
    if [ -n "$SOAK_JSON" ]; then
      FIRST="$(awk -F'\t' '$1 <= 60 {print $2}' "$SOAK_TSV" | median)"
      LAST="$(awk -F'\t' -v s="$SOAK" '$1 >= s - 60 {print $2}' "$SOAK_TSV" | median)"
      SOAK_RATIO="$(calc '%.3f' "$LAST/$FIRST")"
      echo "- Soak: ${SOAK} s at $CONNS_THROUGHPUT connections: $(jq -r '"\(.rps|floor) req/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, errors \(.errors|add)"' <<<"$SOAK_JSON")."
      echo "- RSS first-minute median $(mb "$FIRST") MB, last-minute median $(mb "$LAST") MB, ratio $SOAK_RATIO."
      echo "- Samples (s:MB): $(awk -F'\t' '{printf "%s%d:%.1f", (NR>1?" ":""), $1, $2/1024}' "$SOAK_TSV")"
    else
      echo "- Soak: not run (--soak 0 or --quick)."
    fi
    echo
  fi
  echo "## Targets"
  echo
  check() { # NAME PASS(0/1) DETAIL
    if [ "$2" = 1 ]; then echo "- **PASS** $1: $3"; else echo "- **FAIL** $1: $3"; fi
  }
  # Each comparison is judged on the median of its per-repetition values (paired runs); the
  # comparison of the table's medians is shown beside it.
  ratio_check() { # NAME A B MIN: req/s of A over B at CONNS_THROUGHPUT, median per repetition
    local a="$2" b="$3" min="$4" c="$CONNS_THROUGHPUT" reps med ok e
    reps="$(paired "$a" "$b" "$c" '$a.rps / $b.rps')"
    med="$(median <<<"$reps")"
    ok="$(calc '%d' "($med >= $min) ? 1 : 0")"
    e=$((${ERR[$a.$c]} + ${ERR[$b.$c]}))
    [ "$e" = 0 ] || ok=0
    check "$1" "$ok" "$(calc 'median of per-repetition ratios %.2f' "$med") (each: $(per_rep '%.2f' <<<"$reps")); medians $(calc '%.0f vs %.0f req/s (ratio %.2f)' "${RPS[$a.$c]}, ${RPS[$b.$c]}, ${RPS[$a.$c]}/${RPS[$b.$c]}")$([ "$e" = 0 ] || echo "; $e errors")"
  }
  if [ -n "${WANT[osprey]:-}" ] && [ -n "${WANT[nginx]:-}" ]; then
    ratio_check "Osprey req/s ≥ 0.7 × nginx at $CONNS_THROUGHPUT connections" osprey nginx 0.7
  fi
  if [ -n "${WANT[osprey]:-}" ] && [ -n "${WANT[direct]:-}" ]; then
    c="$CONNS_LATENCY"
    reps="$(paired osprey direct "$c" '$a.p99_ms - $b.p99_ms')"
    med="$(median <<<"$reps")"
    ok="$(calc '%d' "($med <= 0.5) ? 1 : 0")"
    e=$((${ERR[osprey.$c]} + ${ERR[direct.$c]}))
    [ "$e" = 0 ] || ok=0
    check "Osprey p99 ≤ direct p99 + 0.5 ms at $c connections" "$ok" \
      "$(calc 'median of per-repetition overheads %+.3f ms' "$med") (each: $(per_rep '%+.3f' <<<"$reps")); medians $(calc '%.3f vs %.3f ms (overhead %+.3f ms)' "${P99[osprey.$c]}, ${P99[direct.$c]}, ${P99[osprey.$c]}-${P99[direct.$c]}")$([ "$e" = 0 ] || echo "; $e errors")"
  fi
  if [ -n "${WANT[osprey-limits]:-}" ]; then
    ratio_check "auth + rate limits cost ≤ 10% of throughput at $CONNS_THROUGHPUT connections (osprey-limits vs osprey)" osprey-limits osprey 0.9
  fi
  if [ -n "${WANT[osprey-cache]:-}" ] && [ -n "${WANT[osprey]:-}" ]; then
    ratio_check "cache hits ≥ 2 × proxied throughput at $CONNS_THROUGHPUT connections (osprey-cache vs osprey)" osprey-cache osprey 2
  fi
  if [ -n "${WANT[osprey-stream]:-}" ] && [ -n "${WANT[nginx-stream]:-}" ]; then
    reps="$(paired osprey-stream nginx-stream "$STREAM_CONNS" '$a.rps / $b.rps')"
    echo "- (no target) Osprey streams/s vs nginx at $STREAM_CONNS connections: $(calc 'median of per-repetition ratios %.2f' "$(median <<<"$reps")") (each: $(per_rep '%.2f' <<<"$reps"))."
  fi
  if [ -z "${WANT[osprey]:-}" ]; then
    echo "- Osprey was not part of this run (--targets $TARGETS); no target applies."
  fi
  if [ -n "${WANT[osprey]:-}" ]; then
    check "idle RSS ≤ 30 MB" "$(calc '%d' "($IDLE_RSS_KB <= 30*1024) ? 1 : 0")" "$(mb "$IDLE_RSS_KB") MB"
    if [ -n "$SOAK_JSON" ]; then
      ok="$(calc '%d' "($SOAK_RATIO >= 0.9 && $SOAK_RATIO <= 1.1) ? 1 : 0")"
      se="$(jq -r '.errors | add' <<<"$SOAK_JSON")"
      [ "$se" = 0 ] || ok=0
      check "memory flat (±10%) across the ${SOAK} s soak" "$ok" \
        "last-minute / first-minute median RSS = $SOAK_RATIO$([ "$se" = 0 ] || echo "; $se errors during the soak")"
    else
      echo "- **SKIPPED** memory flat across a soak: no soak in this run."
    fi
  fi
  echo
  echo "## Raw runs"
  echo
  echo '```'
  cat "$RUNS"
  if [ -n "$SOAK_JSON" ]; then jq -c '{target: "osprey", conns: 32, soak: true} + .' <<<"$SOAK_JSON"; fi
  echo '```'
} >"$REPORT"

cat "$REPORT"
if [ "$SAVE" = 1 ]; then
  if [ -z "$OUT" ]; then
    OUT="$HERE/results/$(date -u +%Y-%m-%d)$([ "$QUICK" = 1 ] && echo -quick || true).md"
  fi
  mkdir -p "$(dirname "$OUT")"
  cp "$REPORT" "$OUT"
  echo "run.sh: results written to $OUT" >&2
fi
