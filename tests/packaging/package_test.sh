#!/usr/bin/env bash
# Builds the Debian packages with CPack, checks them with lintian, installs them with dpkg -i,
# verifies the systemd unit, and runs the installed lmpd as its system user: create a license,
# check a seat out over the seat protocol, stop it. Needs root; exits 77 (skipped) otherwise.
set -euo pipefail
build_dir=$1
source_dir=$2

if [ "$(id -u)" -ne 0 ] || ! command -v dpkg >/dev/null; then
  echo "skipped: installing a package needs root and dpkg"
  exit 77
fi
if ! grep -q '^CMAKE_INSTALL_PREFIX:PATH=/usr$' "$build_dir/CMakeCache.txt"; then
  echo "the build must be configured with -DCMAKE_INSTALL_PREFIX=/usr (scripts/test.sh does)"
  exit 1
fi

work=$(mktemp -d /tmp/lmpd-package-XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  dpkg --purge lmpd lmpd-dev >/dev/null 2>&1 || true
  rm -rf "$work" /var/lib/lmpd/package-test.db*
}
trap cleanup EXIT

echo "== cpack"
(cd "$build_dir" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
debs=("$work"/out/*.deb)
ls -l "${debs[@]}"

echo "== lintian"
lintian --fail-on error --suppress-tags no-manual-page "${debs[@]}"

echo "== dpkg -i"
dpkg -i "${debs[@]}"
getent passwd lmpd >/dev/null
test -f /etc/lmpd/lmpd.yaml
dpkg-query -W -f='${Conffiles}\n' lmpd | grep -q /etc/lmpd/lmpd.yaml
ls /usr/lib/*/lmpd/plugins/lmp_family_software.so
test -f /usr/include/lmp/sdk/family.hpp

echo "== systemd unit"
systemd-analyze verify /lib/systemd/system/lmpd.service
systemd-analyze security --offline=yes /lib/systemd/system/lmpd.service | tail -1

echo "== installed binary"
/usr/sbin/lmpd --version
/usr/sbin/lmpd --check-config /etc/lmpd/lmpd.yaml
/usr/bin/lmpctl --version
# The packaged config with a free port and a database of the test's own, run as the lmpd user.
sed -E -e 's/port: [0-9]+/port: 0/' -e 's#/var/lib/lmpd/lmpd.db#/var/lib/lmpd/package-test.db#' \
  /etc/lmpd/lmpd.yaml >"$work/lmpd.yaml"
chmod 0644 "$work/lmpd.yaml"
chmod 0755 "$work"
code=$(runuser -u lmpd -- /usr/sbin/lmpd admin --config "$work/lmpd.yaml" create-license \
  --customer acme --product example-app --units 2 | sed -n 's/^activation code: //p')
[ -n "$code" ]
setpriv --reuid lmpd --regid lmpd --init-groups /usr/sbin/lmpd --config "$work/lmpd.yaml" 2>"$work/lmpd.log" &
pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*event=listening listener=seat.*port=\([0-9]*\).*/\1/p' "$work/lmpd.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/lmpd.log"; exit 1; }
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'CHECKOUT code=%s\n' "$code" >&3
read -r answer <&3
echo "$answer"
case "$answer" in OK\ lease=*) ;; *) exit 1 ;; esac
exec 3>&-
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || { echo "lmpd exited with $status"; cat "$work/lmpd.log"; exit 1; }
grep -q "event=stopped" "$work/lmpd.log" || { cat "$work/lmpd.log"; exit 1; }
echo "package test passed"
