#!/usr/bin/env bash
# Fails when a shell script that sets `-o pipefail` pipes into a reader that may stop before its
# input ends (`grep -q`, `grep -m`, `head`, `sed ...q`): the writer then dies of SIGPIPE now and
# then and pipefail turns that into a failure (the debian_package test's `ldconfig -p | grep -q`
# failed 8 times in 300). Read the whole output instead: `grep -q X <<<"$(cmd)"`, `sed -n '/X/{p;q}'
# FILE`. Usage: scripts/check-pipes.sh [ROOT]
set -euo pipefail
root=${1:-"$(dirname "$0")/.."}
cd "$root"

# Every bash script of the repository (by extension or by its first line) that sets pipefail.
scripts=()
while IFS= read -r -d '' f; do
  case "$f" in *.sh) ;; *) [[ $(head -c 64 "$f") == '#!'*bash* ]] || continue ;; esac
  grep -Eq 'set -[a-z]*o pipefail|set -o pipefail' "$f" && scripts+=("$f")
done < <(find . \( -name .git -o -name 'build*' -o -name node_modules \) -prune -o -type f \
  \( -name '*.sh' -o -path './.ci/*' -o -path './scripts/*' -o -path './tests/*' \) -print0)

# A `|` (not `||`) followed by one of the early-exiting readers; comments are ignored.
reader='(^|[^|])\|[[:space:]]*(grep([[:space:]]+-[a-zA-Z]+)*[[:space:]]+-[a-zA-Z]*[qm]|head([[:space:]]|$)|sed[[:space:]][^|]*[;{[:space:]]q[;}[:space:]0-9]*'"'"')'
bad=0
for f in "${scripts[@]}"; do
  hits=$(grep -nE "$reader" "$f" | grep -vE '^[0-9]+:[[:space:]]*#' || true)
  if [ -n "$hits" ]; then
    printf '%s\n' "$hits" | sed "s#^#${f#./}:#"
    bad=1
  fi
done
if [ "$bad" -ne 0 ]; then
  echo "early-exiting readers under pipefail (see the comment at the top of scripts/check-pipes.sh)"
  exit 1
fi
echo "pipes: ${#scripts[@]} scripts under pipefail, none pipes into an early-exiting reader"
