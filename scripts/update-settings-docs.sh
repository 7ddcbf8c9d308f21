#!/usr/bin/env bash
# Rewrites the settings tables of docs/configuration.md from config/settings_table.hpp (the
# tests fail while the two disagree). Usage: scripts/update-settings-docs.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake --build "$build" --target lmp_settings_docs >/dev/null
"$build/config/lmp_settings_docs" docs/configuration.md
"$build/config/lmp_settings_docs" --check docs/configuration.md
echo "docs/configuration.md: settings tables written from config/settings_table.hpp"
