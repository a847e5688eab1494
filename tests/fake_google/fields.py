"""Google's ``fields`` parameter (partial responses): «a,b(c,d),e.f», applied to a reply.

https://developers.google.com/workspace/sheets/api/guides/field-masks — a mask keeps only the
named fields, and for ``spreadsheets.get`` it decides what comes back: naming grid data
(``sheets.data``) returns it even without ``includeGridData``.
"""

from __future__ import annotations

from typing import Any

Tree = dict[str, "Tree"]


def parse(fields: str) -> Tree:
    """«sheets(properties.title,data.rowData),spreadsheetId» -> a nested dict ({} = all)."""
    tree: Tree = {}
    _items(fields.replace("/", "."), 0, tree)
    return tree


def _items(text: str, i: int, into: Tree) -> int:
    path = ""
    while i <= len(text):
        ch = text[i] if i < len(text) else ","
        if ch in ",)":
            if path.strip():
                _add(into, path.strip())
            path = ""
            if ch == ")":
                return i + 1
            i += 1
        elif ch == "(":
            node = _add(into, path.strip())
            i = _items(text, i + 1, node)
            path = ""
            while i < len(text) and text[i] == " ":
                i += 1
            if i < len(text) and text[i] == ",":
                i += 1
        else:
            path += ch
            i += 1
    return i


def _add(tree: Tree, path: str) -> Tree:
    node = tree
    for part in path.split("."):
        node = node.setdefault(part, {})
    return node


def apply(value: Any, tree: Tree) -> Any:
    """Keep what the mask names ({} keeps everything below)."""
    if not tree:
        return value
    if isinstance(value, list):
        return [apply(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: apply(v, tree.get(k, tree.get("*", {}))) for k, v in value.items() if k in tree or "*" in tree}
    return value


def names(tree: Tree, path: str) -> bool:
    """Whether the mask names ``path`` («sheets.data») or something under it."""
    node = tree
    for part in path.split("."):
        if part not in node:
            return False
        node = node[part]
    return True
