#!/usr/bin/env bash
# ruff and mypy error counts per package (the configuration is pyproject.toml's), to follow them going down.
# Counts only: `ruff check src` and `mypy` print the errors themselves. Usage: tools/lint_report.sh [python]
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${1:-${PYTHON:-.venv/bin/python}}"
[ -x "$PY" ] || PY=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# budgetwatch.x.y → x (a top-level module: its name); tests/, tools/, benchmarks/ by folder
package_of() {
  sed -E 's#^src/budgetwatch/([^/:]+)/.*#\1#; s#^src/budgetwatch/([^/:.]+)\.py.*#\1#; s#^(tests|tools|benchmarks)/.*#\1#'
}

"$PY" -m ruff check --output-format concise --no-fix src tests tools benchmarks 2>/dev/null \
  | grep -E '^[^ ]+:[0-9]+:[0-9]+: ' | package_of | sort | uniq -c > "$tmp/ruff"
"$PY" -m ruff format --check --output-format concise src tests tools benchmarks 2>/dev/null \
  | grep -E '^[^ ]+:[0-9]+:[0-9]+: unformatted' | package_of | sort | uniq -c > "$tmp/format"
"$PY" -m mypy 2>/dev/null | grep -E '^src/[^:]+:[0-9]+: error:' | package_of | sort | uniq -c > "$tmp/mypy"

printf '%-14s %8s %12s %8s\n' package ruff "format(files)" mypy
cat "$tmp/ruff" "$tmp/format" "$tmp/mypy" | awk '{print $2}' | sort -u | while read -r pkg; do
  count() { awk -v p="$pkg" '$2 == p {print $1}' "$1"; }
  printf '%-14s %8s %12s %8s\n' "$pkg" "$(count "$tmp/ruff")" "$(count "$tmp/format")" "$(count "$tmp/mypy")"
done
total() { awk '{s += $1} END {print s + 0}' "$1"; }
printf '%-14s %8s %12s %8s\n' total "$(total "$tmp/ruff")" "$(total "$tmp/format")" "$(total "$tmp/mypy")"
