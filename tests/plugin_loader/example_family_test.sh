#!/usr/bin/env bash
# Builds examples/token-family as an outside author would (against the SDK installed into a
# scratch prefix, nothing else from lmpd's tree), has a real lmpd load it from a plugin folder of
# its own, and draws tokens through the seat protocol.
# Usage: example_family_test.sh BUILD_DIR SOURCE_DIR LMPD_BINARY
set -euo pipefail
source "$(dirname "$0")/../support/lmpd_process.sh"
build_dir=$1
source_dir=$2
lmpd=$3

work=$(mktemp -d /tmp/lmpd-example-family-XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== the three commands of examples/token-family/README.md, against a scratch prefix"
cmake --install "$build_dir" --component sdk --prefix "$work/prefix" >"$work/install.log"
cmake -S "$source_dir/examples/token-family" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  >"$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" >"$work/build.log" || { cat "$work/build.log"; exit 1; }
mkdir "$work/plugins"
cp "$work/build/lmp_family_token.so" "$work/plugins/"

cat >"$work/lmpd.yaml" <<YAML
listeners:
  seat: {address: 127.0.0.1, port: 0}
  admin: {address: 127.0.0.1, port: 0}
storage:
  sqlite: {path: lmpd.db}
plugins:
  directory: $work/plugins
products:
  - code: render-tokens
    name: Render Tokens
    family: token
    unit: seats
    settings:
      max_tokens_per_checkout: 8
YAML

echo "== a setting outside the family's schema is refused at its position"
sed 's/max_tokens_per_checkout: 8/max_tokens_per_checkout: 0/' "$work/lmpd.yaml" >"$work/bad.yaml"
if "$lmpd" --check-config "$work/bad.yaml" 2>"$work/bad.log"; then
  echo "a zero cap was accepted"; exit 1
fi
grep -q "bad.yaml:14:7: product 'render-tokens': setting 'max_tokens_per_checkout' must be an integer from 1 to 1000000, not '0'" "$work/bad.log" \
  || { cat "$work/bad.log"; exit 1; }
"$lmpd" --check-config "$work/lmpd.yaml"

code=$("$lmpd" admin --config "$work/lmpd.yaml" create-license --customer studio \
  --product render-tokens --units 10 | sed -n 's/^activation code: //p')
[ -n "$code" ]

start_lmpd "$work/lmpd.log" "$lmpd" --config "$work/lmpd.yaml"

exec 3<>"/dev/tcp/127.0.0.1/$port"
ask() {
  printf '%s\n' "$1" >&3
  read -r answer <&3
  echo "$1 -> $answer"
}
expect() {
  case "$answer" in $1) ;; *) echo "expected $1"; cat "$work/lmpd.log"; exit 1 ;; esac
}
ask "CHECKOUT code=$code units=8"; expect "OK lease=* units=8 *"
ask "CHECKOUT code=$code units=9"; expect "ERR bad_request *"
ask "CHECKOUT code=$code units=3"; expect "ERR no_seats *"
ask "CHECKOUT code=$code units=2"; expect "OK lease=* units=2 *"
ask "STATUS code=$code"; expect "OK product=render-tokens state=active units=10 used=10 free=0 *"
exec 3>&-
grep -q "event=plugin_tokens_exhausted" "$work/lmpd.log" || { cat "$work/lmpd.log"; exit 1; }
kill -TERM "$pid"
wait "$pid"
pid=""
echo "example family test passed"
