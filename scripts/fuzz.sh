#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz (clang++, ASan+UBSan) and runs each for a fixed time
# against a copy of its seed corpus; fails when any target finds a crash, leak or timeout.
# Usage: scripts/fuzz.sh [--seconds N | --long | --runs N] [--workers K] [target...]   (default: 30 s
# each, every target; --runs stops each target after N executions instead, for the recorded long
# runs; --workers runs K processes of a target on one corpus, sharing --runs' executions between them)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

all_targets=(fuzz_request_parser fuzz_seat_dispatch fuzz_config_loader fuzz_activation_code
  fuzz_registration_key fuzz_admin_request fuzz_router fuzz_site_policy fuzz_borrow_token
  fuzz_entitlement fuzz_webhook_url)
seconds=30
runs=""
workers=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds)
      [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || {
        echo "--seconds needs a positive whole number" >&2
        exit 2
      }
      seconds=$2
      shift 2
      ;;
    --long)
      seconds=600
      shift
      ;;
    --runs)
      [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || {
        echo "--runs needs a positive whole number" >&2
        exit 2
      }
      runs=$2
      shift 2
      ;;
    --workers)
      [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || {
        echo "--workers needs a positive whole number" >&2
        exit 2
      }
      workers=$2
      shift 2
      ;;
    fuzz_*)
      [[ " ${all_targets[*]} " == *" $1 "* ]] || {
        echo "unknown target $1 (known: ${all_targets[*]})" >&2
        exit 2
      }
      targets+=("$1")
      shift
      ;;
    *)
      echo "usage: $0 [--seconds N | --long | --runs N] [--workers K] [target...]" >&2
      exit 2
      ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

scripts/install-deps.sh
build="$root/build-fuzz"
# -O1 without NDEBUG: fast enough to fuzz, and assert() in the code under test stays armed.
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DLMP_SANITIZE=address,undefined \
  -DLMP_BUILD_FUZZERS=ON -DLMP_BUILD_TESTS=OFF -DLMP_WERROR=ON -DCMAKE_UNITY_BUILD=ON >/dev/null
# One `fuzzers` target when all are wanted: several --target names are built one after another.
if [ ${#targets[@]} -eq ${#all_targets[@]} ]; then
  cmake --build "$build" -j"$(nproc)" --target fuzzers
else
  cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
fi

dict_for() {
  case "$1" in
    fuzz_request_parser | fuzz_seat_dispatch) echo "$root/fuzz/request_parser/protocol.dict" ;;
    fuzz_config_loader) echo "$root/fuzz/config_loader/config.dict" ;;
    fuzz_site_policy) echo "$root/fuzz/site_policy/policy.dict" ;;
    *) echo "" ;;
  esac
}

export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=()
summary=()
for target in "${targets[@]}"; do
  work="$build/runs/$target"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  # New inputs go into the copy; the checked-in seeds stay small and reviewed.
  cp "$root/fuzz/corpus/$target"/* "$work/corpus/"
  args=(-print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -max_len=8192
    -artifact_prefix="$work/artifacts/")
  if [ -n "$runs" ]; then
    budget="$runs executions"
  else
    args+=(-max_total_time="$seconds")
    budget="$seconds s"
  fi
  dict=$(dict_for "$target")
  [ -z "$dict" ] || args+=(-dict="$dict")
  [ "$workers" -eq 1 ] || budget+=" in $workers processes on one corpus"
  echo "== $target: fuzzing for $budget"
  status=0
  started=$SECONDS
  pids=()
  for ((k = 0; k < workers; k++)); do
    worker_args=("${args[@]}")
    if [ -n "$runs" ]; then
      # The first processes take the remainder, so the shares sum to exactly N.
      share=$((runs / workers + (k < runs % workers ? 1 : 0)))
      worker_args+=(-runs="$share")
    fi
    # libFuzzer rereads the corpus directory every second (-reload=1), so each process picks up
    # what the others found.
    "$build/fuzz/$target" "${worker_args[@]}" "$work/corpus" >"$work/log.$k" 2>&1 &
    pids+=($!)
  done
  while [ ${#pids[@]} -gt 0 ]; do
    worker_status=0
    finished=""
    wait -n -p finished "${pids[@]}" || worker_status=$?
    remaining=()
    for pid in "${pids[@]}"; do [ "$pid" = "$finished" ] || remaining+=("$pid"); done
    pids=("${remaining[@]}")
    if [ "$worker_status" -ne 0 ] && [ "$status" -eq 0 ]; then
      status=$worker_status
      # One finding ends the target: the other processes would only run on to their share.
      [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
    fi
  done
  cat "$work"/log.* >"$work/log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work"/log.* | awk '{ n += $1 } END { print n }')
  cov=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*cov: \([0-9]*\).*/\1/p' "$work"/log.* | sort -n | tail -1)
  corpus=$(find "$work/corpus" -type f | wc -l)
  line="$target: ${execs:-?} executions in $((SECONDS - started)) s, coverage ${cov:-?} edges, corpus $corpus inputs"
  if [ "$status" -ne 0 ] || compgen -G "$work/artifacts/*" >/dev/null; then
    line+=", FAILED (exit $status)"
    failed+=("$target")
    tail -n 60 "$work/log"
    echo "artifacts: $(ls "$work/artifacts")"
  fi
  echo "$line"
  summary+=("$line")
done

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets failed: ${failed[*]} (inputs in $build/runs/<target>/artifacts)"
  exit 1
fi
