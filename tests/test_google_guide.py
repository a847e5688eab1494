"""«Как заполнять» on Google: made with the spreadsheet, kept to the schema, never rewritten for nothing."""

from __future__ import annotations

from typing import Any

from sheets.guide import GUIDE_HEADER, GUIDE_TITLE, guide_rows
from sheets.look import OWNER_COLOURS, OWNER_WORDS
from sheets.schema import PAIRS, Owner
from sync.google.guide import wanted_text
from sync.google.look import _colour
from sync.google.setup import create_spreadsheet, ensure_spreadsheet
from tests.fake_google import FakeGoogle

pytest_plugins = ["tests.fake_google.fixtures"]


def test_the_guide_is_the_first_sheet_with_the_colour_legend(gspread_fake: Any, fake_google: FakeGoogle) -> None:
    sid = create_spreadsheet(gspread_fake, "Программа").spreadsheet_id
    book = fake_google.sheets.get(sid)
    assert book.sheets[0].title == GUIDE_TITLE
    grid = fake_google.sheets.grid(sid, GUIDE_TITLE)
    assert grid == wanted_text()
    sheet = book.sheets[0]
    header_row = next(n for n, (cells, _c) in enumerate(guide_rows()) if cells == GUIDE_HEADER)
    assert sheet.properties["gridProperties"]["frozenRowCount"] == header_row + 1
    for owner in Owner:  # the legend: each owner's words on its header colour
        row = next(n for n, r in enumerate(grid) if len(r) > 2 and r[2] == OWNER_WORDS[owner] and not r[0])
        assert sheet.format_at(row, 2)["backgroundColor"] == _colour(OWNER_COLOURS[owner])
    # every column of «Пары» is listed, on the colour of who fills it (as its header on «Пары»)
    pairs_sheet = book.sheet_by_title(PAIRS.title)
    for column in PAIRS.columns:
        row = next(n for n, r in enumerate(grid) if r[:2] == [PAIRS.title, column.header])
        assert grid[row][2] == OWNER_WORDS[column.owner]
        colour = sheet.format_at(row, 1)["backgroundColor"]
        head = next(c for (r, c), cell in pairs_sheet.cells.items() if r == 0 and cell.value == column.header)
        assert pairs_sheet.format_at(0, head)["backgroundColor"] == colour
    assert "одно из: предложена" in grid[next(n for n, r in enumerate(grid) if r[:2] == [PAIRS.title, "Статус"])][3]


def test_a_second_init_sends_nothing_and_an_edited_guide_is_put_back(
    gspread_fake: Any, fake_google: FakeGoogle
) -> None:
    sid = create_spreadsheet(gspread_fake, "Программа").spreadsheet_id
    fake_google.clear_calls()
    assert ensure_spreadsheet(gspread_fake, sid).requests == 0
    assert fake_google.count("sheets.batchUpdate") == 0
    before = wanted_text()
    fake_google.sheets.set_values(sid, GUIDE_TITLE, [["испорчено", "", "", "", "лишнее"]], "A10")
    fake_google.sheets.set_values(sid, GUIDE_TITLE, [["хвост"]], f"A{len(before) + 20}")
    report = ensure_spreadsheet(gspread_fake, sid)
    assert f"лист «{GUIDE_TITLE}» обновлен по схеме" in report.repaired
    assert fake_google.sheets.grid(sid, GUIDE_TITLE) == before  # the stray cells are cleared
    assert ensure_spreadsheet(gspread_fake, sid).requests == 0


def test_an_existing_spreadsheet_without_the_guide_gets_it(gspread_fake: Any, fake_google: FakeGoogle) -> None:
    sid = create_spreadsheet(gspread_fake, "Программа").spreadsheet_id
    book = fake_google.sheets.get(sid)
    book.sheets = [s for s in book.sheets if s.title != GUIDE_TITLE]  # made before the guide existed
    report = ensure_spreadsheet(gspread_fake, sid)
    assert f"добавлен лист «{GUIDE_TITLE}»" in report.repaired
    assert fake_google.sheets.grid(sid, GUIDE_TITLE) == wanted_text()
    assert ensure_spreadsheet(gspread_fake, sid).requests == 0


def test_headers_painted_by_an_older_version_take_their_owners_colour(
    gspread_fake: Any, fake_google: FakeGoogle
) -> None:
    sid = create_spreadsheet(gspread_fake, "Программа").spreadsheet_id
    sheet = fake_google.sheets.sheet(sid, PAIRS.title)
    col = fake_google.sheets.grid(sid, PAIRS.title)[0].index("Ссылка на ИПР")  # staff's, once grey (job)
    sheet.formats[(0, col)]["backgroundColor"] = _colour(OWNER_COLOURS[Owner.JOB])
    report = ensure_spreadsheet(gspread_fake, sid)
    assert report.requests == 1
    assert sheet.format_at(0, col)["backgroundColor"] == _colour(OWNER_COLOURS[Owner.STAFF])
    assert sheet.format_at(0, col)["textFormat"] == {"bold": True}  # the rest of the header's look stays
    assert ensure_spreadsheet(gspread_fake, sid).requests == 0
