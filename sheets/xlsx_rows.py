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
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet

from sheets.changes import number_of
from sheets.look import DATE_FORMAT, DATETIME_FORMAT, wraps
from sheets.schema import Column, Kind
from sheets.store import StoreError

WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")  # beside wrapped text: a row's cells start on one line, not at the bottom
SPLICED_LEVEL = 3  # deflate level of a sheet with new rows (zlib's default 6: 0.66 s against 0.23 s at 12,000)
MAX_TEXT = 32767  # what a cell holds; openpyxl cuts a longer text there too
TAIL_CHECK = 1024  # rows between looks at how often each column's texts repeat

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


LINE_HEIGHT = 15  # points per wrapped line
MAX_ROW_HEIGHT = 120


def wrapped_lines(text: str, width: int) -> int:
    """About how many lines a text wraps to in a column this wide (characters per line ~ width)."""
    per_line = max(1, int(width * 0.95))  # Cyrillic in the default font: a little under one per width unit
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def row_height(lines: int) -> float | None:
    """The height a row gets for its most wrapped cell (None: one line needs none)."""
    return min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT) if lines > 1 else None


class NewRows:
    """The rows a write puts below every row openpyxl holds on one sheet, as XML text."""

    def __init__(self, ws: Worksheet, style_ids: dict) -> None:
        # a row openpyxl writes (a cell, even an empty styled one or a merge's; a height) is its
        dims = ws.row_dimensions
        self.after = max(ws.max_row, max(dims.keys(), default=0))
        self.ws = ws
        self.rows: list[str] = []  # each row's <row> element, in row order
        self.cells = 0
        self._bounds: list[int] = []  # min col, min row, max col, max row of the cells written
        self._ids = style_ids  # (wrap, number format) -> the workbook's style id, per workbook
        self._typed: dict[tuple, tuple] = {}  # (text, kind) -> (value, number format) of a typed column

    def __bool__(self) -> bool:
        return bool(self.rows)

    def holds(self, row: int) -> bool:
        """Whether a row is written here (else through openpyxl)."""
        return row > self.after

    def add_rows(self, rows: Sequence[tuple[int, Mapping[str, str]]], columns: Sequence[tuple[int, Column]]) -> int:
        """Rows (each below ``after`` and below the rows added before, in order) with their
        cells as ``sheets.xlsx._set_text`` types and styles them, the row tall enough for its
        wrapped text; ``columns`` are the sheet's (column index, column). The cells written.

        Each column's letter, wrap and kind are worked out once; a row is then one pass.
        """
        specs = []
        for col, column in sorted(columns, key=lambda c: c[0]):
            wrap = wraps(column)
            per_line = max(1, int(column.width * 0.95)) if wrap else 0
            specs.append((column.name, col, f'<c r="{get_column_letter(col)}', column, wrap, column.kind in _TYPED,
                          (wrap, None), per_line, {}))
        pending = self._pending(specs)
        ids = self._ids
        out = self.rows
        cells = 0
        low_col = high_col = low_row = high_row = 0
        for done, (row, values) in enumerate(rows, start=1):
            if pending and self._makes_style(values, pending):
                pending = self._make_styles(values, specs, pending)
            parts = []
            lines = 1
            first = 0
            number = str(row)  # once a row: each cell's reference is its column's opening, this, its tail
            for name, col, opening, column, wrap, typed, base, per_line, tails in specs:
                text = values.get(name)
                if not text:
                    continue
                if not first:
                    first = col
                last = col
                # a cell's XML after its reference depends on its text alone: made once per text
                tail = tails.get(text) if tails is not None else None
                if tail is None:
                    tail = self._typed_tail(text, column, wrap, ids[base]) if typed else _text_tail(text, ids[base])
                    if tails is not None:
                        tails[text] = tail
                parts.append(f"{opening}{number}{tail}")
                if wrap and ("\n" in text or len(text) > per_line):
                    lines = max(lines, wrapped_lines(text, column.width))
            if done % TAIL_CHECK == 0:  # a column of names or moments seldom repeats: stop keeping its texts
                specs = [spec[:-1] + (None,) if spec[-1] is not None and 2 * len(spec[-1]) > done else spec
                         for spec in specs]
            if not parts:
                continue
            cells += len(parts)
            height = row_height(lines)
            attrs = f' ht="{safe_string(height)}" customHeight="1"' if height else ""
            out.append(f'<row r="{number}"{attrs}>{"".join(parts)}</row>')
            if not low_row:
                low_row, low_col, high_col = row, first, last
            low_col, high_col, high_row = min(low_col, first), max(high_col, last), row
        if low_row:
            bounds = (low_col, low_row, high_col, high_row)
            self._bounds = [
                f(a, b) for f, a, b in zip((min, min, max, max), self._bounds or bounds, bounds, strict=True)
            ]
        self.cells += cells
        return cells

    # Style ids are the workbook's, numbered as they are first made: they are made in the order
    # cell-by-cell writing made them (row by row, each row's values in their own order, a cell's
    # plain style before its date format), so styles.xml and every s="…" come out the same.

    def _pending(self, specs: list[tuple]) -> dict[tuple, list[tuple]]:
        """The styles these columns may need that the workbook lacks yet -> the columns that may."""
        pending: dict[tuple, list[tuple]] = {}
        for spec in specs:
            column, wrap = spec[3], spec[4]
            keys = [(wrap, None)]
            if column.kind is Kind.DATE:
                keys.append((wrap, DATE_FORMAT))
            elif column.kind is Kind.DATETIME:
                keys.append((wrap, DATETIME_FORMAT))
            for key in keys:
                if key not in self._ids:
                    pending.setdefault(key, []).append(spec)
        return pending

    def _cell_styles(self, text: str, spec: tuple) -> list[tuple]:
        """The styles a cell of this column with this text makes, in the order it makes them."""
        column, wrap, typed = spec[3], spec[4], spec[5]
        if not typed:
            return [(wrap, None)]
        number_format = self._typed_of(text, column)[1]
        return [(wrap, None)] if number_format is None else [(wrap, None), (wrap, number_format)]

    def _makes_style(self, values: Mapping[str, str], pending: dict[tuple, list[tuple]]) -> bool:
        """Whether a cell of this row makes a style the workbook lacks (few columns to look at)."""
        return any(
            key in self._cell_styles(text, spec)
            for key, specs in pending.items()
            for spec in specs
            if (text := values.get(spec[0]))
        )

    def _make_styles(
        self, values: Mapping[str, str], specs: list[tuple], pending: dict[tuple, list[tuple]]
    ) -> dict[tuple, list[tuple]]:
        """Make this row's new styles in its values' order; the styles still pending after it."""
        by_name = {spec[0]: spec for spec in specs}
        for name, text in values.items():
            spec = by_name.get(name)
            if spec is not None and text:
                for key in self._cell_styles(text, spec):
                    self._style(*key)
        return {key: specs for key, specs in pending.items() if key not in self._ids}

    def _typed_of(self, text: str, column: Column) -> tuple:
        """(value, number format) of a date or number column's text: the same dates recur on
        thousands of rows, so each text is typed once."""
        seen = self._typed.get((text, column.kind))
        if seen is None:
            value, number_format = typed_value(text, column)
            if isinstance(value, date):
                value = to_excel(value, self.ws.parent.epoch)
            seen = self._typed[text, column.kind] = (value, number_format)
        return seen

    def _typed_tail(self, text: str, column: Column, wrap: bool, style: int) -> str:
        """A date or number column's cell after its reference's row number (its style made already)."""
        value, number_format = self._typed_of(text, column)
        if number_format is not None:
            style = self._ids[wrap, number_format]
        if value is None:
            return f'" s="{style}" t="n"/>'
        if type(value) is str:
            return _text_tail(value, style)
        return f'" s="{style}" t="n"><v>{safe_string(value)}</v></c>'

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
        body = "".join(self.rows).encode("utf-8")
        end = xml.rfind(b"</sheetData>")
        if end >= 0:
            head, body, tail = xml[:end], body, xml[end:]
        elif (empty := xml.find(b"<sheetData/>")) >= 0:
            head, body, tail = xml[:empty] + b"<sheetData>", body, b"</sheetData>" + xml[empty + len(b"<sheetData/>"):]
        else:
            raise StoreError(f"лист «{self.ws.title}»: openpyxl записал его без данных (sheetData)")
        # the used range is stated before the data: only the head is searched and copied
        head = _DIMENSION.sub(lambda m: b'<dimension ref="%s"/>' % self._dimension(m.group(1)), head, count=1)
        return b"".join((head, body, tail))

    def _dimension(self, ref: bytes) -> bytes:
        """The used range openpyxl stated, grown to hold these rows."""
        low_col, low_row, high_col, high_row = self._bounds
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii"))
        if len(self.ws._cells) == 0:  # openpyxl says A1:A1 for a sheet without cells
            min_col, min_row, max_col, max_row = low_col, low_row, high_col, high_row
        text = (
            f"{get_column_letter(min(min_col, low_col))}{min(min_row, low_row)}:"
            f"{get_column_letter(max(max_col, high_col))}{max(max_row, high_row)}"
        )
        return text.encode("ascii")


def _text_tail(text: str, style: int) -> str:
    """A text cell after its reference's row number (``typed_value``'s answer for text, without its checks:
    most cells of a first load)."""
    if not text.isprintable():  # printable text has none of UNSTORABLE's characters: no search
        text = UNSTORABLE.sub("\ufffd", text)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        text = text.translate(_ESCAPE)
    return f'" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


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
