#!/usr/bin/env bash
# Checks every batch of the unity build (the one CI compiles) with -fsyntax-only: two files of one
# target that repeat a name in their anonymous namespaces break only the batched build.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-${TMPDIR:-/tmp}/lmpd-unity-check}"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DLMP_WERROR=ON -DLMP_BUILD_TESTS=ON \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
/usr/bin/python3 - "$dir/compile_commands.json" "$(nproc)" <<'PY'
import concurrent.futures, json, os, shlex, subprocess, sys

entries = json.load(open(sys.argv[1]))

def check(entry):
    # Sources made at build time (generated code) are not there yet; the build checks them.
    if not os.path.exists(entry["file"]):
        return entry["file"], 0, ""
    args = shlex.split(entry["command"])
    kept, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "-o":
            skip = True
        elif arg not in ("-c", "-g"):
            kept.append(arg)
    kept.append("-fsyntax-only")
    run = subprocess.run(kept, cwd=entry["directory"], capture_output=True, text=True)
    return entry["file"], run.returncode, run.stderr

failed = 0
with concurrent.futures.ThreadPoolExecutor(int(sys.argv[2])) as pool:
    for name, code, errors in pool.map(check, entries):
        if code != 0:
            failed += 1
            print(f"FAILED {name}\n{errors}", file=sys.stderr)
print(f"{len(entries) - failed} of {len(entries)} compilations pass -fsyntax-only")
sys.exit(1 if failed else 0)
PY
