#!/usr/bin/env bash
# README command 2: install what is missing, build everything, run the whole test suite.
# Services the tests need are started on loopback in a temporary directory: one PostgreSQL 15
# shared by every store test (each test creates and drops its own database).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh

services=$(mktemp -d /tmp/osprey-test-services-XXXXXX)
chmod 755 "$services"  # the PostgreSQL server runs as the postgres user when we are root
cleanup() {
  ./scripts/pg-test-server.sh stop "$services/pg" >/dev/null 2>&1 || true
  rm -rf "$services"
}
trap cleanup EXIT
if [ -z "${OSPREY_TEST_PG_URL:-}" ]; then
  OSPREY_TEST_PG_URL=$(./scripts/pg-test-server.sh start "$services/pg")
  export OSPREY_TEST_PG_URL
fi

ctest --preset release -j "${OSPREY_TEST_JOBS:-2}" "$@"
