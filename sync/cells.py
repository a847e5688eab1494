"""Typed cells staff and participants fill: read them, tidy them, or report them — never guess.

Every run reads each typed cell of a staff- or form-owned column (numbers, dates, choices,
yes/no; see ``sheets.typed``). A choice typed «Утверждена » is tidied to «утверждена» in the
sheet; a cell that cannot be read («три», «32.13.2026», «в отпуске») is a «Требует внимания» row
naming the sheet, the ID, the column and the value, which closes by itself once the cell is
fixed. What the cell was for is not done on a guess: callers ask ``reading`` and hold the row.

Usage (e.g. a pair's status, in the pairing step)::

    got = reading(reg, "pairs", key, "status")
    if not got.ok:
        ...  # hold the pair as it is: the sweep has already reported the cell
    elif got.value == "утверждена":
        ...
"""

from __future__ import annotations

from sheets.schema import BY_NAME, Owner, SheetSchema
from sheets.typed import Reading, is_typed, read_cell
from sync.registry import Registries

PREFIX = "ячейка "  # the key of every typed-cell attention row starts so (the sweep closes them)


def reading(reg: Registries, sheet: str, key: str, column: str) -> Reading:
    """The typed reading of one cell as it stands in the run (after the sweep has tidied it)."""
    schema = BY_NAME[sheet]
    return read_cell(schema.column(column), reg[sheet][key].get(column, ""))


def alert_key(schema: SheetSchema, key: str, column: str) -> str:
    """The «Требует внимания» key of an unreadable cell: stable while the cell stays wrong."""
    return f"{PREFIX}{schema.title}, {key}: {schema.header(column)}"


def checked_columns(schema: SheetSchema) -> list[str]:
    """Columns of a sheet the sweep reads: typed, and filled by staff or by forms."""
    return [c.name for c in schema.columns if c.owner is not Owner.JOB and is_typed(c)]


def check_cells(
    reg: Registries, stamp: str, sheets: tuple[str, ...] | None = None
) -> dict[tuple[str, str, str], Reading]:
    """Tidy readable choices to canonical text and report unreadable cells; returns the latter.

    The result maps (sheet, key, column) to the reading of each unreadable cell. Attention rows
    of cells that read now (or whose row is gone) are marked «исправлено».
    """
    bad: dict[tuple[str, str, str], Reading] = {}
    found: set[str] = set()
    for name in sheets or tuple(BY_NAME):
        schema = BY_NAME[name]
        columns = [schema.column(c) for c in checked_columns(schema)]
        if not columns:
            continue
        for column in columns:
            memo: dict[str, Reading] = {}  # a column repeats few values: read each once
            for key, row in reg[name].items():
                text = row.get(column.name, "")
                got = memo.get(text)
                if got is None:
                    got = memo[text] = read_cell(column, text)
                if got.tidy:
                    _tidy(reg, schema, key, column.name, got.canonical)
                elif not got.ok:
                    bad[(name, key, column.name)] = got
                    akey = alert_key(schema, key, column.name)
                    found.add(akey)
                    reg.alert(akey, True, stamp, form=schema.title, response=key,
                              question=schema.header(column.name), value=got.text,
                              reason=f"«{schema.header(column.name)}»: {got.problem}")
    for akey, row in list(reg["attention"].items()):
        if akey.startswith(PREFIX) and akey not in found and row.get("status") == "открыто":
            reg.alert(akey, False, stamp)
    reg.unreadable = set(bad)
    return bad


def _tidy(reg: Registries, schema: SheetSchema, key: str, column: str, text: str) -> None:
    if schema.column(column).owner is Owner.STAFF:
        reg.set_staff(schema.name, key, column, text)
    else:
        reg[schema.name][key][column] = text
