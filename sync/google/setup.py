"""Connecting to Google and setting up the programme spreadsheet.

``connect`` builds every client over one transport. ``create_spreadsheet`` makes the programme
spreadsheet (one ``spreadsheets.create`` with every registry sheet, then one ``batchUpdate``
for headers, widths, dropdowns, protections and status colours). ``ensure_spreadsheet``
repairs an existing one: two reads, then at most one ``batchUpdate`` with only what is missing,
so a second run changes nothing and duplicates nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import gspread
import requests
from google.auth.credentials import Credentials
from gspread.exceptions import APIError
from gspread.urls import DRIVE_FILES_API_V3_URL, SPREADSHEETS_API_V4_BASE_URL
from gspread.utils import absolute_range_name

from sheets.layout import header_map
from sheets.look import header_colour
from sheets.schema import REGISTRIES, Owner, SheetSchema, has_dropdown
from sheets.xlsx import STATUS_COLOURS
from sync.google import GoogleError
from sync.google.auth import authorized_session
from sync.google.guide import GUIDE_TITLE, plan_guide
from sync.google.look import (
    _colour,
    _colour_rule,
    _dropdown,
    _has_rule,
    _same_list,
    column_format_requests,
    header_colour_requests,
)
from sync.google.transport import QUOTA_WAIT, Endpoints, GoogleTransport, discovery_service, gspread_client

GRID_ROWS = 1000
PROTECT_TAG = "nastavnik:"  # marks protected ranges the job made, to find them on re-runs
HEADER_COLOUR = "DDE7F3"
JOB_HEADER_COLOUR = "EDEDED"
STATUS_COLUMNS = ("status", "manual_status")
PIXELS_PER_WIDTH = 7  # an openpyxl column width unit is about 7 pixels


class SetupError(GoogleError):
    """The spreadsheet could not be created or repaired; message in Russian."""


# --- connecting ------------------------------------------------------------------------------


@dataclass
class GoogleServices:
    """Every Google client of a run, all over the same transport (built on first use)."""

    transport: GoogleTransport

    @cached_property
    def gspread(self) -> gspread.Client:
        return gspread_client(self.transport)

    @cached_property
    def forms(self) -> Any:
        return discovery_service("forms", self.transport)

    @cached_property
    def drive(self) -> Any:
        return discovery_service("drive", self.transport)

    @cached_property
    def docs(self) -> Any:
        return discovery_service("docs", self.transport)

    def api_calls(self) -> dict[str, int]:
        """Calls made so far by API method, for the run journal."""
        return dict(self.transport.calls)


def connect(
    credentials: Credentials | None,
    endpoints: Endpoints | None = None,
    *,
    timeout: float = 60.0,
    max_retries: int = 5,
    quota_wait: float = QUOTA_WAIT,
    sleep: Callable[[float], None] | None = None,
) -> GoogleServices:
    """Clients for a run. ``credentials=None`` sends no token (only for the test fake)."""
    session = authorized_session(credentials, timeout) if credentials is not None else requests.Session()
    transport = GoogleTransport(
        session, endpoints, timeout=timeout, max_retries=max_retries, quota_wait=quota_wait, sleep=sleep
    )
    return GoogleServices(transport)


# --- the programme spreadsheet ---------------------------------------------------------------


@dataclass
class SetupReport:
    """What create/ensure did (Russian notes) and what it could not fix."""

    spreadsheet_id: str
    url: str = ""
    created: bool = False
    added_sheets: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    requests: int = 0


def create_spreadsheet(
    client: gspread.Client,
    title: str,
    *,
    share_with: Sequence[str] = (),
    time_zone: str = "Europe/Moscow",
) -> SetupReport:
    """Create the programme spreadsheet with every registry sheet, formatted and protected.

    Two calls (``spreadsheets.create`` + one ``batchUpdate``), plus one Drive
    ``permissions.create`` per address in ``share_with`` (a service account owns what it
    creates; staff need to be let in).
    """
    body = {
        "properties": {"title": title, "locale": "ru_RU", "timeZone": time_zone},
        "sheets": [
            {"properties": _sheet_properties(schema, index, 1000 + index)}
            for index, schema in enumerate(REGISTRIES)
        ],
    }
    http = client.http_client
    try:
        meta = http.request("post", SPREADSHEETS_API_V4_BASE_URL, json=body).json()
    except APIError as exc:
        raise _setup_error(exc, "создание таблицы") from exc
    report = SetupReport(meta["spreadsheetId"], meta.get("spreadsheetUrl", ""), created=True)
    report.added_sheets = [s.title for s in REGISTRIES]
    requests_, _notes, _problems = plan_repairs(meta, {})
    _apply(client, report, requests_)
    for email in share_with:
        share(client, report.spreadsheet_id, email)
    return report


def ensure_spreadsheet(
    client: gspread.Client, spreadsheet_id: str, *, ours: bool = False, time_zone: str | None = None
) -> SetupReport:
    """Add what an existing programme spreadsheet lacks; change nothing that is in place.

    Reads the sheets' properties, rules and protections (``spreadsheets.get``), then the
    header and first data row of the registry sheets with their validation (a second
    ``spreadsheets.get`` with grid data, only if some registry sheet exists), then sends one
    ``batchUpdate`` if anything is missing. A missing header is reported, not added: it is
    usually a renamed one, and a new empty column beside it would split the data.
    ``ours``: the programme made this spreadsheet (through Drive, with one empty default sheet,
    removed here, and the owner's locale, set to Russian with ``time_zone``).
    """
    http = client.http_client
    try:
        meta = http.fetch_sheet_metadata(
            spreadsheet_id,
            params={
                "fields": "spreadsheetId,spreadsheetUrl,properties(locale,timeZone),"
                "sheets(properties,protectedRanges,conditionalFormats)"
            },
        )
        present = {s["properties"]["title"] for s in meta.get("sheets", [])}
        grids: dict[str, list[dict[str, Any]]] = {}
        titles = [s.title for s in REGISTRIES if s.title in present]
        if titles or GUIDE_TITLE in present:
            guide = [absolute_range_name(GUIDE_TITLE)] if GUIDE_TITLE in present else []  # compared whole
            data = http.spreadsheets_get(
                spreadsheet_id,
                params={
                    "ranges": [absolute_range_name(t, "1:2") for t in titles] + guide,
                    "includeGridData": "true",
                    "fields": "sheets(properties.title,data.rowData.values(formattedValue,dataValidation,"
                              "userEnteredFormat(numberFormat,wrapStrategy,verticalAlignment,backgroundColor)))",
                },
            )
            grids = {s["properties"]["title"]: _rows(s) for s in data.get("sheets", [])}
    except APIError as exc:
        raise _setup_error(exc, "проверка таблицы") from exc
    report = SetupReport(spreadsheet_id, meta.get("spreadsheetUrl", ""))
    report.added_sheets = [s.title for s in REGISTRIES if s.title not in present]
    requests_, report.repaired, report.problems = plan_repairs(meta, grids)
    if ours:
        requests_ += _own_spreadsheet_requests(meta, time_zone)
    _apply(client, report, requests_)
    return report


DEFAULT_SHEETS = ("Лист1", "Sheet1")  # the one sheet Drive puts in a new spreadsheet


def _own_spreadsheet_requests(meta: dict[str, Any], time_zone: str | None) -> list[dict[str, Any]]:
    """Russian locale and the programme's time zone; the empty default sheet removed."""
    out: list[dict[str, Any]] = []
    props = meta.get("properties") or {}
    wanted = {"locale": "ru_RU", **({"timeZone": time_zone} if time_zone else {})}
    changed = {k: v for k, v in wanted.items() if props.get(k) != v}
    if changed:
        out.append({"updateSpreadsheetProperties": {"properties": changed, "fields": ",".join(changed)}})
    registry = {s.title for s in REGISTRIES}
    for sheet in meta.get("sheets", []):
        title = sheet["properties"]["title"]
        if title in DEFAULT_SHEETS and title not in registry:
            out.append({"deleteSheet": {"sheetId": sheet["properties"].get("sheetId", 0)}})  # after the adds
    return out


def share(client: gspread.Client, file_id: str, email: str, role: str = "writer") -> None:
    """Give a person access to a file the service account created (no notification e-mail)."""
    url = f"{DRIVE_FILES_API_V3_URL}/{file_id}/permissions"
    try:
        client.http_client.request(
            "post",
            url,
            params={"sendNotificationEmail": "false"},
            json={"type": "user", "role": role, "emailAddress": email},
        )
    except APIError as exc:
        # The address stays out of the message: it is a person's data.
        raise _setup_error(exc, "предоставление доступа к таблице") from exc


def _apply(client: gspread.Client, report: SetupReport, requests_: list[dict[str, Any]]) -> None:
    report.requests = len(requests_)
    if not requests_:
        return
    try:
        client.http_client.batch_update(report.spreadsheet_id, {"requests": requests_})
    except APIError as exc:
        raise _setup_error(exc, "оформление таблицы") from exc


def _setup_error(exc: APIError, action: str) -> SetupError:
    if exc.code == 404:
        why = "таблица не найдена — проверьте spreadsheet_id"
    elif exc.code in (401, 403):
        why = "нет доступа — откройте таблицу для сервисного аккаунта (роль «Редактор»)"
    else:
        message = exc.error.get("message", "") if isinstance(exc.error, dict) else ""
        why = f"Google ответил ошибкой {exc.code}: {str(message)[:200]}"
    return SetupError(f"{action}: {why}")


def _rows(sheet: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for grid in sheet.get("data", []):
        rows += grid.get("rowData", [])
    return rows


# --- planning (pure) -------------------------------------------------------------------------


def plan_repairs(
    meta: dict[str, Any], grids: dict[str, list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The batchUpdate requests that bring a spreadsheet to the schema, with notes and problems.

    ``meta`` is a Spreadsheet resource (sheets with properties, protectedRanges and
    conditionalFormats); ``grids`` maps a sheet title to its first two rows (CellData with
    formattedValue and dataValidation). Pure, so it is tested without HTTP.
    """
    sheets = {s["properties"]["title"]: s for s in meta.get("sheets", [])}
    used_ids = {s["properties"].get("sheetId", 0) for s in sheets.values()}  # Google omits a 0
    requests_: list[dict[str, Any]] = []
    notes: list[str] = []
    problems: list[str] = []
    for index, schema in enumerate(REGISTRIES):
        sheet = sheets.get(schema.title)
        if sheet is None:
            sheet_id = next(i for i in _candidate_ids(index) if i not in used_ids)
            used_ids.add(sheet_id)
            props = _sheet_properties(schema, None, sheet_id)  # no index: added at the end
            requests_.append({"addSheet": {"properties": props}})
            notes.append(f"добавлен лист «{schema.title}»")
            sheet = {"properties": props}
        rows = grids.get(schema.title, [])
        head = [c.get("formattedValue", "") for c in (rows[0].get("values", []) if rows else [])]
        second = rows[1].get("values", []) if len(rows) > 1 else []
        reqs, sheet_notes, sheet_problems = _plan_sheet(
            schema, sheet, head, second, is_new=schema.title not in sheets
        )
        if any(h.strip() for h in head):  # headers made by an older version: their colour by owner now
            reqs += header_colour_requests(schema, sheet["properties"].get("sheetId", 0), header_map(schema, head)[0],
                                           rows[0].get("values", []))
        requests_ += reqs
        notes += sheet_notes
        problems += sheet_problems
    guide, guide_notes = plan_guide(sheets.get(GUIDE_TITLE), grids.get(GUIDE_TITLE, []), used_ids)
    return requests_ + guide, notes + guide_notes, problems


def _candidate_ids(index: int) -> Iterable[int]:
    yield 1000 + index
    yield from range(2000 + index * 100, 10**9)


def _sheet_properties(schema: SheetSchema, index: int | None, sheet_id: int) -> dict[str, Any]:
    props: dict[str, Any] = {
        "sheetId": sheet_id,
        "title": schema.title,
        "hidden": schema.hidden,
        "gridProperties": {
            "rowCount": GRID_ROWS,
            "columnCount": max(26, len(schema.columns)),
            "frozenRowCount": 1,
        },
    }
    if index is not None:
        props["index"] = index
    return props


def _plan_sheet(
    schema: SheetSchema,
    sheet: dict[str, Any],
    head: list[str],
    second: list[dict[str, Any]],
    is_new: bool,
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    props = sheet["properties"]
    sheet_id = props.get("sheetId", 0)  # Google leaves a sheetId of 0 out
    reqs: list[dict[str, Any]] = []
    notes: list[str] = []
    problems: list[str] = []
    if not any(h.strip() for h in head):
        reqs += _header_requests(schema, sheet_id)
        mapping = {c.name: i for i, c in enumerate(schema.columns, start=1)}
        if not is_new:
            notes.append(f"на листе «{schema.title}» записаны заголовки")
    else:
        mapping, problems = header_map(schema, head)
    grid = props.get("gridProperties", {})
    if grid.get("frozenRowCount", 0) < 1:
        reqs.append(
            _update_props(
                sheet_id, {"gridProperties": {"frozenRowCount": 1}}, "gridProperties.frozenRowCount"
            )
        )
        notes.append(f"на листе «{schema.title}» закреплена строка заголовков")
    if schema.hidden and not props.get("hidden"):
        reqs.append(_update_props(sheet_id, {"hidden": True}, "hidden"))
        notes.append(f"лист «{schema.title}» скрыт")
    described = " ".join(p.get("description", "") for p in sheet.get("protectedRanges", []))
    tag = f"{PROTECT_TAG} {schema.name}.header"
    if f"[{tag}]" not in described:
        reqs.append(
            _protect(
                sheet_id,
                {"startRowIndex": 0, "endRowIndex": 1},
                "Заголовки: по ним программа находит столбцы",
                tag,
            )
        )
    rules = sheet.get("conditionalFormats", [])
    for column in schema.columns:
        col = mapping.get(column.name)
        if col is None:
            continue
        column_range = {
            "sheetId": sheet_id,
            "startRowIndex": 1,
            "startColumnIndex": col - 1,
            "endColumnIndex": col,
        }
        if has_dropdown(column):
            cell = second[col - 1] if col - 1 < len(second) else {}
            rule = _dropdown(column)
            if not _same_list(cell.get("dataValidation"), rule):
                reqs.append({"setDataValidation": {"range": column_range, "rule": rule}})
        if column.name in STATUS_COLUMNS:
            for value, colour in STATUS_COLOURS.items():
                if value in column.choices and not _has_rule(rules, col - 1, value):
                    reqs.append(
                        {
                            "addConditionalFormatRule": {
                                "index": 0,
                                "rule": _colour_rule(column_range, value, colour),
                            }
                        }
                    )
        if column.owner is Owner.JOB:
            tag = f"{PROTECT_TAG} {schema.name}.{column.name}"
            if f"[{tag}]" not in described:
                rng = {"startColumnIndex": col - 1, "endColumnIndex": col}
                reqs.append(_protect(sheet_id, rng, f"«{column.header}» заполняет программа", tag))
    formats = column_format_requests(schema, sheet_id, mapping, second)
    if formats and not is_new:
        notes.append(f"на листе «{schema.title}» оформлены столбцы: даты ДД.ММ.ГГГГ, перенос текста")
    return reqs + formats, notes, problems


def _header_requests(schema: SheetSchema, sheet_id: int) -> list[dict[str, Any]]:
    cells = [
        {
            "userEnteredValue": {"stringValue": c.header},
            "userEnteredFormat": {
                "backgroundColor": _colour(header_colour(c)),
                "textFormat": {"bold": True},
                "wrapStrategy": "WRAP",
                "verticalAlignment": "MIDDLE",
            },
        }
        for c in schema.columns
    ]
    reqs: list[dict[str, Any]] = [
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": cells}],
                "fields": (
                    "userEnteredValue,"
                    "userEnteredFormat(backgroundColor,textFormat,wrapStrategy,verticalAlignment)"
                ),
            }
        }
    ]
    for i, column in enumerate(schema.columns):
        reqs.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "startIndex": i,
                        "endIndex": i + 1,
                    },
                    "properties": {"pixelSize": column.width * PIXELS_PER_WIDTH},
                    "fields": "pixelSize",
                }
            }
        )
    return reqs


def _update_props(sheet_id: int, props: dict[str, Any], fields: str) -> dict[str, Any]:
    return {"updateSheetProperties": {"properties": {"sheetId": sheet_id, **props}, "fields": fields}}


def _protect(sheet_id: int, rng: dict[str, int], text: str, tag: str) -> dict[str, Any]:
    # warningOnly: staff may still edit (and sort) after a warning; the job owns these cells.
    return {
        "addProtectedRange": {
            "protectedRange": {
                "range": {"sheetId": sheet_id, **rng},
                "description": f"{text} [{tag}]",
                "warningOnly": True,
            }
        }
    }
