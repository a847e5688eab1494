"""Any text, in any kind of column, reads the same written as XML (sheets.xlsx_rows), in place
(sheets.xlsx_patch) and through openpyxl.

Control characters, lone surrogates, «&<>» and carriage returns, leading and trailing spaces, a
leading "=", numbers and dates that are or are not canonical, texts past a cell's 32,767
characters: the two ways must give the same cell (value, type, number format, style) and the
same row heights.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from unittest.mock import patch
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets import xlsx_rows
from sheets.changes import ChangeSet, RowAppend
from sheets.schema import BY_NAME
from sheets.xlsx import XlsxStore
from sheets.xlsx_patch import Book
from tests.test_xlsx_new_rows import look

SHEETS = ("mentors", "dashboard")  # between them every kind of column a registry has

ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=30)  # surrogates and controls too
TEXTS = st.one_of(
    ANY_TEXT,
    st.sampled_from(["", " ", "=1+2", "&<>\r\n\t", " padded ", "2026-11-25", "2026-02-30", "2026-11-25 14:03:12",
                     "25.11.2026", "007", "-12", "12345678901234567", "3,5", "3.50", "1e5", "nan", "да"]),
    st.integers(-10**6, 10**6).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat(" ", "seconds")),
    st.builds(lambda c, n: c * n, st.sampled_from(["я", "a ", "\n"]), st.integers(0, 40_000)),
)


MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def markup(path: Path) -> dict:
    """Per sheet part and cell: its type attribute and whether its text keeps its spaces
    (``xml:space``: Excel trims a text without it), which openpyxl's reading does not show."""
    out = {}
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/sheet"):
                root = ElementTree.fromstring(book.read(name))
                out[name] = {
                    c.get("r"): (c.get("t"), tuple(t.get(SPACE) for t in c.iter(MAIN + "t")))
                    for c in root.iter(MAIN + "c")
                }
    return out


def _rows(draw_texts: list[list[str]], sheet: str) -> list[RowAppend]:
    schema = BY_NAME[sheet]
    others = [c.name for c in schema.columns if c.name != schema.key]
    out = []
    for n, texts in enumerate(draw_texts, start=1):
        values = [(schema.key, f"K-{n}")] + list(zip(others, texts, strict=False))
        out.append(RowAppend(sheet, tuple(values)))
    return out


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("books")


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(rows=st.lists(st.lists(TEXTS, min_size=1, max_size=40), min_size=1, max_size=3))
def test_any_text_reads_the_same_both_ways(books: Path, rows: list[list[str]]) -> None:
    looks, marks = [], []
    for stream, in_place in ((False, False), (True, False), (False, True)):  # cells, rows as XML, in place
        path = books / f"{'xml' if stream else 'place' if in_place else 'cells'}.xlsx"
        path.unlink(missing_ok=True)
        store = XlsxStore(path)
        store.stream_rows, store.patch_cells = stream, in_place
        store.create()
        before = path.read_bytes()
        with patch.object(Book, "save", autospec=True, side_effect=Book.save) as saved:
            store.write(ChangeSet(appends=[a for sheet in SHEETS for a in _rows(rows, sheet)]))
        assert saved.called == in_place and path.read_bytes() != before  # written, the way named
        looks.append({title: sheet for title, sheet in look(path).items() if title != "Как заполнять"})
        marks.append(markup(path))
    assert looks[0] == looks[1] == looks[2]
    assert marks[0] == marks[1] == marks[2]


def test_repeated_and_unique_texts_past_the_repeat_check(books: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More rows than TAIL_CHECK (made 64 here, to keep the test quick): a column whose texts
    never repeat stops being remembered, one whose texts repeat keeps its cells' XML; either way
    the cells are those openpyxl writes."""
    monkeypatch.setattr(xlsx_rows, "TAIL_CHECK", 64)
    repeated = ["да", " с пробелом ", "&<>\r", "2026-11-25", "=1+2", "x" * 90 + "\ny"]
    texts = [[f"уникальный {n}", repeated[n % len(repeated)], str(n % 7), f"2026-10-{n % 28 + 1:02d}",
              repeated[n % 4], f"имя {n}"] for n in range(300)]
    looks, marks = [], []
    for stream in (False, True):
        path = books / f"many-{'xml' if stream else 'cells'}.xlsx"
        path.unlink(missing_ok=True)
        store = XlsxStore(path)
        store.stream_rows, store.patch_cells = stream, False
        store.create()
        store.write(ChangeSet(appends=_rows(texts, "mentors")))
        looks.append(look(path)["Наставники"])
        marks.append(markup(path))
    assert looks[0] == looks[1]
    assert marks[0] == marks[1]
    assert len(looks[1]["cells"]) > 300 * 7
