#!/usr/bin/python3
# Summarises a bench/run.sh results folder: medians over rounds, lmpd's ratios to the echo
# ceiling and to the baselines, the goals, a Markdown summary and a throughput plot.
"""Usage: summarize.py RESULTS_DIR [--publish]

Writes RESULTS_DIR/summary.md and RESULTS_DIR/throughput.png and prints the summary.
--publish also copies the plot to docs/benchmarks.png.
"""

import argparse
import glob
import json
import os
import re
import shutil
import statistics
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
except ImportError:  # the tables need no plot; run.sh installs it for a full run
    plt = None

TARGETS = ["echo", "lmpd", "lmpd_norecords", "redis", "postgres"]
BASELINES = ["echo", "redis", "postgres"]
LABELS = {
    "echo": "echo (ceiling)",
    "lmpd": "lmpd (SQLite, synchronous=FULL)",
    "lmpd_norecords": "lmpd, usage records off",
    "redis": "Redis (appendfsync always, Lua)",
    "postgres": "PostgreSQL (synchronous_commit=on)",
}
COLORS = {"echo": "#7f7f7f", "lmpd": "#d62728", "lmpd_norecords": "#ff9896", "redis": "#1f77b4",
          "postgres": "#2ca02c"}
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_NAME = re.compile(r"^r(\d+)-([\w-]+)-c(\d+)-p(\d+)\.json$")


def load_json(path):
    with open(path) as f:
        return json.load(f)


def run_files(folder, name_pattern, parts=("sys",)):
    """Yields (match, run) for each run report in folder whose file name matches name_pattern;
    run holds "report" and, for each of parts, the JSON of <stem>.<part>.json ({} if absent)."""
    for path in sorted(glob.glob(os.path.join(folder, "r*.json"))):
        match = name_pattern.match(os.path.basename(path))
        if not match:
            continue
        stem = path[:-len(".json")]
        run = {"report": load_json(path)}
        for part in parts:
            part_path = f"{stem}.{part}.json"
            run[part] = load_json(part_path) if os.path.exists(part_path) else {}
        yield match, run


def load_runs(folder):
    """{(target, connections, pipeline): {round: {"report": ..., "sys": ...}}}"""
    runs = {}
    for match, run in run_files(folder, RUN_NAME):
        report = run["report"]
        key = (report["target"], int(report["connections"]), int(report["pipeline"]))
        runs.setdefault(key, {})[int(match.group(1))] = run
    return runs


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def errors_of(report):
    return sum(report.get("errors", {}).values()) + report.get("transport_errors", 0)


class Summary:
    def __init__(self, folder):
        self.folder = folder
        self.meta = load_json(os.path.join(folder, "meta.json"))
        self.runs = load_runs(folder)
        self.failed = sorted(os.path.basename(p)
                             for p in glob.glob(os.path.join(folder, "*.failed.log")))
        self.configs = sorted({(c, p) for (_, c, p) in self.runs}, key=lambda cp: (cp[1], cp[0]))

    def values(self, target, c, p, pick):
        return [pick(run) for run in self.runs.get((target, c, p), {}).values()]

    def ops(self, target, c, p):
        return median(self.values(target, c, p, lambda r: r["report"]["ops_per_sec"]))

    def p99(self, target, c, p):
        return median(self.values(target, c, p, lambda r: r["report"]["latency_us"]["p99"]))

    def sys_median(self, target, c, p, pick):
        def safe(run):
            try:
                return pick(run["sys"])
            except (KeyError, TypeError, IndexError):
                return None
        return median(self.values(target, c, p, safe))

    def ratio(self, c, p, baseline, target="lmpd"):
        # Paired by round: both runs of a round saw the same state of a noisy machine.
        mine = self.runs.get((target, c, p), {})
        theirs = self.runs.get((baseline, c, p), {})
        return median([mine[r]["report"]["ops_per_sec"] / theirs[r]["report"]["ops_per_sec"]
                       for r in mine if r in theirs and theirs[r]["report"]["ops_per_sec"]])

    def rounds(self):
        return max((len(v) for v in self.runs.values()), default=0)


def fmt_ops(value):
    return "–" if value is None else f"{value:,.0f}"


def fmt_ratio(value):
    return "–" if value is None else f"{value:.2f}x"


def fmt_num(value, digits=0):
    return "–" if value is None else f"{value:,.{digits}f}"


def throughput_table(s):
    lines = ["| conns | pipeline | " + " | ".join(f"{t} ops/s" for t in TARGETS)
             + " | lmpd/echo | lmpd/redis | lmpd/postgres |",
             "|---:|---:|" + "---:|" * (len(TARGETS) + 3)]
    for c, p in s.configs:
        cells = [fmt_ops(s.ops(t, c, p)) for t in TARGETS]
        cells += [fmt_ratio(s.ratio(c, p, b)) for b in BASELINES]
        lines.append(f"| {c} | {p} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def policy_table(s):
    """lmpd with and without the site policy of run.sh --policy, paired by round; None without."""
    rows = [(c, p) for c, p in s.configs if s.runs.get(("lmpd-policy", c, p))]
    if not rows:
        return None
    lines = ["| conns | pipeline | lmpd ops/s | lmpd-policy ops/s | policy/plain | cost |"
             " lmpd p99 µs | lmpd-policy p99 µs |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c, p in rows:
        plain = s.runs.get(("lmpd", c, p), {})
        policy = s.runs[("lmpd-policy", c, p)]
        ratio = median([policy[r]["report"]["ops_per_sec"] / plain[r]["report"]["ops_per_sec"]
                        for r in policy if r in plain and plain[r]["report"]["ops_per_sec"]])
        cost = "–" if ratio is None else f"{(1 - ratio) * 100:.1f} %"
        lines.append(f"| {c} | {p} | {fmt_ops(s.ops('lmpd', c, p))} | "
                     f"{fmt_ops(s.ops('lmpd-policy', c, p))} | {fmt_ratio(ratio)} | {cost} | "
                     f"{fmt_num(s.p99('lmpd', c, p))} | {fmt_num(s.p99('lmpd-policy', c, p))} |")
    return "\n".join(lines)


def latency_table(s):
    lines = ["| conns | pipeline | " + " | ".join(f"{t} p99 µs" for t in TARGETS)
             + " | lmpd p50 µs | lmpd errors |",
             "|---:|---:|" + "---:|" * (len(TARGETS) + 2)]
    for c, p in s.configs:
        cells = [fmt_num(s.p99(t, c, p)) for t in TARGETS]
        p50 = median(s.values("lmpd", c, p, lambda r: r["report"]["latency_us"]["p50"]))
        errors = sum(s.values("lmpd", c, p, lambda r: errors_of(r["report"])))
        lines.append(f"| {c} | {p} | " + " | ".join(cells) + f" | {fmt_num(p50)} | {errors} |")
    return "\n".join(lines)


def resource_table(s):
    lines = ["| target | conns | pipeline | server CPU % | lmpd threads % (thread-id order) "
             "| client CPU % | others on the machine % | disk writes/s | ops per disk write |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for t in TARGETS:
        for c, p in s.configs:
            if (t, c, p) not in s.runs:
                continue
            cpu = s.sys_median(t, c, p, lambda x: x["cpu_pct"][t])
            threads = "–"
            if t == "lmpd":
                # In thread-id order: the main thread (the network loop) first.
                count = max(len(r["sys"].get("threads", {}).get("lmpd", []))
                            for r in s.runs[(t, c, p)].values())
                threads = " · ".join(
                    fmt_num(s.sys_median(
                        t, c, p, lambda x, i=i: x["threads"]["lmpd"][i]["cpu_pct"]))
                    for i in range(count))
            client = s.sys_median(t, c, p, lambda x: x["client_cpu_pct"])
            others = s.sys_median(t, c, p, lambda x: x["other_busy_pct"])
            # Write requests rather than flushes: a virtual disk may complete fdatasync without
            # a flush request the kernel counts, but every commit writes at least once.
            writes = s.sys_median(t, c, p, lambda x: x["disk"]["writes_per_s"])
            ops = s.ops(t, c, p)
            per_write = ops / writes if ops and writes and t != "echo" else None
            lines.append(f"| {t} | {c} | {p} | {fmt_num(cpu)} | {threads} | "
                         f"{fmt_num(client)} | {fmt_num(others)} | "
                         f"{fmt_num(writes)} | {fmt_num(per_write, 1)} |")
    return "\n".join(lines)


def memory_figures(folder):
    paths = {name: os.path.join(folder, f"memory-{name}.json")
             for name in ("rss-before", "fill", "rss-after", "db", "restart", "rss-restarted")}
    if not all(os.path.exists(p) for p in paths.values()):
        return None
    m = {name: load_json(p) for name, p in paths.items()}
    held = m["fill"]["leases_ok"]
    grown_kb = m["rss-after"]["VmRSS_kb"] - m["rss-before"]["VmRSS_kb"]
    return {
        "leases": held,
        "fill_errors": m["fill"]["errors"],
        "fill_per_second": m["fill"]["per_second"],
        "rss_before_kb": m["rss-before"]["VmRSS_kb"],
        "rss_after_kb": m["rss-after"]["VmRSS_kb"],
        "bytes_per_lease": grown_kb * 1024 / held if held else None,
        "db_bytes_per_lease": m["db"]["db_bytes"] / held if held else None,
        "db_bytes": m["db"]["db_bytes"],
        "ping_ms": m["restart"]["ping_ms"],
        "heartbeat_ms": m["restart"].get("heartbeat_ms"),
        "heartbeat_answer": m["restart"].get("heartbeat_answer", ""),
        "rss_ready_kb": m["restart"].get("VmRSS_kb"),
        "rss_restarted_kb": m["rss-restarted"]["VmRSS_kb"],
    }


def goal_rows(s, mem):
    rows = []

    def goal(text, value, shown, ok):
        verdict = "not measured" if value is None else ("met" if ok(value) else "**not met**")
        rows.append(f"| {text} | {shown if value is not None else '–'} | {verdict} |")

    for c in (16, 128):
        r = s.ratio(c, 1, "echo")
        goal(f"{c} connections, no pipelining: ≥ 0.6x the echo ceiling", r, fmt_ratio(r),
             lambda v: v >= 0.6)
    for c, want in ((16, 2.5), (128, 1.5)):
        r = s.ratio(c, 1, "redis")
        goal(f"{c} connections: ≥ {want}x Redis with fsync", r, fmt_ratio(r),
             lambda v, want=want: v >= want)
    for c, p in ((16, 1), (16, 32)):
        r = s.ratio(c, p, "lmpd_norecords")
        goal(f"{c}x{p}: usage records on within 15 % of off (lmpd / lmpd_norecords)", r,
             fmt_ratio(r), lambda v: v >= 0.85)
    ops = s.ops("lmpd", 16, 32)
    goal("16 connections pipelined 32 deep: ≥ 500,000 durable ops/s", ops,
         f"{fmt_ops(ops)} ops/s", lambda v: v >= 500_000)
    p99 = s.p99("lmpd", 16, 1)
    goal("16 connections: p99 ≤ 2 ms", p99, f"{fmt_num(p99)} µs", lambda v: v <= 2000)
    if mem:
        at = f" (measured with {mem['leases']:,} leases)" if mem["leases"] != 1_000_000 else ""
        goal("≤ 512 bytes resident per active lease, 1 million leases held" + at,
             mem["bytes_per_lease"], f"{fmt_num(mem['bytes_per_lease'], 1)} B/lease",
             lambda v: v <= 512)
        goal("ready ≤ 3 s after a restart with 1 million leases stored" + at, mem["ping_ms"],
             f"{mem['ping_ms']:,.0f} ms to PING, {fmt_num(mem['heartbeat_ms'])} ms to a HEARTBEAT",
             lambda v: v <= 3000)
    else:
        goal("≤ 512 bytes resident per active lease", None, "", lambda v: False)
        goal("ready ≤ 3 s after a restart", None, "", lambda v: False)
    return ["| goal | measured | verdict |", "|---|---|---|"] + rows


def title_lines(title, folder, meta):
    return [f"# {title} {os.path.basename(os.path.abspath(folder))}", "",
            f"- command: `{meta.get('command', '?').strip()}`"]


def version_start(meta):
    return (f"- {meta.get('lmpd_version', 'lmpd ?')} at commit {meta.get('git_commit', '?')}"
            + (" with uncommitted changes" if meta.get("git_dirty", "0") != "0" else ""))


def machine_line(meta):
    machine = meta.get("machine", {})
    return (f"- machine: {machine.get('cpus')} CPUs ({machine.get('cpu_model')}), "
            f"{machine.get('memory_gib')} GiB, kernel {machine.get('kernel')}, "
            f"{machine.get('os')}; data on {machine.get('filesystem')} on "
            f"{machine.get('disk')}; fdatasync of one 8 kB write: "
            f"{fmt_num(float(meta.get('fdatasync_per_s') or 0))}/s (pg_test_fsync)")


def other_busy_pct(runs):
    """The other_busy_pct of every run of {key: {round: run}} that has one."""
    busy = [r["sys"].get("other_busy_pct") for by_round in runs.values()
            for r in by_round.values()]
    return [b for b in busy if b is not None]


def markdown(s, mem, plot_name):
    meta = s.meta
    machine = meta.get("machine", {})
    out = title_lines("Benchmark run", s.folder, meta)
    out.append(version_start(meta)
               + f"; Redis {meta.get('redis_version', '?').removeprefix('v=')}; "
               + meta.get("postgres_version", "?").replace("postgres (PostgreSQL)", "PostgreSQL"))
    out.append(machine_line(meta))
    rounds = s.rounds()
    out.append(f"- {rounds} interleaved round{'s' if rounds != 1 else ''} of "
               f"{meta.get('duration_s')} s per run after "
               f"{meta.get('warmup_s')} s of warm-up; load client with "
               f"{meta.get('client_threads')} thread(s) on the same machine; "
               f"date {meta.get('date_utc')}")
    busy = other_busy_pct(s.runs)
    if busy:
        cpus = machine.get("cpus") or 1
        out.append(f"- other processes on the machine used a median {median(busy):.0f}% "
                   f"(max {max(busy):.0f}%) of the {100 * cpus}% the {cpus} CPUs offer during "
                   f"the runs; load average at the start: {meta.get('loadavg_at_start', '?')}")
    if s.failed:
        out.append(f"- **failed runs** (no figures): {', '.join(s.failed)}")
    out += ["", "## Throughput (median ops/s; ratios are medians of per-round ratios)", "",
            throughput_table(s), "", "## Latency (median over rounds)", "", latency_table(s), "",
            "## Goals", ""] + goal_rows(s, mem)
    policy = policy_table(s)
    if policy:
        out += ["", "## Site policy (100 groups, 200 rules; medians, per-round ratios)", "",
                policy]
    out += ["", "## Where the time goes (medians; % of one core)", "", resource_table(s)]
    if mem:
        out += ["", f"## Memory and restart ({mem['leases']:,} leases)", "",
                "| figure | value |", "|---|---|",
                f"| fill rate (16 connections, pipelined 64) | {mem['fill_per_second']:,} "
                f"checkouts/s; errors {mem['fill_errors'] or 'none'} |",
                f"| VmRSS before / after the fill | {mem['rss_before_kb']:,} KiB / "
                f"{mem['rss_after_kb']:,} KiB |",
                f"| resident bytes per lease | {fmt_num(mem['bytes_per_lease'], 1)} |",
                f"| database on disk (with WAL) | {mem['db_bytes']:,} bytes, "
                f"{fmt_num(mem['db_bytes_per_lease'], 1)} per lease |",
                f"| SIGKILL, restart: exec to first PING answer | {mem['ping_ms']:,} ms |",
                f"| exec to first HEARTBEAT of a stored lease answered | "
                f"{fmt_num(mem['heartbeat_ms'], 1)} ms (`{mem['heartbeat_answer']}`) |",
                f"| VmRSS when ready / 2 s later | {fmt_num(mem['rss_ready_kb'])} KiB / "
                f"{mem['rss_restarted_kb']:,} KiB |"]
    out += ["", f"![throughput against connections]({plot_name})", ""]
    return "\n".join(out)


def plot(s, path):
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2))
    for i, t in enumerate(TARGETS):
        configs = sorted(c for (tt, c, p) in s.runs if tt == t and p == 1)
        if not configs:
            continue
        # A small sideways offset per target keeps the min–max bars from hiding each other.
        shifted = [c * 2 ** (0.04 * (i - 1.5)) for c in configs]
        ops = [s.ops(t, c, 1) for c in configs]
        spread = [s.values(t, c, 1, lambda r: r["report"]["ops_per_sec"]) for c in configs]
        low = [m - min(v) for m, v in zip(ops, spread)]
        high = [max(v) - m for m, v in zip(ops, spread)]
        left.errorbar(shifted, ops, yerr=[low, high], marker="o", capsize=3, color=COLORS[t],
                      label=LABELS[t])
        p99 = [s.p99(t, c, 1) / 1000 for c in configs]
        right.plot(configs, p99, marker="o", color=COLORS[t], label=LABELS[t])
    machine = s.meta.get("machine", {})
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("connections (no pipelining)")
        ax.grid(True, which="both", alpha=0.3)
        ticks = sorted({c for (_, c, p) in s.runs if p == 1})
        ax.set_xticks(ticks)
        ax.set_xticklabels([str(c) for c in ticks])
    left.set_ylabel("operations per second (median, bars: min–max)")
    left.set_title("Throughput")
    right.set_ylabel("p99 latency, ms (median)")
    right.set_title("p99 latency")
    right.axhline(2, color=COLORS["lmpd"], linestyle=":", linewidth=1)
    right.annotate("goal: 2 ms at 16 connections", (1, 2), textcoords="offset points",
                   xytext=(4, 4), fontsize=8, color=COLORS["lmpd"])
    left.legend(fontsize=8, loc="best")
    fig.suptitle(f"lmpd and baselines on loopback: {machine.get('cpus')} CPUs "
                 f"({machine.get('cpu_model')}), load client on the same machine; "
                 f"{s.rounds()} interleaved round{'s' if s.rounds() != 1 else ''} of "
                 f"{s.meta.get('duration_s')} s each, medians", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--publish", action="store_true",
                        help="copy the plot to docs/benchmarks.png")
    args = parser.parse_args()
    summary = Summary(args.folder)
    mem = memory_figures(args.folder)
    if not summary.runs and not mem:
        sys.exit(f"summarize: no results in {args.folder}")
    plot_path = os.path.join(args.folder, "throughput.png")
    if summary.runs and plt is None:
        print("summarize: python3-matplotlib is missing: no plot", file=sys.stderr)
    elif summary.runs:
        plot(summary, plot_path)
    text = markdown(summary, mem, "throughput.png")
    with open(os.path.join(args.folder, "summary.md"), "w") as f:
        f.write(text)
    print(text)
    if args.publish and summary.runs and plt is not None:
        shutil.copyfile(plot_path, os.path.join(REPO, "docs", "benchmarks.png"))
        print(f"published: {os.path.join(REPO, 'docs', 'benchmarks.png')}")


if __name__ == "__main__":
    main()
