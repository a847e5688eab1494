"""The Sheets v4 part of the fake: the service, its test helpers and the values methods.

The data (spreadsheets, sheets, cells, how a cell is entered and rendered) is in ``grid``;
``spreadsheets.batchUpdate``'s requests are in ``sheets_batch``. Here: ``create``, ``get``
(with field masks and grid data), and ``values.*`` with their A1 ranges parsed and checked.
"""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Callable
from typing import Any

from . import a1, fields
from .errors import FakeApiError, bad_request, not_found
from .grid import (
    DEFAULT_COLS,
    DEFAULT_ROWS,
    Cell,
    Sheet,
    Spreadsheet,
    entered_cell,
    extended_value,
    omit_defaults,
    render_cell,
)
from .numbers import date_format, typed_date
from .sheets_batch import BatchRequests

# --- the service -----------------------------------------------------------------------------


class FakeSheets(BatchRequests):
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
