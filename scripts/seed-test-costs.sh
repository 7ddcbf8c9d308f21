#!/usr/bin/env bash
# Gives a build that has no record of its tests' times the committed one (tests/test-costs.txt),
# so that CTest starts the longest tests first rather than in the order they are declared, which
# put the slowest (the browser, restart and roll-up tests) last and ended a run late. CTest
# keeps the build's own record after every run; this never overwrites it.
#   scripts/seed-test-costs.sh BUILD_DIR
#   scripts/seed-test-costs.sh --update BUILD_DIR...   rewrite the committed record from builds
#                                                     that ran the suite (each test's longest)
set -euo pipefail
cd "$(dirname "$0")/.."
committed=tests/test-costs.txt
record() { echo "$1/Testing/Temporary/CTestCostData.txt"; }

if [ "${1:-}" = --update ]; then
  shift
  [ $# -gt 0 ] || {
    echo "usage: $0 --update BUILD_DIR..." >&2
    exit 2
  }
  files=()
  for dir in "$@"; do
    [ -f "$(record "$dir")" ] || {
      echo "seed-test-costs: $dir has no $(record "$dir")" >&2
      exit 1
    }
    files+=("$(record "$dir")")
  done
  # A line is "NAME RUNS COST" up to a line "---" (the failed tests follow). Tests under a second
  # keep their declared order; names are those of gtest_discover_tests with NO_PRETTY_VALUES.
  awk '/^---$/ { nextfile } NF >= 3 { name = $1; cost = $NF + 0
         if (cost >= 1 && cost > best[name]) best[name] = cost }
       END { for (n in best) printf "%s 1 %.2f\n", n, best[n] }' "${files[@]}" |
    sort -k3,3nr -k1,1 >"$committed"
  echo "seed-test-costs: $(wc -l <"$committed") tests in $committed"
  exit 0
fi

[ $# -eq 1 ] || {
  echo "usage: $0 BUILD_DIR | --update BUILD_DIR..." >&2
  exit 2
}
target=$(record "$1")
if [ ! -s "$target" ]; then
  mkdir -p "$(dirname "$target")"
  cp "$committed" "$target"
fi
