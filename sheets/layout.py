"""Grid <-> frame: reading a sheet by its headers and placing changes by key and header.

Both stores fetch a sheet as a grid (rows of cell values, header first) and write a list of
cells (row, column, text). Everything between is here, pure and shared, so the local workbook
and a Google spreadsheet behave alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sheets.changes import ChangeSet, cell_text, frame_from_records
from sheets.schema import SheetSchema
from sheets.store import SchemaMismatch


@dataclass(frozen=True)
class CellWrite:
    """One cell to write; ``row`` and ``col`` are 1-based, as in A1 notation."""

    row: int
    col: int
    text: str
    column: str  # canonical column name, so a store can type the cell


def header_map(schema: SheetSchema, header_row: Sequence[object]) -> tuple[dict[str, int], list[str]]:
    """Canonical column name -> 1-based column index, and the problems found (Russian).

    Every schema column present by its header is mapped; a missing required header, or a header
    that appears twice, is a problem. Headers the schema does not know are staff's and ignored.
    """
    by_header = schema.by_header()
    mapping: dict[str, int] = {}
    problems: list[str] = []
    for idx, raw in enumerate(header_row, start=1):
        header = cell_text(raw).strip()
        column = by_header.get(header)
        if column is None:
            continue
        if column.name in mapping:
            problems.append(f"на листе «{schema.title}» столбец «{header}» встречается дважды")
            continue
        mapping[column.name] = idx
    for column in schema.columns:
        if column.name not in mapping and column.required:
            problems.append(
                f"на листе «{schema.title}» нет столбца «{column.header}» "
                "(переименован или удален?)"
            )
    return mapping, problems


def grid_to_frame(
    schema: SheetSchema, grid: Sequence[Sequence[object]]
) -> tuple[pd.DataFrame, list[str]]:
    """Read a sheet's grid by headers into a frame indexed by key, plus warnings (Russian).

    Raises SchemaMismatch when a required header is missing. Blank rows are skipped; a row with
    data but no key, and a repeated key, are reported and left out (never touched by the job).
    """
    header_row = grid[0] if grid else []
    mapping, problems = header_map(schema, header_row)
    if problems:
        raise SchemaMismatch("; ".join(problems))
    records: list[dict[str, str]] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for row_no, row in enumerate(grid[1:], start=2):
        cells = {name: cell_text(row[i - 1]) if i - 1 < len(row) else "" for name, i in mapping.items()}
        if not any(v.strip() for v in cells.values()):
            continue
        key = cells[schema.key].strip()
        if not key:
            warnings.append(
                f"строка {row_no} листа «{schema.title}» без значения «{schema.header(schema.key)}»"
                " — пропущена"
            )
            continue
        if key in seen:
            warnings.append(
                f"строка {row_no} листа «{schema.title}»: «{key}» повторяется — учтена первая строка"
            )
            continue
        seen.add(key)
        cells[schema.key] = key
        records.append(cells)
    return frame_from_records(schema, records), warnings


def place_changes(
    schema: SheetSchema,
    grid_head: Sequence[object],
    keys: Sequence[object],
    changes: ChangeSet,
    last_row: int = 1,
) -> tuple[list[CellWrite], list[str]]:
    """Resolve this sheet's changes to cells, by header and by key, at write time.

    ``grid_head`` is the header row and ``keys`` the key column below it (row 2 onwards), both
    read just before writing. Updates to a key no longer present are skipped with a reason.
    Appends go below ``last_row`` (the last row with any content) and below every keyed row,
    so rows staff typed without a key are never overwritten. Raises SchemaMismatch on a missing header.
    """
    mapping, problems = header_map(schema, grid_head)
    needed = {u.column for u in changes.updates if u.sheet == schema.name}
    problems += [
        f"на листе «{schema.title}» нет столбца «{schema.header(n)}»"
        for n in sorted(needed)
        if n not in mapping and not any(schema.header(n) in p for p in problems)
    ]
    if problems:
        raise SchemaMismatch("; ".join(problems))
    row_of: dict[str, int] = {}
    last = max(1, last_row)
    for row_no, raw in enumerate(keys, start=2):
        key = cell_text(raw).strip()
        if key:
            row_of.setdefault(key, row_no)
            last = max(last, row_no)
    writes: list[CellWrite] = []
    skipped: list[str] = []
    for u in changes.updates:
        if u.sheet != schema.name:
            continue
        row = row_of.get(u.key)
        if row is None:
            skipped.append(f"лист «{schema.title}»: строка «{u.key}» удалена, изменение пропущено")
            continue
        writes.append(CellWrite(row, mapping[u.column], u.new, u.column))
    for a in changes.appends:
        if a.sheet != schema.name:
            continue
        if a.key in row_of:
            skipped.append(f"лист «{schema.title}»: строка «{a.key}» уже есть, повтор не добавлен")
            continue
        last += 1
        row_of[a.key] = last
        for name, text in a.values:
            if name in mapping and text != "":
                writes.append(CellWrite(last, mapping[name], text, name))
    return writes, skipped
