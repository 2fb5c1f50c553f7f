#!/usr/bin/env bash
# Installs every Debian package Osprey needs to build, run and test, and the npm packages of the
# compatibility and browser tests. Idempotent and non-interactive: only missing packages are
# installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang-format
  # libraries
  libboost1.81-dev libssl-dev libsqlite3-dev libpq-dev nlohmann-json3-dev libyaml-cpp-dev
  libvalijson-dev libre2-dev libgoogle-perftools-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev sqlite3 postgresql-15 redis-server prometheus wrk
  nginx curl jq procps ca-certificates iproute2 openssl valgrind
  # headless browser for the viewer test (tests/browser, driven by playwright-core)
  chromium
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js (for the SDK compatibility tests): Debian's nodejs unless a node is already present.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages used by tests (lockfiles are committed; node_modules are not).
for dir in tests/compat/*/ tests/browser/; do
  [ -f "$dir/package-lock.json" ] || continue
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    echo "install-deps: npm ci in $dir" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    touch "$dir/node_modules"
  fi
done
