#!/usr/bin/python3
# Summarises a bench/scale_out.sh results folder: per license count, instance count and load, the median
# throughput over rounds, its ratio to one instance (median of per-round ratios), latency, errors,
# leases left behind, and the CPU split between the lmpd instances, PostgreSQL, the load client
# and the rest of the machine.
"""Usage: summarize_scale_out.py RESULTS_DIR

Writes RESULTS_DIR/summary.md and prints it.
"""

import argparse
import glob
import json
import os
import re
import sys

from summarize import (fmt_num, fmt_ops, fmt_ratio, load_json, machine_line, median,
                       other_busy_pct, run_files, title_lines, version_start)

# Runs before the 1,000-licenses mode have no "-l" part: one license.
RUN_NAME = re.compile(r"^r(\d+)(?:-l(\d+))?-i(\d+)-c(\d+)-p(\d+)\.json$")


def load_runs(folder):
    """{(licenses, instances, connections, pipeline): {round: {"report", "sys", "db"}}}"""
    runs = {}
    for match, run in run_files(folder, RUN_NAME, ("sys", "db")):
        round_, licenses, instances, conns, depth = (int(g or 1) for g in match.groups())
        runs.setdefault((licenses, instances, conns, depth), {})[round_] = run
    return runs


class ScaleSummary:
    def __init__(self, folder):
        self.folder = folder
        self.meta = load_json(os.path.join(folder, "meta.json"))
        end = os.path.join(folder, "end.json")
        self.end = load_json(end) if os.path.exists(end) else {}
        self.runs = load_runs(folder)
        self.failed = sorted(os.path.basename(p)
                             for p in glob.glob(os.path.join(folder, "*.failed.log")))
        # By license count, then unpipelined first, then by connections, then by instances.
        self.keys = sorted(self.runs, key=lambda k: (k[0], k[3], k[2], k[1]))

    def values(self, key, pick):
        out = []
        for run in self.runs.get(key, {}).values():
            try:
                out.append(pick(run))
            except (KeyError, TypeError, IndexError):
                out.append(None)
        return out

    def med(self, key, pick):
        return median(self.values(key, pick))

    def ratio_to_one(self, key):
        # Paired by round: both ran minutes apart at most, on the same state of the machine.
        licenses, n, c, p = key
        mine, one = self.runs.get(key, {}), self.runs.get((licenses, 1, c, p), {})
        return median([mine[r]["report"]["ops_per_sec"] / one[r]["report"]["ops_per_sec"]
                       for r in mine if r in one and one[r]["report"]["ops_per_sec"]])

    def rounds(self):
        return max((len(v) for v in self.runs.values()), default=0)


def lmpd_cpu(sys_json):
    return sum(v for k, v in sys_json["cpu_pct"].items() if k.startswith("lmpd"))


def per_op(cpu_pct, run):
    """CPU µs per operation: % of one core over the client's whole run (warm-up included) over
    the measured rate, which the warm-up ran at too."""
    rate = run["report"]["ops_per_sec"]
    return cpu_pct / 100 * 1e6 / rate if rate else None


def statements_per_batch(run):
    """Statements PostgreSQL ran for the instances over their commits (one per batch)."""
    counted = run["db"]["statements"]
    return float(counted["calls"]) / float(counted["commits"]) if counted["commits"] else None


def fmt_per_batch(value):
    return "–" if value is None else f"{value:.1f}"


def error_text(s, key):
    total = {}
    for run in s.runs[key].values():
        r = run["report"]
        for code, count in r.get("errors", {}).items():
            total[code] = total.get(code, 0) + count
        if r.get("transport_errors"):
            total["transport"] = total.get("transport", 0) + r["transport_errors"]
    return ", ".join(f"{code} {count}" for code, count in sorted(total.items())) or "0"


def table(s):
    lines = ["| licenses | instances | conns | pipeline | ops/s | vs 1 instance | p50 µs | p99 µs "
             "| errors | leases left | lmpd CPU % (per instance) | PostgreSQL CPU % | client CPU % "
             "| others % | disk writes/s | CPU µs per op: lmpd · PostgreSQL "
             "| statements per batch |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key in s.keys:
        n = key[1]
        per_instance = " · ".join(
            fmt_num(s.med(key, lambda r, i=i: r["sys"]["cpu_pct"][f"lmpd{i}"]))
            for i in range(1, n + 1))
        lmpd = fmt_num(s.med(key, lambda r: lmpd_cpu(r["sys"])))
        left = sum(v for v in s.values(key, lambda r: r["db"]["leases_left"]) if v)
        cells = [
            f"{key[0]:,}", str(n), str(key[2]), str(key[3]),
            fmt_ops(s.med(key, lambda r: r["report"]["ops_per_sec"])),
            fmt_ratio(s.ratio_to_one(key)),
            fmt_num(s.med(key, lambda r: r["report"]["latency_us"]["p50"])),
            fmt_num(s.med(key, lambda r: r["report"]["latency_us"]["p99"])),
            error_text(s, key),
            str(left),
            lmpd + (f" ({per_instance})" if n > 1 else ""),
            fmt_num(s.med(key, lambda r: r["sys"]["cpu_pct"]["postgres"])),
            fmt_num(s.med(key, lambda r: r["sys"]["client_cpu_pct"])),
            fmt_num(s.med(key, lambda r: r["sys"]["other_busy_pct"])),
            fmt_num(s.med(key, lambda r: r["sys"]["disk"]["writes_per_s"])),
            fmt_num(s.med(key, lambda r: per_op(lmpd_cpu(r["sys"]), r)))
            + " · " + fmt_num(s.med(key, lambda r: per_op(r["sys"]["cpu_pct"]["postgres"], r))),
            fmt_per_batch(s.med(key, statements_per_batch)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def licenses_text(meta):
    """The licenses the checkouts went to: one, and (the 1,000-licenses mode) many."""
    parts = []
    for count in str(meta.get("licenses", "1")).split():
        if count == "1":
            parts.append(f"one license of {int(meta.get('units', 0)):,} seats")
        else:
            parts.append(f"{int(count):,} licenses of {int(meta.get('units_each', 0)):,} seats "
                         "each, checkouts taking them in turn")
    return " and ".join(parts)


def markdown(s):
    meta = s.meta
    machine = meta.get("machine", {})
    out = title_lines("Scale-out run", s.folder, meta)
    postgres = meta.get("postgres_version", "?").replace("postgres (PostgreSQL)", "PostgreSQL")
    out.append(f"{version_start(meta)}; {postgres} with synchronous_commit=on, fsync=on")
    out.append(machine_line(meta))
    rounds = s.rounds()
    out.append(f"- {rounds} interleaved round{'s' if rounds != 1 else ''} (each runs every "
               f"instance count, the order rotating) of {meta.get('duration_s')} s per run after "
               f"{meta.get('warmup_s')} s of warm-up; {licenses_text(meta)}; load client with "
               f"{meta.get('client_threads')} thread(s) on the same machine, its connections "
               f"spread round-robin over the instances; date {meta.get('date_utc')}")
    busy = other_busy_pct(s.runs)
    load = f"load average at the start {meta.get('loadavg_at_start', '?')}"
    if s.end.get("loadavg_at_end"):
        load += f", at the end {s.end['loadavg_at_end']}"
    if busy:
        cpus = machine.get("cpus") or 1
        out.append(f"- other processes on the machine used a median {median(busy):.0f}% "
                   f"(max {max(busy):.0f}%) of the {100 * cpus}% the {cpus} CPUs offer during "
                   f"the runs; {load}")
    else:
        out.append(f"- {load}")
    if s.failed:
        out.append(f"- **failed runs** (no figures): {', '.join(s.failed)}")
    out += ["", "ops/s, latency and CPU are medians over the rounds; \"vs 1 instance\" is the "
            "median of the per-round ratios; errors and leases left (leases still in the "
            "database after the run less before it) are totals over the rounds; CPU is "
            "% of one core over each run's whole client run (warm-up included).", "",
            table(s), ""]
    warnings = os.path.join(s.folder, "lmpd-warnings.log")
    if os.path.exists(warnings):
        with open(warnings) as f:
            lines = f.read().splitlines()
        out += [f"lmpd logged {len(lines)} line(s) at warning or above "
                "(`lmpd-warnings.log`); the first:", "", "```"] + lines[:10] + ["```", ""]
    else:
        out += ["lmpd logged nothing at warning or above.", ""]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    args = parser.parse_args()
    summary = ScaleSummary(args.folder)
    if not summary.runs:
        sys.exit(f"summarize_scale_out: no results in {args.folder}")
    text = markdown(summary)
    with open(os.path.join(args.folder, "summary.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
