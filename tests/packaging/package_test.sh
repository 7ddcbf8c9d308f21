#!/usr/bin/env bash
# Builds the Debian packages with CPack, checks them with lintian, installs the endpoint packages
# alone and then the rest with dpkg -i, verifies the systemd unit, and runs the installed lmpd as
# its system user: create a license, check a seat out over the seat protocol, reload it with a
# broken config and see it keep serving, scrape /metrics, stop it; runs it again with TLS on the
# seat listener and checks a seat out over TLS; then installs the packages over themselves as an
# upgrade does. Needs root; exits 77 (skipped)
# otherwise.
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

# The packages are installed machine-wide, so two suites running at once (two build trees, two
# worktrees) would install, run and purge them under each other and meet on dpkg's lock: this
# test waits for any other run of it to finish first.
lock=/run/lock/lmpd-debian-package-test.lock
exec 9>"$lock"
if ! flock -n 9; then
  echo "== waiting for another debian_package run to finish ($lock)"
  flock -w 600 9 || { echo "gave up waiting for $lock after 600 s"; exit 1; }
fi

work=$(mktemp -d /tmp/lmpd-package-XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  dpkg --purge lmpd lmpctl lmpd-dev lmp-run liblmpclient1 >/dev/null 2>&1 || true
  rm -rf "$work" /var/lib/lmpd/package-test.db*
}
trap cleanup EXIT

echo "== cpack"
(cd "$build_dir" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
debs=("$work"/out/*.deb)
ls -l "${debs[@]}"
for package in lmpd lmpctl liblmpclient1 lmp-run lmpd-dev; do
  ls "$work"/out/${package}_*.deb >/dev/null
done
# The metrics library (prometheus-cpp's core, a shared library of Debian's): the server package
# depends on its runtime package, found by dpkg-shlibdeps, and on none of its pull or push parts.
depends=$(dpkg-deb -f "$work"/out/lmpd_*.deb Depends)
grep -q "libprometheus-cpp-core1.0" <<<"$depends" || { echo "lmpd Depends: $depends"; exit 1; }
if grep -E "prometheus-cpp-(pull|push)|civetweb" <<<"$depends"; then exit 1; fi

echo "== lintian"
# Missing hardening flags and manual pages are only informational tags, so they are looked for
# by name.
lintian --info --fail-on error,warning "${debs[@]}" >"$work/lintian.log" 2>&1 ||
  { cat "$work/lintian.log"; exit 1; }
if grep -E "hardening-|no-manual-page" "$work/lintian.log"; then
  echo "lintian: a binary without the hardening flags, or a program without a manual page"
  exit 1
fi

echo "== dpkg -i: an endpoint's packages, without the server"
dpkg -i "$work"/out/liblmpclient1_*.deb "$work"/out/lmp-run_*.deb
grep -q "usage: lmp-run" <<<"$(/usr/bin/lmp-run --help)"
grep -q liblmpclient.so.1 <<<"$(ldconfig -p)"
! dpkg-query -W lmpd >/dev/null 2>&1

echo "== dpkg -i: lmpctl over an lmpd 0.1.0 that held /usr/bin/lmpctl itself"
mkdir -p "$work/old-lmpd/DEBIAN" "$work/old-lmpd/usr/bin"
printf 'Package: lmpd\nVersion: 0.1.0\nArchitecture: all\nMaintainer: test <t@example.org>\nDescription: lmpd with lmpctl inside\n' \
  >"$work/old-lmpd/DEBIAN/control"
printf '#!/bin/sh\necho old lmpctl\n' >"$work/old-lmpd/usr/bin/lmpctl"
chmod 0755 "$work/old-lmpd/usr/bin/lmpctl"
dpkg-deb --root-owner-group --build "$work/old-lmpd" "$work/old-lmpd.deb" >/dev/null
dpkg -i "$work/old-lmpd.deb"
dpkg -i "$work"/out/lmpctl_*.deb
[ "$(dpkg -S /usr/bin/lmpctl)" = "lmpctl: /usr/bin/lmpctl" ]
dpkg --purge lmpd

echo "== dpkg -i: lmpctl alone, for an admin's machine"
/usr/bin/lmpctl --version
! dpkg-query -W lmpd >/dev/null 2>&1

echo "== dpkg -i: everything"
dpkg -i "${debs[@]}"
getent passwd lmpd >/dev/null
test -f /etc/lmpd/lmpd.yaml
# The config may hold the PostgreSQL password: root and the lmpd group only.
[ "$(stat -c %a:%U:%G /etc/lmpd/lmpd.yaml)" = 640:root:lmpd ] || { ls -l /etc/lmpd; exit 1; }
grep -q /etc/lmpd/lmpd.yaml <<<"$(dpkg-query -W -f='${Conffiles}\n' lmpd)"
ls /usr/lib/*/lmpd/plugins/lmp_family_software.so
test -f /usr/include/lmp/sdk/family.hpp
test -f /usr/share/doc/lmpd-dev/plugin-guide.md
for page in man8/lmpd.8.gz man5/lmpd.yaml.5.gz man1/lmpctl.1.gz man1/lmp-run.1.gz; do
  test -f "/usr/share/man/$page"
done
grep -q "limits.max_connections" <<<"$(zcat /usr/share/man/man5/lmpd.yaml.5.gz)"

echo "== the example family in lmpd-dev, built as its README says, against the installed SDK"
cmake -S /usr/share/doc/lmpd-dev/examples/token-family -B "$work/token" -DCMAKE_PREFIX_PATH=/usr \
  >"$work/token.log" 2>&1 || { cat "$work/token.log"; exit 1; }
cmake --build "$work/token" >>"$work/token.log" 2>&1 || { cat "$work/token.log"; exit 1; }
test -f "$work/token/lmp_family_token.so"

echo "== systemd unit"
systemd-analyze verify /lib/systemd/system/lmpd.service
systemd-analyze security --offline=yes /lib/systemd/system/lmpd.service | tail -1

echo "== installed binary"
/usr/sbin/lmpd --version
/usr/sbin/lmpd --check-config /etc/lmpd/lmpd.yaml
/usr/bin/lmpctl --version
# The packaged config with a free port and a database of the test's own, run as the lmpd user.
# The packaged config leaves the admin listener at its default port: give it a free one too, so
# that an lmpd already serving on this machine does not make the test fail.
sed -E -e 's/port: [0-9]+/port: 0/' -e 's#/var/lib/lmpd/lmpd.db#/var/lib/lmpd/package-test.db#' \
  /etc/lmpd/lmpd.yaml >"$work/lmpd.yaml"
if ! grep -q '^  admin:' "$work/lmpd.yaml"; then
  sed -i 's/^listeners:$/listeners:\n  admin:\n    address: 127.0.0.1\n    port: 0/' "$work/lmpd.yaml"
fi
chmod 0644 "$work/lmpd.yaml"
chmod 0755 "$work"
code=$(runuser -u lmpd -- /usr/sbin/lmpd admin --config "$work/lmpd.yaml" create-license \
  --customer acme --product example-app --units 2 | sed -n 's/^activation code: //p')
[ -n "$code" ]
# As under systemd: stderr is the journal's stream, so each line starts with its priority.
: >"$work/lmpd.log"
JOURNAL_STREAM=$(stat -c %d:%i "$work/lmpd.log") setpriv --reuid lmpd --regid lmpd --init-groups \
  /usr/sbin/lmpd --config "$work/lmpd.yaml" 2>>"$work/lmpd.log" &
pid=$!
port=""
for _ in $(seq 100); do
  grep -q "event=started" "$work/lmpd.log" && break
  sleep 0.1
done
port=$(sed -n 's/.*event=listening listener=seat.*port=\([0-9]*\).*/\1/p;T;q' "$work/lmpd.log")
admin_port=$(sed -n 's/.*event=listening listener=admin.*port=\([0-9]*\).*/\1/p;T;q' "$work/lmpd.log")
[ -n "$port" ] && [ -n "$admin_port" ] || { cat "$work/lmpd.log"; exit 1; }
grep -q "^<6>level=info event=started" "$work/lmpd.log" || { cat "$work/lmpd.log"; exit 1; }
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'CHECKOUT code=%s\n' "$code" >&3
read -r answer <&3
echo "$answer"
case "$answer" in OK\ lease=*) ;; *) exit 1 ;; esac
lease=$(echo "$answer" | sed -n 's/^OK lease=\([0-9a-f]*\).*/\1/p')

echo "== reload with a broken config: refused, the old one keeps serving"
cp "$work/lmpd.yaml" "$work/lmpd.good.yaml"
printf 'leases:\n  duration_seconds: [not a number\n' >>"$work/lmpd.yaml"
kill -HUP "$pid"
for _ in $(seq 100); do
  grep -q "event=reload_failed" "$work/lmpd.log" && break
  sleep 0.1
done
grep -q "event=reload_rejected.*lmpd.yaml:" "$work/lmpd.log" || { cat "$work/lmpd.log"; exit 1; }
printf 'HEARTBEAT lease=%s\n' "$lease" >&3
read -r answer <&3
echo "$answer"
case "$answer" in OK\ *) ;; *) exit 1 ;; esac
exec 3>&-
cp "$work/lmpd.good.yaml" "$work/lmpd.yaml"

echo "== /metrics"
exec 4<>"/dev/tcp/127.0.0.1/$admin_port"
printf 'GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&4
metrics=$(cat <&4)
exec 4>&-
[[ ${metrics%%$'\n'*} == *" 200 "* ]] || { printf '%s\n' "${metrics:0:2000}"; exit 1; }
grep -q '^lmp_checkouts_total{product="example-app"} 1' <<<"$metrics" || {
  grep lmp_checkouts <<<"$metrics"
  exit 1
}
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || { echo "lmpd exited with $status"; cat "$work/lmpd.log"; exit 1; }
grep -q "event=stopped" "$work/lmpd.log" || { cat "$work/lmpd.log"; exit 1; }

echo "== seat checkout over TLS (certificates made with openssl as docs/operations.md shows)"
(
  cd "$work"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=package test CA" -keyout ca-key.pem -out ca.pem 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout server-key.pem -out server.csr 2>/dev/null
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
    -out server.pem -extfile <(printf "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth") \
    2>/dev/null
  chmod 0644 server.pem server-key.pem
)
awk -v dir="$work" '{ print } /^  seat:/ { print "    tls:\n      certificate: " dir "/server.pem\n      private_key: " dir "/server-key.pem" }' \
  "$work/lmpd.yaml" >"$work/lmpd-tls.yaml"
chmod 0644 "$work/lmpd-tls.yaml"
setpriv --reuid lmpd --regid lmpd --init-groups /usr/sbin/lmpd --config "$work/lmpd-tls.yaml" \
  2>"$work/lmpd-tls.log" &
pid=$!
for _ in $(seq 100); do
  grep -q "event=started" "$work/lmpd-tls.log" && break
  sleep 0.1
done
port=$(sed -n 's/.*event=listening listener=seat.*port=\([0-9]*\).*/\1/p;T;q' "$work/lmpd-tls.log")
[ -n "$port" ] || { cat "$work/lmpd-tls.log"; exit 1; }
# Not under systemd: each line starts with the time.
grep -qE "^time=[0-9-]+T[0-9:.]+Z level=info event=started" "$work/lmpd-tls.log" ||
  { cat "$work/lmpd-tls.log"; exit 1; }
answers=$(printf 'CHECKOUT code=%s\nQUIT\n' "$code" |
  timeout 10 openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$work/ca.pem" \
    -verify_return_error -verify_ip 127.0.0.1 2>"$work/s_client.log")
answer=${answers%%$'\n'*}
echo "$answer"
case "$answer" in OK\ lease=*) ;; *) cat "$work/s_client.log" "$work/lmpd-tls.log"; exit 1 ;; esac
kill -TERM "$pid"
wait "$pid"
pid=""

echo "== dpkg -i again: the upgrade path of the maintainer scripts"
echo "# a local change" >>/etc/lmpd/lmpd.yaml
dpkg -i --force-confold "${debs[@]}"
[[ $(tail -1 /etc/lmpd/lmpd.yaml) == *"a local change"* ]]
[ "$(stat -c %a:%U:%G /etc/lmpd/lmpd.yaml)" = 640:root:lmpd ]
getent passwd lmpd >/dev/null
echo "package test passed"
