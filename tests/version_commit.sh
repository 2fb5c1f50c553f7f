#!/bin/sh
# `osprey version` names the commit the binary was built from (read at build time, not at the
# last CMake configure): the checkout's short hash, "-dirty" when built with changes, or
# "unknown" outside a git checkout.
# usage: tests/version_commit.sh OSPREY_BINARY SOURCE_DIR
set -eu
out="$("$1" version)"
if head="$(git -C "$2" rev-parse --short HEAD 2>/dev/null)"; then
  case "$out" in
    *"(commit $head)" | *"(commit $head-dirty)") echo "ok: $out" ;;
    *) echo "expected commit $head in: $out" >&2; exit 1 ;;
  esac
else
  case "$out" in
    *"(commit unknown)") echo "ok: $out" ;;
    *) echo "expected commit unknown in: $out" >&2; exit 1 ;;
  esac
fi
