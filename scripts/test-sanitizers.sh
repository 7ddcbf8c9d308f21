#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer+UBSan (build-asan) and with ThreadSanitizer
# (build-tsan) and runs the entire CTest suite under each; any sanitizer report fails the run.
# Usage: scripts/test-sanitizers.sh [asan] [tsan]   (both when none is named)
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

# Reports go to files as well as failing the process: lmpd runs as a child of the e2e tests, and
# a report it writes while shutting down would otherwise be lost in its log file.
run_variant() {
  local name=$1 sanitize=$2
  local dir="$root/build-$name"
  local reports="$dir/sanitizer-reports"
  local started=$SECONDS

  echo "== $name: configuring and building $dir (-DLMP_SANITIZE=$sanitize)"
  # -O1 keeps the instrumented build and the suite fast; Debug keeps assert() armed.
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
    -DLMP_SANITIZE="$sanitize" -DLMP_WERROR=ON -DLMP_BUILD_TESTS=ON >/dev/null
  cmake --build "$dir" -j"$jobs"
  local built=$SECONDS

  rm -rf "$reports"
  mkdir -p "$reports"
  echo "== $name: running the whole suite"
  local status=0
  ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:log_path=$reports/asan" \
    LSAN_OPTIONS="log_path=$reports/lsan" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan" \
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$reports/tsan" \
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 600 || status=$?

  if compgen -G "$reports/*" >/dev/null; then
    echo "== $name: sanitizer reports:"
    for f in "$reports"/*; do
      echo "---- $f"
      cat "$f"
    done
    status=1
  fi
  echo "== $name: build $((built - started)) s, tests $((SECONDS - built)) s," \
    "$([ "$status" -eq 0 ] && echo clean || echo FAILED)"
  return "$status"
}

failed=()
for v in "${variants[@]}"; do
  case "$v" in
    asan) run_variant asan address,undefined || failed+=(asan) ;;
    tsan) run_variant tsan thread || failed+=(tsan) ;;
  esac
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "sanitizer runs failed: ${failed[*]}"
  exit 1
fi
echo "sanitizer runs clean: ${variants[*]}"
