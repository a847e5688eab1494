"""«Как заполнять» in the Google spreadsheet: the same sheet as in the local workbook.

Laid out from ``sheets.guide.guide_rows`` (every sheet's columns, who fills each with the
header colour as its legend, allowed values), first among the sheets. ``init`` plans it with
the registries (``setup.plan_repairs``): the sheet is added when missing and rewritten only when
its text differs from what the schema says now (read with the registries' first rows, in the
same ``spreadsheets.get``), so a second ``init`` sends nothing. The job never reads or writes it:
a sync run costs nothing more.

Rewriting is one ``updateCells`` over the whole sheet: cells its rows do not cover are cleared
(UpdateCellsRequest: «fields … not covered by rows are cleared», Sheets API v4 reference).
"""

from __future__ import annotations

from typing import Any

from sheets.guide import GUIDE_HEADER, GUIDE_TITLE, GUIDE_WIDTHS, guide_rows
from sync.google.look import _colour

GUIDE_SHEET_ID = 999  # below the registries' ids (1000 + index), so it never collides
PIXELS = 7  # per width unit, as the registries' columns
FIELDS = "userEnteredValue,userEnteredFormat(backgroundColor,textFormat)"  # wrapping: one repeatCell
NOTE = f"лист «{GUIDE_TITLE}» обновлен по схеме"


def wanted_text() -> list[list[str]]:
    """The sheet's text, rows with trailing empty cells dropped (as Sheets returns them)."""
    out = []
    for cells, _colour_name in guide_rows():
        row = list(cells)
        while row and not row[-1]:
            row.pop()
        out.append(row)
    return out


def _text_of(rows: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    for row in rows:
        cells = [c.get("formattedValue", "") for c in row.get("values", [])]
        while cells and not cells[-1]:
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def _cell(text: str, bold: bool, colour: str) -> dict[str, Any]:
    """One cell: its text, and a format only where it has one (the request stays small)."""
    fmt: dict[str, Any] = {"textFormat": {"bold": True}} if bold else {}
    if colour:
        fmt["backgroundColor"] = _colour(colour)
    out: dict[str, Any] = {"userEnteredValue": {"stringValue": text}} if text else {}
    return {**out, "userEnteredFormat": fmt} if fmt else out


def _rows() -> list[dict[str, Any]]:
    out = []
    for n, (cells, colour) in enumerate(guide_rows()):
        fill = colour if colour not in ("", "bold") else ""  # the legend's colour, in «Столбец» and «Кто заполняет»
        out.append({"values": [_cell(text, colour == "bold" or (n == 0 and c == 0), fill if c in (1, 2) else "")
                               for c, text in enumerate(cells)]})
    return out


def plan_guide(sheet: dict[str, Any] | None, rows: list[dict[str, Any]], used_ids: set[int]) -> tuple[
        list[dict[str, Any]], list[str]]:
    """The requests that bring «Как заполнять» to the schema (none when it is already there), and notes.

    ``sheet`` is the guide's Sheet resource (None: missing), ``rows`` its cells as read
    (CellData with formattedValue).
    """
    if sheet is not None and _text_of(rows) == wanted_text():
        return [], []
    requests: list[dict[str, Any]] = []
    header_row = next(n for n, (cells, _c) in enumerate(guide_rows(), start=1) if cells == GUIDE_HEADER)
    if sheet is None:
        sheet_id = GUIDE_SHEET_ID if GUIDE_SHEET_ID not in used_ids else max(used_ids) + 1
        used_ids.add(sheet_id)
        requests.append({"addSheet": {"properties": {
            "sheetId": sheet_id, "title": GUIDE_TITLE, "index": 0,
            "gridProperties": {"rowCount": max(1000, len(guide_rows()) + 50), "columnCount": 26,
                               "frozenRowCount": header_row}}}})
        notes = [f"добавлен лист «{GUIDE_TITLE}»"]
    else:
        sheet_id = sheet["properties"].get("sheetId", 0)
        grid = sheet["properties"].get("gridProperties", {})
        if grid.get("rowCount", 0) < len(guide_rows()):
            requests.append({"appendDimension": {"sheetId": sheet_id, "dimension": "ROWS",
                                                 "length": len(guide_rows()) - grid.get("rowCount", 0) + 50}})
        notes = [NOTE]
    requests.append({"updateCells": {"range": {"sheetId": sheet_id}, "rows": _rows(), "fields": FIELDS}})
    requests.append({"repeatCell": {"range": {"sheetId": sheet_id, "endColumnIndex": len(GUIDE_HEADER)},
                                    "cell": {"userEnteredFormat": {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}},
                                    "fields": "userEnteredFormat(wrapStrategy,verticalAlignment)"}})
    for i, width in enumerate(GUIDE_WIDTHS):
        requests.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": i, "endIndex": i + 1},
            "properties": {"pixelSize": width * PIXELS}, "fields": "pixelSize"}})
    return requests, notes
