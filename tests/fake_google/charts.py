"""Charts in the Sheets fake: ``addChart`` in ``spreadsheets.batchUpdate``, and what it refuses.

Modelled on Google's reference (Sheets API v4), whose field descriptions are quoted as its
discovery document words them:

- AddChartRequest — https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#addchartrequest :
  "The chartId field is optional; if one is not set, an id will be randomly generated. (It is
  an error to specify the ID of an embedded object that already exists.)" The reply carries the
  chart as added (``replies[].addChart.chart``), and ``spreadsheets.get`` lists it under
  ``sheets[].charts``.
- BasicChartSpec — https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/charts#basicchartspec :
  domains: "Only a single domain is supported."; stackedType applies to "Area, Bar, Column,
  Combo, and Stepped Area charts".
- ChartSourceRange — https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/charts#chartsourcerange :
  "Exactly one dimension must have a length of 1, and all sources in the list must have the same
  dimension with length 1. The domain (if it exists) & all series must have the same number of
  source ranges."
- BasicChartSeries.targetAxis —
  https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/charts#basicchartseries :
  "It is an error to specify an axis that isn't a valid minor axis for the chart's type"; the
  bottom axis "for bar charts, this is a minor axis", the left axis "for most charts, this is a
  minor axis. For bar charts, this is the standard major axis".
- GridRange / OverlayPosition: a range or anchor on a sheet id that does not exist is refused as
  every other request on a missing grid is ("No grid with id: N"); ranges past the grid exceed
  its limits.

The error wording of the checks above is the fake's own (Google's exact text is not published);
the status (400 INVALID_ARGUMENT) and the all-or-nothing batch are Google's.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

from .errors import bad_request

CHART_TYPES = ("BAR", "LINE", "AREA", "COLUMN", "SCATTER", "COMBO", "STEPPED_AREA")
STACKABLE = ("AREA", "BAR", "COLUMN", "COMBO", "STEPPED_AREA")
STACKED_TYPES = ("NOT_STACKED", "STACKED", "PERCENT_STACKED")
MINOR_AXES = {"BAR": ("BOTTOM_AXIS",)}  # every other basic type: left or right
_ids = itertools.count(7_000_001)


def _check_source(grid_range: Callable[[dict[str, Any]], tuple], source: dict[str, Any], where: str) -> int:
    """A source range's length along its long dimension; 400 unless one dimension is 1."""
    _sheet, r0, c0, r1, c1 = grid_range(source)
    rows, cols = r1 - r0, c1 - c0
    if rows != 1 and cols != 1:
        raise bad_request(f"{where}: exactly one dimension of a chart source range must have a length of 1")
    return rows if cols == 1 else cols


def _sources(data: dict[str, Any] | None, where: str) -> list[dict[str, Any]]:
    sources = ((data or {}).get("sourceRange") or {}).get("sources") or []
    if not sources:
        raise bad_request(f"{where}: a chart source range needs at least one source")
    return sources


def add_chart(
    all_charts: list[dict[str, Any]],
    spec: dict[str, Any],
    grid_range: Callable[[dict[str, Any]], tuple],
    sheet_exists: Callable[[Any], bool],
) -> tuple[int, dict[str, Any]]:
    """Validate an AddChartRequest; returns (sheet id the chart sits on, the chart as stored)."""
    chart = copy.deepcopy(spec.get("chart") or {})
    chart_id = chart.get("chartId")
    if chart_id is not None and any(c["chartId"] == chart_id for c in all_charts):
        raise bad_request(f"An embedded object with id {chart_id} already exists")
    basic = (chart.get("spec") or {}).get("basicChart")
    if basic is None:
        raise bad_request("chart.spec: the fake models basicChart only")
    kind = basic.get("chartType")
    if kind not in CHART_TYPES:
        raise bad_request(f'Invalid value at \'chart.spec.basic_chart.chart_type\', "{kind}"')
    stacked = basic.get("stackedType", "NOT_STACKED")
    if stacked not in STACKED_TYPES:
        raise bad_request(f'Invalid value at \'chart.spec.basic_chart.stacked_type\', "{stacked}"')
    if stacked != "NOT_STACKED" and kind not in STACKABLE:
        raise bad_request(f"stackedType applies to area, bar, column, combo and stepped area charts, not {kind}")
    domains = basic.get("domains") or []
    if len(domains) > 1:
        raise bad_request("Only a single domain is supported")
    series = basic.get("series") or []
    if not series:
        raise bad_request("A basic chart needs at least one series")
    counts = set()
    for i, d in enumerate(domains):
        srcs = _sources(d.get("domain"), f"domains[{i}]")
        counts.add(len(srcs))
        for s in srcs:
            _check_source(grid_range, s, f"domains[{i}]")
    minor = MINOR_AXES.get(kind, ("LEFT_AXIS", "RIGHT_AXIS"))
    for i, s in enumerate(series):
        srcs = _sources(s.get("series"), f"series[{i}]")
        counts.add(len(srcs))
        for src in srcs:
            _check_source(grid_range, src, f"series[{i}]")
        axis = s.get("targetAxis")
        if axis is not None and axis not in minor:
            raise bad_request(f"series[{i}].targetAxis {axis} is not a valid minor axis for a {kind} chart")
    if len(counts) > 1:
        raise bad_request("The domain and all series must have the same number of source ranges")
    overlay = (chart.get("position") or {}).get("overlayPosition")
    if overlay is None:
        raise bad_request("chart.position: the fake models overlayPosition only")
    anchor = overlay.get("anchorCell") or {}
    if not sheet_exists(anchor.get("sheetId")):
        raise bad_request(f"No grid with id: {anchor.get('sheetId')}")
    grid_range({"sheetId": anchor.get("sheetId"), "startRowIndex": anchor.get("rowIndex", 0),
                "endRowIndex": anchor.get("rowIndex", 0) + 1, "startColumnIndex": anchor.get("columnIndex", 0),
                "endColumnIndex": anchor.get("columnIndex", 0) + 1})
    chart["chartId"] = chart_id if chart_id is not None else next(_ids)
    return int(anchor.get("sheetId") or 0), chart
