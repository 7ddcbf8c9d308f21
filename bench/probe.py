#!/usr/bin/python3
# Helpers of bench/run.sh that the shell does badly: readiness probes, filling lmpd with leases,
# timing a restart, and CPU/disk snapshots around each benchmark run.
"""Usage:
  probe.py ping --port P [--timeout S]
      waits until a line server on 127.0.0.1:P answers "PING" (lmpd, echo server, redis)
  probe.py fill --port P --code CODE[:UNITS] ... --leases N [--connections C] [--pipeline D]
      checks N leases out of lmpd (CHECKOUT code=...), prints a JSON report with one lease id
  probe.py restart --port P [--lease ID] --pid-file F --log F -- COMMAND...
      starts COMMAND, leaves it running, prints JSON: ms from exec to the first PING answer and
      to the first successful HEARTBEAT of ID (a read of stored state), and VmRSS when ready
  probe.py rss --pid PID
      prints VmRSS, RssAnon, RssFile of PID in KiB as JSON
  probe.py meta --dir DIR [--set KEY=VALUE ...]
      prints the machine (CPUs, model, memory, kernel, DIR's file system and disk) and the pairs
  probe.py snapshot [--pid NAME=PID ...] [--threads NAME] [--disk-dir DIR] [--since FILE]
      prints CPU ticks of each process tree, per-thread ticks of NAME, system CPU and the disk
      counters of DIR's block device; with --since, the rates since that earlier snapshot
      (and with --client-seconds, the load client's CPU and what other processes used)
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"
TICKS = os.sysconf("SC_CLK_TCK")


def ping_once(port, timeout=1.0):
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(b"PING\r\n")
            return bool(s.recv(64))
    except OSError:
        return False


def wait_ping(port, timeout_s, interval_s=0.002):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ping_once(port):
            return True
        time.sleep(interval_s)
    return False


def cmd_ping(args):
    if not wait_ping(args.port, args.timeout, 0.02):
        sys.exit(f"probe: nothing answered PING on port {args.port} within {args.timeout} s")


async def fill(args):
    # Work is cut into chunks so that every connection stays busy until the end, whichever
    # license a chunk draws from.
    chunks = asyncio.Queue()
    remaining = args.leases
    for spec in args.code:
        code, _, units = spec.partition(":")
        take = min(remaining, int(units)) if units else remaining
        remaining -= take
        while take > 0:
            n = min(take, 10000)
            chunks.put_nowait((code, n))
            take -= n
    if remaining > 0:
        sys.exit(f"probe: the codes given hold fewer than {args.leases} units")
    ok = 0
    errors = {}
    sample = None

    async def worker():
        nonlocal ok, sample
        reader, writer = await asyncio.open_connection(HOST, args.port)
        while not chunks.empty():
            code, n = chunks.get_nowait()
            line = f"CHECKOUT code={code}\n".encode()
            while n > 0:
                k = min(n, args.pipeline)
                writer.write(line * k)
                for _ in range(k):
                    answer = (await reader.readline()).decode()
                    if answer.startswith("OK "):
                        ok += 1
                        if sample is None:
                            sample = answer.split("lease=", 1)[1].split()[0]
                    else:
                        words = answer.split()
                        key = words[1] if len(words) > 1 else "closed"
                        errors[key] = errors.get(key, 0) + 1
                        if not answer:
                            raise ConnectionError("lmpd closed the connection during the fill")
                n -= k
        writer.close()
        await writer.wait_closed()

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(args.connections)))
    seconds = time.monotonic() - start
    print(json.dumps({"leases_ok": ok, "errors": errors, "seconds": round(seconds, 3),
                      "per_second": round(ok / seconds), "sample_lease": sample}))


def read_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
                out[key + "_kb"] = int(value.split()[0])
    return out


def cmd_rss(args):
    print(json.dumps(read_status(args.pid)))


def cmd_restart(args):
    with open(args.log, "ab") as log:
        start = time.monotonic()
        proc = subprocess.Popen(args.command, stdout=log, stderr=log)
    with open(args.pid_file, "w") as f:
        f.write(f"{proc.pid}\n")
    deadline = start + args.timeout
    report = {"pid": proc.pid}
    while not ping_once(args.port):
        if proc.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"probe: the restarted process never answered PING (exit {proc.poll()})")
        time.sleep(0.001)
    report["ping_ms"] = round((time.monotonic() - start) * 1000, 1)
    if args.lease:
        with socket.create_connection((HOST, args.port), timeout=args.timeout) as s:
            s.sendall(f"HEARTBEAT lease={args.lease}\n".encode())
            answer = s.makefile("rb").readline().decode().strip()
        report["heartbeat_ms"] = round((time.monotonic() - start) * 1000, 1)
        report["heartbeat_answer"] = answer
    report.update(read_status(proc.pid))
    print(json.dumps(report))


def tree_pids(root):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(read_stat(f"/proc/{entry}/stat")[2])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def read_stat(path):
    # Fields after the command name, which may itself hold spaces and parentheses.
    with open(path) as f:
        text = f.read()
    return [text[text.index("(") + 1:text.rindex(")")]] + text[text.rindex(")") + 2:].split()


def process_ticks(pid):
    # utime, stime, cutime, cstime: reaped children (postgres backends) count for their parent.
    s = read_stat(f"/proc/{pid}/stat")
    return sum(int(x) for x in s[12:16])


def disk_counters(directory):
    dev = os.stat(directory).st_dev
    node = os.path.realpath(f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}")
    if os.path.exists(os.path.join(node, "partition")):
        node = os.path.dirname(node)
    name = os.path.basename(node)
    with open("/proc/diskstats") as f:
        for line in f:
            fields = line.split()
            if fields[2] == name:
                flushes = int(fields[17]) if len(fields) > 17 else 0
                return {"device": name, "writes": int(fields[7]), "flushes": flushes}
    return {"device": name, "writes": 0, "flushes": 0}


def snapshot(args):
    snap = {"t": time.monotonic(), "processes": {}, "threads": {}}
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    snap["system"] = {"busy": sum(cpu) - cpu[3] - cpu[4], "total": sum(cpu), "iowait": cpu[4]}
    for spec in args.pid:
        name, _, pid = spec.partition("=")
        total = 0
        for p in tree_pids(int(pid)):
            try:
                total += process_ticks(p)
            except OSError:
                pass
        snap["processes"][name] = total
        if name in args.threads:
            per = {}
            for tid in os.listdir(f"/proc/{pid}/task"):
                s = read_stat(f"/proc/{pid}/task/{tid}/stat")
                per[tid] = {"comm": s[0], "ticks": int(s[12]) + int(s[13])}
            snap["threads"][name] = per
    if args.disk_dir:
        snap["disk"] = disk_counters(args.disk_dir)
    return snap


def rates(before, after, client_seconds):
    wall = after["t"] - before["t"]
    out = {"wall_s": round(wall, 3)}
    per_core = TICKS * wall / 100  # ticks in one percent of one core over the window
    out["cpu_pct"] = {
        name: round((ticks - before["processes"].get(name, ticks)) / per_core, 1)
        for name, ticks in after["processes"].items()}
    total = after["system"]["total"] - before["system"]["total"]
    busy = after["system"]["busy"] - before["system"]["busy"]
    cores = os.cpu_count() or 1
    out["system_busy_pct"] = round(100 * cores * busy / total, 1) if total else 0.0
    out["system_iowait_pct"] = round(
        100 * cores * (after["system"]["iowait"] - before["system"]["iowait"]) / total,
        1) if total else 0.0
    if client_seconds is not None:
        # What neither the servers nor the client used: other work sharing the machine.
        out["client_cpu_pct"] = round(100 * client_seconds / wall, 1)
        out["other_busy_pct"] = round(max(0.0, out["system_busy_pct"] - out["client_cpu_pct"]
                                          - sum(out["cpu_pct"].values())), 1)
    out["threads"] = {}
    for name, per in after["threads"].items():
        earlier = before["threads"].get(name, {})
        out["threads"][name] = sorted(
            ({"tid": int(tid), "comm": info["comm"],
              "cpu_pct": round((info["ticks"] - earlier.get(tid, {"ticks": 0})["ticks"])
                               / per_core, 1)}
             for tid, info in per.items()),
            key=lambda item: item["tid"])
    if "disk" in after and "disk" in before:
        out["disk"] = {
            "device": after["disk"]["device"],
            "writes_per_s": round((after["disk"]["writes"] - before["disk"]["writes"]) / wall, 1),
            "flushes_per_s": round(
                (after["disk"]["flushes"] - before["disk"]["flushes"]) / wall, 1)}
    return out


def cmd_snapshot(args):
    snap = snapshot(args)
    if args.since:
        with open(args.since) as f:
            print(json.dumps(rates(json.load(f), snap, args.client_seconds)))
    else:
        print(json.dumps(snap))


def cmd_meta(args):
    meta = dict(pair.split("=", 1) for pair in args.set)
    with open("/proc/cpuinfo") as f:
        models = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    disk = disk_counters(args.dir)["device"]
    try:
        with open(f"/sys/block/{disk}/queue/rotational") as f:
            rotational = f.read().strip() == "1"
    except OSError:
        rotational = None
    fs = subprocess.run(["findmnt", "-n", "-o", "FSTYPE,SOURCE", "-T", args.dir],
                        capture_output=True, text=True).stdout.split()
    meta["machine"] = {
        "cpus": os.cpu_count(),
        "cpu_model": models[0] if models else "unknown",
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": os.uname().release,
        "os": platform_name(),
        "filesystem": fs[0] if fs else "unknown",
        "disk": disk,
        "disk_rotational_flag": rotational,
    }
    meta["date_utc"] = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    print(json.dumps(meta, indent=1))


def platform_name():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command_name", required=True)
    p = sub.add_parser("ping")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(run=cmd_ping)
    p = sub.add_parser("fill")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--code", action="append", required=True)
    p.add_argument("--leases", type=int, required=True)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--pipeline", type=int, default=64)
    p.set_defaults(run=lambda a: asyncio.run(fill(a)))
    p = sub.add_parser("restart")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--lease")
    p.add_argument("--pid-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("command", nargs="+")
    p.set_defaults(run=cmd_restart)
    p = sub.add_parser("rss")
    p.add_argument("--pid", type=int, required=True)
    p.set_defaults(run=cmd_rss)
    p = sub.add_parser("meta")
    p.add_argument("--dir", required=True)
    p.add_argument("--set", action="append", default=[])
    p.set_defaults(run=cmd_meta)
    p = sub.add_parser("snapshot")
    p.add_argument("--pid", action="append", default=[])
    p.add_argument("--threads", action="append", default=[])
    p.add_argument("--disk-dir")
    p.add_argument("--since")
    p.add_argument("--client-seconds", type=float)
    p.set_defaults(run=cmd_snapshot)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
