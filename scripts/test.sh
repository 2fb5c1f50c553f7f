#!/usr/bin/env bash
# README command 2: install what is missing, build everything, run the whole test suite.
# Every service a test needs (PostgreSQL, ...) is started by the tests themselves on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
ctest --preset release -j "${OSPREY_TEST_JOBS:-2}" "$@"
