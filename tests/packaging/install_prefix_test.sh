#!/usr/bin/env bash
# `cmake --install BUILD --prefix X` writes nothing outside X (it once wrote /etc/lmpd/lmpd.yaml
# and the systemd unit into the live system), and the unit it installs there runs X's lmpd with
# X's config; with prefix /usr the config and unit go where the Debian package wants them.
# Installs into DESTDIR, so a regression cannot touch this machine's /etc.
# Usage: install_prefix_test.sh BUILD_DIR
set -euo pipefail
build_dir=$1
work=$(mktemp -d /tmp/lmpd-install-prefix-XXXXXX)
trap 'rm -rf "$work"' EXIT

prefix=/opt/lmpd-prefix-test
DESTDIR="$work/custom" cmake --install "$build_dir" --prefix "$prefix" >"$work/custom.log"
outside=$(cd "$work/custom" && find . ! -type d | grep -v "^\.$prefix/" || true)
if [ -n "$outside" ]; then
  echo "installed outside the prefix $prefix:"
  echo "$outside"
  exit 1
fi
unit="$work/custom$prefix/lib/systemd/system/lmpd.service"
test -f "$work/custom$prefix/etc/lmpd/lmpd.yaml"
grep -qx "ExecStart=$prefix/sbin/lmpd --config $prefix/etc/lmpd/lmpd.yaml" "$unit" ||
  { grep -n Exec "$unit"; exit 1; }
if grep -n "/usr/" "$unit"; then
  echo "the unit under $prefix still names /usr"
  exit 1
fi

DESTDIR="$work/system" cmake --install "$build_dir" --prefix /usr >"$work/system.log"
test -f "$work/system/etc/lmpd/lmpd.yaml"
grep -qx "ExecStart=/usr/sbin/lmpd --config /etc/lmpd/lmpd.yaml" \
  "$work/system/lib/systemd/system/lmpd.service"
echo "install prefix test passed"
