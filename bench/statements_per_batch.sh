#!/usr/bin/env bash
# Counts the SQL statements one lmpd instance on PostgreSQL sends per batch and per request, by
# statement, with pg_stat_statements (docs/benchmarks.md, "Statements per batch"): a database of
# its own on a server that loads the extension, a license (or N, one customer each), one lmpd,
# lmp-bench's checkout-heartbeat-checkin cycle, then the counts. Statement counts do not depend on
# the machine's speed; statements per batch do a little (busier instances make larger batches).
set -euo pipefail
usage() {
  cat <<'EOF'
usage: bench/statements_per_batch.sh --build-dir DIR --pg CONNINFO [options]
  --build-dir DIR      a build folder with daemon/lmpd, bench/lmp-bench and plugins/
  --pg CONNINFO        libpq connection string of a server with
                       shared_preload_libraries = 'pg_stat_statements' (database postgres)
  --licenses N         licenses the checkouts take in turn (default 1)
  --connections C      lmp-bench connections (default 16)
  --duration S         seconds of load (default 5)
Prints every statement the instance ran with its calls per request, then the totals, and, when
the server runs on this machine and its data folder is readable, the CPU it used per request.
EOF
}
build_dir="" pg="" licenses=1 connections=16 duration=5
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build_dir=$2; shift 2 ;;
    --pg) pg=$2; shift 2 ;;
    --licenses) licenses=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[ -n "$build_dir" ] && [ -n "$pg" ] || { usage >&2; exit 2; }
for n in "$licenses" "$connections" "$duration"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "statements_per_batch.sh: '$n' is not a positive number" >&2; exit 2; }
done
build_dir=$(cd "$build_dir" && pwd)
work=$(mktemp -d /tmp/lmp-statements.XXXXXX)
db="lmp_statements_$$"
lmpd_pid=""
cleanup() {
  [ -z "$lmpd_pid" ] || { kill "$lmpd_pid" 2>/dev/null; wait "$lmpd_pid" 2>/dev/null || true; }
  psql -X "$pg" -qAt -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# CPU ticks of the PostgreSQL server, when it runs here: the postmaster's own and its reaped
# children's (every backend that ended, lmpd's included) and its live processes'. Empty when the
# server is elsewhere or its files cannot be read.
server_cpu_ticks() {
  local datadir pid
  datadir=$(psql -X "$pg" -qAt -c "SHOW data_directory" 2>/dev/null) || return 0
  pid=$(head -1 "$datadir/postmaster.pid" 2>/dev/null) || return 0
  python3 - "$pid" <<'PY' 2>/dev/null || true
import os, sys
pid = sys.argv[1]
def fields(p):
    with open(f"/proc/{p}/stat") as f:
        s = f.read()
    return s[s.rindex(")") + 2:].split()  # from field 3 (state) on
own = fields(pid)
total = sum(int(x) for x in own[11:15])  # utime, stime, cutime, cstime
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            f = fields(p)
        except OSError:
            continue
        if f[1] == pid:
            total += int(f[11]) + int(f[12])
print(total)
PY
}
psql -X "$pg" -qAt -c "CREATE DATABASE $db" >/dev/null
conninfo="$pg dbname=$db"
psql -X "$conninfo" -qAt -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
head -c 32 /dev/urandom >"$work/lmpd.secret"
chmod 600 "$work/lmpd.secret"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/lmpd.yaml" <<EOF
listeners:
  seat: {address: 127.0.0.1, port: $port}
  admin: {address: 127.0.0.1, port: 0}
storage:
  backend: postgresql
  secret_file: $work/lmpd.secret
  postgresql:
    connection: "$conninfo"
plugins:
  directory: $build_dir/plugins
products:
  - {code: bench, name: Benchmark seats, family: software, unit: seats}
EOF
: >"$work/codes.txt"
for ((i = 1; i <= licenses; i++)); do
  "$build_dir/daemon/lmpd" admin --config "$work/lmpd.yaml" create-license --customer "bench-$i" \
    --product bench --units 1000000 --days 30 2>>"$work/admin.log" |
    sed -n 's/^activation code: //p' >>"$work/codes.txt"
done
[ "$(wc -l <"$work/codes.txt")" -eq "$licenses" ] || { cat "$work/admin.log" >&2; exit 1; }
"$build_dir/daemon/lmpd" --config "$work/lmpd.yaml" 2>"$work/lmpd.log" &
lmpd_pid=$!
for ((i = 0; i < 100; i++)); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
  sleep 0.1
done
if [ "$licenses" -eq 1 ]; then target=(--code "$(head -1 "$work/codes.txt")"); else target=(--codes-file "$work/codes.txt"); fi
psql -X "$conninfo" -qAt -c "SELECT pg_stat_statements_reset()" >/dev/null
cpu_before=$(server_cpu_ticks)
"$build_dir/bench/lmp-bench" --target lmpd --host 127.0.0.1 --port "$port" "${target[@]}" \
  --connections "$connections" --duration "$duration" --warmup 0 --json "$work/report.json" >/dev/null
ops=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['ops'] if 'ops' in r else round(r['ops_per_sec']*r['duration_s']))" "$work/report.json")
kill "$lmpd_pid"; wait "$lmpd_pid" 2>/dev/null || true; lmpd_pid=""
# Its backends end with it; their CPU counts once the postmaster has reaped them.
for ((i = 0; i < 50; i++)); do
  [ "$(psql -X "$pg" -qAt -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'")" = 0 ] && break
  sleep 0.1
done
cpu_after=$(server_cpu_ticks)
# toplevel: sent by lmpd (one round trip each); the others run inside those (foreign-key checks,
# triggers), server work but no round trip.
psql -X "$conninfo" -qAt -F $'\t' -c "SELECT calls, toplevel, regexp_replace(query, '\s+', ' ', 'g')
  FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$db')
  AND query NOT ILIKE '%pg_stat_statements%' ORDER BY calls DESC" >"$work/statements.tsv"
python3 - "$work/statements.tsv" "$ops" "$cpu_before" "$cpu_after" <<'EOF'
import os, sys
rows = [line.rstrip("\n").split("\t", 2) for line in open(sys.argv[1]) if line.strip()]
ops = int(sys.argv[2])
top = [(int(c), q) for c, t, q in rows if t == "t"]
nested = [(int(c), q) for c, t, q in rows if t != "t"]
commits = sum(c for c, q in top if q.strip().lower().startswith("commit"))
total = sum(c for c, _ in top)
print(f"{'calls':>9} {'per request':>11}  statement sent by lmpd")
for calls, query in top:
    print(f"{calls:>9} {calls / ops:>11.3f}  {query[:150]}")
print(f"\n{'calls':>9} {'per request':>11}  statement run inside those (no round trip)")
for calls, query in nested:
    print(f"{calls:>9} {calls / ops:>11.3f}  {query[:150]}")
print(f"\nrequests {ops} (checkout, heartbeat, checkin in turn); batches (COMMITs) {commits}; "
      f"statements sent {total}, run inside them {sum(c for c, _ in nested)}")
if commits:
    print(f"statements sent per batch {total / commits:.1f}; requests per batch "
          f"{ops / commits:.1f}; statements sent per request {total / ops:.2f}")
if sys.argv[3] and sys.argv[4] and ops:
    seconds = (int(sys.argv[4]) - int(sys.argv[3])) / os.sysconf("SC_CLK_TCK")
    print(f"PostgreSQL server CPU {seconds:.2f} s, {seconds / ops * 1e6:.0f} us per request "
          "(every process of the server, background work included)")
EOF
