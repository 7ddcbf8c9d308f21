#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the test suite (a cluster of its own under
# LMP_PG_DIR, default /tmp/lmpd-test-pg, on 127.0.0.1:LMP_PG_PORT, default 55432, trust auth),
# creating the cluster if it does not exist yet, or finds it already running. Prints the libpq
# connection string on stdout. LMP_PG_FSYNC=on (default off) for benchmarks that compare durable
# commits; it takes effect when the server starts.
set -euo pipefail
dir=${LMP_PG_DIR:-/tmp/lmpd-test-pg}
port=${LMP_PG_PORT:-55432}
fsync=${LMP_PG_FSYNC:-off}
[[ "$fsync" == on || "$fsync" == off ]] || {
  echo "start-postgres: LMP_PG_FSYNC must be on or off" >&2
  exit 2
}
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
  # Connections enough for several lmpd instances and parallel tests. A commit is acknowledged
  # only once its WAL record is written (synchronous_commit), so a killed lmpd or a killed server
  # process loses nothing acknowledged, which is what the tests check. fsync is off unless asked
  # for: flushing to the disk guards against the machine losing power, which no test simulates
  # against this server, and it was a third of the PostgreSQL tests' time (each test creates a
  # database and migrates it). Production servers keep fsync on (docs/scale-out.md).
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
synchronous_commit = on
max_connections = 300
CONF
fi
# LMP_PG_STATEMENTS=on loads pg_stat_statements, counting every statement (nested ones too), for
# bench/statements_per_batch.sh; it applies when this call starts the server.
options="-c fsync=$fsync -c full_page_writes=$fsync"
[ "${LMP_PG_STATEMENTS:-off}" != on ] ||
  options+=" -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "$options" start >/dev/null || {
  cat "$dir/server.log" >&2
  exit 1
}
echo "$conninfo"
