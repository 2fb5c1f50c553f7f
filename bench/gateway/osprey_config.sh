# shellcheck shell=bash
# bench/gateway/osprey_config.sh — the Osprey config every gateway benchmark runs with (sourced by
# run.sh and callgrind.sh, so both measure the same server): one I/O thread, JSON access log on,
# one model on the fake upstream, with a price so every request costs and writes a ledger row.

# osprey_bench_config DATA_DIR FAKE_URL MODEL [MORE_MODELS]: prints the YAML. MORE_MODELS is YAML
# for further entries of `models:` (scripts/build-pgo.sh adds other vendors' fakes).
osprey_bench_config() {
  cat <<EOF
data_dir: $1
worker_threads: 2
server:
  listen: 127.0.0.1:0
  io_threads: 1
log:
  level: info
  access_log: true
models:
  - name: $3
    deployments:
      - id: $3@fake
        adapter: openai
        base_url: $2
        model: $3
EOF
  if [ -n "${4:-}" ]; then printf '%s\n' "$4"; fi
  cat <<EOF
pricing:
  models:
    $3:
      input_usd_per_million: 0.15
      output_usd_per_million: 0.60
EOF
}
