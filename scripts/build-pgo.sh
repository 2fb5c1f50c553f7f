#!/usr/bin/env bash
# Builds the production server binary with GCC profile-guided optimisation (PGO) into
# build/pgo/src/osprey (or the directory given as the first argument):
#   1. an instrumented build (OSPREY_PGO=generate) of `osprey`;
#   2. a training run: that binary proxies the gateway benchmark's chat completions (plain and
#      streamed, at 32 and 4 connections) to the fake OpenAI upstream, and some to fake Anthropic
#      and Ollama upstreams, then exits cleanly, which writes the profile (*.gcda beside each
#      object);
#   3. the same tree rebuilt with the profile (OSPREY_PGO=use).
# On the proxy path that is ~8% less CPU per request than the plain release build
# (docs/benchmarks.md). Takes about twice a release build; needs wrk (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
B="${1:-build/pgo}"
log() { echo "build-pgo: $*" >&2; }

command -v wrk >/dev/null || { log "needs wrk (scripts/install-deps.sh installs it)"; exit 1; }

log "1/3 instrumented build in $B"
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOSPREY_WERROR=ON -DOSPREY_PGO=generate >/dev/null
cmake --build "$B" --target osprey
# The training talks to the plain fake upstream of the release build, so nothing else in $B is
# ever instrumented.
./scripts/build.sh --target osprey-fake-upstream
FAKE_BIN="$ROOT/build/release/tests/fakes/osprey-fake-upstream"

log "2/3 training run"
find "$B" -name '*.gcda' -delete
TMP="$(mktemp -d /tmp/osprey-pgo.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
# shellcheck source=../bench/gateway/started_server.sh
. bench/gateway/started_server.sh
# shellcheck source=../bench/gateway/osprey_config.sh
. bench/gateway/osprey_config.sh

declare -A FAKE_URL
for vendor in openai anthropic ollama; do
  "$FAKE_BIN" --vendor "$vendor" --port 0 --threads 1 --record-limit 0 \
    >"$TMP/fake-$vendor.out" 2>"$TMP/fake-$vendor.err" &
  pids+=($!)
  FAKE_URL[$vendor]="$(wait_for_url "$TMP/fake-$vendor.out" 'listening on' $! "fake $vendor")"
done

# The benchmark's server config, with one more model per vendor.
osprey_bench_config "$TMP/data" "${FAKE_URL[openai]}" bench-model "  - name: claude
    deployments:
      - adapter: anthropic
        base_url: ${FAKE_URL[anthropic]}
        model: claude-3-5-haiku-latest
        api_key_env: OSPREY_PGO_ANTHROPIC_KEY
  - name: llama
    deployments:
      - adapter: ollama
        base_url: ${FAKE_URL[ollama]}
        model: llama3.2" >"$TMP/osprey.yaml"
OSPREY_PGO_ANTHROPIC_KEY=training-key "$B/src/osprey" serve --config "$TMP/osprey.yaml" \
  >"$TMP/osprey.out" 2>"$TMP/osprey.err" &
OSPREY_PID=$!
URL="$(wait_for_url "$TMP/osprey.out" 'osprey listening on' "$OSPREY_PID" "the instrumented osprey")"
KEY="$(admin_key "$TMP/osprey.out")"

train() { # MODEL CONNECTIONS SECONDS STREAM
  local out
  out="$(BENCH_MODEL="$1" BENCH_API_KEY="$KEY" BENCH_STREAM="$4" \
    wrk -t1 -c"$2" -d"$3"s -s bench/gateway/chat.lua "$URL/v1/chat/completions")"
  log "  $1, $2 connections, stream=$4: $(echo "$out" | awk '/Requests\/sec/{print $2}') req/s"
  if echo "$out" | grep -q 'Non-2xx'; then
    log "training requests failed: $(echo "$out" | grep 'Non-2xx')"
    exit 1
  fi
}
# Most of the profile is the benchmark's path (plain chat, 32 and 4 connections); streams and
# the other vendors' codecs get enough to be laid out as warm code too.
train bench-model 32 8 0
train bench-model 4 4 0
train bench-model 8 3 1
for model in claude llama; do
  train "$model" 8 2 0
  train "$model" 8 2 1
done
curl -fsS -H "Authorization: Bearer $KEY" "$URL/v1/models" >/dev/null

# A clean exit writes the profile; a killed process would leave none.
kill -TERM "$OSPREY_PID"
wait "$OSPREY_PID" || { log "the instrumented server did not exit cleanly"; exit 1; }
profiles="$(find "$B" -name '*.gcda' | wc -l)"
[ "$profiles" -gt 0 ] || { log "the training run wrote no profile"; exit 1; }
log "profile: $profiles files"
cleanup # the fakes are not needed during the rebuild
trap - EXIT

log "3/3 optimised build in $B"
cmake -S . -B "$B" -DOSPREY_PGO=use >/dev/null
cmake --build "$B" --target osprey
"$B/src/osprey" version
