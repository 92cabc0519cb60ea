#!/usr/bin/env bash
# Fails when a target imports what the architecture says it must not:
# only LuaVM (and the C shim) touch the Lua C API, and the search core knows no Lua at all.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
bad=$(grep -rlE '^\s*(@_implementationOnly\s+)?import\s+(CLua|CLuaShim)\b' Sources Tests --include='*.swift' \
  | grep -vE '^(Sources|Tests)/(LuaVM|LuaVMTests)/' || true)
if [ -n "$bad" ]; then echo "only LuaVM may import the Lua C API; found in:"; echo "$bad"; status=1; fi
bad=$(grep -rlE '^\s*import\s+(CLua|CLuaShim|LuaVM|TunaLua)\b' Sources/TunaSearch --include='*.swift' || true)
if [ -n "$bad" ]; then echo "TunaSearch must not import Lua; found in:"; echo "$bad"; status=1; fi
[ $status -eq 0 ] && echo "module boundaries: ok"
exit $status
