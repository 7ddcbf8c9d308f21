#!/usr/bin/env bash
# Sets up and runs the whole test suite: installs what is missing, builds with warnings as errors
# and runs every test through CTest. LMP_TEST_JOBS: tests run at once (default two a core: most
# tests wait on sockets, sweeps and restarts; docs/reliability.md, "Test time").
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/check-format.sh
# Prefix /usr so the debian_package test packages the build it tested. A unity build (eight source
# files to a compilation) parses the shared headers once per batch: about half the CPU time of a
# build from scratch (docs/reliability.md, "Build time"); -DCMAKE_UNITY_BUILD=OFF for a build
# that edits one file at a time.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr -DLMP_WERROR=ON \
  -DLMP_BUILD_TESTS=ON -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build -j"$(nproc)"
# The PostgreSQL tests (storage, several lmpd instances on one database) use a server of their own.
LMP_TEST_POSTGRES="$(scripts/start-postgres.sh)"
export LMP_TEST_POSTGRES
trap scripts/stop-postgres.sh EXIT
scripts/seed-test-costs.sh build
ctest --test-dir build --output-on-failure -j"${LMP_TEST_JOBS:-$((2 * $(nproc)))}" --timeout 300
