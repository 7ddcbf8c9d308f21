#!/usr/bin/env bash
# Benchmarks lmpd on loopback against its ceiling (a bare echo server on the same Asio loop) and
# two durable baselines (Redis with appendfsync always, PostgreSQL with synchronous_commit=on).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"

usage() {
  cat <<'EOF'
usage: bench/run.sh [options]
  --quick              smoke run: 1 round of 2 s, connections "1 16 128", 100000 leases
  --rounds N           interleaved rounds (default 3)
  --duration S         seconds measured per run (default 5)
  --warmup S           seconds of load before each measurement (default 2)
  --connections "L"    connection counts, unpipelined (default "1 4 16 64 128")
  --pipelined "L"      CONNECTIONSxDEPTH pipelined configurations (default "16x32")
  --targets "L"        any of echo lmpd lmpd_norecords redis postgres (default: all five;
                       lmpd_norecords is lmpd with usage.records off, the same build and setup)
  --policy             also lmpd-policy: a second lmpd whose license is under a site policy of 100
                       groups and 200 rules (docs/benchmarks.md, "Site policy"), measured in
                       the same rounds as lmpd
  --policy-licenses N  lmpd-policy's customer holds N licenses of the product (default 1; the
                       load uses the first): max and reserve count over all N together
  --client-threads N   threads of the load client (default 1)
  --leases N           leases held for the memory and restart measurement (default 1000000)
  --no-throughput      skip the throughput rounds
  --no-memory          skip the memory and restart measurement
  --no-build           use the binaries already in the build folder
  --build-dir DIR      build folder (default build-bench-release)
  --out DIR            results folder (default bench/results/<UTC timestamp>)
  --publish            let summarize.py copy the plot to docs/benchmarks.png
Environment: LMP_BENCH_ROUNDS, LMP_BENCH_DURATION, LMP_BENCH_CONNECTIONS, LMP_BENCH_LEASES set
the defaults; LMP_BENCH_CLIENT names another lmp-bench binary.
Installs what it needs from Debian (as root or through sudo), builds in Release, runs everything
in a temporary folder under /var/tmp and stops everything it started when it exits.
EOF
}

rounds=${LMP_BENCH_ROUNDS:-}
duration=${LMP_BENCH_DURATION:-}
connections=${LMP_BENCH_CONNECTIONS:-}
leases=${LMP_BENCH_LEASES:-}
targets="echo lmpd lmpd_norecords redis postgres"
do_throughput=1
do_memory=1
with_policy=0
policy_licenses=1
publish=0

run_option() {
  bench_used=1
  case $1 in
    --targets) need_value "$@"; targets=$2; bench_used=2 ;;
    --leases) need_value "$@"; leases=$2; bench_used=2 ;;
    --policy) with_policy=1 ;;
    --policy-licenses) need_value "$@"; policy_licenses=$2; bench_used=2 ;;
    --no-throughput) do_throughput=0 ;;
    --no-memory) do_memory=0 ;;
    --publish) publish=1 ;;
    *) bench_used=0 ;;
  esac
}
bench_parse_options run_option "$@"
# --quick only changes what was not given explicitly, whatever the order of the flags.
if [ "$quick" -eq 1 ]; then
  rounds=${rounds:-1} duration=${duration:-2} warmup=${warmup:-1}
  connections=${connections:-"1 16 128"} leases=${leases:-100000}
fi
[ "$with_policy" -eq 0 ] || targets="$targets lmpd-policy"
rounds=${rounds:-3} duration=${duration:-5} warmup=${warmup:-2}
connections=${connections:-"1 4 16 64 128"} leases=${leases:-1000000}
for n in "$rounds" "$duration" "$warmup" "$client_threads" "$leases" "$policy_licenses"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "run.sh: '$n' is not a whole number" >&2; exit 2; }
done
for t in $targets; do
  case $t in
    echo | lmpd | lmpd_norecords | lmpd-policy | redis | postgres) ;;
    *) echo "run.sh: unknown target $t" >&2; exit 2 ;;
  esac
done
out=${out:-"$repo/bench/results/$(date -u +%Y%m%dT%H%M%SZ)"}

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)

# --- (a) what this needs from Debian -------------------------------------------------------------
"$repo/scripts/install-deps.sh"
# Redis only for its target; the plot (matplotlib) is left out of the summary without it.
needed="postgresql python3-matplotlib"
case " $targets " in *" redis "*) needed="redis-server $needed" ;; esac
missing=()
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
# Redis only when it is measured; PostgreSQL always (pg_test_fsync measures the disk).
needed="postgresql"
[[ " $targets " != *" redis "* ]] || needed="redis-server $needed"
for p in $needed python3-matplotlib; do
  installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  # The packaged services are not used: this script starts private instances on free ports. The
  # plot's package is the one that may be missing: the summary's tables do without it.
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" || true
  for p in $needed; do installed "$p" || bench_die "could not install $p"; done
  installed python3-matplotlib || echo "note: python3-matplotlib is missing: no plot"
fi
bench_find_postgres

# --- (b) Release build ---------------------------------------------------------------------------
if [ "$do_build" -eq 1 ]; then
  bench_build lmpd lmp_family_software lmp-bench lmp-echo-server
fi
lmpd_bin="$build_dir/daemon/lmpd"
echo_bin="$build_dir/bench/echo_server/lmp-echo-server"
client_bin=${LMP_BENCH_CLIENT:-"$build_dir/bench/lmp-bench"}
bench_need_binaries "$lmpd_bin" "$echo_bin" "$client_bin"

# --- (c) private servers, and their cleanup ------------------------------------------------------
bench_make_work
bench_traps

declare -A port pid_of code_of
start_servers() {
  local t
  for t in $targets; do
    port[$t]=$(free_port)
    case $t in
      echo)
        "$echo_bin" --address 127.0.0.1 --port "${port[echo]}" 2>"$work/echo.log" &
        pid_of[echo]=$!
        pids+=("$!")
        "${probe[@]}" ping --port "${port[echo]}"
        ;;
      lmpd | lmpd_norecords)
        mkdir -p "$work/$t"
        # Two instances need two admin ports.
        write_lmpd_config "$work/$t/lmpd.yaml" "${port[$t]}" 3600 sqlite "$work/$t/lmpd.db" 0
        if [ "$t" = lmpd_norecords ]; then
          printf 'usage:\n  records: false\n' >>"$work/$t/lmpd.yaml"
        fi
        code_of[$t]=$(create_license "$work/$t/lmpd.yaml" 1000000)
        start_lmpd "$work/$t/lmpd.yaml" "$work/$t/lmpd.log"
        pid_of[$t]=$lmpd_pid
        "${probe[@]}" ping --port "${port[$t]}"
        ;;
      lmpd-policy)
        # The same lmpd, its license's customer under a policy file of 100 groups and 200 rules
        # that let the load client's anonymous checkouts from 127.0.0.1 through.
        mkdir -p "$work/lmpd-policy"
        # Its own admin port: the default one is lmpd's.
        write_lmpd_config "$work/lmpd-policy/lmpd.yaml" "${port[lmpd-policy]}" 3600 sqlite \
          "$work/lmpd-policy/lmpd.db" "$(free_port)"
        write_bench_policy "$work/lmpd-policy/policy.yaml"
        printf 'policy:\n  file: %s\n' "$work/lmpd-policy/policy.yaml" \
          >>"$work/lmpd-policy/lmpd.yaml"
        lmpd_policy_code=$(create_license "$work/lmpd-policy/lmpd.yaml" 1000000)
        # The customer's further licenses of the product (a renewal beside the old license, a
        # second purchase): the policy's max and reserve count over them all.
        for ((n = 1; n < policy_licenses; n++)); do
          create_license "$work/lmpd-policy/lmpd.yaml" 1000 >/dev/null
        done
        start_lmpd "$work/lmpd-policy/lmpd.yaml" "$work/lmpd-policy/lmpd.log"
        pid_of[lmpd-policy]=$lmpd_pid
        "${probe[@]}" ping --port "${port[lmpd-policy]}"
        ;;
      redis)
        mkdir -p "$work/redis"
        cat >"$work/redis/redis.conf" <<EOF
bind 127.0.0.1
port ${port[redis]}
daemonize no
dir $work/redis
logfile $work/redis/redis.log
appendonly yes
appendfsync always
save ""
EOF
        redis-server "$work/redis/redis.conf" &
        pid_of[redis]=$!
        pids+=("$!")
        "${probe[@]}" ping --port "${port[redis]}"
        ;;
      postgres)
        start_postgres "${port[postgres]}"
        pid_of[postgres]=$pg_pid
        ;;
    esac
  done
}

bench_note_load

# --- machine and run description -----------------------------------------------------------------
fdatasync=$(measure_fdatasync)
"${probe[@]}" meta --dir "$work" \
  --set "command=$command_line" --set "rounds=$rounds" --set "duration_s=$duration" \
  --set "warmup_s=$warmup" --set "connections=$connections" --set "pipelined=$pipelined" \
  --set "targets=$targets" --set "client_threads=$client_threads" --set "leases=$leases" \
  --set "fdatasync_per_s=$fdatasync" --set "loadavg_at_start=$(cut -d' ' -f1-3 /proc/loadavg)" \
  --set "lmpd_version=$("$lmpd_bin" --version)" \
  --set "redis_version=$(redis-server --version 2>/dev/null | awk '{print $3}')" \
  --set "postgres_version=$("$pg_bin/postgres" --version)" \
  --set "git_commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --set "git_dirty=$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null | wc -l)" \
  >"$out/meta.json"

# --- (d, e) interleaved throughput rounds --------------------------------------------------------
failures=0
run_one() { # round target connections pipeline
  local round=$1 t=$2 c=$3 p=$4
  local name="r$round-$t-c$c-p$p"
  local args=(--target "${t%_norecords}" --host 127.0.0.1 --port "${port[$t]}" --connections "$c"
    --pipeline "$p" --duration "$duration" --warmup "$warmup" --threads "$client_threads")
  case $t in
    lmpd | lmpd_norecords) args+=(--code "${code_of[$t]}") ;;
    lmpd-policy) args=(--target lmpd "${args[@]:2}" --code "$lmpd_policy_code") ;;
    postgres) args+=(--pg "$pg_conninfo") ;;
  esac
  local watch=(--threads lmpd) s
  for s in "${!pid_of[@]}"; do watch+=(--pid "$s=${pid_of[$s]}"); done
  if measure_run "$name" watch "${args[@]}"; then
    "$py" - "$out/$name.json" "$out/$name.sys.json" "$t" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
if r["target"] != sys.argv[3]:
    # lmp-bench speaks to lmpd, lmpd_norecords and lmpd-policy alike; the report names the
    # instance it measured.
    r["target"] = sys.argv[3]
    json.dump(r, open(sys.argv[1], "w"), indent=2)
s = json.load(open(sys.argv[2]))
errors = sum(r["errors"].values()) + r["transport_errors"]
print(f"  {r['target']:8} c={r['connections']:<4} p={r['pipeline']:<3}"
      f" {r['ops_per_sec']:>10.0f} ops/s  p99 {r['latency_us']['p99']:>7.0f} us"
      f"  server cpu {s['cpu_pct'].get(r['target'], 0):5.1f}%"
      f"  disk writes/s {s.get('disk', {}).get('writes_per_s', 0):6.0f}"
      + (f"  errors {errors}" if errors else ""))
EOF
  else
    failures=$((failures + 1))
    echo "  $t c=$c p=$p: lmp-bench failed, see $out/$name.failed.log"
  fi
}

if [ "$do_throughput" -eq 1 ]; then
  start_servers
  read -ra order <<<"$targets"
  for ((round = 1; round <= rounds; round++)); do
    echo "round $round/$rounds"
    for c in $connections; do
      for t in "${order[@]}"; do run_one "$round" "$t" "$c" 1; done
    done
    for cp in $pipelined; do
      for t in "${order[@]}"; do run_one "$round" "$t" "${cp%x*}" "${cp#*x}"; done
    done
    # Rotating the order keeps any drift within a round from always favouring the same target.
    order=("${order[@]:1}" "${order[0]}")
  done
  stop_servers
fi

# --- memory per lease and restart time -----------------------------------------------------------
if [ "$do_memory" -eq 1 ]; then
  echo "memory: filling a fresh lmpd with $leases leases"
  mem="$work/memory"
  mkdir -p "$mem"
  mem_port=$(free_port)
  # Leases must outlive the fill and the restart, or the sweeper would change what is measured.
  write_lmpd_config "$mem/lmpd.yaml" "$mem_port" 86400 sqlite "$mem/lmpd.db"
  codes=()
  for ((left = leases; left > 0; left -= 1000000)); do
    units=$((left < 1000000 ? left : 1000000))
    codes+=(--code "$(create_license "$mem/lmpd.yaml" "$units"):$units")
  done
  start_lmpd "$mem/lmpd.yaml" "$mem/lmpd.log"
  "${probe[@]}" ping --port "$mem_port"
  sleep 1
  "${probe[@]}" rss --pid "$lmpd_pid" >"$out/memory-rss-before.json"
  "${probe[@]}" fill --port "$mem_port" "${codes[@]}" --leases "$leases" >"$out/memory-fill.json"
  sleep 1
  "${probe[@]}" rss --pid "$lmpd_pid" >"$out/memory-rss-after.json"
  db_bytes=$(find "$mem" -maxdepth 1 -name 'lmpd.db*' -printf '%s\n' |
    awk '{ s += $1 } END { print s }')
  printf '{"leases": %s, "db_bytes": %s}\n' "$leases" "$db_bytes" >"$out/memory-db.json"
  sample=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["sample_lease"])' \
    "$out/memory-fill.json")

  echo "restart: SIGKILL, then timing a fresh start until it answers"
  kill -KILL "$lmpd_pid"
  wait "$lmpd_pid" 2>/dev/null || true
  restart_status=0
  "${probe[@]}" restart --port "$mem_port" --lease "$sample" --pid-file "$mem/restart.pid" \
    --log "$mem/lmpd.log" -- "$lmpd_bin" --config "$mem/lmpd.yaml" >"$out/memory-restart.json" ||
    restart_status=$?
  # The restarted lmpd is the probe's child, not ours: register it before anything can fail.
  [ -s "$mem/restart.pid" ] && pids+=("$(cat "$mem/restart.pid")")
  if [ "$restart_status" -ne 0 ]; then
    echo "run.sh: lmpd did not answer after the restart; see $mem/lmpd.log" >&2
    exit 1
  fi
  sleep 2
  "${probe[@]}" rss --pid "$(cat "$mem/restart.pid")" >"$out/memory-rss-restarted.json"
  stop_servers
fi

# --- (f) summary ---------------------------------------------------------------------------------
summarize=("$py" "$repo/bench/summarize.py" "$out")
[ "$publish" -eq 1 ] && summarize+=(--publish)
"${summarize[@]}"
echo "results: $out"
if [ "$failures" -gt 0 ]; then
  echo "run.sh: $failures benchmark runs failed" >&2
  exit 1
fi
