"""The Sheets v4 part of the fake: spreadsheets, their sheets and cells, and the handlers.

Cells hold what a user entered: a string, a number, a bool or a formula. ``valueInputOption``
is honoured (USER_ENTERED turns «=...» into a formula and «007» into 7; RAW keeps text), reads
render FORMATTED_VALUE / UNFORMATTED_VALUE / FORMULA, and ranges are parsed and checked.
"""

from __future__ import annotations

import copy
import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import a1, fields
from .charts import add_chart
from .errors import FakeApiError, bad_request, not_found
from .numbers import date_format, is_text_format, render_date, typed_date

DEFAULT_ROWS, DEFAULT_COLS = 1000, 26
ZERO_LEFT_OUT = {"frozenRowCount", "frozenColumnCount"}  # a 0 here is left out; index 0 is not
SHEET_FIELDS = {"sheetId", "title", "index", "sheetType", "gridProperties", "hidden", "tabColor",
                "tabColorStyle", "rightToLeft", "dataSourceSheetProperties"}
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


# --- the service -----------------------------------------------------------------------------


class FakeSheets:
    """State and handlers of the Sheets v4 fake."""

    def __init__(self) -> None:
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self._ids = itertools.count(1)
        self._protected_ids = itertools.count(1001)
        self.on_create: Callable[[str, str], object] | None = None  # registers a Drive file

    # helpers for tests ------------------------------------------------------------------------

    def get(self, spreadsheet_id: str) -> Spreadsheet:
        try:
            return self.spreadsheets[spreadsheet_id]
        except KeyError:
            raise not_found() from None

    def sheet(self, spreadsheet_id: str, title: str) -> Sheet:
        sheet = self.get(spreadsheet_id).sheet_by_title(title)
        if sheet is None:
            raise KeyError(title)
        return sheet

    def new_spreadsheet(self, title: str, sheet_titles: tuple[str, ...] = ("Sheet1",)) -> str:
        """Create a spreadsheet directly (as if made by hand); returns its id."""
        body = {
            "properties": {"title": title},
            "sheets": [{"properties": {"title": t}} for t in sheet_titles],
        }
        return self.create(body)["spreadsheetId"]

    def set_values(self, spreadsheet_id: str, title: str, rows: list[list[Any]], start: str = "A1") -> None:
        """Type values into a sheet from ``start`` (USER_ENTERED, as a person would)."""
        sheet = self.sheet(spreadsheet_id, title)
        r0, c0, _r1, _c1 = a1.parse_cells(start)
        self._write(sheet, r0 or 0, c0 or 0, rows, "USER_ENTERED", None)

    def cell(self, spreadsheet_id: str, title: str, ref: str) -> Cell | None:
        r0, c0, _r1, _c1 = a1.parse_cells(ref)
        return self.sheet(spreadsheet_id, title).cells.get((r0, c0))

    def grid(self, spreadsheet_id: str, title: str) -> list[list[str]]:
        """The sheet's formatted values, trailing blanks trimmed, as staff see them."""
        sheet = self.sheet(spreadsheet_id, title)
        return self._values(sheet, 0, 0, sheet.rows, sheet.cols, "FORMATTED_VALUE", "ROWS")

    def sort_rows(self, spreadsheet_id: str, title: str, column: str | int, reverse: bool = False) -> None:
        """Sort the rows below the header by a column (a header text or a 0-based index)."""
        sheet = self.sheet(spreadsheet_id, title)
        col = column if isinstance(column, int) else self._header_col(sheet, column)
        last = sheet.used_rows()
        rows = [{c: sheet.cells[(r, c)] for (rr, c) in list(sheet.cells) if rr == r} for r in range(1, last)]
        rows.sort(key=lambda row: str(render_cell(row.get(col), "FORMATTED_VALUE")), reverse=reverse)
        for key in [k for k in sheet.cells if 1 <= k[0] < last]:
            del sheet.cells[key]
        for offset, row in enumerate(rows, start=1):
            for c, cell in row.items():
                sheet.cells[(offset, c)] = cell

    def insert_rows(self, spreadsheet_id: str, title: str, at: int, count: int = 1) -> None:
        """Insert empty rows before 1-based row ``at``, shifting the rest down."""
        sheet = self.sheet(spreadsheet_id, title)
        self._insert_dimension(sheet, "ROWS", at - 1, at - 1 + count)

    def delete_rows(self, spreadsheet_id: str, title: str, at: int, count: int = 1) -> None:
        """Delete rows from 1-based row ``at``, shifting the rest up."""
        sheet = self.sheet(spreadsheet_id, title)
        self._delete_dimension(sheet, "ROWS", at - 1, at - 1 + count)

    def rename_header(self, spreadsheet_id: str, title: str, old: str, new: str) -> None:
        sheet = self.sheet(spreadsheet_id, title)
        sheet.cells[(0, self._header_col(sheet, old))] = Cell(value=new)

    def rename_sheet(self, spreadsheet_id: str, old: str, new: str) -> None:
        self.sheet(spreadsheet_id, old).properties["title"] = new

    def _header_col(self, sheet: Sheet, header: str) -> int:
        for (r, c), cell in sheet.cells.items():
            if r == 0 and cell.value == header:
                return c
        raise KeyError(header)

    # spreadsheets -----------------------------------------------------------------------------

    def create(self, body: dict[str, Any], spreadsheet_id: str | None = None) -> dict[str, Any]:
        spreadsheet_id = spreadsheet_id or f"fake-ss-{next(self._ids)}-{uuid.uuid4().hex[:8]}"
        props = {"title": "Untitled spreadsheet", "locale": "ru_RU", "timeZone": "Europe/Moscow"}
        props.update(copy.deepcopy(body.get("properties") or {}))
        book = Spreadsheet(spreadsheet_id, props)
        for index, spec in enumerate(body.get("sheets") or [{"properties": {"title": "Sheet1"}}]):
            sheet = self._new_sheet(book, spec.get("properties") or {}, index)
            for grid in spec.get("data") or []:
                self._put_grid(sheet, grid)
            sheet.conditional_formats = copy.deepcopy(spec.get("conditionalFormats") or [])
            for pr in spec.get("protectedRanges") or []:
                self._add_protected(sheet, pr)
            book.sheets.append(sheet)
        self.spreadsheets[spreadsheet_id] = book
        if self.on_create is not None:
            self.on_create(spreadsheet_id, props["title"])
        return self.describe(book, None)

    def _new_sheet(self, book: Spreadsheet, props: dict[str, Any], index: int) -> Sheet:
        props = copy.deepcopy(props)
        title = props.get("title") or f"Sheet{len(book.sheets) + 1}"
        if book.sheet_by_title(title) is not None:
            raise bad_request(f'A sheet with the name "{title}" already exists. Please enter another name.')
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            sheet_id = next(
                i for i in itertools.count(len(book.sheets) * 1000 + 1) if not book.sheet_by_id(i)
            )
        elif book.sheet_by_id(sheet_id) is not None:
            raise bad_request(f"Sheet with id {sheet_id} already exists.")
        grid = {"rowCount": DEFAULT_ROWS, "columnCount": DEFAULT_COLS}
        grid.update(props.get("gridProperties") or {})
        props.update(
            {
                "sheetId": sheet_id,
                "title": title,
                "index": props.get("index", index),
                "sheetType": "GRID",
                "gridProperties": grid,
            }
        )
        return Sheet(props)

    def describe(
        self, book: Spreadsheet, ranges: list[str] | None, grid_data: bool = False
    ) -> dict[str, Any]:
        """The Spreadsheet resource; grid data only for requested ranges (as ``fields`` would)."""
        wanted: dict[str, list[a1.A1]] | None = None
        if ranges:
            wanted = {}
            for text in ranges:
                rng = self._range(book, text)
                wanted.setdefault(rng.title, []).append(rng)
        sheets = []
        for sheet in book.sheets:
            if wanted is not None and sheet.title not in wanted:
                continue
            out: dict[str, Any] = {"properties": omit_defaults(sheet.properties)}
            if sheet.conditional_formats:
                out["conditionalFormats"] = omit_defaults(sheet.conditional_formats)
            if sheet.protected_ranges:
                out["protectedRanges"] = omit_defaults(sheet.protected_ranges)
            if sheet.charts:
                out["charts"] = copy.deepcopy(sheet.charts)
            if grid_data:
                out["data"] = [self._grid_data(sheet, r) for r in (wanted or {}).get(sheet.title, [])] or [
                    self._grid_data(sheet, a1.A1(sheet.title, None, None, None, None))
                ]
            sheets.append(out)
        return {
            "spreadsheetId": book.spreadsheet_id,
            "properties": copy.deepcopy(book.properties),
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit",
        }

    def _grid_data(self, sheet: Sheet, rng: a1.A1) -> dict[str, Any]:
        r0, c0, r1, c1 = self._bounds(sheet, rng)
        r1, c1 = min(r1, sheet.rows), min(c1, sheet.cols)
        rows: list[dict[str, Any]] = []
        for r in range(r0, r1):
            values = []
            for c in range(c0, c1):
                data: dict[str, Any] = {}
                cell = sheet.cells.get((r, c))
                if cell is not None:
                    data["userEnteredValue"] = extended_value(cell)
                    data["formattedValue"] = str(render_cell(cell, "FORMATTED_VALUE", sheet.format_at(r, c)))
                if (fmt := sheet.format_at(r, c)) is not None:
                    data["userEnteredFormat"] = fmt
                rule = sheet.validation_at(r, c)
                if rule is not None:
                    data["dataValidation"] = copy.deepcopy(rule)
                values.append(data)
            while values and not values[-1]:
                values.pop()
            rows.append({"values": values} if values else {})
        while rows and not rows[-1]:  # Sheets leaves out trailing rows with nothing in them
            rows.pop()
        return {"startRow": r0, "startColumn": c0, "rowData": rows}

    # ranges -----------------------------------------------------------------------------------

    def _range(self, book: Spreadsheet, text: str) -> a1.A1:
        try:
            title, cells = a1.split_title(text)
            if title is None:
                if book.sheet_by_title(cells) is not None:
                    title, cells = cells, ""
                else:
                    title = book.sheets[0].title
            if book.sheet_by_title(title) is None:
                raise a1.A1Error(text)
            if not cells:
                return a1.A1(title, None, None, None, None)
            return a1.A1(title, *a1.parse_cells(cells))
        except a1.A1Error:
            raise bad_request(f"Unable to parse range: {text}") from None

    def _bounds(self, sheet: Sheet, rng: a1.A1) -> tuple[int, int, int, int]:
        r0 = rng.row0 or 0
        c0 = rng.col0 or 0
        r1 = rng.row1 if rng.row1 is not None else sheet.rows
        c1 = rng.col1 if rng.col1 is not None else sheet.cols
        return r0, c0, r1, c1

    def _values(
        self, sheet: Sheet, r0: int, c0: int, r1: int, c1: int, option: str, major: str,
        date_option: str = "SERIAL_NUMBER",
    ) -> list[list[Any]]:
        rows = [
            [render_cell(sheet.cells.get((r, c)), option, sheet.format_at(r, c), date_option)
             for c in range(c0, c1)]
            for r in range(r0, min(r1, sheet.used_rows()))
        ]
        if major == "COLUMNS":
            rows = [list(col) for col in zip(*rows, strict=True)] if rows else []
        for row in rows:
            while row and row[-1] == "":
                row.pop()
        while rows and not rows[-1]:
            rows.pop()
        return rows

    def value_range(self, book: Spreadsheet, text: str, option: str, major: str,
                    date_option: str = "SERIAL_NUMBER") -> dict[str, Any]:
        rng = self._range(book, text)
        sheet = book.sheet_by_title(rng.title)
        assert sheet is not None
        r0, c0, r1, c1 = self._bounds(sheet, rng)
        r1, c1 = min(r1, sheet.rows), min(c1, sheet.cols)  # reads are clamped to the grid
        out: dict[str, Any] = {"range": a1.render(sheet.title, r0, c0, r1, c1), "majorDimension": major}
        values = self._values(sheet, r0, c0, r1, c1, option, major, date_option)
        if values:
            out["values"] = values
        return out

    def _write(
        self,
        sheet: Sheet,
        r0: int,
        c0: int,
        rows: list[list[Any]],
        option: str,
        limit: tuple[int, int] | None,
    ) -> int:
        count = 0
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is None:
                    continue
                r, c = r0 + i, c0 + j
                if limit is not None and (r >= limit[0] or c >= limit[1]):
                    where = a1.render(sheet.title, r0, c0, limit[0], limit[1])
                    what, index = ("row", r) if r >= limit[0] else ("column", c)
                    raise bad_request(
                        f"Requested writing within range [{where}], but tried writing to {what} [{index + 1}]"
                    )
                if r >= sheet.rows or c >= sheet.cols:
                    raise bad_request(
                        f"Range ({a1.render(sheet.title, r, c, r + 1, c + 1)}) exceeds grid limits. "
                        f"Max rows: {sheet.rows}, max columns: {sheet.cols}"
                    )
                cell = entered_cell(value, option, sheet.format_at(r, c))
                if cell is None:
                    sheet.cells.pop((r, c), None)
                else:
                    sheet.cells[(r, c)] = cell
                    typed = typed_date(value) if option == "USER_ENTERED" and isinstance(value, str) else None
                    if typed and isinstance(cell.value, float) and date_format(sheet.format_at(r, c)) is None:
                        sheet.formats.setdefault((r, c), {})["numberFormat"] = dict(typed[1])
                count += 1
        return count

    def clear_range(self, book: Spreadsheet, text: str) -> str:
        """Empty the values of a range (formats stay); returns it as Google names it."""
        rng = self._range(book, text)
        sheet = book.sheet_by_title(rng.title)
        assert sheet is not None
        r0, c0, r1, c1 = self._bounds(sheet, rng)
        r1, c1 = min(r1, sheet.rows), min(c1, sheet.cols)
        for key in [k for k in sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
            del sheet.cells[key]
        return a1.render(sheet.title, r0, c0, r1, c1)

    def write_range(self, book: Spreadsheet, body: dict[str, Any], option: str) -> dict[str, Any]:
        text = body.get("range") or ""
        rng = self._range(book, text)
        sheet = book.sheet_by_title(rng.title)
        assert sheet is not None
        values = body.get("values") or []
        if body.get("majorDimension") == "COLUMNS":
            width = max((len(v) for v in values), default=0)
            values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
        r0, c0, r1, c1 = self._bounds(sheet, rng)
        limit = (
            r1 if rng.row1 is not None else 10**9,
            c1 if rng.col1 is not None else 10**9,
        )
        if ":" not in a1.split_title(text)[1]:
            limit = None  # one cell is an anchor: Google writes the block from there (cassette
            # WorksheetTest.test_update_and_get: 'Sheet1'!A1 takes a 4 x 4 block)
        cells = self._write(sheet, r0, c0, values, option, limit)
        rows = len(values)
        cols = max((len(v) for v in values), default=0)
        return {
            "spreadsheetId": book.spreadsheet_id,
            "updatedRange": a1.render(sheet.title, r0, c0, r0 + max(rows, 1), c0 + max(cols, 1)),
            "updatedRows": rows,
            "updatedColumns": cols,
            "updatedCells": cells,
        }

    # handlers ---------------------------------------------------------------------------------

    def handle(self, method_id: str, path: dict[str, str], query: dict[str, Any], body: Any) -> Any:
        name = method_id.removeprefix("sheets.spreadsheets.")
        if name == "create":
            return self.create(body or {})
        book = self.get(path["spreadsheetId"])
        if name == "get":
            mask = fields.parse(query["fields"]) if query.get("fields") else None
            grid = bool(query.get("includeGridData")) or (mask is not None and fields.names(mask, "sheets.data"))
            reply = self.describe(book, query.get("ranges"), grid)
            return fields.apply(reply, mask) if mask is not None else reply
        if name == "batchUpdate":
            return self.batch_update(book, body or {})
        if name == "values.batchGet":
            option = query.get("valueRenderOption", "FORMATTED_VALUE")
            major = query.get("majorDimension", "ROWS")
            ranges = query.get("ranges") or []
            dates = query.get("dateTimeRenderOption", "SERIAL_NUMBER")
            return {
                "spreadsheetId": book.spreadsheet_id,
                "valueRanges": [self.value_range(book, r, option, major, dates) for r in ranges],
            }
        if name == "values.get":
            return self.value_range(
                book,
                path["range"],
                query.get("valueRenderOption", "FORMATTED_VALUE"),
                query.get("majorDimension", "ROWS"),
            )
        if name == "values.update":
            option = _input_option(query.get("valueInputOption"))
            data = dict(body or {})
            data.setdefault("range", path["range"])
            return self.write_range(book, data, option)
        if name in ("values.clear", "values.batchClear"):
            texts = [path["range"]] if name == "values.clear" else list((body or {}).get("ranges") or [])
            cleared = [self.clear_range(book, t) for t in texts]
            if name == "values.clear":
                return {"spreadsheetId": book.spreadsheet_id, "clearedRange": cleared[0]}
            return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": cleared}
        if name == "values.batchUpdate":
            option = _input_option((body or {}).get("valueInputOption"))
            snapshot = copy.deepcopy(book.sheets)
            try:
                responses = [self.write_range(book, vr, option) for vr in (body or {}).get("data") or []]
            except FakeApiError:
                book.sheets = snapshot  # all or nothing, as Google does
                raise
            return {
                "spreadsheetId": book.spreadsheet_id,
                # distinct rows and columns touched, not sums (cassette WorksheetTest.test_batch_update)
                "totalUpdatedRows": _distinct(responses, "rows"),
                "totalUpdatedColumns": _distinct(responses, "columns"),
                "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
                "totalUpdatedSheets": len({r["updatedRange"].rpartition("!")[0] for r in responses}),
                "responses": responses,
            }
        raise FakeApiError(501, f"fake Sheets: {method_id} is not implemented")

    # batchUpdate ------------------------------------------------------------------------------

    def batch_update(self, book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
        snapshot = copy.deepcopy(book.sheets)
        replies = []
        try:
            for i, request in enumerate(body.get("requests") or []):
                if len(request) != 1:
                    raise bad_request(f"Invalid requests[{i}]: exactly one kind of request must be set")
                ((kind, spec),) = request.items()
                handler = getattr(self, f"_req_{kind}", None)
                if handler is None:
                    raise FakeApiError(501, f"fake Sheets: request {kind} is not implemented")
                try:
                    replies.append(handler(book, spec) or {})
                except FakeApiError as exc:
                    if not exc.message.startswith("Invalid requests["):
                        exc.message = f"Invalid requests[{i}].{kind}: {exc.message}"
                    raise
        except FakeApiError:
            book.sheets = snapshot  # a batchUpdate applies all of its requests or none
            raise
        out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = self.describe(book, None)
        return out

    def _sheet_of(self, book: Spreadsheet, sheet_id: Any) -> Sheet:
        sheet = book.sheet_by_id(int(sheet_id or 0))
        if sheet is None:
            raise bad_request(f"No grid with id: {sheet_id}")
        return sheet

    def _grid_range(self, book: Spreadsheet, rng: dict[str, Any]) -> tuple[Sheet, int, int, int, int]:
        sheet = self._sheet_of(book, rng.get("sheetId"))
        r0, r1 = rng.get("startRowIndex", 0), rng.get("endRowIndex", sheet.rows)
        c0, c1 = rng.get("startColumnIndex", 0), rng.get("endColumnIndex", sheet.cols)
        if r1 > sheet.rows or c1 > sheet.cols or r0 > r1 or c0 > c1:
            raise bad_request(
                f"Range ({a1.render(sheet.title, r0, c0, max(r1, r0 + 1), max(c1, c0 + 1))}) exceeds "
                f"grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}"
            )
        return sheet, r0, c0, r1, c1

    def _req_addSheet(self, book: Spreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        props = spec.get("properties") or {}
        sheet = self._new_sheet(book, props, len(book.sheets))
        index = min(props.get("index", len(book.sheets)), len(book.sheets))
        book.sheets.insert(index, sheet)
        for i, s in enumerate(book.sheets):
            s.properties["index"] = i
        return {"addSheet": {"properties": omit_defaults(sheet.properties)}}

    def _req_updateSpreadsheetProperties(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        fields = spec.get("fields")
        if not fields:
            raise bad_request("At least one field must be specified in 'fields'")
        props = spec.get("properties") or {}
        for key in (fields.split(",") if fields != "*" else list(props)):
            if key.strip() in props:
                book.properties[key.strip()] = copy.deepcopy(props[key.strip()])

    def _req_addChart(self, book: Spreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        existing = [c for s in book.sheets for c in s.charts]
        sheet_id, chart = add_chart(
            existing, spec, lambda rng: self._grid_range(book, rng),
            lambda sid: book.sheet_by_id(int(sid or 0)) is not None,
        )
        self._sheet_of(book, sheet_id).charts.append(chart)
        return {"addChart": {"chart": copy.deepcopy(chart)}}

    def _req_deleteSheet(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        sheet = self._sheet_of(book, spec.get("sheetId"))
        if len(book.sheets) == 1:
            raise bad_request("You can't remove all the sheets in a document.")
        book.sheets.remove(sheet)

    def _req_updateSheetProperties(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        props = spec.get("properties") or {}
        fields = spec.get("fields")
        if not fields:
            raise bad_request("At least one field must be specified in 'fields'")
        sheet = self._sheet_of(book, props.get("sheetId"))
        # Google takes «gridProperties.rowCount» and «gridProperties/rowCount» alike (gspread
        # sends the second); a path the resource does not have is a 400, never ignored.
        paths = [p.strip().replace("/", ".") for p in fields.split(",")] if fields != "*" else list(props)
        for path in paths:
            if path.split(".")[0] not in SHEET_FIELDS or "." in path and path.split(".")[0] != "gridProperties":
                raise bad_request(f"Invalid field mask path: {path}")
            if path == "index":
                target = max(0, min(int(props.get("index", 0)), len(book.sheets) - 1))
                book.sheets.remove(sheet)
                book.sheets.insert(target, sheet)
                for i, other in enumerate(book.sheets):
                    other.properties["index"] = i
                continue
            src: Any = props
            dst: Any = sheet.properties
            parts = path.split(".")
            for part in parts[:-1]:
                src = (src or {}).get(part, {})
                dst = dst.setdefault(part, {})
            value = (src or {}).get(parts[-1])
            if path == "title" and value and book.sheet_by_title(value) not in (None, sheet):
                raise bad_request(f'A sheet with the name "{value}" already exists.')
            if value is None:
                dst.pop(parts[-1], None)
            else:
                dst[parts[-1]] = value
        if sheet.properties.get("hidden") and all(s.properties.get("hidden") for s in book.sheets):
            raise bad_request("You can't hide all the sheets in a document.")

    def _req_updateCells(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        fields = spec.get("fields") or ""
        if not fields:
            raise bad_request("At least one field must be specified in 'fields'")
        if "start" in spec:
            sheet = self._sheet_of(book, spec["start"].get("sheetId"))
            r0, c0 = spec["start"].get("rowIndex", 0), spec["start"].get("columnIndex", 0)
        else:
            sheet, r0, c0, r1, c1 = self._grid_range(book, spec.get("range") or {})
        covered = set()
        for i, row in enumerate(spec.get("rows") or []):
            for j, data in enumerate(row.get("values") or []):
                self._put_cell(sheet, r0 + i, c0 + j, data, fields)
                covered.add((r0 + i, c0 + j))
        if "range" in spec:  # with a range, what the rows do not cover is cleared (UpdateCellsRequest)
            inside = [k for k in {*sheet.cells, *sheet.formats} if r0 <= k[0] < r1 and c0 <= k[1] < c1]
            for key in inside:
                if key not in covered:
                    self._put_cell(sheet, key[0], key[1], {}, fields)

    def _req_repeatCell(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        sheet, r0, c0, r1, c1 = self._grid_range(book, spec.get("range") or {})
        mask = spec.get("fields") or "*"
        parts = fields_of_format(mask) if "userEnteredValue" not in mask and "dataValidation" not in mask else None
        if parts:  # a format only: kept as one range entry, not a copy per cell
            wanted = (spec.get("cell") or {}).get("userEnteredFormat") or {}
            rng = {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}
            sheet.format_ranges.append((rng, {p: copy.deepcopy(wanted.get(p)) for p in parts}))
            for r, c in [k for k in sheet.formats if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
                for p in parts:
                    sheet.formats[(r, c)].pop(p, None)  # the range's format is the newer
            return
        for r in range(r0, r1):
            for c in range(c0, c1):
                self._put_cell(sheet, r, c, spec.get("cell") or {}, spec.get("fields") or "*")

    def _put_cell(self, sheet: Sheet, r: int, c: int, data: dict[str, Any], fields: str) -> None:
        if r >= sheet.rows or c >= sheet.cols:
            raise bad_request(
                f"Range ({a1.render(sheet.title, r, c, r + 1, c + 1)}) exceeds grid limits. "
                f"Max rows: {sheet.rows}, max columns: {sheet.cols}"
            )
        if fields == "*" or "userEnteredValue" in fields:
            cell = cell_from_extended(data.get("userEnteredValue") or {})
            if cell is None:
                sheet.cells.pop((r, c), None)
            else:
                sheet.cells[(r, c)] = cell
        if fields == "*" or "userEnteredFormat" in fields:
            self._put_format(sheet, r, c, data.get("userEnteredFormat") or {}, fields)
        if "dataValidation" in fields and data.get("dataValidation"):
            sheet.validations.append(
                (
                    {
                        "startRowIndex": r,
                        "endRowIndex": r + 1,
                        "startColumnIndex": c,
                        "endColumnIndex": c + 1,
                    },
                    data["dataValidation"],
                )
            )

    @staticmethod
    def _put_format(sheet: Sheet, r: int, c: int, wanted: dict[str, Any], fields: str) -> None:
        """Set a cell's format as the field mask says: «userEnteredFormat» replaces it whole,
        «userEnteredFormat.numberFormat» or «userEnteredFormat(numberFormat,wrapStrategy)» only
        those parts, the rest of the format staying (FieldMask in batchUpdate requests)."""
        mask = fields_of_format(fields)
        if mask is None:
            if wanted:
                sheet.formats[(r, c)] = copy.deepcopy(wanted)
            else:
                sheet.formats.pop((r, c), None)
            return
        current = sheet.formats.setdefault((r, c), {})
        for part in mask:
            if part in wanted:
                current[part] = copy.deepcopy(wanted[part])
            else:
                current.pop(part, None)
        if not current:
            sheet.formats.pop((r, c), None)

    def _put_grid(self, sheet: Sheet, grid: dict[str, Any]) -> None:
        r0, c0 = grid.get("startRow", 0), grid.get("startColumn", 0)
        for i, row in enumerate(grid.get("rowData") or []):
            for j, data in enumerate(row.get("values") or []):
                self._put_cell(sheet, r0 + i, c0 + j, data, "*")
        for j, meta in enumerate(grid.get("columnMetadata") or []):
            if "pixelSize" in meta:
                sheet.column_sizes[c0 + j] = meta["pixelSize"]

    def _req_updateDimensionProperties(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        rng = spec.get("range") or {}
        sheet = self._sheet_of(book, rng.get("sheetId"))
        if rng.get("dimension") == "COLUMNS" and "pixelSize" in (spec.get("fields") or ""):
            for c in range(rng.get("startIndex", 0), rng.get("endIndex", sheet.cols)):
                sheet.column_sizes[c] = (spec.get("properties") or {}).get("pixelSize", 100)

    def _req_setDataValidation(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        sheet, r0, c0, r1, c1 = self._grid_range(book, spec.get("range") or {})
        rng = {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}
        # The new rule replaces whatever covered exactly these cells; nothing piles up.
        sheet.validations = [(r, v) for r, v in sheet.validations if r != rng]
        if spec.get("rule"):
            rule = spec["rule"]
            condition = rule.get("condition") or {}
            if condition.get("type") == "ONE_OF_LIST" and not condition.get("values"):
                raise bad_request("ONE_OF_LIST condition needs at least one value")
            sheet.validations.append((rng, copy.deepcopy(rule)))

    def _req_addConditionalFormatRule(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        rule = spec.get("rule") or {}
        ranges = rule.get("ranges") or []
        if not ranges:
            raise bad_request("A conditional format rule needs at least one range")
        sheet, *_ = self._grid_range(book, ranges[0])
        index = spec.get("index", len(sheet.conditional_formats))
        sheet.conditional_formats.insert(index, copy.deepcopy(rule))

    def _req_addProtectedRange(self, book: Spreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        pr = spec.get("protectedRange") or {}
        sheet, *_ = self._grid_range(book, pr.get("range") or {})
        added = self._add_protected(sheet, pr)
        return {"addProtectedRange": {"protectedRange": omit_defaults(added)}}

    def _add_protected(self, sheet: Sheet, pr: dict[str, Any]) -> dict[str, Any]:
        added = copy.deepcopy(pr)
        added["protectedRangeId"] = next(self._protected_ids)
        added.setdefault("requestingUserCanEdit", True)
        sheet.protected_ranges.append(added)
        return added

    def _req_appendDimension(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        sheet = self._sheet_of(book, spec.get("sheetId"))
        key = "rowCount" if spec.get("dimension") == "ROWS" else "columnCount"
        sheet.properties["gridProperties"][key] += int(spec.get("length") or 0)

    def _req_insertDimension(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        rng = spec.get("range") or {}
        sheet = self._sheet_of(book, rng.get("sheetId"))
        self._insert_dimension(sheet, rng.get("dimension", "ROWS"), rng["startIndex"], rng["endIndex"])

    def _req_deleteDimension(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        rng = spec.get("range") or {}
        sheet = self._sheet_of(book, rng.get("sheetId"))
        self._delete_dimension(sheet, rng.get("dimension", "ROWS"), rng["startIndex"], rng["endIndex"])

    def _insert_dimension(self, sheet: Sheet, dim: str, start: int, end: int) -> None:
        n = end - start
        axis = 0 if dim == "ROWS" else 1
        sheet.cells = {
            (
                k[0] + (n if axis == 0 and k[0] >= start else 0),
                k[1] + (n if axis == 1 and k[1] >= start else 0),
            ): v
            for k, v in sheet.cells.items()
        }
        key = "rowCount" if axis == 0 else "columnCount"
        sheet.properties["gridProperties"][key] += n

    def _delete_dimension(self, sheet: Sheet, dim: str, start: int, end: int) -> None:
        n = end - start
        axis = 0 if dim == "ROWS" else 1
        moved = {}
        for k, v in sheet.cells.items():
            if start <= k[axis] < end:
                continue
            if k[axis] >= end:
                k = (k[0] - n, k[1]) if axis == 0 else (k[0], k[1] - n)
            moved[k] = v
        sheet.cells = moved
        key = "rowCount" if axis == 0 else "columnCount"
        sheet.properties["gridProperties"][key] -= n
        end = "endRowIndex" if axis == 0 else "endColumnIndex"
        for rng, _parts in sheet.format_ranges:  # a range's format ends with the grid it covered
            rng[end] = min(rng.get(end, 10**9), sheet.properties["gridProperties"][key])


def _distinct(responses: list[dict[str, Any]], axis: str) -> int:
    seen: set[tuple[str, int]] = set()
    for r in responses:
        title, _, cells = r["updatedRange"].rpartition("!")
        r0, c0, r1, c1 = a1.parse_cells(cells)
        lo, hi = (r0, r1) if axis == "rows" else (c0, c1)
        seen |= {(title, i) for i in range(lo or 0, hi or 0)}
    return len(seen)


def _input_option(option: Any) -> str:
    if not option:
        raise bad_request("'valueInputOption' is required but not specified")
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request(f"Invalid value at 'value_input_option', \"{option}\"")
    return str(option)


def fields_of_format(fields: str) -> list[str] | None:
    """The parts of userEnteredFormat a mask names; None when it names the format whole."""
    if fields.strip() == "*":
        return None
    parts: list[str] = []
    for m in re.finditer(r"userEnteredFormat(?:\.(\w+)|\(([^)]*)\))?", fields):
        if m.group(1):
            parts.append(m.group(1))
        elif m.group(2):
            parts += [p.strip().split(".")[0] for p in m.group(2).split(",") if p.strip()]
        else:
            return None
    return parts
