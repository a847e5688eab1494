"""Native charts on «Сводка» in the Google spreadsheet, made once at ``init --google``.

The rows go in first (the same one-time install as locally, through the Google store), then
one ``spreadsheets.get`` finds the charts already there (by title) and the sheet's id, one
``values.batchGet`` finds the rows by key, and one ``batchUpdate`` adds the missing charts
with ``addChart`` over those rows. A sync run afterwards writes figures only: no chart request.

Google's reference: AddChartRequest, BasicChartSpec, ChartSourceRange, BasicChartSeries
(https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/charts); the fake's
``tests/fake_google/charts.py`` models the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gspread
from gspread.exceptions import APIError
from gspread.utils import absolute_range_name

from sheets.changes import cell_text
from sheets.charts import BAR, COLUMN, LINE, ChartLayoutError, ChartRanges, ChartSpec, resolve
from sheets.google import GoogleSheetsStore
from sheets.layout import header_map
from sheets.schema import DASHBOARD
from sheets.store import StoreError
from sync.config import Config
from sync.dashboard.step import install_dashboard
from sync.google.setup import GoogleServices, SetupError, _colour, _setup_error

CHART_TYPE = {BAR: "BAR", COLUMN: "COLUMN", LINE: "LINE"}
ADDED = "Сводка: добавлено — {items}"


def _grid(sheet_id: int, col: int, first_row: int, last_row: int) -> dict[str, int]:
    """One column of rows as a GridRange (0-based, end exclusive); rows and col are 1-based."""
    return {"sheetId": sheet_id, "startRowIndex": first_row - 1, "endRowIndex": last_row,
            "startColumnIndex": col - 1, "endColumnIndex": col}


def add_chart_request(spec: ChartSpec, sheet_id: int, ranges: ChartRanges) -> dict[str, Any]:
    """The addChart request for one spec over its rows (the title row is the series' header)."""
    kind = CHART_TYPE[spec.kind]
    value_axis = "BOTTOM_AXIS" if spec.kind == BAR else "LEFT_AXIS"  # the minor axis of the type
    series = []
    for i, col in enumerate(ranges.series_cols):
        item: dict[str, Any] = {
            "series": {"sourceRange": {"sources": [_grid(sheet_id, col, ranges.first_row, ranges.last_row)]}},
            "targetAxis": value_axis,
        }
        if i < len(spec.colours):
            item["colorStyle"] = {"rgbColor": _colour(spec.colours[i])}
        series.append(item)
    basic: dict[str, Any] = {
        "chartType": kind,
        "legendPosition": "BOTTOM_LEGEND" if len(series) > 1 else "NO_LEGEND",
        "headerCount": 1,
        "axis": [{"position": value_axis, "title": spec.axis_title}] if spec.axis_title else [],
        "domains": [{"domain": {"sourceRange": {"sources": [
            _grid(sheet_id, ranges.domain_col, ranges.first_row, ranges.last_row)]}}}],
        "series": series,
    }
    if spec.stacked:
        basic["stackedType"] = "STACKED"
    return {"addChart": {"chart": {
        "spec": {"title": spec.title, "basicChart": basic},
        "position": {"overlayPosition": {
            "anchorCell": {"sheetId": sheet_id, "rowIndex": spec.anchor_row, "columnIndex": spec.anchor_col},
            "widthPixels": spec.width_px, "heightPixels": spec.height_px,
        }},
    }}}


def add_charts(client: gspread.Client, spreadsheet_id: str, specs: Sequence[ChartSpec]) -> list[str]:
    """Add the charts «Сводка» lacks (by title); the titles added. One batchUpdate, or none."""
    http = client.http_client
    try:
        meta = http.fetch_sheet_metadata(
            spreadsheet_id, params={"fields": "sheets(properties(sheetId,title),charts(chartId,spec(title)))"}
        )
        sheet = next((s for s in meta.get("sheets", []) if s["properties"]["title"] == DASHBOARD.title), None)
        if sheet is None:
            raise SetupError(f"в таблице нет листа «{DASHBOARD.title}» — выполните «nastavnik init --google»")
        have = {(c.get("spec") or {}).get("title", "") for c in sheet.get("charts", [])}
        wanted = [s for s in specs if s.title not in have]
        if not wanted:
            return []
        grid = http.values_batch_get(
            spreadsheet_id, [absolute_range_name(DASHBOARD.title)], params={"valueRenderOption": "FORMATTED_VALUE"}
        )["valueRanges"][0].get("values", [])
        head = grid[0] if grid else []
        key_col = header_map(DASHBOARD, head)[0].get(DASHBOARD.key)
        keys = [cell_text(row[key_col - 1]) if key_col and len(row) >= key_col else "" for row in grid[1:]]
        sheet_id = sheet["properties"]["sheetId"]
        requests = [add_chart_request(s, sheet_id, resolve(s, DASHBOARD, head, keys)) for s in wanted]
        http.batch_update(spreadsheet_id, {"requests": requests})
    except APIError as exc:
        raise _setup_error(exc, "диаграммы на листе «Сводка»") from exc
    return [s.title for s in wanted]


def ensure_dashboard(services: GoogleServices, config: Config, spreadsheet_id: str, report: Any) -> None:
    """The provisioning hook: rows of «Сводка», then its charts; what was added goes to ``report``."""
    client = services.gspread

    def charts(_sheet: str, specs: Sequence[ChartSpec]) -> list[str]:
        try:
            return add_charts(client, spreadsheet_id, specs)
        except ChartLayoutError as exc:  # staff moved the rows: say so, the rest of init goes on
            report.problems.append(str(exc))
            return []

    try:
        added = install_dashboard(GoogleSheetsStore(client, spreadsheet_id), config, charts)
    except StoreError as exc:  # an API failure: init stops here, a rerun picks up
        raise SetupError(f"лист «{DASHBOARD.title}»: {exc}") from exc
    if added:
        report.lines.append(ADDED.format(items=", ".join(added)))
