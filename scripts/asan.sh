#!/usr/bin/env bash
# Runs the whole test suite once under AddressSanitizer: the package (Swift and the C shim) is
# built instrumented in its own build directory, and the CLI tests drive the instrumented
# `tuna`. Debian's Lua, OpenBLAS and SQLite are not instrumented; what they are handed is.
# Takes several times the plain suite's time. Usage: scripts/asan.sh [swift test options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
tuna_check_swift
tuna_install_deps
tuna_install_test_deps
build=.build-asan
flags=(-c release --sanitize=address --build-path "$build" -Xswiftc -enable-testing)
swift build "${flags[@]}" --build-tests
# Leak reports are off: the runtime keeps metadata for the process's life, and the CLI tests
# kill processes on purpose. Everything else (overflows, use after free, double free) aborts.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:${ASAN_OPTIONS:-}"
export TUNA_EXECUTABLE="$PWD/$build/release/tuna"
swift test "${flags[@]}" --skip-build --disable-swift-testing "$@"
