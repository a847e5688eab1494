"""A run's cells written into the workbook's own XML, without loading the book into openpyxl.

openpyxl makes an object of every cell of every sheet to load a book and serialises all of them
again to save it: at 12,000 participants (46 MB of sheet XML) a run that changed 2,000 cells
took 33-39 s of CPU, 90 % of it there. Here only the sheets a run changes are parsed (lxml, a
few tenths of a second each), the changed cells are replaced in place, and every other part
of the file is copied as it is: staff's formatting, validation, formulas and anything openpyxl
does not understand stay byte for byte.

The cells get what ``sheets.xlsx._set_text`` gives through openpyxl: the same typed values (dates
as date serials with the ДД.ММ.ГГГГ format, numbers as numbers, text as text, never a formula),
the cell's own style with the alignment (wrapped or top) and number format the column needs,
and rows tall enough for wrapped text. A book this module cannot read with certainty (strict
OOXML, cells without references, a sheet part missing) raises Unpatchable and the caller
writes through openpyxl as before.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from bisect import bisect_left
from datetime import date

from lxml import etree
from openpyxl.compat import safe_string
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, to_excel

from sheets.changes import ChangeSet
from sheets.layout import key_index, place, row_cells, sheets_to_write
from sheets.look import wraps
from sheets.schema import Column
from sheets.store import SchemaMismatch, WriteReport
from sheets.xlsx_rows import MAX_TEXT, row_height, typed_value, wrapped_lines
from sheets.xlsx_styles import Styles, Unpatchable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_M = f"{{{MAIN}}}"
# A write of many new rows into a book that holds fewer goes through openpyxl, whose rows below
# everything are written as XML text at once (sheets.xlsx_rows): a first load. Here each new cell
# is an element (~35 us); an existing cell costs openpyxl ~50 us to load and save, ~60 bytes of XML.
FEW_ROWS = 1000
BYTES_PER_CELL = 60
PATCH_LEVEL = 3  # deflate level of the parts written again (as sheets.xlsx_rows)
_PARSER = etree.XMLParser(huge_tree=True, remove_blank_text=False, resolve_entities=False)
_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


def _parse(data: bytes) -> etree._Element:
    """A part's XML; one that is not well-formed raises lxml's XMLSyntaxError (a damaged book)."""
    return etree.fromstring(data, _PARSER)


def _text_of(node: etree._Element | None) -> str:
    """The text of a shared or inline string: its <t>, or its runs' <t> joined (rich text)."""
    if node is None:
        return ""
    t = node.find(_M + "t")
    if t is not None:
        return t.text or ""
    return "".join(r.text or "" for r in node.iter(_M + "t"))


class Book:
    """The parts of an .xlsx a patch needs, from its bytes; the sheets are parsed on demand."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            workbook = _parse(self.zip.read("xl/workbook.xml"))
            rels = _parse(self.zip.read("xl/_rels/workbook.xml.rels"))
        except (KeyError, zipfile.BadZipFile) as exc:
            raise Unpatchable(str(exc)) from exc
        if workbook.tag != _M + "workbook":
            raise Unpatchable(f"xl/workbook.xml: {workbook.tag} (strict OOXML?)")
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{PKG_REL}}}Relationship")}
        self.parts: dict[str, str] = {}  # sheet title -> part name in the zip
        for sheet in workbook.iter(_M + "sheet"):
            self.parts[sheet.get("name", "")] = _part_of(targets.get(sheet.get(f"{{{REL}}}id"), ""))
        pr = workbook.find(_M + "workbookPr")
        mac = pr is not None and pr.get("date1904") in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if mac else CALENDAR_WINDOWS_1900
        self._shared_part = targets_by_type(rels, "sharedStrings")
        self._shared: list[str] | None = None
        styles = targets_by_type(rels, "styles")
        if styles is None:
            raise Unpatchable("в книге нет стилей (styles.xml)")
        self.styles = Styles(_parse(self.zip.read(styles)), styles)
        self.sheets: dict[str, Sheet] = {}

    def sheet_bytes(self) -> int:
        """How much sheet XML the book holds (uncompressed)."""
        parts = set(self.parts.values())
        return sum(info.file_size for info in self.zip.infolist() if info.filename in parts)

    def shared(self) -> list[str]:
        """The shared strings table, read once."""
        if self._shared is None:
            if self._shared_part is None:
                self._shared = []
            else:
                root = _parse(self.zip.read(self._shared_part))
                self._shared = [_text_of(si) for si in root.iter(_M + "si")]
        return self._shared

    def sheet(self, title: str) -> Sheet:
        """The sheet of that title, parsed (once)."""
        if title not in self.sheets:
            part = self.parts.get(title)
            if part is None or part not in self.zip.namelist():
                raise Unpatchable(f"лист «{title}»: нет части {part}")
            self.sheets[title] = Sheet(self, part, _parse(self.zip.read(part)))
        return self.sheets[title]

    def save(self, path: str) -> None:
        """The book with the changed sheets and styles written to ``path``, the rest copied."""
        changed = {s.part: s.to_bytes() for s in self.sheets.values() if s.changed}
        if self.styles.changed:
            changed[self.styles.part] = self.styles.to_bytes()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
            for info in self.zip.infolist():
                data = changed.get(info.filename)
                if data is None:
                    out.writestr(info, self.zip.read(info))
                else:
                    out.writestr(info, data, compresslevel=PATCH_LEVEL)


def targets_by_type(rels: etree._Element, kind: str) -> str | None:
    """The part a workbook relationship of this type points to (``styles``, ``sharedStrings``)."""
    for r in rels.iter(f"{{{PKG_REL}}}Relationship"):
        if r.get("Type", "").endswith("/" + kind):
            return _part_of(r.get("Target", ""))
    return None


def _part_of(target: str) -> str:
    """The zip member a workbook relationship's target names (absolute, or relative to xl/)."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


class Sheet:
    """One sheet's XML: its rows by number, read as openpyxl reads values, written in place."""

    def __init__(self, book: Book, part: str, root: etree._Element) -> None:
        self.book, self.part, self.root, self.changed = book, part, root, False
        data = root.find(_M + "sheetData")
        if data is None:
            raise Unpatchable(f"{part}: нет sheetData")
        self.data = data
        self.rows: dict[int, etree._Element] = {}
        for row in data:
            if row.tag != _M + "row":
                continue
            number = row.get("r")
            if number is None or not number.isdecimal():
                raise Unpatchable(f"{part}: строка без номера")
            self.rows[int(number)] = row
        self.numbers = sorted(self.rows)
        if self.numbers != [int(r.get("r")) for r in data if r.tag == _M + "row"]:
            raise Unpatchable(f"{part}: строки не по порядку")
        self._cells: dict[int, dict[int, etree._Element]] = {}
        self._written: tuple[int, int, int, int] | None = None  # (min col, min row, max col, max row)

    # reading ---------------------------------------------------------------------------

    def cells_of(self, row: int) -> dict[int, etree._Element]:
        """Column -> <c> of a row (empty for a row the sheet lacks)."""
        found = self._cells.get(row)
        if found is None:
            found = {}
            for c in self.rows[row] if row in self.rows else ():
                if c.tag != _M + "c":
                    continue
                ref = c.get("r")
                m = _REF.fullmatch(ref or "")
                if m is None or int(m.group(2)) != row:
                    raise Unpatchable(f"{self.part}: ячейка без адреса в строке {row}")
                found[column_index_from_string(m.group(1))] = c
            self._cells[row] = found
        return found

    def column_values(self, col: int, first: int, last: int) -> list[object]:
        """The values of one column from row ``first`` to ``last`` (None where there is no cell),
        each row's cells read only up to that column (a row's cells are in column order)."""
        out: list[object] = []
        for row in range(first, last + 1):
            cached = self._cells.get(row)
            if cached is not None or row not in self.rows:
                c = (cached or {}).get(col)
                out.append(self.value(c) if c is not None else None)
                continue
            found = None
            for c in self.rows[row]:
                m = _REF.fullmatch(c.get("r") or "") if c.tag == _M + "c" else None
                if m is None or int(m.group(2)) != row:
                    found = self.cells_of(row).get(col)  # the slow way: it says what is wrong
                    break
                at = column_index_from_string(m.group(1))
                if at >= col:
                    found = c if at == col else None
                    break
            out.append(self.value(found) if found is not None else None)
        return out

    def value(self, c: etree._Element) -> object:
        """The cell's value as openpyxl (not data-only) reads it."""
        f = c.find(_M + "f")
        if f is not None and f.text:
            return "=" + f.text
        kind = c.get("t", "n")
        if kind == "inlineStr":
            return _text_of(c.find(_M + "is")) or None
        v = c.find(_M + "v")
        if v is None or v.text is None:
            return None
        text = v.text
        if kind == "s":
            shared = self.book.shared()
            return shared[int(text)] if text.isdecimal() and int(text) < len(shared) else None
        if kind in ("str", "e"):
            return text
        if kind == "b":
            return text in ("1", "true")
        if kind == "d":
            return text
        try:
            number: float | int = int(text) if re.fullmatch(r"-?[0-9]+", text) else float(text)
        except ValueError:
            return text
        style = c.get("s")
        if style and style.isdecimal() and is_date_format(self.book.styles.number_format_of(int(style))):
            try:
                return from_excel(number, self.book.epoch)  # a date cell, as openpyxl reads it
            except (ValueError, OverflowError):
                return number
        return number

    def row_values(self, row: int) -> list[object]:
        """The row's values from column A to its last cell (None where there is no cell)."""
        cells = self.cells_of(row)
        if not cells:
            return []
        out: list[object] = [None] * max(cells)
        for col, c in cells.items():
            out[col - 1] = self.value(c)
        return out

    @property
    def max_row(self) -> int:
        """The last row the sheet holds (a cell, a height), as openpyxl counts it."""
        return self.numbers[-1] if self.numbers else 1

    def last_used_row(self) -> int:
        """The last row with a value (1 when there is none below the header)."""
        for row in reversed(self.numbers):
            if row > 1 and any(self.value(c) not in (None, "") for c in self.cells_of(row).values()):
                return row
        return 1

    def merged(self) -> list[tuple[int, int, int, int]]:
        """(min_col, min_row, max_col, max_row) of each merged range."""
        found = self.root.find(_M + "mergeCells")
        return [range_boundaries(m.get("ref", "A1")) for m in found if m.get("ref")] if found is not None else []

    def style_of(self, row: int, col: int) -> int:
        c = self.cells_of(row).get(col)
        return int(c.get("s", "0")) if c is not None and (c.get("s") or "0").isdecimal() else 0

    def height_of(self, row: int) -> float:
        element = self.rows.get(row)
        try:
            return float(element.get("ht")) if element is not None and element.get("ht") else 0.0
        except ValueError:
            return 0.0

    # writing ---------------------------------------------------------------------------

    def _row(self, row: int) -> etree._Element:
        element = self.rows.get(row)
        if element is None:
            element = etree.Element(_M + "row", r=str(row))
            at = bisect_left(self.numbers, row)
            if at < len(self.numbers):
                self.rows[self.numbers[at]].addprevious(element)
            else:
                self.data.append(element)
            self.numbers.insert(at, row)
            self.rows[row] = element
            self._cells[row] = {}
        return element

    def _cell(self, row: int, col: int) -> etree._Element:
        cells = self.cells_of(row)
        c = cells.get(col)
        if c is None:
            element = self._row(row)
            c = etree.Element(_M + "c", r=f"{get_column_letter(col)}{row}")
            later = [k for k in cells if k > col]
            if later:
                cells[min(later)].addprevious(c)
            else:
                element.append(c)
            cells[col] = c
            spans = element.get("spans")
            if spans is not None:
                del element.attrib["spans"]  # an optimisation hint Excel recomputes; a wrong one misleads
        return c

    def set_text(self, row: int, col: int, text: str, column: Column, wrap: bool) -> None:
        """Give a cell ``text`` as ``_set_text`` does: typed, never a formula, styled."""
        value, number_format = typed_value(text, column)
        c = self._cell(row, col)
        f = c.find(_M + "f")
        if f is not None and f.get("ref"):  # a shared or array formula's first cell: others depend on it
            raise Unpatchable(f"{self.part}: в {c.get('r')} общая формула")
        w = self._written
        self._written = (col, row, col, row) if w is None else (
            min(w[0], col), min(w[1], row), max(w[2], col), max(w[3], row))
        style = self.book.styles.derive(self.style_of(row, col), wrap, number_format)
        for child in list(c):
            c.remove(child)
        for name in [k for k in c.attrib if k not in ("r", "s")]:
            del c.attrib[name]
        c.set("s", str(style))
        if isinstance(value, date):
            value = to_excel(value, self.book.epoch)
        if isinstance(value, str):
            value = value[:MAX_TEXT]
            c.set("t", "inlineStr")
            t = etree.SubElement(etree.SubElement(c, _M + "is"), _M + "t")
            t.text = value
            if value != value.strip():
                t.set(XML_SPACE, "preserve")
        else:  # a number, or no value (an emptied cell keeps its style, as openpyxl writes it)
            c.set("t", "n")
            if value is not None:
                etree.SubElement(c, _M + "v").text = safe_string(value)
        self.changed = True

    def raise_height(self, row: int, height: float) -> None:
        """A row at least ``height`` points tall."""
        if self.height_of(row) < height:
            element = self._row(row)
            element.set("ht", safe_string(height))
            element.set("customHeight", "1")
            self.changed = True

    def to_bytes(self) -> bytes:
        """The sheet's XML, its used range grown to hold what was written."""
        dimension = self.root.find(_M + "dimension")
        if dimension is not None and self._written:
            lo_c, lo_r, hi_c, hi_r = self._written
            ref = dimension.get("ref", "")
            try:
                min_col, min_row, max_col, max_row = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
            except (ValueError, TypeError):  # no range stated, or a broken one: what was written
                min_col, min_row, max_col, max_row = lo_c, lo_r, hi_c, hi_r
            dimension.set("ref", f"{get_column_letter(min(min_col, lo_c))}{min(min_row, lo_r)}:"
                                 f"{get_column_letter(max(max_col, hi_c))}{max(max_row, hi_r)}")
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)


def patch(data: bytes, changes: ChangeSet, name: str) -> tuple[Book, WriteReport]:
    """The book ``data`` with the changes written in, unsaved, and what was written.

    The rules are ``XlsxStore.write``'s (``sheets.layout.place``: by key and header, appended
    rows below every keyed row and below staff's rows). Raises SchemaMismatch (a sheet or a
    required column missing: nothing is written) or Unpatchable when the write needs what only
    openpyxl does here: a header added, a key assigned to a row staff typed, a merged cell.
    """
    if changes.assigns:
        raise Unpatchable("ключи строкам, набранным вручную")
    book = Book(data)
    values = sum(len(a.values) for a in changes.appends)
    if len(changes.appends) > FEW_ROWS and values * BYTES_PER_CELL > book.sheet_bytes():
        raise Unpatchable("новых строк больше, чем в книге: openpyxl с новыми строками как XML быстрее")
    report = WriteReport()
    problems: list[str] = []
    planned = []
    for schema, own in sheets_to_write(changes, book.parts, problems):
        sheet = book.sheet(schema.title)
        head = sheet.row_values(1)
        key_idx = key_index(schema, head)
        keys = sheet.column_values(key_idx, 2, sheet.max_row) if key_idx else []
        try:
            placed = place(schema, head, keys, own, sheet.last_used_row(), None)
        except SchemaMismatch as exc:
            problems.append(str(exc))
            continue
        writes = placed.writes + row_cells(placed.rows, placed.mapping)
        if any(w.row == 1 for w in writes):
            raise Unpatchable(f"лист «{schema.title}»: новый столбец")
        ranges = sheet.merged()
        if ranges and any(lo_c <= w.col <= hi_c and lo_r <= w.row <= hi_r and (w.row, w.col) != (lo_r, lo_c)
                          for w in writes for lo_c, lo_r, hi_c, hi_r in ranges):
            raise Unpatchable(f"лист «{schema.title}»: объединенные ячейки")
        planned.append((schema, sheet, writes))
        report.skipped += placed.skipped
    if problems:
        raise SchemaMismatch(f"{name}: " + "; ".join(problems) + "; ничего не записано")
    for schema, sheet, writes in planned:
        looks = {c.name: (c, wraps(c)) for c in schema.columns}
        lines: dict[int, int] = {}
        for row, col, text, column_name in writes:
            column, wrap = looks[column_name]
            sheet.set_text(row, col, text, column, wrap)
            if wrap:
                lines[row] = max(lines.get(row, 1), wrapped_lines(text, column.width))
        for row, count in lines.items():  # wrapped text shows whole (not every viewer fits rows)
            height = row_height(count)
            if height is not None:
                sheet.raise_height(row, height)
        report.cells += len(writes)
    report.rows = len(changes.appends)
    return book, report
