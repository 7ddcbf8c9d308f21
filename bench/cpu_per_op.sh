#!/bin/bash
# CPU time per operation of each lmpd thread over one fixed lmp-bench run: far steadier than
# throughput on a shared machine, so it is what judges an optimisation.
#   bench/cpu_per_op.sh [BUILD_DIR] [CONNECTIONS] [DEPTH] [SECONDS]
# Prints, per thread (in thread-id order: network, WAL sync, storage, signals), the CPU µs per
# operation, the total, and the operations per second of the run.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
build_dir=$(cd "${1:-$repo/build-bench-release}" && pwd)
conns=${2:-16}
depth=${3:-32}
seconds=${4:-5}
lmpd_bin=$build_dir/daemon/lmpd
work=$(mktemp -d /var/tmp/lmp-cpu.XXXXXX)
pid=
# KEEP=1 keeps the folder (database, WAL, log) for a look afterwards.
trap '[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
port=$(free_port)
write_lmpd_config "$work/lmpd.yaml" "$port" 3600 sqlite "$work/lmpd.db" 0
code=$(create_license "$work/lmpd.yaml" 1000000)
"$lmpd_bin" --config "$work/lmpd.yaml" 2>"$work/lmpd.log" &
pid=$!
python3 "$repo/bench/probe.py" ping --port "$port" --timeout 5 >/dev/null || { cat "$work/lmpd.log" >&2; exit 1; }
ticks() { for t in /proc/$pid/task/*; do echo "$(basename "$t") $(awk '{print $14+$15}' "$t/stat")"; done | sort -n; }
"$build_dir/bench/lmp-bench" --target lmpd --host 127.0.0.1 --port "$port" --code "$code" \
  --connections "$conns" --pipeline "$depth" --duration 1 --warmup 0 >/dev/null
ticks >"$work/before"
"$build_dir/bench/lmp-bench" --target lmpd --host 127.0.0.1 --port "$port" --code "$code" \
  --connections "$conns" --pipeline "$depth" --duration "$seconds" --warmup 0 \
  --json "$work/run.json" >/dev/null
ticks >"$work/after"
echo "WAL file after the run: $(stat -c %s "$work/lmpd.db-wal" 2>/dev/null || echo 0) bytes"
python3 - "$work" "$(getconf CLK_TCK)" <<'PY'
import json, sys
work, hz = sys.argv[1], int(sys.argv[2])
run = json.load(open(f"{work}/run.json"))
ops = run["ops"]
before = dict(l.split() for l in open(f"{work}/before"))
after = dict(l.split() for l in open(f"{work}/after"))
per = [(t, (int(after[t]) - int(before.get(t, 0))) / hz * 1e6 / ops) for t in after]
print("threads µs/op:", " · ".join(f"{v:.2f}" for _, v in per),
      f"| total {sum(v for _, v in per):.2f} µs/op | {ops} ops, {run['ops_per_sec']:.0f} ops/s, p99 {run['latency_us']['p99']} µs")
PY
