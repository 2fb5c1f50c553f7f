#!/usr/bin/env bash
# Configures and builds the release preset. Arguments are passed to `cmake --build` (e.g. a target).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/release/build.ninja ]; then
  cmake --preset release >/dev/null
fi
cmake --build --preset release "$@"
