"""A plain ``pip install .`` gives a working ``nastavnik``: every library the code imports is a
runtime dependency (regression: the matcher imported scipy, listed only in the test extra)."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sync", "sheets", "forms")


def _name(requirement: str) -> str:
    for stop in "<>=!~[; ":
        requirement = requirement.split(stop, 1)[0]
    return requirement.strip().lower().replace("_", "-")


def _third_party_imports() -> dict[str, str]:
    """Top-level names imported anywhere in the shipped packages -> one place that imports it."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in PACKAGES:
                        found.setdefault(top, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_imported_library_is_a_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    providers = packages_distributions()
    missing = {}
    for top, where in _third_party_imports().items():
        dists = {d.lower().replace("_", "-") for d in providers.get(top, [])}
        if not dists & runtime:
            missing[top] = (where, sorted(dists))
    assert missing == {}


def test_every_subpackage_is_shipped() -> None:
    """setuptools finds sync.matching, sync.roadmap, sync.google…, not only the top packages."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    include = config["packages"]["find"]["include"]
    assert {"sync*", "sheets*", "forms*"} <= set(include)
    data = config["package-data"]["*"]
    assert "*.toml" in data  # sync/roadmap/roadmap.toml
