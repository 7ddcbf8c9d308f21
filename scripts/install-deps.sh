#!/usr/bin/env bash
# Installs the Debian 12 packages lmpd needs to build and test; does nothing when they are all
# present already. Runs apt-get as root (directly, or through sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang-format
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev libboost-url1.81-dev
  libyaml-cpp-dev libsoci-dev libsqlite3-dev libpq-dev libsystemd-dev libssl-dev
  libgtest-dev libgmock-dev lintian dpkg-dev fakeroot help2man
  clang libclang-rt-14-dev postgresql
  prometheus prometheus-cpp-dev openssl python3-cryptography mold
  # The web console's browser test (tests/console): Debian's Chromium, its driver, Selenium.
  chromium chromium-driver python3-selenium
)

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "installing: ${missing[*]}"
"${as_root[@]}" apt-get update -qq
# `prometheus` is here only for promtool (the metrics test): its server must not start on a
# build machine, so services stay down during the install (policy-rc.d answering 101, unless the
# machine has its own) and the unit is disabled afterwards.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 755 "$policy"
  own_policy=1
fi
status=0
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
[ "$own_policy" -eq 0 ] || "${as_root[@]}" rm -f "$policy"
[ "$status" -eq 0 ] || exit "$status"
if [ -d /run/systemd/system ] && systemctl list-unit-files prometheus.service >/dev/null 2>&1; then
  "${as_root[@]}" systemctl disable --now prometheus.service >/dev/null 2>&1 || true
fi
