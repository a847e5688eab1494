"""Placing changes (sheets.layout): appended rows as rows for the local store, as cells for Google.

The local store takes appended rows whole (``place`` -> ``Placement.rows``) and each sheet's own
changes (``by_sheet``); the Google store takes cells (``place_changes``). Both must place the
same rows at the same numbers and skip the same repeats with the same reasons.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sheets.changes import CellUpdate, ChangeSet, RowAppend
from sheets.layout import CellWrite, by_sheet, place, place_changes, row_cells
from sheets.schema import BY_NAME

SHEETS = ("dashboard", "service")
KEYS = st.sampled_from(["К-1", "К-2", "К-3", "К-4", "К-5"])
TEXT = st.sampled_from(["", "1", "текст", " ", "=2"])


def _append(sheet: str):
    schema = BY_NAME[sheet]
    others = [c.name for c in schema.columns if c.name != schema.key]
    return st.builds(
        lambda key, texts: RowAppend(sheet, ((schema.key, key), *zip(others, texts, strict=False))),
        KEYS, st.lists(TEXT, max_size=len(others)),
    )


def _update(sheet: str):
    schema = BY_NAME[sheet]
    return st.builds(lambda key, column, new: CellUpdate(sheet, key, column, "", new),
                     KEYS, st.sampled_from([c.name for c in schema.columns if c.name != schema.key]), TEXT)


CHANGES = st.builds(
    ChangeSet,
    st.lists(st.one_of(*[_update(s) for s in SHEETS]), max_size=6),
    st.lists(st.one_of(*[_append(s) for s in SHEETS]), max_size=12),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(changes=CHANGES, present=st.lists(KEYS, unique=True, max_size=3), last_row=st.integers(1, 8))
def test_a_sheets_own_changes_place_as_all_of_them(changes: ChangeSet, present: list[str], last_row: int) -> None:
    parts = by_sheet(changes)
    assert sum(len(p.appends) + len(p.updates) for p in parts.values()) == len(changes.appends) + len(changes.updates)
    for sheet in SHEETS:
        schema = BY_NAME[sheet]
        head = [c.header for c in schema.columns]
        whole = place(schema, head, present, changes, last_row)
        own = place(schema, head, present, parts.get(sheet, ChangeSet()), last_row)
        assert own == whole
        assert [a for a in changes.appends if a.sheet == sheet] == parts.get(sheet, ChangeSet()).appends


@settings(max_examples=200, deadline=None, derandomize=True)
@given(changes=CHANGES, present=st.lists(KEYS, unique=True, max_size=3), last_row=st.integers(1, 8))
def test_rows_and_cells_say_the_same(changes: ChangeSet, present: list[str], last_row: int) -> None:
    """The Google store's cells are the local store's rows cell by cell, below every keyed row
    and ``last_row``, one row per new key; a key already there or already added is skipped."""
    for sheet in SHEETS:
        schema = BY_NAME[sheet]
        head = [c.header for c in schema.columns]
        placed = place(schema, head, present, changes, last_row)
        writes, skipped = place_changes(schema, head, present, changes, last_row)
        assert writes == placed.writes + row_cells(placed.rows, placed.mapping)
        assert skipped == placed.skipped
        first = max(last_row, 1 + len(present))
        assert [row for row, _values in placed.rows] == list(range(first + 1, first + 1 + len(placed.rows)))
        added = [dict(a.values)[schema.key] for a in changes.appends if a.sheet == sheet]
        new = [k for i, k in enumerate(added) if k not in present and k not in added[:i]]
        assert [values[schema.key] for _row, values in placed.rows] == new
        repeats = sum(1 for s in skipped if "повтор не добавлен" in s)
        assert repeats == len(added) - len(new)


def test_row_cells_are_the_non_empty_values_of_the_sheets_columns() -> None:
    mapping = {"id": 1, "label": 2, "value": 3}
    rows = [(5, {"id": "К-1", "label": "", "value": "3", "staff": "x"}), (6, {"value": "4", "id": "К-2"})]
    assert row_cells(rows, mapping) == [
        CellWrite(5, 1, "К-1", "id"), CellWrite(5, 3, "3", "value"),
        CellWrite(6, 3, "4", "value"), CellWrite(6, 1, "К-2", "id"),
    ]
