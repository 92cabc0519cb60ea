#!/usr/bin/env bash
# Installs what is missing, builds Tuna in release mode, and runs the quick-start tuning script.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
tuna_check_swift
tuna_install_deps
echo "Building (release) ..."
swift build -c release --product tuna
echo "Running scripts/examples/quickstart.lua ..."
.build/release/tuna run scripts/examples/quickstart.lua "$@"
