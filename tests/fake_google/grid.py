"""The Sheets v4 fake's data: spreadsheets, their sheets and cells, and how a cell is entered and read.

Cells hold what a user entered: a string, a number, a bool or a formula. ``valueInputOption``
is honoured (USER_ENTERED turns «=...» into a formula and «007» into 7; RAW keeps text), and
reads render FORMATTED_VALUE / UNFORMATTED_VALUE / FORMULA (``render_cell``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .numbers import date_format, is_text_format, render_date, typed_date

DEFAULT_ROWS, DEFAULT_COLS = 1000, 26
ZERO_LEFT_OUT = {"frozenRowCount", "frozenColumnCount"}  # a 0 here is left out; index 0 is not
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass
class Cell:
    """What a user (or the API) entered in a cell."""

    value: str | float | bool | None = None
    formula: str | None = None

    @property
    def is_formula(self) -> bool:
        return self.formula is not None


@dataclass
class Sheet:
    """One sheet (tab): properties, cells (0-based) and the sheet-level rules."""

    properties: dict[str, Any]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    formats: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    # repeatCell of a format over a range, kept as the range (a column's 1000 rows are one entry);
    # each (range, parts): the parts of userEnteredFormat it set (None: cleared), in order
    format_ranges: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    validations: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    column_sizes: dict[int, int] = field(default_factory=dict)
    charts: list[dict[str, Any]] = field(default_factory=list)  # EmbeddedChart resources (charts.py)

    @property
    def sheet_id(self) -> int:
        return self.properties["sheetId"]

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def rows(self) -> int:
        return self.properties["gridProperties"]["rowCount"]

    @property
    def cols(self) -> int:
        return self.properties["gridProperties"]["columnCount"]

    def used_rows(self) -> int:
        """Rows up to the last one with any content."""
        return max((r + 1 for (r, _c), cell in self.cells.items() if _has(cell)), default=0)

    def used_cols(self) -> int:
        return max((c + 1 for (_r, c), cell in self.cells.items() if _has(cell)), default=0)

    def format_at(self, row: int, col: int) -> dict[str, Any] | None:
        """The cell's userEnteredFormat: the range formats over it in order, then its own.

        A new dict whose parts are shared with the stored formats: callers only read it (or
        encode it into a reply), and a copy per cell read made reads the slowest part of the fake.
        """
        out: dict[str, Any] = {}
        for rng, parts in self.format_ranges:
            if _in_range(rng, row, col, self):
                for part, value in parts.items():
                    if value is None:
                        out.pop(part, None)
                    else:
                        out[part] = value
        out.update(self.formats.get((row, col), {}))
        return out or None

    def validation_at(self, row: int, col: int) -> dict[str, Any] | None:
        for rng, rule in reversed(self.validations):
            if _in_range(rng, row, col, self):
                return rule
        return None


@dataclass
class Spreadsheet:
    """A spreadsheet: id, properties, sheets in tab order."""

    spreadsheet_id: str
    properties: dict[str, Any]
    sheets: list[Sheet] = field(default_factory=list)

    def sheet_by_title(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)


def omit_defaults(value: Any) -> Any:
    """Leave out what Google's replies leave out: false flags and empty strings (``hidden`` on
    a shown sheet, an empty ``description``); numbers stay, 0 included (``index: 0``).

    As recorded in gspread's cassettes (``WorksheetTest.test_hide_show_worksheet``,
    ``WorksheetTest.test_add_protected_range_warning``, ``WorksheetTest.test_freeze``).
    """
    if isinstance(value, dict):
        grid_range = "startRowIndex" in value or "startColumnIndex" in value or "endRowIndex" in value
        return {
            k: omit_defaults(v)
            for k, v in value.items()
            if v is not False and v != "" and v is not None
            and not (v == 0 and (k in ZERO_LEFT_OUT or grid_range and k == "sheetId"))
        }
    if isinstance(value, list):
        return [omit_defaults(v) for v in value]
    return value


def _has(cell: Cell) -> bool:
    return cell.formula is not None or cell.value not in (None, "")


def _in_range(rng: dict[str, Any], row: int, col: int, sheet: Sheet) -> bool:
    r0, r1 = rng.get("startRowIndex", 0), rng.get("endRowIndex", sheet.rows)
    c0, c1 = rng.get("startColumnIndex", 0), rng.get("endColumnIndex", sheet.cols)
    return r0 <= row < r1 and c0 <= col < c1


# --- values ----------------------------------------------------------------------------------


def entered_cell(value: Any, option: str, fmt: dict[str, Any] | None = None) -> Cell | None:
    """The cell a value becomes under RAW or USER_ENTERED; None clears the cell.

    ``fmt`` is the cell's format: a cell formatted as plain text keeps what is typed; a typed
    date becomes its serial number (numbers.py).
    """
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return Cell(value=float(value) if not isinstance(value, bool) else value)
    text = str(value)
    if text == "":
        return None
    if option == "RAW" or is_text_format(fmt):
        return Cell(value=text)
    if (typed := typed_date(text)) is not None:
        return Cell(value=typed[0])
    if text.startswith("="):
        return Cell(formula=text)
    if text.startswith("'"):
        return Cell(value=text[1:])
    if _NUMBER.match(text.strip()):
        return Cell(value=float(text))
    if text.upper() in ("TRUE", "FALSE"):
        return Cell(value=text.upper() == "TRUE")
    return Cell(value=text)


def render_cell(cell: Cell | None, option: str, fmt: dict[str, Any] | None = None,
                date_option: str = "SERIAL_NUMBER") -> Any:
    """A cell as values.get returns it under a valueRenderOption (and dateTimeRenderOption)."""
    if cell is None:
        return ""
    if cell.formula is not None:
        # The fake does not evaluate formulas; a real sheet would show the result.
        return cell.formula if option == "FORMULA" else "#ERROR!"
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return value if option != "FORMATTED_VALUE" else ("TRUE" if value else "FALSE")
    if isinstance(value, float) and (pattern := date_format(fmt)) is not None:
        if option == "FORMATTED_VALUE" or (option == "UNFORMATTED_VALUE" and date_option == "FORMATTED_STRING"):
            return render_date(value, pattern)
    if isinstance(value, float):
        if option != "FORMATTED_VALUE":
            return int(value) if value.is_integer() else value
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return value


def extended_value(cell: Cell) -> dict[str, Any]:
    if cell.formula is not None:
        return {"formulaValue": cell.formula}
    if isinstance(cell.value, bool):
        return {"boolValue": cell.value}
    if isinstance(cell.value, float):
        return {"numberValue": cell.value}
    return {"stringValue": cell.value}


def cell_from_extended(value: dict[str, Any]) -> Cell | None:
    if "formulaValue" in value:
        return Cell(formula=value["formulaValue"])
    if "stringValue" in value:
        return Cell(value=value["stringValue"]) if value["stringValue"] != "" else None
    if "numberValue" in value:
        return Cell(value=float(value["numberValue"]))
    if "boolValue" in value:
        return Cell(value=bool(value["boolValue"]))
    return None
