# shellcheck shell=bash
# bench/gateway/started_server.sh — what a server started in the background printed: its URL and
# Osprey's first admin key (sourced by run.sh, callgrind.sh and scripts/build-pgo.sh).

# wait_for_url FILE REGEX PID WHAT: waits until FILE has a line matching REGEX (30 s at most, less
# if PID exits first: callgrind starts slowly) and prints the first http://127.0.0.1:PORT in it.
wait_for_url() {
  local file="$1" regex="$2" pid="$3" what="$4" line
  for _ in $(seq 1 600); do
    line="$(grep -m1 -E "$regex" "$file" 2>/dev/null || true)"
    if [ -n "$line" ]; then
      grep -oE 'http://127\.0\.0\.1:[0-9]+' <<<"$line" | head -1
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "${0##*/}: $what did not start; its output:" >&2
  tail -n 20 "$file" "${file%.out}.err" 2>/dev/null >&2 || true
  return 1
}

# admin_key FILE: the admin key Osprey printed on its first start with a fresh data dir.
admin_key() { sed -n 's/^osprey admin key (shown once): //p' "$1"; }
