"""Position-free changes to registries and the diff that computes them.

A change names a sheet, a row by its key and a column by its canonical name, never a position:
staff sort, insert and delete rows while the job runs, so a store resolves positions only at
the moment it writes. Both stores (local .xlsx and Google Sheets) share this module.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from sheets.schema import BY_NAME, Owner, SheetSchema


@dataclass(frozen=True)
class CellUpdate:
    """Set one cell of an existing row."""

    sheet: str
    key: str
    column: str
    old: str
    new: str


@dataclass(frozen=True)
class RowAppend:
    """Add a row; ``values`` maps canonical column names to text and includes the key."""

    sheet: str
    values: tuple[tuple[str, str], ...]

    @property
    def key(self) -> str:
        return dict(self.values)[BY_NAME[self.sheet].key]

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)


@dataclass(frozen=True)
class KeyAssign:
    """Give a key to a row staff typed without one; the row is found by its cells at write time."""

    sheet: str
    key: str
    fingerprint: tuple[tuple[str, str], ...]  # canonical column -> text, as read


@dataclass
class ChangeSet:
    """Every cell the run would change, grouped by nothing: stores group by sheet."""

    updates: list[CellUpdate] = field(default_factory=list)
    appends: list[RowAppend] = field(default_factory=list)
    assigns: list[KeyAssign] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.updates or self.appends or self.assigns)

    def extend(self, other: ChangeSet) -> None:
        self.updates.extend(other.updates)
        self.appends.extend(other.appends)
        self.assigns.extend(other.assigns)

    def sheets(self) -> list[str]:
        """Names of the sheets this change set touches, in first-touched order."""
        seen: dict[str, None] = {}
        for item in [*self.assigns, *self.appends, *self.updates]:
            seen.setdefault(item.sheet, None)
        return list(seen)

    def counts(self) -> dict[str, tuple[int, int]]:
        """Sheet name -> (rows added, cells changed)."""
        out: dict[str, tuple[int, int]] = {}
        for a in self.appends:
            n, m = out.get(a.sheet, (0, 0))
            out[a.sheet] = (n + 1, m)
        for u in [*self.updates, *self.assigns]:
            n, m = out.get(u.sheet, (0, 0))
            out[u.sheet] = (n, m + 1)
        return out


def cell_text(value: object) -> str:
    """Normalise a cell value read from any store to the text the job compares and writes."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        if len(text) > 10 and text.endswith("T00:00:00"):
            return text[:10]
        return text.replace("T", " ")
    return str(value)


def number_of(text: str) -> float | None:
    """The number a figure's text stands for, if it reads back as the same text; else None.

    «7.8» -> 7.8; «7,8» (Sheets shows decimals with a comma in a Russian locale) -> 7.8 too;
    «007», «inf» or «1e5» stay text, so nothing changes on the next read.
    """
    candidate = text.strip().replace(",", ".", 1)
    if not candidate or not all(ch.isdigit() or ch in "-." for ch in candidate):
        return None
    try:
        value = float(candidate)
    except ValueError:
        return None
    return value if cell_text(value) == candidate else None


def empty_frame(schema: SheetSchema) -> pd.DataFrame:
    """A frame with the schema's columns and no rows, indexed by key."""
    frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in schema.names})
    frame.index = pd.Index([], dtype=object, name=schema.key)
    return frame


def frame_from_records(schema: SheetSchema, records: Iterable[dict[str, str]]) -> pd.DataFrame:
    """A frame from records keyed by canonical names; missing columns are empty text."""
    records = list(records)
    if not records:
        return empty_frame(schema)
    # column by column: pandas makes a frame from lists several times faster than from dicts
    columns = {name: [cell_text(r.get(name, "")) for r in records] for name in schema.names}
    frame = pd.DataFrame(columns, columns=schema.names, dtype=object)
    frame.index = pd.Index(frame[schema.key].tolist(), dtype=object, name=schema.key)
    return frame


def records_by_key(frame: pd.DataFrame) -> dict:
    """``frame.to_dict("index")`` (key -> column -> value), read column by column: several
    times faster on the large registries, where pandas boxes every value on its own."""
    if not frame.index.is_unique:
        return frame.to_dict("index")  # raises as pandas does
    names = list(frame.columns)
    keys = frame.index.tolist()
    if not names:
        return {key: {} for key in keys}
    values = [frame.iloc[:, i].tolist() for i in range(len(names))]
    return {key: dict(zip(names, row, strict=True)) for key, row in zip(keys, zip(*values, strict=True), strict=True)}


def diff_frames(
    schema: SheetSchema,
    before: pd.DataFrame,
    after: pd.DataFrame,
    allow: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
) -> ChangeSet:
    """The changes that turn ``before`` into ``after`` under the ownership rules (see diff_records)."""
    before_rows = records_by_key(before) if len(before) else {}
    return diff_records(schema, before_rows, records_by_key(after), allow)


def diff_records(
    schema: SheetSchema,
    before: dict[str, dict[str, object]],
    after: dict[str, dict[str, object]],
    allow: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
) -> ChangeSet:
    """The changes that turn rows ``before`` into rows ``after`` (key -> record).

    New keys become appends carrying every column (staff columns get their initial value).
    For existing keys only job- and form-owned columns are compared; a staff-owned cell is
    written only when ``allow`` names its (key, column). Rows missing from ``after`` stay.
    """
    changes = ChangeSet()
    writable = [c.name for c in schema.columns if c.owner is not Owner.STAFF]
    staff = [c.name for c in schema.columns if c.owner is Owner.STAFF]
    names, key_name = schema.names, schema.key
    for key, row in after.items():
        key = cell_text(key)
        old = before.get(key)
        if old is None:
            values = tuple((n, key if n == key_name else cell_text(row.get(n, ""))) for n in names)
            changes.appends.append(RowAppend(schema.name, values))
            continue
        columns = writable + [n for n in staff if (key, n) in allow] if allow else writable
        for name in columns:
            new_text, old_text = cell_text(row.get(name, "")), cell_text(old.get(name, ""))
            if new_text != old_text:
                changes.updates.append(CellUpdate(schema.name, key, name, old_text, new_text))
    return changes
