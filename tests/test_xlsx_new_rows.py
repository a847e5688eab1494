"""Rows written as XML (sheets.xlsx_rows) make the very workbook openpyxl made cell by cell.

Each case runs the same programme twice, once as main did before (every cell through openpyxl:
``XlsxStore.stream_rows = False``) and once as it does now, and compares what a curator would
see: every cell's value, type, number format, font, fill, alignment, border and protection; row
heights, column widths, frozen panes, filters, data validations, conditional formats, print
setup, hidden sheets, merges, charts, and the used range; calamine reads the same grids too.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from sheets.xlsx import XlsxStore
from sheets.xlsx_rows import NewRows
from sync.config import Config
from tests.conftest import sync_once


def look(path: Path) -> dict:
    """What a curator sees of a workbook, sheet by sheet, in comparable values."""
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                cells[c.coordinate] = (
                    c.value, c.data_type, c.number_format, repr(c.font), repr(c.fill), repr(c.alignment),
                    repr(c.border), repr(c.protection),
                )
        out[ws.title] = {
            "cells": cells,
            "rows": {k: (d.height, d.hidden) for k, d in ws.row_dimensions.items() if d.height or d.hidden},
            "cols": {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items()},
            "validations": sorted(
                (str(v.sqref), v.type, v.formula1, v.error, v.errorTitle, v.showErrorMessage, v.errorStyle)
                for v in ws.data_validations.dataValidation
            ),
            "conditional": sorted(
                (str(k.sqref), repr([(r.formula, repr(r.dxf)) for r in rules]))
                for k, rules in ws.conditional_formatting._cf_rules.items()
            ),
            "sheet": (
                ws.freeze_panes, ws.sheet_state, ws.auto_filter.ref, ws.print_title_rows, ws.page_setup.orientation,
                ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage,
                len(ws._charts), ws.protection.sheet, ws.dimensions, sorted(str(m) for m in ws.merged_cells.ranges),
            ),
        }
    return out


def grids(path: Path) -> dict:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def both_ways(
    monkeypatch: pytest.MonkeyPatch, one: Config, other: Config, between=None, in_place: bool = False
) -> tuple[Path, Path]:
    """Sync ``one`` cell by cell through openpyxl (main before) and ``other`` with new rows as
    XML (or, ``in_place``, with every change written into the sheets' XML: sheets.xlsx_patch);
    ``between(config)`` runs before a second sync of each. The two workbooks."""
    with monkeypatch.context() as patch:
        patch.setattr(XlsxStore, "stream_rows", False)
        patch.setattr(XlsxStore, "patch_cells", False)
        sync_once(one)
        if between is not None:
            between(one)
            sync_once(one)
    from sheets.xlsx_patch import Book

    saved = []
    with monkeypatch.context() as patch:
        patch.setattr(XlsxStore, "patch_cells", in_place)
        real = Book.save
        patch.setattr(Book, "save", lambda self, path: saved.append(path) or real(self, path))
        sync_once(other)
        if between is not None:
            between(other)
            sync_once(other)
    assert len(saved) == (1 + (between is not None) if in_place else 0)  # each write went the way named
    return one.registry, other.registry


def test_the_first_load_makes_the_same_workbook(
    monkeypatch: pytest.MonkeyPatch, twin_programmes: tuple[Config, Config]
) -> None:
    calls = []
    real = NewRows.add_rows
    monkeypatch.setattr(NewRows, "add_rows", lambda self, rows, *a: calls.extend(rows) or real(self, rows, *a))
    before, now = both_ways(monkeypatch, *twin_programmes)
    assert len(calls) > 200  # the rows did go as XML
    assert look(before) == look(now)
    assert grids(before) == grids(now)
    with zipfile.ZipFile(now) as book:
        sheet = next(n for n in book.namelist() if n.startswith("xl/worksheets/"))
        assert book.getinfo(sheet).compress_type == zipfile.ZIP_DEFLATED


def test_the_first_load_in_place_makes_the_same_workbook(
    monkeypatch: pytest.MonkeyPatch, twin_programmes: tuple[Config, Config]
) -> None:
    """The same first load with every cell written into the sheets' XML (no openpyxl at all)."""
    before, now = both_ways(monkeypatch, *twin_programmes, in_place=True)
    assert look(before) == look(now)
    assert grids(before) == grids(now)


def _half_the_answers(config: Config) -> dict[Path, str]:
    """Cut every export to its first half (an earlier export); the full texts, to put back."""
    full = {}
    for path in sorted(config.forms_dir.glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        full[path] = text
        out = io.StringIO()
        csv.writer(out).writerows(rows[: 1 + (len(rows) - 1) // 2])
        path.write_text(out.getvalue(), encoding="utf-8")
    return full


@pytest.mark.parametrize("in_place", [False, True], ids=["rows as XML", "in place"])
def test_a_later_run_with_staff_edits_makes_the_same_workbook(
    monkeypatch: pytest.MonkeyPatch, twin_programmes: tuple[Config, Config], in_place: bool
) -> None:
    """New answers after curators' edits: a height on an empty row far below, a merge and a
    note in a staff column below the data; rows above them go through openpyxl, rows below as XML."""
    full = {config.root: _half_the_answers(config) for config in twin_programmes}

    def edit_then_export(config: Config) -> None:
        wb = load_workbook(config.registry)
        ws = wb["Наставляемые"]
        last = ws.max_row
        ws.row_dimensions[last + 3].height = 40
        ws.cell(last + 5, 40, "звонили маме")
        ws.merge_cells(start_row=last + 6, start_column=41, end_row=last + 7, end_column=42)
        wb["Согласия"].row_dimensions[wb["Согласия"].max_row + 2].height = 33
        wb.save(config.registry)
        for path, text in full[config.root].items():
            path.write_text(text, encoding="utf-8")

    before, now = both_ways(monkeypatch, *twin_programmes, between=edit_then_export, in_place=in_place)
    assert look(before) == look(now)
    assert grids(before) == grids(now)
    mentees = load_workbook(now)["Наставляемые"]
    assert mentees.merged_cells.ranges and mentees.max_row > min(r.min_row for r in mentees.merged_cells.ranges)


def test_the_comparison_sees_a_lost_format_or_validation(
    tmp_path: Path, twin_programmes: tuple[Config, Config]
) -> None:
    """The comparison above can fail: a date without its format, a list without its check."""
    config = twin_programmes[0]
    sync_once(config)
    reference = look(config.registry)
    for spoil in ("format", "validation"):
        copy = tmp_path / f"{spoil}.xlsx"
        shutil.copy(config.registry, copy)
        wb = load_workbook(copy)
        ws = wb["Согласия"]
        if spoil == "format":
            dated = next(c for row in ws.iter_rows(min_row=2) for c in row if c.is_date)
            dated.number_format = "General"
        else:
            ws.data_validations.dataValidation.pop()
        wb.save(copy)
        assert look(copy) != reference, spoil


LIBREOFFICE_BOOK = Path(__file__).parent / "data" / "libreoffice_half.xlsx"


def _flags(seen: dict) -> dict:
    """``look`` with a format flag set to false read as unset: LibreOffice writes
    ``wrapText="false"`` where openpyxl writes nothing, and openpyxl's save drops it from the
    cells it did not write; in place they stay as LibreOffice wrote them. Either shows the same."""
    import re

    def plain(value):
        return re.sub(r"(shrinkToFit|wrapText)=(False|None)", r"\1=-", value) if isinstance(value, str) else value

    return {title: {**sheet, "cells": {ref: tuple(plain(v) for v in cell) for ref, cell in sheet["cells"].items()}}
            for title, sheet in seen.items()}


def test_a_book_libreoffice_saved_is_written_in_place_as_openpyxl_writes_it(
    monkeypatch: pytest.MonkeyPatch, twin_programmes: tuple[Config, Config]
) -> None:
    """A curator's book as LibreOffice Calc saves it (shared strings, its own styles and XML
    flavour; made by a first run on half the answers, pairs approved and coloured, a note and a
    merge below the data; tests/data/libreoffice_half.xlsx), then the rest of the answers."""
    full = {config.root: _half_the_answers(config) for config in twin_programmes}
    for config in twin_programmes:
        shutil.copy(LIBREOFFICE_BOOK, config.registry)
        for path, text in full[config.root].items():
            path.write_text(text, encoding="utf-8")
    before, now = both_ways(monkeypatch, *twin_programmes, in_place=True)
    with zipfile.ZipFile(LIBREOFFICE_BOOK) as book:
        assert "xl/sharedStrings.xml" in book.namelist()
    assert _flags(look(before)) == _flags(look(now))
    assert grids(before) == grids(now)
    for title, sheet in look(now).items():  # the book did take the new answers
        if title == "Обработанные ответы":
            assert len(sheet["cells"]) > len(look(LIBREOFFICE_BOOK)[title]["cells"])
