#!/usr/bin/env bash
# Builds the Debian packages (lmpd, lmpctl, liblmpclient1, lmp-run, lmpd-dev) into
# packaging-out/: a release build installed under /usr, packaged by CPack. Install them with
# `dpkg -i packaging-out/*.deb`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build-package -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DLMP_BUILD_TESTS=OFF >/dev/null
cmake --build build-package -j"$(nproc)"
(cd build-package && cpack -G DEB -B "$PWD/../packaging-out")
ls -l packaging-out/*.deb
