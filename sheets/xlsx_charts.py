"""Native Excel charts in the local workbook (openpyxl), built from ``sheets.charts`` specs.

openpyxl reads a workbook's charts back and writes them again on save, so a chart made once
stays through every later write of the job (tested). A chart is recognised by its title.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sheets.charts import BAR, COLUMN, LINE, ChartRanges, ChartSpec

PX_PER_CM = 37.8  # openpyxl sizes charts in centimetres; 96 dpi


def chart_title(chart) -> str:
    """The plain title of an openpyxl chart (read back from a file or made here)."""
    title = getattr(chart, "title", None)
    if title is None:
        return ""
    if isinstance(title, str):
        return title
    rich = getattr(getattr(title, "tx", None), "rich", None)
    if rich is None:
        return ""
    return "".join(run.t or "" for p in rich.p for run in (p.r or []))


def existing_titles(ws: Worksheet) -> set[str]:
    """Titles of the charts a sheet has."""
    return {chart_title(c) for c in ws._charts}


def add_chart(ws: Worksheet, spec: ChartSpec, ranges: ChartRanges) -> None:
    """Add one chart over ``ranges`` of ``ws``, pinned to the spec's anchor cell."""
    if spec.kind == LINE:
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "bar" if spec.kind == BAR else "col"
        if spec.kind == BAR:  # the first category on top, as the table reads
            chart.x_axis.scaling.orientation = "maxMin"
        if spec.stacked:
            chart.grouping = "stacked"
            chart.overlap = 100
    if spec.kind not in (BAR, COLUMN, LINE):
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    chart.title = spec.title
    chart.style = 10
    chart.width = spec.width_px / PX_PER_CM
    chart.height = spec.height_px / PX_PER_CM
    chart.y_axis.title = spec.axis_title or None
    chart.legend.position = "b"
    # openpyxl 3.1 hides axes unless told (delete=True by default in its axis objects).
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for col in ranges.series_cols:
        data = Reference(ws, min_col=col, max_col=col, min_row=ranges.first_row, max_row=ranges.last_row)
        chart.add_data(data, titles_from_data=True)
    cats = Reference(ws, min_col=ranges.domain_col, min_row=ranges.first_row + 1, max_row=ranges.last_row)
    chart.set_categories(cats)
    for series, colour in zip(chart.series, spec.colours, strict=False):
        if spec.kind == LINE:
            series.graphicalProperties.line.solidFill = colour
            series.marker.graphicalProperties = None
        else:
            series.graphicalProperties.solidFill = colour
            series.graphicalProperties.line.solidFill = colour
    if spec.kind == LINE:
        for s in chart.series:
            s.marker.symbol = "circle"
            s.smooth = False
    elif len(ranges.series_cols) == 1:
        chart.legend = None
        chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False,
                                         showLegendKey=False, showPercent=False)
    ws.add_chart(chart, f"{get_column_letter(spec.anchor_col + 1)}{spec.anchor_row + 1}")


def series_refs(ws: Worksheet) -> dict[str, list[str]]:
    """Chart title -> its series' value ranges («'Сводка'!$C$40:$C$46»), for checks and tests."""
    out: dict[str, list[str]] = {}
    for chart in ws._charts:
        out[chart_title(chart)] = [s.val.numRef.f for s in chart.series]
    return out


def category_refs(ws: Worksheet) -> dict[str, Sequence[str]]:
    """Chart title -> its series' category ranges."""
    out: dict[str, Sequence[str]] = {}
    for chart in ws._charts:
        refs = []
        for s in chart.series:
            ref = s.cat.strRef or s.cat.numRef
            refs.append(ref.f)
        out[chart_title(chart)] = refs
    return out
