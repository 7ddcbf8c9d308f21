#!/bin/bash
# CPU time per operation of each lmpd thread over one fixed lmp-bench run: far steadier than
# throughput on a shared machine, so it is what judges an optimisation.
#   [RECORDS=off] [POLICY=on] [PERF=FILE [PERF_ARGS=...]] bench/cpu_per_op.sh [BUILD_DIR] [CONNECTIONS] [DEPTH] [SECONDS]
# Prints, per thread (in thread-id order: network, WAL sync, storage, signals), the CPU µs per
# operation and the context switches per operation, the total, and the operations per second of
# the run; then, from lmpd's /metrics, the commits (batches) and flushes per operation and their
# mean times: what an unpipelined run pays per batch rather than per request.
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
# RECORDS=off measures the seat path without its usage records (run.sh's lmpd_norecords).
[ "${RECORDS:-on}" = on ] || printf 'usage:\n  records: false\n' >>"$work/lmpd.yaml"
# POLICY=on puts the license's customer under run.sh's site policy of 100 groups and 200 rules.
if [ "${POLICY:-off}" = on ]; then
  write_bench_policy "$work/policy.yaml"
  printf 'policy:\n  file: %s\n' "$work/policy.yaml" >>"$work/lmpd.yaml"
fi
code=$(create_license "$work/lmpd.yaml" 1000000)
"$lmpd_bin" --config "$work/lmpd.yaml" 2>"$work/lmpd.log" &
pid=$!
"${probe[@]}" ping --port "$port" --timeout 5 >/dev/null || { cat "$work/lmpd.log" >&2; exit 1; }
admin=$(sed -n 's/.*event=listening listener=admin .* port=\([0-9]*\).*/\1/p' "$work/lmpd.log")
# Per thread: CPU ticks (utime + stime), then voluntary and involuntary context switches.
ticks() {
  for t in /proc/$pid/task/*; do
    echo "$(basename "$t") $(awk '{print $14+$15}' "$t/stat") $(awk '/ctxt_switches/ {s += $2} END {print s}' "$t/status")"
  done | sort -n
}
scrape() { curl -s "http://127.0.0.1:$admin/metrics" | grep -E '^lmp_(commit_batch_size|commit_duration_seconds|flush_duration_seconds|request_duration_seconds)_(sum|count)' |
  sed 's/{[^}]*}//' | awk '{ s[$1] += $2 } END { for (k in s) print k, s[k] }'; }
"$build_dir/bench/lmp-bench" --target lmpd --host 127.0.0.1 --port "$port" --code "$code" \
  --connections "$conns" --pipeline "$depth" --duration 1 --warmup 0 >/dev/null
ticks >"$work/before"
scrape >"$work/metrics.before"
awk '/^write_bytes/ {print $2}' "/proc/$pid/io" >"$work/io.before"
# PERF=FILE samples lmpd's threads during the run into FILE (perf record) for `perf report
# --sort pid,symbol -i FILE`: which functions the CPU per operation above is spent in.
perf_pid=
if [ -n "${PERF:-}" ]; then
  perf record -F 999 ${PERF_ARGS:-} -p "$pid" -o "$PERF" -- sleep "$seconds" 2>/dev/null &
  perf_pid=$!
fi
"$build_dir/bench/lmp-bench" --target lmpd --host 127.0.0.1 --port "$port" --code "$code" \
  --connections "$conns" --pipeline "$depth" --duration "$seconds" --warmup 0 \
  --json "$work/run.json" >/dev/null
[ -z "$perf_pid" ] || wait "$perf_pid"
ticks >"$work/after"
scrape >"$work/metrics.after"
awk '/^write_bytes/ {print $2}' "/proc/$pid/io" >"$work/io.after"
echo "WAL file after the run: $(stat -c %s "$work/lmpd.db-wal" 2>/dev/null || echo 0) bytes"
"$py" - "$work" "$(getconf CLK_TCK)" <<'PY'
import json, sys
work, hz = sys.argv[1], int(sys.argv[2])
run = json.load(open(f"{work}/run.json"))
ops = run["ops"]
def threads(name):
    return {l.split()[0]: [int(x) for x in l.split()[1:]] for l in open(f"{work}/{name}")}
before, after = threads("before"), threads("after")
zero = [0, 0]
per = [(t, (a[0] - before.get(t, zero)[0]) / hz * 1e6 / ops, (a[1] - before.get(t, zero)[1]) / ops)
       for t, a in after.items()]
print("threads µs/op:", " · ".join(f"{v:.2f}" for _, v, _ in per),
      f"| total {sum(v for _, v, _ in per):.2f} µs/op | {ops} ops, {run['ops_per_sec']:.0f} ops/s, p99 {run['latency_us']['p99']} µs")
print("threads context switches/op:", " · ".join(f"{c:.2f}" for _, _, c in per))
def metrics(name):
    return {l.split()[0]: float(l.split()[1]) for l in open(f"{work}/{name}")}
m0, m1 = metrics("metrics.before"), metrics("metrics.after")
d = {k: m1[k] - m0.get(k, 0) for k in m1}
commits = d.get("lmp_commit_batch_size_count", 0)
flushes = d.get("lmp_flush_duration_seconds_count", 0)
if commits and flushes:
    print(f"batches: {commits:.0f} commits ({ops / commits:.1f} requests each, COMMIT {d['lmp_commit_duration_seconds_sum'] / commits * 1e6:.0f} µs),"
          f" {flushes:.0f} flushes ({commits / flushes:.2f} commits each, {d['lmp_flush_duration_seconds_sum'] / flushes * 1e6:.0f} µs each)")
written = int(open(f"{work}/io.after").read()) - int(open(f"{work}/io.before").read())
print(f"written to disk by lmpd: {written / ops:.0f} bytes/op, {written / flushes / 1024 if flushes else 0:.1f} KiB per flush")
requests = d.get("lmp_request_duration_seconds_count", 0)
if requests:
    print(f"inside lmpd (submission to durable answer): {d['lmp_request_duration_seconds_sum'] / requests * 1e6:.0f} µs mean;"
          f" round trip seen by the client: {run['latency_us']['mean'] if 'mean' in run['latency_us'] else run['latency_us']['p50']} µs"
          f" {'mean' if 'mean' in run['latency_us'] else 'p50'}")
PY
