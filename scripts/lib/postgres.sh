# A throwaway PostgreSQL server for the tests: a new cluster in a temporary directory, listening
# on a free loopback port (and a Unix socket in the same directory), stopped and removed by
# `tuna_stop_postgres`. Sourced by test.sh; needs deps.sh.
#
# After `tuna_start_postgres`, TUNA_TEST_POSTGRES_URL names a database the tests may use as they
# like (`postgresql://tuna:PASSWORD@127.0.0.1:PORT/tuna_test`), and TUNA_TEST_POSTGRES_BIN the
# server's programs (the multi-host test starts servers of its own with them).

tuna_install_postgres() {
  tuna_install_packages postgresql
}

# The directory of the newest installed server's programs (initdb, pg_ctl, postgres).
tuna_postgres_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    echo "no PostgreSQL server found under /usr/lib/postgresql" >&2
    return 1
  fi
  echo "$dir"
}

# Runs a command as the server's owner: `postgres` when we are root (initdb and the server
# refuse to run as root), ourselves otherwise.
tuna_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

tuna_start_postgres() {
  local bin
  bin=$(tuna_postgres_bin) || return 1
  TUNA_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tuna-pg.XXXXXX")
  chmod 755 "$TUNA_PG_DIR"
  local password
  password="pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$password" >"$TUNA_PG_DIR/pwfile"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$TUNA_PG_DIR"; fi
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  tuna_as_postgres "$bin/initdb" -D "$TUNA_PG_DIR/data" -U tuna --pwfile="$TUNA_PG_DIR/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$TUNA_PG_DIR/initdb.log" 2>&1 || {
    cat "$TUNA_PG_DIR/initdb.log" >&2
    return 1
  }
  # fsync off: a test cluster need not survive a power cut, and fsyncs would dominate its time.
  # TUNA_PG_DURABLE=1 keeps PostgreSQL's durable defaults (for benchmarks).
  local durability="-c fsync=off"
  [ "${TUNA_PG_DURABLE:-0}" = 1 ] && durability=""
  tuna_as_postgres "$bin/pg_ctl" -D "$TUNA_PG_DIR/data" -l "$TUNA_PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $TUNA_PG_DIR $durability -c max_connections=200" \
    start >/dev/null || {
    cat "$TUNA_PG_DIR/server.log" >&2
    return 1
  }
  tuna_as_postgres "$bin/createdb" -h "$TUNA_PG_DIR" -p "$port" -U tuna tuna_test
  TUNA_PG_BIN="$bin"
  export TUNA_TEST_POSTGRES_URL="postgresql://tuna:$password@127.0.0.1:$port/tuna_test"
  export TUNA_TEST_POSTGRES_BIN="$bin"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port"
}

tuna_stop_postgres() {
  [ -n "${TUNA_PG_DIR:-}" ] || return 0
  tuna_as_postgres "$TUNA_PG_BIN/pg_ctl" -D "$TUNA_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$TUNA_PG_DIR"
  TUNA_PG_DIR=""
}
