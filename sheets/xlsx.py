"""The local store: every registry in one .xlsx workbook (openpyxl).

Reads by header, writes only the cells that changed, by key and header; keeps staff columns,
column and row order, formatting and every cell the job does not own. Saves atomically.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from collections.abc import Sequence
from copy import copy
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineError, CalamineWorkbook

from sheets.changes import ChangeSet
from sheets.charts import ChartSpec, resolve
from sheets.guide import GUIDE_HEADER, GUIDE_TITLE, GUIDE_WIDTHS, guide_rows
from sheets.layout import header_map, key_index, place, row_cells, sheets_to_write, snapshot_from_grids
from sheets.look import PRINT_SETUP, header_colour, wraps
from sheets.schema import (
    DROPDOWN_TITLE,
    REGISTRIES,
    Column,
    SheetSchema,
    dropdown_message,
    has_dropdown,
)
from sheets.store import SchemaMismatch, Snapshot, StoreBusy, StoreError, WriteReport
from sheets.xlsx_charts import add_chart, existing_titles
from sheets.xlsx_file import MSG_CHANGED, STALE_SECONDS, StoreChanged, WorkbookFile
from sheets.xlsx_patch import Unpatchable, patch
from sheets.xlsx_rows import TOP, WRAP, NewRows, row_height, save_with_rows, typed_value, wrapped_lines

STATUS_COLOURS = {
    "выполнено": "C6EFCE",
    "в работе": "FFEB9C",
    "просрочено": "FFC7CE",
    "утверждена": "C6EFCE",
    "предложена": "FFEB9C",
    "отклонена": "FFC7CE",
    "открыто": "FFC7CE",
}
# Lists and status colours reach Excel's last row: a district's registries run past any smaller
# bound (with 5,000, rows from 5,001 of a 12,000-participant programme had neither).
DROPDOWN_ROWS = 1_048_576
OLD_DROPDOWN_ROWS = (5000,)  # the bounds earlier versions wrote, replaced by init


# What reading a damaged .xlsx raises: a broken zip, a member that does not inflate (zlib), XML
# cut short (lxml's errors are SyntaxErrors), a part missing (KeyError), a value that is not one.
DAMAGED = (zipfile.BadZipFile, zlib.error, SyntaxError, KeyError, ValueError)


def lock_files(path: Path) -> list[Path]:
    """Lock files that Excel and LibreOffice leave beside a workbook they have open."""
    return [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]


class XlsxStore:
    """Registries in a local workbook."""

    backend = "local"
    bounded_writes = False  # a local file has no request size: a backlog is written at once
    stream_rows = True  # rows below all the sheet holds go as XML (False: every cell by openpyxl)
    patch_cells = True  # changes go into the sheets' XML in place (sheets.xlsx_patch); False: openpyxl

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.file = WorkbookFile(self.path)

    def tidy(self) -> None:
        """Remove the temp copies a killed run left (a quiet run, which reads nothing, too)."""
        self.file.remove_stale_temps(min_age=STALE_SECONDS)

    def fingerprint(self) -> str:
        """A digest of the workbook's bytes as they are now ("" when it cannot be read): the
        job compares it with the last complete run's to skip a run where nothing changed."""
        try:
            with self.path.open("rb") as f:
                return hashlib.file_digest(f, "blake2b").hexdigest()[:32]
        except OSError:
            return ""

    # reading ---------------------------------------------------------------------------

    def read_all(self) -> Snapshot:
        """Read every registry sheet of the workbook (one open of the file).

        Reading uses calamine (about ten times faster than openpyxl on large registries);
        writing keeps formatting, validation and staff's formulas (in place, or through openpyxl).
        A damaged part (a sheet's XML cut short, a compressed member that does not inflate) is
        the Russian «broken workbook» message, whichever sheet it is in.
        """
        self._require()
        self.file.remove_stale_temps(min_age=STALE_SECONDS)
        data = self.file.read()  # remembered: the write replaces only this very file
        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
            grids = {
                schema.name: wb.get_sheet_by_name(schema.title).to_python(skip_empty_area=False)
                if schema.title in wb.sheet_names
                else None
                for schema in REGISTRIES
            }
        except (CalamineError, OSError, ValueError) as exc:
            raise self.file.unreadable(exc) from exc
        return snapshot_from_grids(self.path.name, grids)

    # writing ---------------------------------------------------------------------------

    def write(self, changes: ChangeSet) -> WriteReport:
        """Apply the changes and save the workbook atomically; nothing is saved on error."""
        report = WriteReport()
        if not changes:
            return report
        self._check_not_open()
        data = self._read(check=True)
        if self.patch_cells:
            try:
                book, patched = patch(data, changes, self.path.name)
            except Unpatchable:  # what only openpyxl writes here (a header, a merged cell): below
                pass
            except DAMAGED as exc:  # never through openpyxl: it may read a sheet cut short as a short sheet
                raise self.file.unreadable(exc) from exc
            else:
                self.file.save(book.save)
                return patched
        wb = self._load(data, read_only=False)
        planned = []
        problems: list[str] = []
        style_ids: dict = {}  # (wrap, number format) -> this book's style id, for rows written as XML
        for schema, own in sheets_to_write(changes, wb.sheetnames, problems):
            ws = wb[schema.title]
            head = [c.value for c in ws[1]] if ws.max_row >= 1 else []
            key_idx = key_index(schema, head)
            keys = (
                [ws.cell(r, key_idx).value for r in range(2, ws.max_row + 1)] if key_idx else []
            )
            rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)] if own.assigns else None
            try:
                placed = place(schema, head, keys, own, _last_used_row(ws), rows)
            except SchemaMismatch as exc:
                problems.append(str(exc))
                continue
            # Rows below everything openpyxl holds go to ``fresh`` as XML; the rest cell by cell.
            fresh = NewRows(ws, style_ids) if self.stream_rows else None
            split = next((i for i, (row, _v) in enumerate(placed.rows) if fresh.holds(row)),
                         len(placed.rows)) if fresh is not None else len(placed.rows)
            writes = placed.writes + row_cells(placed.rows[:split], placed.mapping)
            planned.append((schema, ws, writes, fresh, placed.rows[split:], placed.mapping))
            report.skipped += placed.skipped
        if problems:
            raise SchemaMismatch(f"{self.path.name}: " + "; ".join(problems) + "; ничего не записано")
        merged = [m for schema, ws, writes, *_rest in planned if (m := _merged_targets(ws, schema, writes))]
        if merged:
            raise StoreError(f"{self.path.name}: " + "; ".join(merged) + "; ничего не записано")
        styles: dict = {}  # the style a fresh cell ends with, per kind of write (this book's ids)
        new_rows = []
        for schema, ws, writes, fresh, streamed, mapping in planned:
            lines: dict[int, int] = {}
            looks = {c.name: (c, wraps(c)) for c in schema.columns}
            for row, col, text, name in writes:
                column, wrap = looks[name]
                if row == 1:  # an optional column this older sheet lacked (place_changes)
                    _add_header(ws, col, column)
                    report.added.append(f"столбец «{column.header}» на листе «{schema.title}»")
                    continue
                _set_text(ws.cell(row, col), text, column, styles)
                if wrap:
                    lines[row] = max(lines.get(row, 1), wrapped_lines(text, column.width))
            for row, count in lines.items():  # wrapped text shows whole (not every viewer fits rows)
                height = row_height(count)
                if height is not None and (ws.row_dimensions[row].height or 0) < height:
                    ws.row_dimensions[row].height = height
            report.cells += sum(1 for w in writes if w.row > 1)
            if streamed:
                columns = [(col, looks[name][0]) for name, col in mapping.items()]
                report.cells += fresh.add_rows(streamed, columns)
                new_rows.append(fresh)
        report.rows = len(changes.appends)
        rows = [r for r in new_rows if r]
        self.file.save(lambda tmp: save_with_rows(wb, tmp, rows) if rows else wb.save(tmp))
        return report

    # creating --------------------------------------------------------------------------

    def create(self) -> list[str]:
        """Create the workbook with every registry, or repair an existing one; what was added.

        A missing sheet is created; a missing column (one a newer version of the schema has) is
        added at the right end of its sheet. A renamed header looks missing too, so every
        addition is reported for a person to check. Dropdowns are made strict where they are not.
        """
        added: list[str] = []
        if self.path.exists():
            self._check_not_open()
            wb = self._open(read_only=False)
        else:
            wb = Workbook()
            wb.remove(wb.active)
        for schema in REGISTRIES:
            if schema.title not in wb.sheetnames:
                _format_sheet(wb.create_sheet(schema.title), schema)
                added.append(f"лист «{schema.title}»")
                continue
            ws = wb[schema.title]
            mapping, _problems = header_map(schema, [c.value for c in ws[1]])
            for column in schema.columns:
                if column.name in mapping:
                    continue
                idx = max(ws.max_column, 1) + 1 if ws.max_row >= 1 and ws.cell(1, 1).value else 1
                _add_header(ws, idx, column, dropdown=False)  # repair_dropdowns below adds the list
                mapping[column.name] = idx
                added.append(f"столбец «{column.header}» на листе «{schema.title}»")
            added += repair_dropdowns(ws, schema, mapping)
        fresh = GUIDE_TITLE not in wb.sheetnames
        _write_guide(wb)
        if fresh and self.path.exists():
            added.append(f"лист «{GUIDE_TITLE}»")
        if added or not self.path.exists():
            self._save(wb)
        return added

    def add_charts(self, sheet: str, specs: Sequence[ChartSpec]) -> list[str]:
        """Add the charts a sheet lacks (by title) over its rows as they stand; what was added.

        Made once: a chart already there is left alone, so staff's resizing and moving stays.
        Raises ChartLayoutError (Russian) when a chart's rows are missing or out of order.
        """
        self._check_not_open()
        wb = self._open(read_only=False)
        schema = next(s for s in REGISTRIES if s.name == sheet)
        if schema.title not in wb.sheetnames:
            raise SchemaMismatch(f"{self.path.name}: нет листа «{schema.title}»")
        ws = wb[schema.title]
        have = existing_titles(ws)
        wanted = [spec for spec in specs if spec.title not in have]
        if not wanted:
            return []
        head = [c.value for c in ws[1]]
        key_idx = next((i for i, v in enumerate(head, 1) if v == schema.header(schema.key)), None)
        keys = [ws.cell(r, key_idx).value for r in range(2, ws.max_row + 1)] if key_idx else []
        for spec in wanted:
            add_chart(ws, spec, resolve(spec, schema, head, keys))
        self._save(wb)
        return [spec.title for spec in wanted]

    # plumbing --------------------------------------------------------------------------

    def _require(self) -> None:
        if not self.path.exists():
            raise StoreError(
                f"нет книги {self.path}; создайте ее командой «nastavnik init» или укажите путь в "
                "nastavnik.toml (registry)"
            )

    def _check_not_open(self) -> None:
        names = {*lock_files(self.path), *lock_files(self.file.target)}
        for lock in sorted(names):
            if lock.exists():
                raise StoreBusy(
                    f"книга {self.path.name} открыта в Excel или LibreOffice (есть файл {lock.name}); "
                    "закройте ее и повторите запуск"
                )

    def _open(self, read_only: bool, check: bool = False):
        """The workbook for openpyxl, from bytes read now; with ``check``, only if they are
        still those ``read_all`` read (a staff save in between: StoreChanged)."""
        return self._load(self._read(check), read_only)

    def _read(self, check: bool) -> bytes:
        """The workbook's bytes now; with ``check``, only if they are still those ``read_all``
        read (a staff save in between: StoreChanged)."""
        self._require()
        seen = self.file.seen
        data = self.file.read()
        if check and seen is not None and self.file.seen != seen:
            raise StoreChanged(MSG_CHANGED.format(name=self.path.name))
        return data

    def _load(self, data: bytes, read_only: bool):
        try:
            return load_workbook(io.BytesIO(data), read_only=read_only, data_only=False)
        except (*DAMAGED, OSError, TypeError) as exc:
            raise self.file.unreadable(exc) from exc

    def _save(self, wb: Workbook) -> None:
        self.file.save(wb.save)


def _merged_targets(ws: Worksheet, schema: SheetSchema, writes: Sequence) -> str:
    """Cells the job would write that are part of a merged range (openpyxl cannot, and staff
    would lose what the range shows), said by sheet and cell; empty when there are none."""
    if not ws.merged_cells.ranges:  # no range, no merged cell (and no cell made just to look)
        return ""
    held = ws.max_row  # a merged cell is a cell openpyxl holds: none is below its last row
    hit = sorted({(w.row, w.col) for w in writes if w.row <= held and isinstance(ws.cell(w.row, w.col), MergedCell)})
    if not hit:
        return ""
    cells = ", ".join(f"{get_column_letter(c)}{r}" for r, c in hit[:10]) + (" …" if len(hit) > 10 else "")
    ranges = ", ".join(
        str(m) for m in ws.merged_cells.ranges if any((r, c) in _cells_of(m) for r, c in hit)
    )
    return (
        f"на листе «{schema.title}» задание должно записать ячейки {cells}, а они объединены "
        f"({ranges}): разъедините их"
    )


def _cells_of(merged) -> set[tuple[int, int]]:
    rows = range(merged.min_row, merged.max_row + 1)
    return {(r, c) for r in rows for c in range(merged.min_col, merged.max_col + 1)}


def _last_used_row(ws: Worksheet) -> int:
    for row in range(ws.max_row, 1, -1):
        if any(c.value not in (None, "") for c in ws[row]):
            return row
    return 1


def _fill(column: Column) -> PatternFill:
    colour = header_colour(column)
    return PatternFill("solid", fgColor=colour, bgColor=colour)


def _add_header(ws: Worksheet, idx: int, column: Column, dropdown: bool = True) -> None:
    """A column's header added to an existing sheet, looking as a new sheet's headers do."""
    cell = ws.cell(1, idx, column.header)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    cell.fill = _fill(column)
    letter = get_column_letter(idx)
    ws.column_dimensions[letter].width = column.width
    if dropdown and has_dropdown(column):
        ws.add_data_validation(_dropdown(column, letter))


def _write_guide(wb: Workbook) -> None:
    """«Как заполнять», laid anew from the schema (the job never reads it)."""
    if GUIDE_TITLE in wb.sheetnames:
        wb.remove(wb[GUIDE_TITLE])
    ws = wb.create_sheet(GUIDE_TITLE, 0)
    for n, (cells, colour) in enumerate(guide_rows(), start=1):
        for c, text in enumerate(cells, start=1):
            cell = ws.cell(n, c, text or None)
            cell.alignment = WRAP
            if colour == "bold" or (n == 1 and c == 1):
                cell.font = Font(bold=True)
            elif colour and c in (2, 3):
                cell.fill = PatternFill("solid", fgColor=colour, bgColor=colour)
    for c, width in enumerate(GUIDE_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    header_row = next(n for n, (cells, _) in enumerate(guide_rows(), start=1) if cells == GUIDE_HEADER)
    ws.freeze_panes = f"A{header_row + 1}"
    _print_setup(ws, header_row)


def _print_setup(ws: Worksheet, header_row: int = 1) -> None:
    """Landscape, one page wide, the header row on every page (``PRINT_SETUP``)."""
    setup = PRINT_SETUP
    if setup.landscape:
        ws.page_setup.orientation = "landscape"
    if setup.fit_to_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    if setup.repeat_header_rows:
        ws.print_title_rows = f"{header_row}:{header_row + setup.repeat_header_rows - 1}"


def _set_text(cell, text: str, column: Column, styles: dict | None = None) -> None:
    """Write a value so it reads back as the same text; never as a formula.

    Dates are real date cells shown ДД.ММ.ГГГГ (they read back as the same ISO text); long
    text wraps (``typed_value`` says how). ``styles`` (one per workbook) remembers the style a
    cell without one ends with.
    """
    value, number_format = typed_value(text, column)
    _style(cell, wraps(column), number_format, styles)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # a leading "=" stays text, as Sheets' RAW input does


def _style(cell, wrap: bool, number_format: str | None, styles: dict | None) -> None:
    """Wrap the cell (or align it to the top) and give it the number format, keeping the rest of its style.

    Setting a style part looks it up in the workbook's style lists, a large share of a big
    write; a cell without any style ends with the same style whatever the cell, so that style
    is made once and copied (as openpyxl copies styles itself: ``copy(cell._style)``).
    """
    fresh = styles is not None and not cell.has_style
    if fresh and (wrap, number_format) in styles:
        cell._style = copy(styles[wrap, number_format])
        return
    cell.alignment = WRAP if wrap else TOP  # top beside wrapped text: a row's cells start on one line
    if number_format is not None:
        cell.number_format = number_format
    if fresh:
        styles[wrap, number_format] = copy(cell._style)


def _dropdown(column: Column, letter: str) -> DataValidation:
    """A list validation over the column that refuses other values, with a Russian message."""
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(column.choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=DROPDOWN_TITLE,
        error=dropdown_message(column),
    )
    dv.add(f"{letter}2:{letter}{DROPDOWN_ROWS}")
    return dv


def repair_dropdowns(ws: Worksheet, schema: SheetSchema, mapping: dict[str, int]) -> list[str]:
    """Give each dropdown column of an existing sheet a strict list validation; what was fixed.

    A workbook made by an earlier version has lenient lists (or none where a column moved):
    its column's validation is replaced by the strict one at the column's current place.
    """
    fixed = []
    for column in schema.columns:
        if not has_dropdown(column) or column.name not in mapping:
            continue
        letter = get_column_letter(mapping[column.name])
        wanted = _dropdown(column, letter)
        current = [dv for dv in ws.data_validations.dataValidation if f"{letter}2" in dv.sqref]
        whole = f"{letter}2:{letter}{DROPDOWN_ROWS}"
        if any(dv.formula1 == wanted.formula1 and dv.showErrorMessage and dv.error == wanted.error
               and whole in str(dv.sqref) for dv in current):
            fixed += _status_colours(ws, column, letter, schema.title)
            continue
        for dv in current:
            ws.data_validations.dataValidation.remove(dv)
        ws.add_data_validation(wanted)
        fixed.append(f"выпадающий список «{column.header}» на листе «{schema.title}»")
        fixed += _status_colours(ws, column, letter, schema.title)
    return fixed


def _status_colours(ws: Worksheet, column: Column, letter: str, title: str = "") -> list[str]:
    """Colour a status column's values down to the last row; what was fixed (named by ``title``).

    Rules an earlier version bounded at row 5,000 are replaced; a column that has them whole is
    left as it is.
    """
    coloured = [(v, c) for v, c in STATUS_COLOURS.items() if v in column.choices]
    if not (has_dropdown(column) and column.name in ("status", "manual_status") and coloured):
        return []
    whole = f"{letter}2:{letter}{DROPDOWN_ROWS}"
    old = {f"{letter}2:{letter}{n}" for n in OLD_DROPDOWN_ROWS}
    present = {str(cf.sqref) for cf in ws.conditional_formatting}
    if whole in present:
        return []
    for cf in [cf for cf in ws.conditional_formatting if str(cf.sqref) in old]:
        del ws.conditional_formatting._cf_rules[cf]  # openpyxl has no public way to drop a range's rules
    for value, colour in coloured:
        ws.conditional_formatting.add(whole, FormulaRule(
            formula=[f'{letter}2="{value}"'], fill=PatternFill("solid", fgColor=colour, bgColor=colour)))
    return [f"цвета статусов «{column.header}» на листе «{title}»"] if title else []


def _format_sheet(ws: Worksheet, schema: SheetSchema) -> None:
    ws.append([c.header for c in schema.columns])
    for idx, column in enumerate(schema.columns, start=1):
        cell = ws.cell(1, idx)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.fill = _fill(column)
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = column.width
        if has_dropdown(column):
            ws.add_data_validation(_dropdown(column, letter))
        _status_colours(ws, column, letter)
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 45  # room for a wrapped header
    _print_setup(ws)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(schema.columns))}1"
    if schema.hidden:
        ws.sheet_state = "hidden"
