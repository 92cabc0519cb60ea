#!/usr/bin/env bash
# Runs the whole test suite: the module boundary check, then every test target (unit tests,
# conformance suites, and the Lua behaviour tests that drive the built CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
tuna_check_swift
tuna_install_deps
scripts/check-boundaries.sh
swift build --build-tests
swift test --skip-build --disable-swift-testing "$@"
