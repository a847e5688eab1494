"""Dates are real dates on Google too: serial numbers written RAW into columns formatted
ДД.ММ.ГГГГ, read back as serial numbers; text dates a person typed and older spreadsheets'
ISO text still read; ``init`` adds the formats once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sheets.changes import ChangeSet, RowAppend
from sheets.google import GoogleSheetsStore
from sheets.google_cells import DATE_PATTERN, from_serial, to_serial
from sheets.schema import CONSENTS, MENTORS, Kind
from sync.google.setup import create_spreadsheet, ensure_spreadsheet
from tests.fake_google import FakeGoogle
from tests.fake_google.grid import render_cell
from tests.fake_google.numbers import render_date

pytest_plugins = ["tests.fake_google.fixtures"]


@pytest.fixture
def sid(gspread_fake: Any) -> str:
    return create_spreadsheet(gspread_fake, "Программа наставничества").spreadsheet_id


def column(fake: FakeGoogle, sid: str, title: str, header: str) -> int:
    return fake.sheets.grid(sid, title)[0].index(header)


def test_serial_numbers_count_days_from_30_december_1899() -> None:
    # the Sheets reference's own examples (DateTimeRenderOption): 1900-01-01 noon is 2.5,
    # 1900-02-01 3 pm is 33.625
    assert to_serial("1900-01-01 12:00:00", Kind.DATETIME) == 2.5
    assert to_serial("1900-02-01 15:00:00", Kind.DATETIME) == 33.625
    assert to_serial("2026-11-25", Kind.DATE) == 46351
    assert from_serial(46351, Kind.DATE) == "2026-11-25"
    assert from_serial(33.625, Kind.DATETIME) == "1900-02-01 15:00:00"
    assert to_serial("25.11.2026", Kind.DATE) is None and to_serial("2026-11-25", Kind.TEXT) is None
    assert from_serial("46351", Kind.DATE) is None and from_serial(True, Kind.DATE) is None
    assert render_date(46351.5, "dd.mm.yyyy hh:mm:ss") == "25.11.2026 12:00:00"


def test_the_fake_renders_a_date_as_google_does() -> None:
    from tests.fake_google.grid import Cell

    cell, fmt = Cell(value=46351.0), {"numberFormat": {"type": "DATE", "pattern": DATE_PATTERN}}
    assert render_cell(cell, "FORMATTED_VALUE", fmt) == "25.11.2026"
    assert render_cell(cell, "UNFORMATTED_VALUE", fmt) == 46351  # SERIAL_NUMBER is the default
    assert render_cell(cell, "UNFORMATTED_VALUE", fmt, "FORMATTED_STRING") == "25.11.2026"
    assert render_cell(cell, "FORMATTED_VALUE", None) == "46351"  # no date format: a plain number


def test_dates_are_written_as_serial_numbers_shown_dd_mm_yyyy(
    gspread_fake: Any, sid: str, fake_google: FakeGoogle
) -> None:
    store = GoogleSheetsStore(gspread_fake, sid)
    store.write(ChangeSet(appends=[RowAppend("mentors", (
        ("id", "НС-0001"), ("full_name", "=IMPORTXML(\"http://x\")"), ("added_on", "2026-11-25"),
        ("updated_at", "2026-11-25 14:03:12")))]))
    added = column(fake_google, sid, MENTORS.title, "Дата включения")
    stamp = column(fake_google, sid, MENTORS.title, "Ответ от")
    sheet = fake_google.sheets.sheet(sid, MENTORS.title)
    assert sheet.cells[(1, added)].value == 46351.0  # a number, not the text «2026-11-25»
    assert sheet.cells[(1, 1)].value == "=IMPORTXML(\"http://x\")" and not sheet.cells[(1, 1)].is_formula
    row = fake_google.sheets.grid(sid, MENTORS.title)[1]
    assert row[added] == "25.11.2026" and row[stamp] == "25.11.2026 14:03:12"  # what staff see
    frame = store.read_all().frames["mentors"]
    assert frame.loc["НС-0001", "added_on"] == "2026-11-25"
    assert frame.loc["НС-0001", "updated_at"] == "2026-11-25 14:03:12"
    read = next(c for c in fake_google.calls if c.name == "sheets.values.batchGet")
    assert read.params["valueRenderOption"] == "UNFORMATTED_VALUE"
    assert read.params["dateTimeRenderOption"] == "SERIAL_NUMBER"


def test_a_date_typed_on_google_and_text_dates_read(gspread_fake: Any, sid: str, fake_google: FakeGoogle) -> None:
    store = GoogleSheetsStore(gspread_fake, sid)
    store.write(ChangeSet(appends=[RowAppend("consents", (("id", f"СГ-000{i}"), ("kind", "обработка ПД")))
                                   for i in (1, 2, 3)]))
    col = chr(ord("A") + column(fake_google, sid, CONSENTS.title, "Отозвано"))
    # typed in the browser (USER_ENTERED): Sheets takes «05.03.2027» for a date in ru_RU
    fake_google.sheets.set_values(sid, CONSENTS.title, [["05.03.2027"], ["2027-03-06"], ["скоро"]], f"{col}2")
    sheet = fake_google.sheets.sheet(sid, CONSENTS.title)
    assert isinstance(sheet.cells[(1, ord(col) - 65)].value, float)
    assert sheet.cells[(3, ord(col) - 65)].value == "скоро"
    frame = store.read_all().frames["consents"]
    assert list(frame["withdrawn_on"]) == ["2027-03-05", "2027-03-06", "скоро"]  # «скоро»: the typed reader's


def test_a_date_typed_into_a_text_column_stays_as_typed(gspread_fake: Any, sid: str, fake_google: FakeGoogle) -> None:
    store = GoogleSheetsStore(gspread_fake, sid)
    store.write(ChangeSet(appends=[RowAppend("roadmap", (("id", "1.1"), ("activity", "Приказ")))]))
    col = chr(ord("A") + column(fake_google, sid, "Дорожная карта", "Срок (даты)"))
    fake_google.sheets.set_values(sid, "Дорожная карта", [["15.12.2026"]], f"{col}2")  # formatted as text
    assert store.read_all().frames["roadmap"].loc["1.1", "deadline"] == "15.12.2026"


def test_an_older_spreadsheet_with_text_dates_reads_and_init_adds_the_formats_once(
    gspread_fake: Any, sid: str, fake_google: FakeGoogle
) -> None:
    sheet = fake_google.sheets.sheet(sid, MENTORS.title)
    sheet.format_ranges.clear()  # as made before dates were dates: no number formats
    store = GoogleSheetsStore(gspread_fake, sid)
    added = column(fake_google, sid, MENTORS.title, "Дата включения")
    fake_google.sheets.set_values(sid, MENTORS.title, [["НС-0001"]], "A2")
    sheet.cells[(1, added)] = type(sheet.cells[(1, 0)])(value="2026-11-25")  # RAW text, as written then
    assert store.read_all().frames["mentors"].loc["НС-0001", "added_on"] == "2026-11-25"
    report = ensure_spreadsheet(gspread_fake, sid)
    assert report.requests and any("даты ДД.ММ.ГГГГ" in n for n in report.repaired)
    fmt = sheet.format_at(5, added)
    assert fmt is not None and fmt["numberFormat"] == {"type": "DATE", "pattern": DATE_PATTERN}
    assert ensure_spreadsheet(gspread_fake, sid).requests == 0  # converged
    # the old text stays readable, and a date the job writes now is a real one
    store.write(ChangeSet(appends=[RowAppend("mentors", (("id", "НС-0002"), ("added_on", "2026-11-26")))]))
    assert sheet.cells[(2, added)].value == 46352.0
    frame = store.read_all().frames["mentors"]
    assert list(frame["added_on"]) == ["2026-11-25", "2026-11-26"]


def test_rows_appended_past_the_grid_get_the_date_format(gspread_fake: Any, sid: str, fake_google: FakeGoogle) -> None:
    store = GoogleSheetsStore(gspread_fake, sid)
    sheet = fake_google.sheets.sheet(sid, MENTORS.title)
    fake_google.sheets._delete_dimension(sheet, "ROWS", 10, sheet.rows)  # a short grid: 10 rows
    rows = sheet.rows
    base = 46351
    store.write(ChangeSet(appends=[RowAppend("mentors", (("id", f"НС-{i:04d}"), (
        "added_on", (to_date(base + i))))) for i in range(1, rows + 5)]))
    added = column(fake_google, sid, MENTORS.title, "Дата включения")
    assert sheet.rows > rows
    last = rows + 3
    assert fake_google.sheets.grid(sid, MENTORS.title)[last][added] == render_date(base + last, "dd.mm.yyyy")


def to_date(serial: int) -> str:
    from datetime import date

    return (date(1899, 12, 30) + timedelta(days=serial)).isoformat()
