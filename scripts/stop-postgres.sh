#!/usr/bin/env bash
# Stops the test PostgreSQL server that scripts/start-postgres.sh started, and removes its files;
# with --keep, only stops it (start-postgres.sh then starts the same cluster again).
set -euo pipefail
keep=false
[ "${1:-}" != "--keep" ] || keep=true
dir=${LMP_PG_DIR:-/tmp/lmpd-test-pg}
pg_bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)
as_owner=()
[ "$(id -u)" -ne 0 ] || as_owner=(runuser -u postgres --)
if [ -n "$pg_bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
  "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
fi
$keep || rm -rf "$dir"
