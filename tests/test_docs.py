"""Docs that tests keep honest: the generated parts of the README and docs/ are what the code generates now.

Each file holds cog blocks (`[[[cog` … `[[[end]]]`) whose output tools/docgen.py writes from the code — the
rule catalogue, the command-line app, the model's vocabulary. A change to the code that the docs do not follow
fails here; `cog -r -I tools FILE…` regenerates them.
"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

GENERATED = ["README.md", "docs/model.md", "docs/rules.md"]


def _cog(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "cogapp", "-I", "tools", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_generated_docs_are_up_to_date():
    run = _cog("--check", *GENERATED)
    assert run.returncode == 0, f"stale: run `cog -r -I tools {' '.join(GENERATED)}`\n{run.stdout}{run.stderr}"


def test_every_doc_with_a_cog_block_is_checked():
    marked = sorted(
        str(p.relative_to(ROOT))
        for p in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
        if "[[[cog" in p.read_text(encoding="utf-8")
    )
    assert marked == sorted(GENERATED)


def test_the_check_fails_on_a_stale_doc(tmp_path):
    stale = tmp_path / "rules.md"
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    stale.write_text(text.replace("### A01 ", "### A01 (edited) ", 1), encoding="utf-8")
    run = _cog("--check", str(stale))
    assert run.returncode != 0 and "changed" in run.stdout


def test_the_command_table_lists_every_command():
    from typer.main import get_command

    from budgetwatch.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    root = get_command(app)
    for name, command in root.commands.items():
        subs = getattr(command, "commands", None) or {"": command}
        for sub in subs:
            assert f"`budgetwatch {name}{' ' + sub if sub else ''}" in readme, (name, sub)


def test_the_files_the_docs_name_exist():
    """A module named in the README, CONTRIBUTING.md or docs/ (`read/formats.py`, `cache.py`) is in the tree: a
    move or a rename that the prose does not follow fails here."""
    import re

    files = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py") if ".venv" not in p.parts]
    docs = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
    missing = []
    for doc in docs:
        for name in re.findall(r"`([\w./-]+\.py)`", doc.read_text(encoding="utf-8")):
            if not any(f == name or f.endswith("/" + name) for f in files):
                missing.append((doc.name, name))
    assert missing == []
