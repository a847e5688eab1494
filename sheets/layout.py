"""Grid <-> frame: reading a sheet by its headers and placing changes by key and header.

Both stores fetch a sheet as a grid (rows of cell values, header first) and write a list of
cells (row, column, text). Everything between is here, pure and shared, so the local workbook
and a Google spreadsheet behave alike.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import NamedTuple

import pandas as pd

from sheets.changes import ChangeSet, cell_text, frame_from_records
from sheets.schema import REGISTRIES, SheetSchema
from sheets.store import SchemaMismatch, Snapshot


class CellWrite(NamedTuple):  # a tuple: a first load makes half a million of them
    """One cell to write; ``row`` and ``col`` are 1-based, as in A1 notation."""

    row: int
    col: int
    text: str
    column: str  # canonical column name, so a store can type the cell


_cell_write = tuple.__new__


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


def _row_cells(mapping: dict[str, int], row: Sequence[object]) -> dict[str, str]:
    return {name: cell_text(row[i - 1]) if i - 1 < len(row) else "" for name, i in mapping.items()}


def unkeyed_rows(schema: SheetSchema, grid: Sequence[Sequence[object]]) -> list[dict[str, str]]:
    """Rows staff typed without a key (but with data), in sheet order, by canonical name."""
    mapping, problems = header_map(schema, grid[0] if grid else [])
    if problems:
        return []
    out = []
    key = mapping[schema.key] - 1 if schema.key in mapping else None
    for row in grid[1:]:
        if key is not None and key < len(row) and cell_text(row[key]).strip():
            continue  # a keyed row (nearly all): its other cells need not be read here
        cells = _row_cells(mapping, row)
        if not cells.get(schema.key, "").strip() and any(v.strip() for v in cells.values()):
            out.append(cells)
    return out


def grid_to_frame(
    schema: SheetSchema, grid: Sequence[Sequence[object]]
) -> tuple[pd.DataFrame, list[str]]:
    """Read a sheet's grid by headers into a frame indexed by key, plus warnings (Russian).

    Raises SchemaMismatch when a required header is missing. Blank rows and rows without a key
    (``unkeyed_rows`` returns those) are left out; a repeated key is reported and left out.
    """
    header_row = grid[0] if grid else []
    mapping, problems = header_map(schema, header_row)
    if problems:
        raise SchemaMismatch("; ".join(problems))
    records: list[dict[str, str]] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for row_no, row in enumerate(grid[1:], start=2):
        cells = _row_cells(mapping, row)
        if not any(v.strip() for v in cells.values()):
            continue
        key = cells[schema.key].strip()
        if not key:
            continue  # typed by staff without a key: see unkeyed_rows
        if key in seen:
            warnings.append(
                f"строка {row_no} листа «{schema.title}»: «{key}» повторяется — учтена первая строка"
            )
            continue
        seen.add(key)
        cells[schema.key] = key
        records.append(cells)
    return frame_from_records(schema, records), warnings


class Placement(NamedTuple):
    """Where a sheet's changes go: cells, whole new rows, and what was skipped (Russian)."""

    writes: list[CellWrite]  # headers of added columns, assigned keys, updates
    rows: list[tuple[int, dict[str, str]]]  # appended rows, in row order: (row, column name -> text)
    skipped: list[str]
    mapping: dict[str, int]  # canonical column name -> 1-based column, added columns included


def place_changes(
    schema: SheetSchema,
    grid_head: Sequence[object],
    keys: Sequence[object],
    changes: ChangeSet,
    last_row: int = 1,
    grid_rows: Sequence[Sequence[object]] | None = None,
) -> tuple[list[CellWrite], list[str]]:
    """Resolve this sheet's changes to cells, by header and by key, at write time (``place``'s
    rules), appended rows as cells too: the cells to write and the reasons of what was skipped."""
    placed = place(schema, grid_head, keys, changes, last_row, grid_rows)
    return placed.writes + row_cells(placed.rows, placed.mapping), placed.skipped


def row_cells(rows: Sequence[tuple[int, Mapping[str, str]]], mapping: Mapping[str, int]) -> list[CellWrite]:
    """Appended rows as cells: each non-empty value of a column the sheet has, in value order."""
    return [
        _cell_write(CellWrite, (row, mapping[name], text, name))  # CellWrite(...), without its slow __new__
        for row, values in rows
        for name, text in values.items()
        if text != "" and name in mapping
    ]


def by_sheet(changes: ChangeSet) -> dict[str, ChangeSet]:
    """The changes split by sheet in one pass, each sheet's in their order: ``place`` given a
    sheet's own looks at its own only (a first load's 57,000 rows, for each of nine sheets)."""
    out: dict[str, ChangeSet] = {}
    for kind in ("updates", "appends", "assigns"):
        for item in getattr(changes, kind):
            part = out.get(item.sheet)
            if part is None:
                part = out[item.sheet] = ChangeSet()
            getattr(part, kind).append(item)
    return out


def sheets_to_write(
    changes: ChangeSet, titles: Collection[str], problems: list[str]
) -> list[tuple[SheetSchema, ChangeSet]]:
    """Each sheet the changes touch with its own changes (``by_sheet``), in the changes' order;
    a sheet the book lacks (not in ``titles``) is added to ``problems`` (Russian) and left out."""
    parts = by_sheet(changes)
    by_name = {s.name: s for s in REGISTRIES}
    out = []
    for name in changes.sheets():
        schema = by_name[name]
        if schema.title not in titles:
            problems.append(f"в книге нет листа «{schema.title}»")
            continue
        out.append((schema, parts[name]))
    return out


def key_index(schema: SheetSchema, head: Sequence[object]) -> int | None:
    """The 1-based column of the sheet's key in its header row (None when it has none)."""
    return next((i for i, v in enumerate(head, 1) if v == schema.header(schema.key)), None)


def place(
    schema: SheetSchema,
    grid_head: Sequence[object],
    keys: Sequence[object],
    changes: ChangeSet,
    last_row: int = 1,
    grid_rows: Sequence[Sequence[object]] | None = None,
) -> Placement:
    """Resolve this sheet's changes to cells and new rows, by header and by key, at write time.

    ``grid_head`` is the header row and ``keys`` the key column below it (row 2 onwards), both
    read just before writing. Updates to a key no longer present are skipped with a reason.
    Appends go below ``last_row`` (the last row with any content) and below every keyed row,
    so rows staff typed without a key are never overwritten. Key assignments need ``grid_rows``
    (every row below the header, read just before writing) to find their row by its cells.
    An optional column the sheet lacks, which a change would fill, is added at the right end
    (its header is a write to row 1, so a store can format it as a header): a workbook made
    before the column existed converges in one run instead of writing it again every run.
    Raises SchemaMismatch on a missing required header.
    """
    mapping, problems = header_map(schema, grid_head)
    # An optional column the sheet lacks (a workbook older than the column) is added once, below.
    needed = {u.column for u in changes.updates if u.sheet == schema.name and schema.column(u.column).required}
    problems += [
        f"на листе «{schema.title}» нет столбца «{schema.header(n)}»"
        for n in sorted(needed)
        if n not in mapping and not any(schema.header(n) in p for p in problems)
    ]
    if problems:
        raise SchemaMismatch("; ".join(problems))
    writes: list[CellWrite] = _missing_optional(schema, grid_head, mapping, changes)
    row_of: dict[str, int] = {}
    last = max(1, last_row)
    for row_no, raw in enumerate(keys, start=2):
        key = cell_text(raw).strip()
        if key:
            row_of.setdefault(key, row_no)
            last = max(last, row_no)
    skipped: list[str] = []
    taken: set[int] = set()
    for assign in changes.assigns:
        if assign.sheet != schema.name:
            continue
        row_no = _find_unkeyed(mapping, schema, grid_rows or [], dict(assign.fingerprint), taken)
        if row_no is None:
            skipped.append(
                f"лист «{schema.title}»: строка без «{schema.header(schema.key)}» изменилась или удалена — "
                "номер будет присвоен при следующем запуске"
            )
            continue
        taken.add(row_no)
        row_of[assign.key] = row_no
        writes.append(CellWrite(row_no, mapping[schema.key], assign.key, schema.key))
    for u in changes.updates:
        if u.sheet != schema.name:
            continue
        row = row_of.get(u.key)
        if row is None:
            skipped.append(f"лист «{schema.title}»: строка «{u.key}» удалена, изменение пропущено")
            continue
        if u.column in mapping:
            writes.append(CellWrite(row, mapping[u.column], u.new, u.column))
    key_name = schema.key
    rows: list[tuple[int, dict[str, str]]] = []
    for a in changes.appends:
        if a.sheet != schema.name:
            continue
        values = dict(a.values)
        key = values[key_name]
        if key in row_of:
            skipped.append(f"лист «{schema.title}»: строка «{key}» уже есть, повтор не добавлен")
            continue
        last += 1
        row_of[key] = last
        rows.append((last, values))
    return Placement(writes, rows, skipped, mapping)


def _missing_optional(
    schema: SheetSchema, grid_head: Sequence[object], mapping: dict[str, int], changes: ChangeSet
) -> list[CellWrite]:
    """Header cells for the optional columns this sheet lacks and the changes would fill.

    They go after the last header cell (staff's own columns included), in schema order;
    ``mapping`` gains them. A change that only empties such a column adds nothing.
    """
    lacking = {c.name for c in schema.columns if c.name not in mapping and not c.required}
    if not lacking:  # the sheet has every column (nearly always): nothing to look for
        return []
    wanted = {u.column for u in changes.updates if u.sheet == schema.name and u.new.strip()}
    wanted |= {
        name for a in changes.appends if a.sheet == schema.name for name, text in a.values
        if name in lacking and text.strip()
    }
    missing = [c for c in schema.columns if c.name in wanted and c.name in lacking]
    if not missing:
        return []
    end = max((i for i, v in enumerate(grid_head, start=1) if cell_text(v).strip()), default=0)
    out = []
    for offset, column in enumerate(missing, start=1):
        mapping[column.name] = end + offset
        out.append(CellWrite(1, end + offset, column.header, column.name))
    return out


def _find_unkeyed(
    mapping: dict[str, int],
    schema: SheetSchema,
    rows: Sequence[Sequence[object]],
    fingerprint: dict[str, str],
    taken: set[int],
) -> int | None:
    """The first keyless row (1-based sheet row) whose cells still equal the fingerprint."""
    for row_no, row in enumerate(rows, start=2):
        if row_no in taken:
            continue
        cells = _row_cells(mapping, row)
        if cells[schema.key].strip():
            continue
        if all(cells.get(name, "") == text for name, text in fingerprint.items() if name != schema.key):
            return row_no
    return None


def snapshot_from_grids(label: str, grids: Mapping[str, Sequence[Sequence[object]] | None]) -> Snapshot:
    """Every registry's grid (None: the sheet is missing) -> a Snapshot, or SchemaMismatch.

    ``grids`` is keyed by schema name; ``label`` names the workbook or spreadsheet in messages.
    All problems of all sheets are reported together.
    """
    frames, warnings, problems, unkeyed = {}, [], [], {}
    for schema in REGISTRIES:
        grid = grids.get(schema.name)
        if grid is None:
            problems.append(f"нет листа «{schema.title}» (вернуть листы: nastavnik init ПАПКА)")
            continue
        try:
            frame, warn = grid_to_frame(schema, grid)
        except SchemaMismatch as exc:
            problems.append(str(exc))
            continue
        frames[schema.name] = frame
        warnings += warn
        unkeyed[schema.name] = unkeyed_rows(schema, grid)
    if problems:
        raise SchemaMismatch(f"{label}: " + "; ".join(problems))
    return Snapshot(frames, warnings, unkeyed)
