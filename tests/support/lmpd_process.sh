# Shell helpers of the script tests, sourced: start an lmpd and learn its seat port.
# start_lmpd LOG LMPD ARGS...: starts LMPD ARGS... in the background with its log in LOG and waits
# until its seat listener listens (10 s at most); sets `pid` and `port`, or prints the log and
# exits 1.
start_lmpd() {
  local log=$1
  shift
  # The background job opens LOG itself, maybe after the first look below: under `set -e` a
  # look at a file not there yet would end the calling test (a false failure seen in CI runs).
  : >"$log"
  "$@" 2>>"$log" &
  pid=$!
  port=""
  for _ in $(seq 200); do
    port=$(sed -n 's/.*event=listening listener=seat.*port=\([0-9]*\).*/\1/p;T;q' "$log")
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  cat "$log"
  exit 1
}
