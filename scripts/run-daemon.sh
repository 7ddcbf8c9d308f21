#!/usr/bin/env bash
# Sets up and starts lmpd on its embedded default: installs what is missing, builds, and runs the
# daemon in the foreground with config/lmpd.yaml (SQLite in ./state, seat protocol on
# 127.0.0.1:27400). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target lmpd lmp_family_software lmp_family_saas lmp_family_suite \
  lmpctl lmp-run
mkdir -p state
echo "lmpd: starting with config/lmpd.yaml; create a license in another terminal with:"
echo "  build/daemon/lmpd admin --config config/lmpd.yaml create-license --customer acme --product cad-pro --units 5"
exec build/daemon/lmpd --config config/lmpd.yaml
