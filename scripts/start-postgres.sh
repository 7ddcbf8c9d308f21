#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the test suite (a cluster of its own under
# LMP_PG_DIR, default /tmp/lmpd-test-pg, on 127.0.0.1:LMP_PG_PORT, default 55432, trust auth),
# creating the cluster if it does not exist yet, or finds it already running. Prints the libpq
# connection string on stdout.
set -euo pipefail
dir=${LMP_PG_DIR:-/tmp/lmpd-test-pg}
port=${LMP_PG_PORT:-55432}
pg_bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || {
  echo "start-postgres: no PostgreSQL server binaries (scripts/install-deps.sh installs them)" >&2
  exit 1
}
# The server refuses to run as root: as root, run it as the postgres user the package created.
as_owner=()
[ "$(id -u)" -ne 0 ] || as_owner=(runuser -u postgres --)
conninfo="host=127.0.0.1 port=$port user=postgres dbname=postgres"

if [ -f "$dir/data/postmaster.pid" ] && "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  echo "$conninfo"
  exit 0
fi
if [ ! -f "$dir/data/PG_VERSION" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$dir"
  "${as_owner[@]}" "$pg_bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  # Durable commits as in production (the tests kill servers and check what was acknowledged);
  # connections enough for several lmpd instances and parallel tests.
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
max_connections = 300
CONF
fi
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null || {
  cat "$dir/server.log" >&2
  exit 1
}
echo "$conninfo"
