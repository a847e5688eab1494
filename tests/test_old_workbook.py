"""A workbook (or spreadsheet) made before the newest optional columns existed converges without
``init``: the first run that would fill such a column adds it, once, through the store's write;
the next run writes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook

from sheets.schema import REGISTRIES
from sheets.xlsx import XlsxStore
from sync.config import Config
from tests.conftest import NOW, sync_once

OPTIONAL = {s.title: [c.header for c in s.columns if not c.required] for s in REGISTRIES}


def drop_optional_columns(path: Path) -> list[str]:
    """Delete every optional column from every sheet, as an older version's workbook lacks them."""
    wb = load_workbook(path)
    dropped = []
    for title, headers in OPTIONAL.items():
        if title not in wb.sheetnames:
            continue
        ws = wb[title]
        for idx in sorted((c.column for c in ws[1] if c.value in headers), reverse=True):
            dropped.append(f"{title}: {ws.cell(1, idx).value}")
            ws.delete_cols(idx)
    wb.save(path)
    return dropped


def test_an_old_workbook_gets_its_missing_columns_once_and_then_stays_quiet(demo_programme: Config) -> None:
    sync_once(demo_programme)
    assert drop_optional_columns(demo_programme.registry)
    later = NOW + timedelta(days=1)  # a new day: a full run, not the quiet shortcut
    report = sync_once(demo_programme, now=later)
    assert report.written is not None
    added = report.written.added
    assert "столбец «ФИО наставника» на листе «Пары»" in added
    assert "столбец «ФИО наставляемых» на листе «Пары»" in added
    ws = load_workbook(demo_programme.registry)["Пары"]
    head = [c.value for c in ws[1]]
    col = head.index("ФИО наставника") + 1
    assert ws.cell(1, col).font.bold and ws.cell(1, col).fill.fgColor.rgb.endswith("EDEDED")  # a job column
    assert all(ws.cell(r, col).value for r in range(2, ws.max_row + 1))
    pairs = XlsxStore(demo_programme.registry).read_all().frames["pairs"]
    assert (pairs["mentor_name"] != "").all()
    quiet = demo_programme.lock_path.with_name(".nastavnik.state.json")
    quiet.unlink()  # no shortcut: the run reads everything and finds nothing to change
    assert sync_once(demo_programme, now=later + timedelta(minutes=5)).written is None
