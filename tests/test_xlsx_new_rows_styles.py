"""New rows written as XML number their styles as cell-by-cell writing did: in the order first met.

A style id is its place in the workbook's list of styles, made when first needed. Cell by cell,
the order was: row by row, each row's values in their own order (not the columns'), a date's
plain style before its date format. The rows written as XML must make them in that very order,
or every ``s="…"`` and styles.xml of a first load change (Excel shows the same, but the workbook
is not the one earlier versions wrote, byte for byte).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from sheets.changes import ChangeSet, RowAppend
from sheets.look import DATE_FORMAT, DATETIME_FORMAT, wraps
from sheets.schema import BY_NAME
from sheets.xlsx import XlsxStore
from sheets.xlsx_rows import typed_value

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SCHEMA = BY_NAME["mentors"]
# plain, wrapped, a date and a date-time column (none of them wraps), a number column
COLUMNS = ("full_name", "phone", "added_on", "updated_at", "experience_years")
TEXTS = {
    "full_name": st.sampled_from(["", "Иванова Анна", "x" * 90]),
    "phone": st.sampled_from(["", "+7 900 000-00-00"]),
    "added_on": st.sampled_from(["", "2026-11-25", "25.11.2026"]),
    "updated_at": st.sampled_from(["", "2026-11-25 14:03:12", "вчера"]),
    "experience_years": st.sampled_from(["", "7", "семь"]),
}


@st.composite
def rows(draw: st.DrawFn) -> list[tuple[tuple[str, str], ...]]:
    """Rows with some of the columns, each row's values in an order of its own."""
    out = []
    for n in range(draw(st.integers(1, 6))):
        names = draw(st.permutations(draw(st.lists(st.sampled_from(COLUMNS), unique=True))))
        values = [(name, draw(TEXTS[name])) for name in names]
        values.insert(draw(st.integers(0, len(values))), (SCHEMA.key, f"НВ-{n + 1}"))
        out.append(tuple(values))
    return out


def expected_order(drawn: list[tuple[tuple[str, str], ...]], present: set) -> list[tuple[bool, str | None]]:
    """(wrap, number format) of each style the book lacks (not in ``present``), in the order
    cell-by-cell writing first needed it."""
    order: list[tuple[bool, str | None]] = []
    for values in drawn:
        for name, text in values:
            if not text:
                continue
            column = SCHEMA.column(name)
            number_format = typed_value(text, column)[1]
            for key in [(wraps(column), None)] + ([(wraps(column), number_format)] if number_format else []):
                if key not in order and key not in present:
                    order.append(key)
    return order


def styles_of(path: Path) -> list[tuple[bool, str | None] | None]:
    """Each style of the book in id order: (wrap, number format) of a new row's kind of cell
    (default font, fill and border, aligned to the top), None for any other style."""
    with zipfile.ZipFile(path) as book:
        root = ElementTree.fromstring(book.read("xl/styles.xml"))
    formats = {f.get("numFmtId"): f.get("formatCode") for f in root.iter(MAIN + "numFmt")}
    out: list[tuple[bool, str | None] | None] = []
    for xf in root.find(MAIN + "cellXfs"):
        alignment = xf.find(MAIN + "alignment")
        plain = all(xf.get(part, "0") == "0" for part in ("fontId", "fillId", "borderId"))
        if not plain or alignment is None or alignment.get("vertical") != "top":
            out.append(None)
            continue
        out.append((alignment.get("wrapText") in ("1", "true"), formats.get(xf.get("numFmtId", "0"))))
    return out


def write_rows(path: Path, drawn: list) -> tuple[list, set]:
    """Write the rows into a new book: the styles the write added, in id order, and those the
    book had before."""
    path.unlink(missing_ok=True)
    store = XlsxStore(path)
    store.patch_cells = False  # the rows as XML after openpyxl's save (sheets.xlsx_rows), not in place
    store.create()
    before = styles_of(path)
    assert len(before) == len(load_workbook(path)._cell_styles)  # openpyxl keeps them as they were
    store.write(ChangeSet(appends=[RowAppend("mentors", values) for values in drawn]))
    return styles_of(path)[len(before):], {key for key in before if key is not None}


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(drawn=rows())
def test_styles_are_made_in_the_order_cells_meet_them(tmp_path: Path, drawn: list) -> None:
    made, present = write_rows(tmp_path / "book.xlsx", drawn)
    assert made == expected_order(drawn, present)


def test_a_row_makes_its_styles_in_its_values_order(tmp_path: Path) -> None:
    """Worked example: the row's date-time comes before its date in the row's values, so the
    date-time's format is made first (column order would make the date's first)."""
    row = (("id", "НВ-1"), ("updated_at", "2026-11-25 14:03:12"), ("added_on", "2026-11-25"))
    made, _present = write_rows(tmp_path / "book.xlsx", [row])
    assert made == [(False, None), (False, DATETIME_FORMAT), (False, DATE_FORMAT)]
