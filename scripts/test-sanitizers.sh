#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer+UBSan (build-asan) and with ThreadSanitizer
# (build-tsan) and runs the entire CTest suite under each; any sanitizer report fails the run.
# Usage: scripts/test-sanitizers.sh [asan] [tsan]   (both when none is named)
# LMP_SANITIZER_TEST_JOBS: tests run at once (default two a core; docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(asan tsan)
for v in "${variants[@]}"; do
  case "$v" in
    asan | tsan) ;;
    *)
      echo "usage: $0 [asan] [tsan]" >&2
      exit 2
      ;;
  esac
done

scripts/install-deps.sh
jobs=$(nproc)
# The sanitized suites spend much of their time asleep (sweeps, lease expiries, restarts), so two
# tests a core run at once (docs/reliability.md, "Test time"). The build stays at one job a core.
test_jobs=${LMP_SANITIZER_TEST_JOBS:-$((2 * jobs))}
LMP_TEST_POSTGRES="$(scripts/start-postgres.sh)"
export LMP_TEST_POSTGRES
trap scripts/stop-postgres.sh EXIT
# debian_package checks packaging (cpack, lintian, dpkg -i, the systemd unit), not code paths, and
# would install the instrumented build system-wide; see docs/reliability.md. The browser tests
# (label `browser`) drive the console's JavaScript in Chromium through admin API routes that the
# admin API suites run under the sanitizers anyway, and were the two longest tests of each
# sanitized run (40 and 28 s under ASan, 53 and 37 s under TSan), both at its end.
excluded='^debian_package$'
excluded_labels='browser'

# ASan, LSan and TSan reports go to files as well as failing the process: lmpd runs as a child of
# the e2e tests, and a report it writes while shutting down would otherwise be lost in its log.
# GCC's combined ASan+UBSan runtime ignores log_path for UBSan, so UBSan relies on the exit code,
# which is made distinctive (86) so that a test expecting `lmpd admin` to exit 1 cannot pass on it.
# Called in an `||` list, where errexit is off: every step checks its own status.
run_variant() {
  local name=$1 sanitize=$2 extra_flags=$3
  local dir="$root/build-$name"
  local reports="$dir/sanitizer-reports"
  local started=$SECONDS

  echo "== $name: configuring and building $dir (-DLMP_SANITIZE=$sanitize)"
  # Debug (-O0 -g, assert() armed): at -O1, UBSan doubles the compile time of the Asio-heavy
  # files, and the suite spends its time waiting on sockets and fsync rather than computing.
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g" \
    -DCMAKE_CXX_FLAGS="$extra_flags" \
    -DLMP_SANITIZE="$sanitize" -DLMP_WERROR=ON -DLMP_BUILD_TESTS=ON -DCMAKE_UNITY_BUILD=ON \
    >/dev/null || return 1
  cmake --build "$dir" -j"$jobs" || return 1
  local built=$SECONDS

  rm -rf "$reports" && mkdir -p "$reports" || return 1
  scripts/seed-test-costs.sh "$dir" || return 1
  echo "== $name: running the whole suite"
  local status=0
  ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=86:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:log_path=$reports/asan" \
    LSAN_OPTIONS="log_path=$reports/lsan" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86" \
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$reports/tsan" \
    ctest --test-dir "$dir" --output-on-failure -j"$test_jobs" --timeout 600 \
    --exclude-regex "$excluded" --label-exclude "$excluded_labels" || status=$?

  # Every report ends in a SUMMARY line; a file without one holds only tool notes, such as LSan's
  # "Unable to get registers from thread" for a thread that was exiting when the check ran.
  local f
  for f in "$reports"/*; do
    [ -e "$f" ] || continue
    if grep -q -e "SUMMARY:" -e "ERROR:" -e "fatal error" "$f"; then
      echo "== $name: sanitizer report $f:"
      status=1
    else
      echo "== $name: sanitizer note (not a report) $f:"
    fi
    cat "$f"
  done
  echo "== $name: build $((built - started)) s, tests $((SECONDS - built)) s," \
    "$([ "$status" -eq 0 ] && echo clean || echo FAILED)"
  return "$status"
}

failed=()
for v in "${variants[@]}"; do
  case "$v" in
    asan) run_variant asan address,undefined "" || failed+=(asan) ;;
    # GCC warns (-Wtsan) at every atomic_thread_fence, which Boost.Asio's fenced blocks use; TSan
    # does not model standalone fences, but Asio's queues also hold a mutex, which it does see.
    tsan) run_variant tsan thread -Wno-tsan || failed+=(tsan) ;;
  esac
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "sanitizer runs failed: ${failed[*]}"
  exit 1
fi
echo "sanitizer runs clean: ${variants[*]}"
