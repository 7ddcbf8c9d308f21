#!/usr/bin/env bash
# Copies the console's third-party files (console/package.json, pinned by console/package-lock.json)
# into console/vendor/, which is committed: the build and CI then need neither node nor the network.
# Run after changing the pinned version (docs/console.md, "Third-party code").
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp console/package.json console/package-lock.json "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
uplot="$work/node_modules/uplot"
mkdir -p console/vendor
cp "$uplot/dist/uPlot.iife.min.js" "$uplot/dist/uPlot.min.css" console/vendor/
cp "$uplot/LICENSE" console/vendor/uPlot.LICENSE.txt
version="$(node -p "require('$uplot/package.json').version")"
echo "console/vendor/: uPlot $version"
