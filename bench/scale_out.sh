#!/usr/bin/env bash
# Benchmarks 1, 2 and 3 lmpd instances sharing one PostgreSQL database (docs/scale-out.md): one
# license of 1,000,000 seats, and 1,000 licenses of 1,000 seats (one per customer) that the
# checkouts take in turn; lmp-bench spreading its connections round-robin over the instances'
# seat ports, interleaved rounds, and where the CPU goes (lmpd, PostgreSQL, the client, the rest).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"

usage() {
  cat <<'EOF'
usage: bench/scale_out.sh [options]
  --quick              smoke run: 1 round of 2 s after 1 s of warm-up
  --rounds N           interleaved rounds (default 3)
  --duration S         seconds measured per run (default 5)
  --warmup S           seconds of load before each measurement (default 2)
  --instances "L"      lmpd instance counts (default "1 2 3")
  --licenses "L"       license counts: 1 (one license of 1,000,000 seats) and/or N (N licenses
                       of 1,000 seats, one customer each, checkouts taking them in turn)
                       (default "1 1000")
  --connections "L"    connection counts, unpipelined, over all instances (default "16 128")
  --pipelined "L"      CONNECTIONSxDEPTH pipelined configurations (default "16x32")
  --client-threads N   threads of the load client (default 1)
  --no-build           use the binaries already in the build folder
  --build-dir DIR      build folder (default build-bench-release)
  --out DIR            results folder (default bench/results/scaleout-<UTC timestamp>)
Needs PostgreSQL's server binaries (Debian: postgresql) and root (the private cluster runs as
the postgres user). Runs everything in a temporary folder under /var/tmp and stops everything it
started when it exits.
EOF
}

instances="1 2 3"
licenses="1 1000"
connections="16 128"

scale_out_option() {
  bench_used=0
  case $1 in
    --instances) need_value "$@"; instances=$2; bench_used=2 ;;
    --licenses) need_value "$@"; licenses=$2; bench_used=2 ;;
  esac
}
bench_parse_options scale_out_option "$@"
# --quick only changes what was not given explicitly, whatever the order of the flags.
if [ "$quick" -eq 1 ]; then
  rounds=${rounds:-1} duration=${duration:-2} warmup=${warmup:-1}
fi
rounds=${rounds:-3} duration=${duration:-5} warmup=${warmup:-2}
[[ $warmup =~ ^[0-9]+$ ]] || { echo "scale_out.sh: '$warmup' is not a whole number" >&2; exit 2; }
for n in "$rounds" "$duration" "$client_threads" $instances $licenses $connections; do
  if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -eq 0 ]; then
    echo "scale_out.sh: '$n' is not a positive whole number" >&2
    exit 2
  fi
done
for cp in $pipelined; do
  [[ $cp =~ ^[0-9]+x[0-9]+$ ]] || { echo "scale_out.sh: '$cp' is not CONNSxDEPTH" >&2; exit 2; }
done
[ -n "$instances" ] || { echo "scale_out.sh: --instances is empty" >&2; exit 2; }
[ -n "$licenses" ] || { echo "scale_out.sh: --licenses is empty" >&2; exit 2; }
out=${out:-"$repo/bench/results/scaleout-$(date -u +%Y%m%dT%H%M%SZ)"}
[ "$(id -u)" -eq 0 ] || bench_die "needs root: the private PostgreSQL runs as the postgres user"
bench_find_postgres

# --- Release build -------------------------------------------------------------------------------
if [ "$do_build" -eq 1 ]; then
  bench_build lmpd lmp_family_software lmp-bench
fi
lmpd_bin="$build_dir/daemon/lmpd"
client_bin="$build_dir/bench/lmp-bench"
bench_need_binaries "$lmpd_bin" "$client_bin"

# --- the database, the license and the instances' configs -----------------------------------------
bench_make_work
bench_traps
bench_note_load
loadavg_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
fdatasync=$(measure_fdatasync)

# pg_stat_statements counts the statements each run sends (per batch: per COMMIT).
start_postgres "$(free_port)" "shared_preload_libraries = 'pg_stat_statements'"
"$pg_bin/psql" -X "$pg_conninfo" -qAt -c "CREATE DATABASE lmpd" >/dev/null
lmpd_conninfo=${pg_conninfo/dbname=postgres/dbname=lmpd}
"$pg_bin/psql" -X "$lmpd_conninfo" -qAt -c "CREATE EXTENSION pg_stat_statements" >/dev/null
declare -a seat_port
# write_config I: instance I's config, on a seat port free now (ports picked long before the
# start could meanwhile be taken by the client's outgoing connections). The same storage and
# products on every instance; the admin listener on any free port (its default, 27480, can be
# held once per machine).
write_config() {
  seat_port[$1]=$(free_port)
  write_lmpd_config "$work/lmpd$1.yaml" "${seat_port[$1]}" 3600 postgresql "$lmpd_conninfo" 0
}
write_config 1
# The first admin command creates the schema; the instances find it done.
code=$(create_license "$work/lmpd1.yaml" 1000000)
[ -n "$code" ] || bench_die "create-license printed no activation code (see $work/admin.log)"
# The many-licenses mode: a customer per license, as sites are. One customer's licenses of one
# product are locked together (a site policy counts over them), so one customer with all of them
# would serialise every checkout on the same rows.
units_each=1000
for count in $licenses; do
  [ "$count" -gt 1 ] || continue
  codes_file="$work/codes-$count.txt"
  : >"$codes_file"
  for ((i = 1; i <= count; i++)); do
    "$lmpd_bin" admin --config "$work/lmpd1.yaml" create-license --customer "bench-$count-$i" \
      --product bench --units "$units_each" --days 30 2>>"$work/admin.log" |
      sed -n 's/^activation code: //p' >>"$codes_file"
  done
  [ "$(wc -l <"$codes_file")" -eq "$count" ] ||
    bench_die "create-license made $(wc -l <"$codes_file") of $count licenses (see $work/admin.log)"
done
# target_of LICENSES: lmp-bench's arguments naming the license(s) of the mode.
target_of() {
  if [ "$1" -eq 1 ]; then echo "--code $code"; else echo "--codes-file $work/codes-$1.txt"; fi
}

"${probe[@]}" meta --dir "$work" \
  --set "command=$command_line" --set "rounds=$rounds" --set "duration_s=$duration" \
  --set "warmup_s=$warmup" --set "instances=$instances" --set "connections=$connections" \
  --set "pipelined=$pipelined" --set "client_threads=$client_threads" --set "units=1000000" \
  --set "licenses=$licenses" --set "units_each=$units_each" \
  --set "fdatasync_per_s=$fdatasync" --set "loadavg_at_start=$loadavg_at_start" \
  --set "lmpd_version=$("$lmpd_bin" --version)" \
  --set "postgres_version=$("$pg_bin/postgres" --version)" \
  --set "git_commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --set "git_dirty=$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null | wc -l)" \
  >"$out/meta.json"

# start_instances N LOG_PREFIX: instances 1..N on the shared database, each logging to
# LOG_PREFIX-lmpdI.log; sets instance_pid.
declare -a instance_pid
start_instances() {
  local n=$1 i
  instance_pid=()
  for ((i = 1; i <= n; i++)); do
    write_config "$i"
    start_lmpd "$work/lmpd$i.yaml" "$2-lmpd$i.log"
    instance_pid[i]=$lmpd_pid
  done
  for ((i = 1; i <= n; i++)); do "${probe[@]}" ping --port "${seat_port[i]}"; done
}

# Stops them; PostgreSQL keeps running.
stop_instances() {
  local i
  for ((i = 1; i <= ${#instance_pid[@]}; i++)); do stop_pid "${instance_pid[i]}"; done
  pids=()
  instance_pid=()
}

psql_lmpd() { "$pg_bin/psql" -X "$lmpd_conninfo" -qAt -c "$1"; }

# --- interleaved rounds --------------------------------------------------------------------------
failures=0
run_one() { # round licenses instances connections pipeline
  local round=$1 l=$2 n=$3 c=$4 p=$5 i
  local name="r$round-l$l-i$n-c$c-p$p"
  local target
  read -ra target <<<"$(target_of "$l")"
  local ports="${seat_port[1]}"
  for ((i = 2; i <= n; i++)); do ports+=",${seat_port[i]}"; done
  local watch=(--pid "postgres=$pg_pid")
  for ((i = 1; i <= n; i++)); do watch+=(--pid "lmpd$i=${instance_pid[i]}"); done
  local before after tables
  before=$(psql_lmpd "SELECT count(*) FROM leases")
  psql_lmpd "SELECT pg_stat_statements_reset()" >/dev/null
  if measure_run "$name" watch --target lmpd --host 127.0.0.1 --port "$ports" "${target[@]}" \
    --connections "$c" --pipeline "$p" --duration "$duration" --warmup "$warmup" \
    --threads "$client_threads"; then
    # Correctness: every lease the run took was given back, whichever instance it went through.
    after=$(psql_lmpd "SELECT count(*) FROM leases")
    # And the state of the tables, which the throughput of a long run depends on.
    tables=$(psql_lmpd "SELECT json_object_agg(relname, json_build_object('live', n_live_tup,
      'dead', n_dead_tup, 'autovacuums', autovacuum_count, 'updates', n_tup_upd,
      'hot_updates', n_tup_hot_upd, 'bytes',
      pg_total_relation_size(relid))) FROM pg_stat_user_tables
      WHERE relname IN ('leases', 'licenses')")
    # Every statement the instances sent during the run (warm-up included), and the commits
    # among them: one per batch.
    statements=$(psql_lmpd "SELECT json_build_object('calls', sum(calls), 'commits',
      COALESCE(sum(calls) FILTER (WHERE query ILIKE 'commit%'), 0), 'exec_ms',
      round(sum(total_exec_time)::numeric, 1)) FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'lmpd')")
    printf '{"leases_before": %s, "leases_after": %s, "leases_left": %s, "tables": %s, "statements": %s}\n' \
      "$before" "$after" "$((after - before))" "${tables:-null}" "${statements:-null}" \
      >"$out/$name.db.json"
    "$py" - "$out/$name.json" "$out/$name.sys.json" "$out/$name.db.json" "$l" <<'EOF'
import json, sys
r, s, db = (json.load(open(p)) for p in sys.argv[1:4])
errors = sum(r["errors"].values()) + r["transport_errors"]
lmpd = sum(v for k, v in s["cpu_pct"].items() if k.startswith("lmpd"))
print(f"  {sys.argv[4]:>5} license(s) {len(r['ports'])} instance(s)"
      f" c={r['connections']:<4} p={r['pipeline']:<3}"
      f" {r['ops_per_sec']:>9.0f} ops/s  p99 {r['latency_us']['p99']:>8.0f} us"
      f"  cpu lmpd {lmpd:5.1f}% postgres {s['cpu_pct']['postgres']:5.1f}%"
      f" client {s['client_cpu_pct']:5.1f}%"
      + (f"  ERRORS {dict(r['errors'], transport=r['transport_errors'])}" if errors else "")
      + (f"  LEASES LEFT {db['leases_left']}" if db["leases_left"] else ""))
EOF
  else
    failures=$((failures + 1))
    echo "  $l license(s) $n instance(s) c=$c p=$p: lmp-bench failed, see $out/$name.failed.log"
  fi
}

read -ra order <<<"$instances"
for ((round = 1; round <= rounds; round++)); do
  echo "round $round/$rounds (instances in the order ${order[*]})"
  for n in "${order[@]}"; do
    start_instances "$n" "$work/r$round-i$n"
    for l in $licenses; do
      for c in $connections; do run_one "$round" "$l" "$n" "$c" 1; done
      for cp in $pipelined; do run_one "$round" "$l" "$n" "${cp%x*}" "${cp#*x}"; done
    done
    stop_instances
  done
  # Rotating the order keeps any drift within a round from always favouring the same count.
  order=("${order[@]:1}" "${order[0]}")
done
stop_servers
printf '{"loadavg_at_end": "%s"}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >"$out/end.json"
# What the instances logged at warning or above, whether the runs failed or not.
for log in "$work"/r*-lmpd*.log; do
  grep -E '(^|[> ])level=(warning|error) ' "$log" | sed "s|^|$(basename "$log" .log): |" || true
done >"$out/lmpd-warnings.log"
[ -s "$out/lmpd-warnings.log" ] || rm -f "$out/lmpd-warnings.log"

"$py" "$repo/bench/summarize_scale_out.py" "$out"
echo "results: $out"
if [ "$failures" -gt 0 ]; then
  echo "scale_out.sh: $failures benchmark runs failed" >&2
  exit 1
fi
