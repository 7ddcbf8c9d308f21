#!/usr/bin/env bash
# Runs the README's seat walk-through as written, with the tools of a fresh machine: the `seat`
# helper (bash's /dev/tcp) and lmp-run against a real lmpd started from config/lmpd.yaml (its
# ports and database moved into a scratch folder). Fails when the README needs a tool Debian
# does not install by default, such as nc.
# Usage: readme_seat_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/../support/lmpd_process.sh"
build_dir=$(cd "$1" && pwd)
source_dir=$2
readme=$source_dir/README.md

work=$(mktemp -d /tmp/lmpd-readme-XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The README's shell blocks call nc nowhere (a fresh Debian 12 has none).
if awk '/^```sh/ { in_sh = 1; next } /^```/ { in_sh = 0 } in_sh' "$readme" |
  grep -nE '(^|[|;&(]|[[:space:]])(nc|netcat|ncat|socat|telnet)[[:space:]]'; then
  echo "README.md: a shell block above uses a tool a fresh machine lacks"
  exit 1
fi

sed -E -e 's/port: 27[0-9]+/port: 0/' -e "s#path: \.\./state/lmpd.db#path: $work/lmpd.db#" \
  -e "s#directory: \.\./build/plugins#directory: $build_dir/plugins#" \
  "$source_dir/config/lmpd.yaml" >"$work/lmpd.yaml"
code=$("$build_dir/daemon/lmpd" admin --config "$work/lmpd.yaml" create-license --customer acme \
  --product cad-pro --units 1 2>/dev/null | sed -n 's/^activation code: //p')
[ -n "$code" ]
start_lmpd "$work/lmpd.log" "$build_dir/daemon/lmpd" --config "$work/lmpd.yaml"

# The README's own definition of `seat`, on this run's port.
definition=$(grep -E '^seat\(\) \{' "$readme")
eval "${definition//27400/$port}"
expect() {
  case "$2" in $1) echo "$2" ;; *) echo "expected '$1', got '$2'"; cat "$work/lmpd.log"; exit 1 ;; esac
}
answer=$(seat CHECKOUT code="$code")
expect "OK lease=* units=1 *" "$answer"
lease=$(sed -n 's/^OK lease=\([0-9a-f]*\).*/\1/p' <<<"$answer")
expect "OK expires=*" "$(seat HEARTBEAT lease="$lease")"
expect "OK" "$(seat CHECKIN lease="$lease")"

# The selling story's lmp-run line, as written there.
run_line=$(grep -m1 -E '^build/client/lmp-run --server 127\.0\.0\.1:27400 --code <activation code> -- ' "$readme")
run_line=${run_line//27400/$port}
run_line=${run_line//<activation code>/$code}
run_line=${run_line//build\/client/$build_dir\/client}
expect "licensed" "$(eval "$run_line")"
kill -TERM "$pid"
wait "$pid"
pid=""
echo "README seat walk-through passed"
