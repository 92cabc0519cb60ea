# Installs the system packages Tuna builds against, when they are missing (Debian/Ubuntu).
# Sourced by setup.sh and test.sh. Quiet when everything is present.

tuna_install_deps() {
  tuna_install_packages pkg-config liblua5.4-dev libopenblas-dev libsqlite3-dev libpq-dev
}

# What the tests need beyond the build: Chromium renders the HTML report headless (driven by
# scripts/lib/page_check.py, Python's standard library only), with fonts that look alike on
# every machine. Stock `lua5.4` is the reference the pattern matcher is compared with. The
# multi-host test makes hosts with iproute2's network namespaces, runs one host's workers an
# hour off with faketime, and reads the server with psql (postgresql's client).
tuna_install_test_deps() {
  tuna_install_packages chromium fonts-dejavu-core python3 lua5.4 iproute2 faketime postgresql-client
}

tuna_install_packages() {
  local packages=("$@")
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing ${missing[*]} ..."
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; return 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

tuna_check_swift() {
  command -v swift >/dev/null || {
    echo "swift not found: install the Swift 6 toolchain first (https://www.swift.org/install)" >&2
    return 1
  }
}
