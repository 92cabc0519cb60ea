#!/usr/bin/env bash
# Installs what is missing, builds Tuna in release mode, and runs a real tuning example: a neural
# network tuned on the bundled handwritten digits.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
tuna_check_swift
tuna_install_deps
echo "Building (release) ..."
swift build -c release --product tuna
echo "Running scripts/examples/digits_mlp.lua ..."
.build/release/tuna run scripts/examples/digits_mlp.lua "$@"
