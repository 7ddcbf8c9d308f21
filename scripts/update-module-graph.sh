#!/usr/bin/env bash
# Rewrites the module dependency diagram in docs/architecture.md from the includes, using the
# architecture test (build it first: cmake --build build --target architecture_tests).
set -euo pipefail
cd "$(dirname "$0")/.."
LMP_UPDATE_MODULE_GRAPH=1 build/tests/architecture/architecture_tests \
  --gtest_filter='ModuleLayers.TheArchitectureDocShowsTheDependenciesAsTheyAre'
