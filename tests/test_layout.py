"""The house rules: which package may import which (DESIGN.md «Layout»), walked over the source.

Arrows point one way: ``sync -> forms``, ``sync -> sheets``; ``forms`` and ``sheets`` never import
``sync`` or each other; ``sync.matching`` is pure algorithms over plain data; ``sync.roadmap`` is
pure rules over frames; adapters never import the place that chooses between them; and no module
imports itself back through others (no circles).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sync", "sheets", "forms")
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _imports(path: Path, name: str) -> set[str]:
    """Project modules that ``path`` imports, anywhere in it (late imports count too)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m.split(".")[0] in PACKAGES}


MODULES = _modules()
GRAPH = {name: {m for m in _imports(path, name) if m in MODULES and m != name} for name, path in MODULES.items()}


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


# (importer package, imported package or module, allowed?) — the first rule that matches decides.
RULES: list[tuple[str, str, bool]] = [
    ("forms", "sync", False),
    ("forms", "sheets", False),
    ("sheets", "sync", False),
    ("sheets", "forms", False),
    ("sync.matching", "sync.matching", True),
    ("sync.matching", "sheets.schema", True),
    ("sync.matching", "sync", False),
    ("sync.matching", "sheets", False),
    ("sync.matching", "forms", False),
    ("sync.roadmap", "sync.roadmap", True),
    ("sync.roadmap", "sheets.schema", True),
    ("sync.roadmap", "sheets.changes", True),
    ("sync.roadmap", "sync", False),
    ("sync.roadmap", "sheets", False),
    ("sync.roadmap", "forms", False),
    ("sync.documents", "forms", False),
    ("sync.documents", "sheets.xlsx", False),
    ("sync.documents", "sheets.google", False),
    ("sync.site", "sheets.xlsx", False),  # the public section gets registries, never a store
    ("sync.site", "sheets.google", False),
    ("sync.site", "sync.google", False),
    ("sync.dashboard", "sheets.xlsx", False),  # stores are passed in
    ("sync.dashboard", "sheets.google", False),
    ("sync.dashboard", "sync.google", False),
    ("sync.google", "sync.bootstrap", False),
    ("sync.backend", "sync.bootstrap", False),
]


def _allowed(importer: str, imported: str) -> bool:
    for source, target, allowed in RULES:
        if _within(importer, source) and _within(imported, target):
            return allowed
    return True


def test_every_import_follows_the_layout() -> None:
    against = sorted(f"{a} -> {b}" for a, targets in GRAPH.items() for b in targets if not _allowed(a, b))
    assert against == []


def test_no_import_circles() -> None:
    """Depth-first search for a module that reaches itself (package ``__init__`` re-exports aside)."""
    def edges(name: str) -> set[str]:
        # a package re-exporting its own modules is not a circle: skip child -> own package edges
        return {m for m in GRAPH[name] if not _within(name, m)}

    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(edges(name)):
            if state.get(nxt) == 1:
                circles.append(path[path.index(nxt):] + [nxt] if nxt in path else [name, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert circles == []


@pytest.mark.parametrize("rule", ["sync.matching", "sync.roadmap", "sync.documents"])
def test_area_packages_say_what_they_are_and_may_import(rule: str) -> None:
    init = ROOT.joinpath(*rule.split("."), "__init__.py")
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    assert "May import" in doc


def test_modules_are_small_and_named_by_what_they_are() -> None:
    """The product's modules, the fake Google's and the benchmarks' (test files may be longer)."""
    fake_and_bench = [*ROOT.joinpath("tests", "fake_google").glob("*.py"), *ROOT.joinpath("bench").glob("*.py")]
    paths = {**MODULES, **{str(p.relative_to(ROOT)): p for p in fake_and_bench}}
    too_long = [f"{n}: {len(p.read_text(encoding='utf-8').splitlines())}" for n, p in paths.items()
                if len(p.read_text(encoding="utf-8").splitlines()) > MAX_LINES]
    prefixed = [n for n in MODULES if n.rpartition(".")[2].startswith(("matching_", "roadmap_"))]
    assert too_long == [] and prefixed == []


def test_the_rules_catch_an_arrow_against_them() -> None:
    """The checker itself: forbidden arrows are seen as forbidden."""
    assert not _allowed("sync.matching.graph", "sync.config")
    assert not _allowed("sync.matching.rules", "sheets.xlsx")
    assert _allowed("sync.matching.rules", "sheets.schema")
    assert not _allowed("forms.responses", "sheets.schema")
    assert not _allowed("sync.google.wiring", "sync.bootstrap")
    assert _allowed("sync.job", "sheets.xlsx")
