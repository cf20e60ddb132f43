"""The architecture is a test: no import cycle, and no import that runs back up the layers.

Every module of src/budgetwatch is parsed (ast: nothing is imported, no side effect) and each of its imports —
at module level, inside functions and under TYPE_CHECKING alike, since each is a dependency — is resolved to the
module it names. A module sits in the layer of its top-level package (`budgetwatch.store.schema` → `store`; the
`cli` package and `__main__` → `cli`) and may import its own package and the layers below it, nothing above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "budgetwatch"

# The layers, lowest first: a module may import from its own layer's package and from any layer before it.
# Data flows read → extract → store → checks → analysis; then what is built on the stored, checked documents:
# export writes them out; feed receives the 联网 data (its tables on store's metadata; family R reconciles it
# with checks' rules); execution (family G) runs over the feed; catalogue holds every rule, those of checks and
# of execution (the CLI, the 规则 page and docs/rules.md list them); access (users, regions, the matrix) guards the
# feed's and the documents' reads. pipeline wires the lower layers once for scale, web and cli, the entry points;
# jobs runs the pipeline's long work (uploads, re-checks) in the background for web.
LAYERS = (
    "budgetwatch",
    "vocab",
    "errors",
    "model",
    "read",
    "extract",
    "store",
    "checks",
    "analysis",
    "export",
    "feed",
    "execution",
    "catalogue",
    "access",
    "pipeline",
    "jobs",
    "scale",
    "web",
    "cli",
)

# Known violations: none left since issue 11's re-layout. Each entry would be asserted to still exist (a fixed one
# fails the test until it is deleted here); never add to them — fix the import instead.
KNOWN_UPWARD: set[tuple[str, str]] = set()  # (importer, imported)
KNOWN_CYCLES: set[tuple[str, ...]] = set()  # the modules of one strongly connected component, sorted


def _modules() -> dict[str, tuple[Path, bool]]:
    mods = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        mods[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return mods


def _targets(mods, name: str, is_pkg: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        named = [a.name for a in node.names]
    else:
        if node.level:
            base = name.split(".") if is_pkg else name.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        # `from pkg import sub` imports the submodule; `from mod import name` imports mod
        named = [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in mods else prefix for a in node.names]
    out = []
    for target in named:
        if target != "budgetwatch" and not target.startswith("budgetwatch."):
            continue
        while target not in mods and "." in target:  # `import budgetwatch.x.y` of a name: its module
            target = target.rsplit(".", 1)[0]
        if target != name:
            out.append(target)
    return out


def import_graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, (path, is_pkg) in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[name].update(_targets(mods, name, is_pkg, node))
    return graph


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "budgetwatch"
    top = parts[1]
    return "cli" if top == "__main__" else top


def short(module: str) -> str:
    return module.removeprefix("budgetwatch.") or "budgetwatch"


def upward_imports(graph) -> set[tuple[str, str]]:
    rank = {name: i for i, name in enumerate(LAYERS)}
    return {
        (short(a), short(b))
        for a, targets in graph.items()
        for b in targets
        if layer(a) != layer(b) and rank[layer(b)] > rank[layer(a)]
    }


def cycles(graph) -> set[tuple[str, ...]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = set()
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.append(m)
                    if m == node:
                        break
                if len(component) > 1:
                    found.add(tuple(sorted(short(m) for m in component)))
    return found


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_every_module_has_a_layer(graph):
    assert sorted({layer(m) for m in graph} - set(LAYERS)) == [], "place the new package in LAYERS"
    assert len(graph) > 100 and "budgetwatch.store.schema" in graph  # the walk found the package


def test_the_walk_sees_real_imports(graph):
    # a relative import, a submodule imported from its package, and an import inside a function
    assert "budgetwatch.model" in graph["budgetwatch.extract.document"]
    assert "budgetwatch.checks.rule" in graph["budgetwatch.checks"]
    assert "budgetwatch.cli.common" in graph["budgetwatch.cli.execution"]
    assert "budgetwatch.cli.execution" in graph["budgetwatch.cli.feed"]  # inside run_after_load's caller
    assert upward_imports({"budgetwatch.read.x": {"budgetwatch.web.y"}}) == {("read.x", "web.y")}
    assert cycles({"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}) == {("a.x", "a.y", "a.z")}


def test_no_import_runs_back_up_the_layers(graph):
    found = upward_imports(graph)
    assert sorted(found - KNOWN_UPWARD) == [], "an import up the layers (see LAYERS)"
    assert sorted(KNOWN_UPWARD - found) == [], "fixed: delete these from KNOWN_UPWARD"


def test_no_import_cycle(graph):
    found = cycles(graph)
    assert sorted(found - KNOWN_CYCLES) == [], "an import cycle"
    assert sorted(KNOWN_CYCLES - found) == [], "fixed or changed: update KNOWN_CYCLES"
