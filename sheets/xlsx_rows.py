"""Rows a write adds below everything a sheet holds, written as the sheet's XML directly.

openpyxl makes an object per cell, styles it, and serialises it through lxml: for a first load
of a large programme (half a million new cells) that was most of the run. A row below every
row openpyxl holds (cells, a height, a merge) has nothing of its own to keep, so its cells are
written as text into the sheet's XML after openpyxl saved the rest: the same values, types,
styles (the very style ids openpyxl would give a fresh cell) and row heights as
``sheets.xlsx._set_text`` gives through openpyxl, which still writes every other cell.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet

from sheets.changes import number_of
from sheets.look import DATE_FORMAT, DATETIME_FORMAT
from sheets.schema import Column, Kind
from sheets.store import StoreError

WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")  # beside wrapped text: a row's cells start on one line, not at the bottom
SPLICED_LEVEL = 3  # deflate level of a sheet with new rows (zlib's default 6: 0.66 s against 0.23 s at 12,000)
MAX_TEXT = 32767  # what a cell holds; openpyxl cuts a longer text there too

# Characters an .xlsx cell (XML 1.0, UTF-8) cannot hold. Ingestion already replaced them in
# answers (and said so); this is the last guard, so no other text can ever stop a save.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})  # as lxml writes text
_TYPED = frozenset({Kind.DATE, Kind.DATETIME, Kind.INT, Kind.NUMBER})  # kinds whose text may be a number
_DIMENSION = re.compile(rb'<dimension ref="([^"]*)"/>')


def typed_value(text: str, column: Column) -> tuple[object, str | None]:
    """The value a cell gets for ``text`` in ``column`` and the number format it needs.

    Dates are real dates (they read back as the same ISO text), whole numbers and numbers are
    numbers, anything else stays text (a leading "=" too: never a formula); "" is an empty cell.
    """
    text = UNSTORABLE.sub("\ufffd", text)
    kind = column.kind
    if kind in (Kind.DATE, Kind.DATETIME):
        moment = _moment(text, kind)
        if moment is not None:
            return moment, DATE_FORMAT if kind is Kind.DATE else DATETIME_FORMAT
    if kind in (Kind.INT, Kind.NUMBER) and text.lstrip("-").isdecimal() and len(text) < 15 and str(int(text)) == text:
        return int(text), None
    if kind is Kind.NUMBER and (number := number_of(text)) is not None:
        return number, None
    return (text if text != "" else None), None


def _moment(text: str, kind: Kind):
    """The date (or date and time) an ISO text means, when it reads back as the same text."""
    try:
        moment = datetime.fromisoformat(text) if kind is Kind.DATETIME else date.fromisoformat(text)
    except ValueError:
        return None
    if kind is Kind.DATETIME and (len(text) != 19 or moment.tzinfo is not None):
        return None
    if kind is Kind.DATE and len(text) != 10:
        return None
    return moment


class NewRows:
    """The cells a write puts below every row openpyxl holds on one sheet, as XML text."""

    def __init__(self, ws: Worksheet, style_ids: dict) -> None:
        # a row openpyxl writes (a cell, even an empty styled one or a merge's; a height) is its
        dims = ws.row_dimensions
        self.after = max(ws.max_row, max(dims.keys(), default=0))
        self.ws = ws
        self.rows: dict[int, dict[int, str]] = {}
        self.heights: dict[int, float] = {}
        self._ids = style_ids  # (wrap, number format) -> the workbook's style id, per workbook
        self._columns: dict[int, tuple] = {}  # col -> (column, wrap, letter, typed, text style)
        self._typed: dict[tuple, tuple] = {}  # (text, kind) -> (value, number format) of a typed column

    def __bool__(self) -> bool:
        return bool(self.rows)

    def holds(self, row: int) -> bool:
        """Whether a cell of this row is written here (else through openpyxl)."""
        return row > self.after

    def add(self, row: int, col: int, text: str, column: Column, wrap: bool) -> None:
        """The cell at (row, col) gets ``text`` as ``column`` types it (``_set_text``'s rules)."""
        known = self._columns.get(col)
        if known is None or known[0] is not column or known[1] != wrap:  # once per column
            known = self._columns[col] = (column, wrap, get_column_letter(col), column.kind in _TYPED,
                                          self._style(wrap, None))
        _column, _wrap, letter, typed, style = known
        if typed:  # the same dates recur on thousands of rows: each text is typed once
            seen = self._typed.get((text, column.kind))
            if seen is None:
                value, number_format = typed_value(text, column)
                if isinstance(value, date):
                    value = to_excel(value, self.ws.parent.epoch)
                seen = self._typed[text, column.kind] = (value, number_format)
            value, number_format = seen
            if number_format is not None:
                style = self._style(wrap, number_format)
        else:  # typed_value's answer for text, without its checks (most cells of a first load)
            value = UNSTORABLE.sub("\ufffd", text) or None
        if value is None:
            xml = f'<c r="{letter}{row}" s="{style}" t="n"/>'
        elif type(value) is str:
            if len(value) > MAX_TEXT:
                value = value[:MAX_TEXT]
            space = ' xml:space="preserve"' if value != value.strip() else ""
            if "&" in value or "<" in value or ">" in value or "\r" in value:
                value = value.translate(_ESCAPE)
            xml = f'<c r="{letter}{row}" s="{style}" t="inlineStr"><is><t{space}>{value}</t></is></c>'
        else:
            xml = f'<c r="{letter}{row}" s="{style}" t="n"><v>{safe_string(value)}</v></c>'
        self.rows.setdefault(row, {})[col] = xml

    def _style(self, wrap: bool, number_format: str | None) -> int:
        """The style id a fresh openpyxl cell ends with after ``_set_text`` styles it."""
        key = (wrap, number_format)
        if key not in self._ids:
            cell = Cell(self.ws)  # a cell of no row: only its style is made, in this workbook's lists
            cell.alignment = WRAP if wrap else TOP
            if number_format is not None:
                cell.number_format = number_format
            self._ids[key] = cell.style_id
        return self._ids[key]

    def splice(self, xml: bytes) -> bytes:
        """The sheet's XML as openpyxl wrote it, with these rows added at the end of its data."""
        parts = []
        for row in sorted(self.rows):
            cells = self.rows[row]
            height = self.heights.get(row)
            attrs = f' ht="{safe_string(height)}" customHeight="1"' if height else ""
            parts.append(f'<row r="{row}"{attrs}>' + "".join(cells[c] for c in sorted(cells)) + "</row>")
        body = "".join(parts).encode("utf-8")
        end = xml.rfind(b"</sheetData>")
        if end >= 0:
            xml = xml[:end] + body + xml[end:]
        elif (empty := xml.find(b"<sheetData/>")) >= 0:
            xml = xml[:empty] + b"<sheetData>" + body + b"</sheetData>" + xml[empty + len(b"<sheetData/>"):]
        else:
            raise StoreError(f"лист «{self.ws.title}»: openpyxl записал его без данных (sheetData)")
        return _DIMENSION.sub(lambda m: b'<dimension ref="%s"/>' % self._dimension(m.group(1)), xml, count=1)

    def _dimension(self, ref: bytes) -> bytes:
        """The used range openpyxl stated, grown to hold these rows."""
        cols = [c for cells in self.rows.values() for c in cells]
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii"))
        if len(self.ws._cells) == 0:  # openpyxl says A1:A1 for a sheet without cells
            min_col, min_row, max_col, max_row = min(cols), min(self.rows), max(cols), max(self.rows)
        text = (
            f"{get_column_letter(min(min_col, *cols))}{min(min_row, *self.rows)}:"
            f"{get_column_letter(max(max_col, *cols))}{max(max_row, *self.rows)}"
        )
        return text.encode("ascii")


def save_with_rows(wb, path: str, new_rows: list[NewRows]) -> None:
    """Save the workbook to ``path`` as openpyxl does, each sheet's new rows spliced into it.

    openpyxl saves into memory first (its sheets are small: the new rows are not in them); the
    parts are then copied as they are (names, dates, compression), the spliced sheets changed.
    """
    memory = io.BytesIO()
    wb.save(memory)
    spliced = {rows.ws.path.lstrip("/"): rows for rows in new_rows if rows}  # ws.path: set by the save
    with zipfile.ZipFile(memory) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
        for info in source.infolist():
            data = source.read(info)
            rows = spliced.get(info.filename)
            if rows is None:
                out.writestr(info, data)
            else:  # tens of megabytes of XML: level 3 packs it a third faster, to about the size main's book had
                out.writestr(info, rows.splice(data), compresslevel=SPLICED_LEVEL)
