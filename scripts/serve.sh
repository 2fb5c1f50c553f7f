#!/usr/bin/env bash
# README command 1: install what is missing, build, and start `osprey serve` on the embedded
# default (SQLite in ./osprey-data). Extra arguments go to `osprey serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh --target osprey
exec ./build/release/src/osprey serve "$@"
