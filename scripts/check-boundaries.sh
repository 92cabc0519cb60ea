#!/usr/bin/env bash
# Fails when a target imports what the architecture says it must not:
# only LuaVM (and the C shim) touch the Lua C API, the search core, the training core, the
# storages, the analyses, the report and the process supervisor know no Lua at all, the cores import nothing above them, the two cores know nothing of each other, and only TunaStore
# (and tests that inspect its files) touch SQLite's C API, and only TunaStore libpq's; no sampler
# or pruner reaches the storage.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
bad=$(grep -rlE '^\s*(@_implementationOnly\s+)?import\s+(CLua|CLuaShim)\b' Sources Tests --include='*.swift' \
  | grep -vE '^(Sources|Tests)/(LuaVM|LuaVMTests)/' || true)
if [ -n "$bad" ]; then echo "only LuaVM may import the Lua C API; found in:"; echo "$bad"; status=1; fi
bad=$(grep -rlE '^\s*import\s+(CLua|CLuaShim|LuaVM|TunaLua)\b' Sources/TunaSearch --include='*.swift' || true)
if [ -n "$bad" ]; then echo "TunaSearch must not import Lua; found in:"; echo "$bad"; status=1; fi
bad=$(grep -rlE '^\s*import\s+(CLua|CLuaShim|LuaVM|TunaLua)\b' Sources/TunaTrain Sources/TunaStore Sources/TunaAnalysis Sources/TunaReport Sources/TunaIsolation --include='*.swift' || true)
if [ -n "$bad" ]; then echo "TunaTrain, TunaStore, TunaAnalysis, TunaReport and TunaIsolation must not import Lua; found in:"; echo "$bad"; status=1; fi
bad=$(grep -rlE '^\s*import\s+(TunaAnalysis|TunaReport|TunaStore)\b' Sources/TunaSearch Sources/TunaTrain --include='*.swift' || true)
if [ -n "$bad" ]; then echo "the search and training cores must not import the layers above them; found in:"; echo "$bad"; status=1; fi
bad=$(grep -rlE '^\s*import\s+TunaTrain\b' Sources/TunaSearch --include='*.swift' || true)
bad+=$(grep -rlE '^\s*import\s+TunaSearch\b' Sources/TunaTrain --include='*.swift' || true)
if [ -n "$bad" ]; then echo "TunaSearch and TunaTrain must not import each other; found in:"; echo "$bad"; status=1; fi
bad=$(grep -rlE '^\s*import\s+CSQLite\b' Sources Tests --include='*.swift' \
  | grep -vE '^(Sources/TunaStore|Tests/TunaStoreTests|Tests/TunaCLITests)/' || true)
if [ -n "$bad" ]; then echo "only TunaStore may import SQLite's C API; found in:"; echo "$bad"; status=1; fi
bad=$(grep -rlE '^\s*import\s+CPostgres\b' Sources Tests --include='*.swift' | grep -vE '^Sources/TunaStore/' || true)
if [ -n "$bad" ]; then echo "only TunaStore may import libpq (CPostgres); found in:"; echo "$bad"; status=1; fi
# Plug-ins (samplers, pruners) read the study through their context's read-only history and write
# only through the context: none reaches the storage (doc comments aside).
bad=$(grep -rnE '(\.storage\b|\bany Storage\b|\bStorage\))' Sources/TunaSearch/Samplers Sources/TunaSearch/Pruners --include='*.swift' \
  | grep -vE '^[^:]+:[0-9]+:\s*//' || true)
if [ -n "$bad" ]; then echo "samplers and pruners must not touch the storage (use their context); found:"; echo "$bad"; status=1; fi
[ $status -eq 0 ] && echo "module boundaries: ok"
exit $status
