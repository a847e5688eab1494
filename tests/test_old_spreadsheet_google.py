"""An older programme spreadsheet on Google converges without ``init`` (see test_old_workbook)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sheets.schema import PAIRS
from sync.config import Config
from sync.google.setup import GoogleServices
from tests.conftest import NOW
from tests.fake_google import FakeGoogle
from tests.test_google_sync import programme, seed_demo, services, sync  # noqa: F401 - fixtures

pytest_plugins = ["tests.fake_google.fixtures"]


def test_an_old_spreadsheet_on_google_converges_too(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle, tmp_path: Path  # noqa: F811
) -> None:
    seed_demo(fake_google, programme, tmp_path)
    sync(programme, services)
    sid = programme.google.spreadsheet_id
    sheet = fake_google.sheets.sheet(sid, PAIRS.title)
    for header in ("ФИО наставляемых", "ФИО наставника"):
        col = fake_google.sheets.grid(sid, PAIRS.title)[0].index(header)
        fake_google.sheets._delete_dimension(sheet, "COLUMNS", col, col + 1)
    width = len(fake_google.sheets.grid(sid, PAIRS.title)[0])
    fake_google.sheets._delete_dimension(sheet, "COLUMNS", width, sheet.cols)  # a grid with no room left
    later = NOW + timedelta(days=1)
    report = sync(programme, services, now=later)
    assert "столбец «ФИО наставника» на листе «Пары»" in report.written.added
    head = fake_google.sheets.grid(sid, PAIRS.title)[0]
    assert head[width:] == ["ФИО наставника", "ФИО наставляемых"]
    assert fake_google.count("sheets.batchUpdate") >= 1  # the grid grew by the columns
    fake_google.clear_calls()
    assert sync(programme, services, now=later + timedelta(minutes=5)).written is None
    assert fake_google.count("sheets.values.batchUpdate") == 0
