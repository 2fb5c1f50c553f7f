#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for tests.
#   pg-test-server.sh start <dir>   init + start a cluster in <dir>, print its URL on stdout
#   pg-test-server.sh stop <dir>    stop it (the caller removes <dir>)
# Trust auth, superuser "osprey", listens on 127.0.0.1 on a free port, socket inside <dir>,
# fsync off (the data is disposable). Needs no system PostgreSQL service. As root, the server
# runs as the "postgres" system user because initdb refuses to run as root.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

die() {
  echo "pg-test-server: $*" >&2
  exit 1
}

usage() { die "usage: $0 start|stop <dir>"; }

[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2

[[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] ||
  die "PostgreSQL server binaries not found in $PG_BIN; install the Debian package postgresql-15"

# Runs a command as the server's owner (postgres when we are root, else ourselves).
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

start() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ $(id -u) -eq 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
      useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres ||
        die "could not create the postgres system user"
    fi
    chown -R postgres: "$dir"
  fi
  as_owner "$PG_BIN/initdb" -D "$dir/data" -U osprey -A trust -E UTF8 --locale=C.UTF-8 -N \
    >"$dir/initdb.log" 2>&1 || die "initdb failed; see $dir/initdb.log: $(tail -n 5 "$dir/initdb.log")"
  mkdir -p "$dir/sock"
  [[ $(id -u) -ne 0 ]] || chown postgres: "$dir/sock"

  # Several test processes may start clusters at once: pick a random free port and retry if
  # another process grabbed it between the check and the bind.
  local attempt port=""
  for attempt in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
      break
    fi
    port=""
  done
  [[ -n $port ]] || die "could not start postgres; see $dir/server.log: $(tail -n 5 "$dir/server.log" 2>/dev/null)"
  echo "$port" >"$dir/port"

  "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U osprey osprey_test ||
    die "createdb osprey_test failed"
  echo "postgresql://osprey@127.0.0.1:$port/osprey_test"
}

stop() {
  [[ -d "$dir/data" ]] || die "no cluster in $dir"
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
