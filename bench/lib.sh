# shellcheck shell=bash disable=SC2034,SC2154  # globals shared with the sourcing script
# Shell functions of the benchmark scripts (bench/run.sh, bench/scale_out.sh): private servers on
# free loopback ports, lmpd configs and licenses, CPU snapshots around a run, and the cleanup that
# stops everything a script started. Sourced, not run; the script sets first:
#   repo       the repository root
#   work       its temporary folder (under /var/tmp; bench_make_work creates one)
#   out        its results folder (the logs land there when the script fails)
#   build_dir  the Release build folder (lmpd_bin and the plugins are found there)
# and gets: py, probe, pg_bin, pids (processes to stop), pg_data, pg_pid.

# Debian's interpreter, where python3-matplotlib goes (a python3 earlier in PATH may lack it).
py=/usr/bin/python3
probe=("$py" "$repo/bench/probe.py")
work=""
pids=()
pg_data=""
pg_pid=""
script_name=bench/$(basename "$0")

# The options both scripts take, with their defaults; bench_parse_options sets them.
rounds="" duration="" warmup=""
pipelined="16x32"
client_threads=1
quick=0
do_build=1
build_dir="$repo/build-bench-release"
out=""

need_value() { [ $# -ge 2 ] || { echo "$(basename "$0"): $1 needs a value" >&2; exit 2; }; }

# bench_common_option ARGS... : takes one of the shared options off the front of ARGS; sets
# bench_used to the number of arguments used, 0 when ARGS starts with another option.
bench_common_option() {
  bench_used=1
  case $1 in
    --quick) quick=1 ;;
    --no-build) do_build=0 ;;
    -h | --help) usage; exit 0 ;;
    --rounds | --duration | --warmup | --connections | --pipelined | --client-threads | \
      --build-dir | --out)
      need_value "$@"
      bench_used=2
      case $1 in
        --rounds) rounds=$2 ;;
        --duration) duration=$2 ;;
        --warmup) warmup=$2 ;;
        --connections) connections=$2 ;;
        --pipelined) pipelined=$2 ;;
        --client-threads) client_threads=$2 ;;
        --build-dir) build_dir=$(realpath -m "$2") ;;
        --out) out=$(realpath -m "$2") ;;
      esac
      ;;
    *) bench_used=0 ;;
  esac
}

# bench_parse_options HANDLER ARGS... : every option of ARGS, the shared ones above and the
# script's own through HANDLER ARGS..., which sets bench_used like bench_common_option (0: not
# an option of the script). Sets command_line, the command as typed, for meta.json.
bench_parse_options() {
  local handler=$1
  shift
  command_line="bench/$(basename "$0")"
  [ $# -eq 0 ] || command_line+=" $(printf '%q ' "$@" | sed 's/ $//')"
  while [ $# -gt 0 ]; do
    bench_common_option "$@"
    [ "$bench_used" -ne 0 ] || "$handler" "$@"
    if [ "$bench_used" -eq 0 ]; then
      echo "$(basename "$0"): unknown option $1" >&2
      usage >&2
      exit 2
    fi
    shift "$bench_used"
  done
}

bench_die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# The newest PostgreSQL server binaries Debian installed, in pg_bin.
bench_find_postgres() {
  pg_bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d | sort -V | tail -1)
  [ -x "$pg_bin/initdb" ] || bench_die "no PostgreSQL server binaries found"
}

# bench_build TARGET... : the Release build the benchmarks measure.
bench_build() {
  cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DLMP_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build_dir" -j"$(nproc)" --target "$@"
}

# bench_need_binaries FILE... : each must exist and be executable.
bench_need_binaries() {
  local b
  for b in "$@"; do
    [ -x "$b" ] || bench_die "$b is missing (run without --no-build?)"
  done
}

bench_make_work() {
  mkdir -p "$out"
  work=$(mktemp -d /var/tmp/lmp-bench.XXXXXX)
  chmod 711 "$work" # the postgres user must reach its data folder inside
}

alive() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }

stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}

stop_postgres() {
  if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null || true
  fi
  pg_data=""
  pg_pid=""
}

# Stops every process in pids, and the private PostgreSQL.
stop_servers() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  pids=()
  stop_postgres
}

# The EXIT trap: stops everything; on failure keeps the servers' logs in $out/logs.
bench_cleanup() {
  local status=$?
  stop_servers
  if [ "$status" -ne 0 ] && [ -d "$out" ] && [ -n "$work" ] && [ -d "$work" ]; then
    # The temporary folder goes away; keep the servers' logs for the post-mortem.
    mkdir -p "$out/logs"
    (cd "$work" && find . -name '*.log' -exec cp --parents {} "$out/logs/" \;) || true
  fi
  [ -z "$work" ] || rm -rf "$work"
}

bench_traps() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

free_port() {
  "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_postgres PORT [SETTING...] : a private cluster in $work/pg, every commit flushed before it
# is acknowledged, with each SETTING line added to its configuration; sets pg_data, pg_pid and
# pg_conninfo (database postgres).
start_postgres() {
  local port=$1
  shift
  install -d -o postgres -g postgres -m 700 "$work/pg"
  runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres \
    >"$work/pg/initdb.log"
  cat >>"$work/pg/data/postgresql.conf" <<EOF
# $script_name: loopback only, every commit flushed before it is acknowledged.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work/pg'
max_connections = 300
synchronous_commit = on
fsync = on
EOF
  [ $# -eq 0 ] || printf '%s\n' "$@" >>"$work/pg/data/postgresql.conf"
  pg_data="$work/pg/data"
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/server.log" -w -t 60 \
    start >/dev/null
  pg_pid=$(head -1 "$pg_data/postmaster.pid")
  pg_conninfo="host=127.0.0.1 port=$port user=postgres dbname=postgres"
}

# write_lmpd_config FILE PORT LEASE_SECONDS BACKEND WHERE [ADMIN_PORT]
# One seats product named bench. BACKEND sqlite: WHERE is the database file (synchronous=full);
# BACKEND postgresql: WHERE is the libpq connection string. ADMIN_PORT (0: any free port) moves
# the admin listener off its default port, which several instances on one machine cannot share.
write_lmpd_config() {
  local admin="" storage
  if [ $# -ge 6 ]; then
    admin="
  admin:
    address: 127.0.0.1
    port: $6"
  fi
  case $4 in
    sqlite) storage="  sqlite:
    path: $5
    synchronous: full" ;;
    postgresql)
      # The server secret every instance on the database shares (docs/scale-out.md, step 2).
      [ -f "$work/lmpd.secret" ] || (umask 077 && head -c 32 /dev/urandom >"$work/lmpd.secret")
      storage="  secret_file: $work/lmpd.secret
  postgresql:
    connection: \"$5\"" ;;
    *) bench_die "write_lmpd_config: unknown backend $4" ;;
  esac
  cat >"$1" <<EOF
# Generated by $script_name.
listeners:
  seat:
    address: 127.0.0.1
    port: $2$admin
storage:
  backend: $4
$storage
plugins:
  directory: $build_dir/plugins
products:
  - code: bench
    name: Benchmark seats
    family: software
    unit: seats
    settings:
      lease_seconds: $3
EOF
}

create_license() { # config units -> prints the activation code
  "$lmpd_bin" admin --config "$1" create-license --customer bench --product bench --units "$2" \
    --days 30 2>>"$work/admin.log" | sed -n 's/^activation code: //p'
}

# The site policy of the benchmark (docs/benchmarks.md, "Site policy"): 100 groups of two users, a
# host and an address range each (the first also 127.0.0.0/8, where the load client is), and 200
# rules: 50 include, 50 exclude, 50 max and 50 reserve. The load client's checkouts (anonymous,
# from 127.0.0.1) are included through the first group, counted by its max rule and held to the
# 500 units the reserve rules keep for the other groups.
write_bench_policy() { # file
  "$py" - "$1" <<'EOF'
import sys
lines = ["policies:", "  - customer: bench", "    product: bench", "    groups:"]
for i in range(100):
    ranges = f"10.{i}.0.0/16" + (", 127.0.0.0/8" if i == 0 else "")
    lines.append(f"      g{i}: {{users: [u{i}a, u{i}b], hosts: [h{i}], addresses: [{ranges}]}}")
lines.append("    include: [" + ", ".join(f"group:g{i}" for i in range(50)) + "]")
lines.append("    exclude: [" + ", ".join(f"user:blocked{i}" for i in range(50)) + "]")
lines.append("    max:")
lines += [f"      - {{for: group:g{i}, units: 1000000}}" for i in range(50)]
lines.append("    reserve:")
lines += [f"      - {{for: group:g{50 + i}, units: 10}}" for i in range(50)]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
EOF
}

start_lmpd() { # config log -> sets lmpd_pid
  "$lmpd_bin" --config "$1" 2>>"$2" &
  lmpd_pid=$!
  pids+=("$lmpd_pid")
}

bench_note_load() {
  local load1
  read -r load1 _ </proc/loadavg
  if awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }'; then
    echo "note: load average $load1 before the start: other work on this machine shows in the figures"
  fi
}

# Prints the disk's fdatasync rate for one 8 kB write, as pg_test_fsync measures it.
measure_fdatasync() {
  echo "measuring the disk's flush rate (pg_test_fsync, about 15 s)" >&2
  "$pg_bin/pg_test_fsync" -s 1 -f "$work/fsync.test" |
    awk '!found && $1 == "fdatasync" { print $2; found = 1 }'
  rm -f "$work/fsync.test"
}

# measure_run NAME WATCH_ARRAY CLIENT_ARGS... : runs the load client with CLIENT_ARGS and its
# --json $out/NAME.json; around it, CPU snapshots of the processes in the array named
# WATCH_ARRAY (--pid NAME=PID ... options of probe.py snapshot) into $out/NAME.sys.json.
# Returns the client's status; on failure its output is kept as $out/NAME.failed.log.
measure_run() {
  local name=$1
  local -n watch_ref=$2
  shift 2
  "${probe[@]}" snapshot "${watch_ref[@]}" --disk-dir "$work" >"$work/before.json"
  local status=0 client_seconds TIMEFORMAT='%U %S'
  # bash's time keyword gives the client's own CPU seconds (user + system).
  { time "$client_bin" "$@" --json "$out/$name.json" >"$work/client.log" 2>&1; } \
    2>"$work/client.time" || status=$?
  if [ "$status" -eq 0 ]; then
    client_seconds=$(awk '{ print $1 + $2 }' "$work/client.time")
    "${probe[@]}" snapshot "${watch_ref[@]}" --disk-dir "$work" \
      --since "$work/before.json" --client-seconds "$client_seconds" >"$out/$name.sys.json"
  else
    rm -f "$out/$name.json"
    cp "$work/client.log" "$out/$name.failed.log"
  fi
  return "$status"
}
