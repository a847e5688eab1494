"""«Сводка» on Google: charts made once by init with addChart over the job's rows (read back from
the fake's state); a sync run refreshes figures with values only, no chart request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sheets.charts import BAR
from sync.config import Config, load_config
from sync.dashboard.layout import chart_specs, dashboard_layout
from sync.google.provision import provision
from sync.google.setup import GoogleServices, connect
from sync.google.transport import Endpoints
from tests.fake_google import FakeGoogle
from tests.fake_google.errors import FakeApiError
from tests.test_google_sync import google_config, rows, seed_demo, sync

pytest_plugins = ["tests.fake_google.fixtures"]


@pytest.fixture
def services(fake_google: FakeGoogle, sleeps: list[float]) -> GoogleServices:
    return connect(None, Endpoints.single(fake_google.url), timeout=10.0, max_retries=3, sleep=sleeps.append)


@pytest.fixture
def programme(tmp_path: Path, fake_google: FakeGoogle, services: GoogleServices) -> Config:
    """A Google programme made by init (provision) in the fake."""
    path = google_config(tmp_path / "g", fake_google.url)
    report = provision(load_config(path), services)
    assert not report.problems
    assert any(line.startswith("Сводка: добавлено") for line in report.lines)
    return load_config(path)


def dashboard(fake: FakeGoogle, config: Config):
    return fake.sheets.sheet(config.google.spreadsheet_id, "Сводка")


def cell(sheet, row: int, col: int) -> str:
    found = sheet.cells.get((row, col))
    return "" if found is None else str(found.value)


def test_init_makes_the_charts_over_the_rows_of_their_keys(programme: Config, fake_google: FakeGoogle) -> None:
    sheet = dashboard(fake_google, programme)
    charts = {c["spec"]["title"]: c for c in sheet.charts}
    specs = chart_specs(dashboard_layout(programme))
    assert sorted(charts) == sorted(s.title for s in specs) and len(charts) == 4
    keys = {cell(sheet, r, 0): r for r in range(1, sheet.used_rows())}
    for spec in specs:
        basic = charts[spec.title]["spec"]["basicChart"]
        first, last = keys[spec.keys[0]], keys[spec.keys[-1]]
        assert last - first == len(spec.keys) - 1
        (domain,) = basic["domains"][0]["domain"]["sourceRange"]["sources"]
        assert (domain["startRowIndex"], domain["endRowIndex"], domain["startColumnIndex"]) == (first, last + 1, 1)
        assert [s["series"]["sourceRange"]["sources"][0]["startColumnIndex"] for s in basic["series"]] == [
            2 + i for i in range(len(spec.series))]
        assert basic["headerCount"] == 1  # the title row names the series
        names = [cell(sheet, first, 2 + i) for i in range(len(spec.series))]
        assert names == list(next(b for b in dashboard_layout(programme) if b.title == spec.title).series)
        axis = {s["targetAxis"] for s in basic["series"]}
        assert axis == ({"BOTTOM_AXIS"} if spec.kind == BAR else {"LEFT_AXIS"})
        anchor = charts[spec.title]["position"]["overlayPosition"]["anchorCell"]
        assert anchor["sheetId"] == sheet.sheet_id


def test_sync_refreshes_figures_with_no_chart_request_and_init_again_adds_none(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    seed_demo(fake_google, programme, tmp_path)
    fake_google.clear_calls()
    assert sync(programme, services).ok
    assert fake_google.count("sheets.batchUpdate") == 0 and fake_google.count("sheets.values.batchUpdate") >= 1
    figures = rows(fake_google, programme, "Сводка")
    mentors = rows(fake_google, programme, "Наставники")
    assert figures["показатели: наставники"]["Значение"] == str(len(mentors))
    assert float(figures["воронка: в базе"]["Значение"]) == len(rows(fake_google, programme, "Наставляемые"))
    fake_google.clear_calls()
    assert sync(programme, services).written is None
    assert fake_google.count("sheets.batchUpdate") == 0 and fake_google.count("sheets.values.batchUpdate") == 0
    before = [c["chartId"] for c in dashboard(fake_google, programme).charts]
    report = provision(programme, services)
    assert not report.problems
    assert [c["chartId"] for c in dashboard(fake_google, programme).charts] == before
    assert not any("addChart" in str(c.body) for c in fake_google.calls if c.name == "sheets.batchUpdate")


def _request(sheet_id: int, **changes: Any) -> dict[str, Any]:
    source = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 5, "startColumnIndex": 1, "endColumnIndex": 2}
    chart = {"spec": {"title": "t", "basicChart": {
        "chartType": "BAR", "domains": [{"domain": {"sourceRange": {"sources": [source]}}}],
        "series": [{"series": {"sourceRange": {"sources": [dict(source, startColumnIndex=2, endColumnIndex=3)]}},
                    "targetAxis": "BOTTOM_AXIS"}]}},
        "position": {"overlayPosition": {"anchorCell": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 7}}}}
    basic = chart["spec"]["basicChart"]
    for key, value in changes.items():
        (chart if key == "chartId" else basic)[key] = value
    return {"requests": [{"addChart": {"chart": chart}}]}


def test_the_fake_refuses_charts_as_google_does(programme: Config, fake_google: FakeGoogle) -> None:
    sheets, book = fake_google.sheets, fake_google.sheets.get(programme.google.spreadsheet_id)
    sid = dashboard(fake_google, programme).sheet_id
    two_d = {"sheetId": sid, "startRowIndex": 0, "endRowIndex": 5, "startColumnIndex": 2, "endColumnIndex": 4}
    cases = {
        "two-dimensional source": _request(sid, series=[{"series": {"sourceRange": {"sources": [two_d]}}}]),
        "minor axis": _request(sid, series=[{"series": _request(sid)["requests"][0]["addChart"]["chart"]["spec"][
            "basicChart"]["series"][0]["series"], "targetAxis": "LEFT_AXIS"}]),
        "single domain": _request(sid, domains=_request(sid)["requests"][0]["addChart"]["chart"]["spec"][
            "basicChart"]["domains"] * 2),
        "stacked": _request(sid, chartType="LINE", stackedType="STACKED"),
        "no grid": _request(sid + 999),
    }
    count = len(dashboard(fake_google, programme).charts)
    reasons = {"two-dimensional source": "exactly one dimension", "minor axis": "not a valid minor axis",
               "single domain": "Only a single domain", "stacked": "stackedType applies", "no grid": "No grid with id"}
    for why, body in cases.items():
        with pytest.raises(FakeApiError, match=reasons[why]) as err:
            sheets.batch_update(book, body)
        assert err.value.code == 400, why
    reply = sheets.batch_update(book, _request(sid, chartId=4242))
    assert reply["replies"][0]["addChart"]["chart"]["chartId"] == 4242
    with pytest.raises(FakeApiError, match="already exists"):
        sheets.batch_update(book, _request(sid, chartId=4242))
    assert len(dashboard(fake_google, programme).charts) == count + 1  # refused batches left nothing
