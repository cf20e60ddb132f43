#!/usr/bin/env bash
# The lint gate .ci/run runs before the tests: ruff check, ruff format --check, and mypy on the modules that
# pyproject.toml holds to check_untyped_defs (its [[tool.mypy.overrides]]; errors elsewhere are counted by
# tools/lint_report.sh, not gated). Usage: tools/lint.sh [python]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-${PYTHON:-.venv/bin/python}}"
[ -x "$PY" ] || PY=python3

strict=$("$PY" - <<'PYEOF'
import tomllib
from pathlib import Path
cfg = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
paths = set()
for o in cfg["tool"]["mypy"].get("overrides", []):
    if not o.get("check_untyped_defs"):
        continue
    for m in [o["module"]] if isinstance(o["module"], str) else o["module"]:
        base = Path("src", *m.removesuffix(".*").split("."))
        for p in (base, base.with_suffix(".py")):
            if p.exists():
                paths.add(str(p))
print(" ".join(sorted(paths)))
PYEOF
)
echo "lint: ruff check"
"$PY" -m ruff check src tests tools benchmarks
echo "lint: ruff format --check"
"$PY" -m ruff format --check src tests tools benchmarks
echo "lint: mypy (check_untyped_defs) on $strict"
# imports are followed for their types, their errors left to lint_report.sh
"$PY" -m mypy --follow-imports=silent $strict
