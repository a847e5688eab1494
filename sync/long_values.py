"""Nothing is cut: a value longer than a store's cell is kept whole in a file beside the book.

An .xlsx cell holds 32,767 characters, a Google Sheets cell 50,000. A longer value (a pasted
essay, a quarantined response kept whole) goes to ``длинные значения/`` beside the workbook; the
cell holds its beginning and where the rest is, and «Требует внимания» says so. The file name
carries a digest of the text, so a rerun writes the same file and the same cell: no churn.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from operator import itemgetter
from pathlib import Path

from sheets.changes import ChangeSet, RowAppend
from sheets.schema import BY_NAME

CELL_LIMITS = {"local": 32_767, "google": 50_000}
FOLDER = "длинные значения"
POINTER = " … [полностью ({n} симв.) — в файле {where}]"
MSG_SPILLED = (
    "значение длиннее {limit} символов (больше не помещается в ячейку): в ячейке начало, "
    "полностью — в файле {where}"
)
ALERT_PREFIX = "длинное значение "
_UNSAFE = re.compile(r"[^\w.-]+")
_text_of = itemgetter(1)  # (column, text) -> text


@dataclass
class Spilled:
    """What the run keeps outside the cells: file -> text, and the cells that point to them."""

    files: dict[Path, str] = field(default_factory=dict)
    cells: list[tuple[str, str, str, str]] = field(default_factory=list)  # sheet, key, column, where


def cell_text(sheet: str, key: str, column: str, text: str, limit: int, folder: Path) -> tuple[str, Path | None]:
    """The text a cell gets for ``text``: itself when it fits, else its beginning and a pointer."""
    if len(text) <= limit:
        return text, None
    schema = BY_NAME[sheet]
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    name = _UNSAFE.sub("_", f"{schema.title} {key} {schema.header(column)}").strip("_")[:120]
    path = folder / f"{name} {digest}.txt"
    where = f"{FOLDER}/{path.name}"
    pointer = POINTER.format(n=len(text), where=where)
    return text[: limit - len(pointer)] + pointer, path


def spill(changes: ChangeSet, limit: int, folder: Path) -> tuple[ChangeSet, Spilled]:
    """The changes with every over-long value replaced by its beginning and a pointer.

    An update whose cell already holds exactly that (an earlier run spilled the same text) is
    dropped, so a job column recomputed in full every run does not rewrite its cell.
    """
    out = Spilled()

    def fit(sheet: str, key: str, column: str, text: str) -> str:
        fitted, path = cell_text(sheet, key, column, text, limit, folder)
        if path is not None:
            out.files[path] = text
            out.cells.append((sheet, key, column, f"{FOLDER}/{path.name}"))
        return fitted

    appends = []
    for a in changes.appends:
        if max(map(len, map(_text_of, a.values)), default=0) <= limit:  # nearly every row: kept as it is
            appends.append(a)
            continue
        key = a.key
        appends.append(RowAppend(a.sheet, tuple((n, fit(a.sheet, key, n, v)) for n, v in a.values)))
    updates = []
    for u in changes.updates:
        new = u.new if len(u.new) <= limit else fit(u.sheet, u.key, u.column, u.new)
        if new != u.old:
            updates.append(replace(u, new=new) if new != u.new else u)
    return ChangeSet(updates, appends, list(changes.assigns)), out


_REFERENCE = re.compile(rf"— в файле {re.escape(FOLDER)}/(.+?\.txt)\]")


def referenced(rows: dict[str, dict[str, dict[str, str]]], limit: int, folder: Path) -> set[str]:
    """Names of the kept files some cell still needs: a long value, or a cell pointing to one.

    A note in «Требует внимания» that names a file does not keep it: the cell holding the
    value does. So a value erased from its cell (a withdrawn consent) loses its file too.
    """
    names = set()
    for sheet, sheet_rows in rows.items():
        for key, row in sheet_rows.items():
            for column, text in row.items():
                if len(text) > limit:
                    _fitted, path = cell_text(sheet, key, column, text, limit, folder)
                    names.add(path.name)
                elif FOLDER in text:
                    names.update(m.group(1) for m in _REFERENCE.finditer(text))
    return names


def prune(folder: Path, keep: set[str]) -> list[Path]:
    """Delete kept files no cell needs any more (they may hold personal data); the deleted."""
    try:
        present = [p for p in folder.iterdir() if p.suffix == ".txt" and not p.name.startswith(".")]
    except OSError:
        return []
    removed = []
    for path in present:
        if path.name not in keep:
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                continue
    return removed


def write_files(files: dict[Path, str]) -> None:
    """Write the kept values (each file once; a rerun finds it already there)."""
    for path, text in files.items():
        data = text.encode("utf-8", "replace")
        if path.exists() and path.stat().st_size == len(data):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".nastavnik-", suffix=".txt", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def alert_rows(cells: list[tuple[str, str, str, str]], limit: int) -> list[tuple[str, dict[str, str]]]:
    """«Требует внимания» rows for spilled cells of registries (the sheet's own rows say it)."""
    rows = []
    for sheet, key, column, where in cells:
        if sheet == "attention":
            continue
        schema = BY_NAME[sheet]
        rows.append((
            f"{ALERT_PREFIX}{schema.title}, {key}: {schema.header(column)}",
            {"form": schema.title, "response": key, "question": schema.header(column),
             "reason": MSG_SPILLED.format(limit=limit, where=where)},
        ))
    return rows



def folder_for(root: Path) -> Path:
    """Where kept values go: beside the workbook (local) or the programme's settings (Google)."""
    return root / FOLDER


def alert_long_values(reg, stamp: str, limit: int, folder: Path) -> int:
    """A «Требует внимания» row for each registry cell whose value will be kept aside; how many.

    Run before the figures of «Сводка» are counted, so the rows are counted in the same run.
    """
    cells = []
    for sheet, rows in reg.rows.items():
        if sheet == "attention":
            continue  # the attention row itself says where its whole response is
        for key, row in rows.items():
            for column, text in row.items():
                if len(text) > limit:
                    _fitted, path = cell_text(sheet, key, column, text, limit, folder)
                    cells.append((sheet, key, column, f"{FOLDER}/{path.name}"))
    for key, fields in alert_rows(cells, limit):
        reg.alert(key, True, stamp, **fields)
    return len(cells)


def fit_changes(reg, limit: int, folder: Path) -> tuple[ChangeSet, dict[Path, str]]:
    """The registries' changes with over-long values kept aside, and the files to write."""
    changes, spilled = spill(reg.changes(), limit, folder)
    return changes, spilled.files
