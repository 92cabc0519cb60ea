#!/usr/bin/env bash
# Runs the whole test suite: the module boundary check, then every test target (unit tests,
# conformance suites, the Lua behaviour tests that drive the built CLI, and the report checked
# in headless Chromium) with a PostgreSQL server of its own running. Tests build in
# release mode (with testing enabled): the training core and the example scripts the CLI tests
# run end to end are 20-50x slower unoptimized.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/postgres.sh
tuna_check_swift
tuna_install_deps
tuna_install_test_deps
tuna_install_postgres
scripts/check-boundaries.sh
swift build -c release --build-tests -Xswiftc -enable-testing
# A throwaway server (a new cluster in a temporary directory), stopped and removed on exit.
trap tuna_stop_postgres EXIT
tuna_start_postgres
export TUNA_TEST_REQUIRE_POSTGRES=1
swift test -c release --skip-build --disable-swift-testing -Xswiftc -enable-testing "$@"
# Several hosts for real: network namespaces joined by veth links, a PostgreSQL server in one,
# tuna run workers in the others, all on one study; workers killed, a link cut, clocks an hour
# off (scripts/tests/multihost.py says more). Namespaces need root.
if [ "$(id -u)" -eq 0 ]; then
  python3 scripts/tests/multihost.py --tuna .build/release/tuna
else
  sudo python3 scripts/tests/multihost.py --tuna .build/release/tuna
fi
# A short run of the program fuzzer: random Lua programs against the whole tuna API under the
# sandbox and the limits; any crash, hang or escape fails the run (scripts/fuzz/fuzz_tuna.py
# describes the long run).
python3 scripts/fuzz/fuzz_tuna.py --tuna .build/release/tuna --programs 300 --seed 1 --out .build/fuzz-failures
