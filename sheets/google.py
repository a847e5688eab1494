"""The Google store: every registry in one Google spreadsheet, through gspread.

Behaves like ``XlsxStore``: reads by header, writes only the cells that changed, by key and
header, and never touches a column the job does not own. Costs per run:

- ``read_all``: one ``values:batchGet`` for every registry sheet;
- ``write``: one ``values:batchGet`` of the touched sheets (staff may have sorted, inserted or
  deleted rows since the read, so rows are found by key again, right before writing; a row
  typed without a key is found by its cells, and appends go below the last used row), then
  ``values:batchUpdate`` with ``valueInputOption=RAW`` (a form answer «=IMPORTXML(...)» stays
  text): one request (atomic), or several when the data is larger than ``MAX_WRITE_BYTES`` — Google
  recommends at most 2 MB per request (https://developers.google.com/workspace/sheets/api/limits).
  Several requests go in order: first the registries kept by key (a participant found by
  e-mail again is updated, not doubled), then, starting a request of their own, the rows that
  are new events of a response (consents, meetings, feedback) together with «Обработанные
  ответы», «Служебное» (watermarks, counters) and the journal. A run stopped between requests
  thus leaves its responses unmarked, and the next run takes them again and converges. The
  final group is cut only if it alone passes the limit, which ``max_responses`` (2,000 per
  run) keeps from happening. Only when appended rows would fall past the sheet's grid:
  one ``spreadsheets.get`` and one ``batchUpdate`` (appendDimension) more.

Two machines running cron on one spreadsheet: a lease in «Служебное» (one row: owner, expiry,
write version). A run that has something to write first ``claim``s it (one more write):
refused when another owner's lease, as read, has not expired; then it waits ``settle``
seconds, and the write's own re-read checks the lease is still its own and the version has
not moved (nobody wrote since this run's read) — two claims at once: the later wins, the
other steps back having written nothing but its claim. Every write bumps the version and
releases the lease; a killed run's lease simply expires.

The client is injected (``sync.google`` builds it over its transport), so this module never
imports ``sync``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import gspread
from gspread.exceptions import APIError, GSpreadException
from gspread.utils import absolute_range_name, rowcol_to_a1

from sheets.changes import CellUpdate, ChangeSet, RowAppend, cell_text, number_of
from sheets.google_cells import DATE_KINDS, cell_value, dates_as_text, number_format
from sheets.layout import CellWrite, header_map, place_changes, snapshot_from_grids
from sheets.schema import BY_NAME, REGISTRIES, Kind, SheetSchema
from sheets.store import SchemaMismatch, Snapshot, StoreBusy, StoreError, WriteReport

# Dates come back as serial numbers, whatever their format or the locale (sheets/google_cells.py).
READ_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
               "majorDimension": "ROWS"}
MAX_WRITE_BYTES = 1_500_000  # per values:batchUpdate body, safely under Google's recommended 2 MB
# Written last, together: rows that are new events of a response (a second copy would be a
# second row) and what marks the responses done.
WRITE_LAST = ("consents", "meetings", "feedback", "processed", "service", "journal")
GROW_BY = 500  # rows added when appends reach the end of a sheet's grid
_END_CELL = re.compile(r":([A-Z]+)(\d+)$")


def sheet_range(title: str) -> str:
    """A whole sheet as an A1 range, quoted (titles are Russian and may hold spaces)."""
    return absolute_range_name(title)


class GoogleSheetsStore:
    """Registries in a Google spreadsheet."""

    backend = "google"

    def __init__(
        self,
        client: gspread.Client,
        spreadsheet_id: str,
        *,
        settle: float = 3.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.spreadsheet_id = spreadsheet_id
        self.label = f"Google-таблица {spreadsheet_id}"
        self.settle = settle
        self.sleep = sleep
        self._version = 0  # the write version as this run read it
        self._owner = ""  # the lease this store holds, if any
        self._service_grid: list[list[object]] = []  # «Служебное» as read, the lease row in it

    # reading ---------------------------------------------------------------------------

    def read_all(self) -> Snapshot:
        """Read every registry sheet in one values:batchGet; a date cell reads as its ISO text."""
        ranges = self._get_values([s.title for s in REGISTRIES], "чтение")
        grids = {
            schema.name: dates_as_text(schema, value_range.get("values", []))
            for schema, value_range in zip(REGISTRIES, ranges, strict=True)
        }
        service = self._service_grid = grids.get("service", [])
        self._version = _version(_service_value(service, VERSION_KEY))
        # The lease rows are the store's own business, not a registry's: the job never sees them.
        grids["service"] = [r for r in service if not (r and cell_text(r[0]).strip() in OWN_KEYS)]
        return snapshot_from_grids(self.label, grids)

    # the lease (two machines) ----------------------------------------------------------

    def claim(self, owner: str, now: datetime, ttl: timedelta) -> None:
        """Take the write lease for ``ttl`` (one values:batchUpdate), or raise StoreBusy.

        The lease as this run read it must be free, expired or its own; ``write`` then reads it
        back after ``settle`` seconds and steps back if another claim came later.
        """
        holder, until = parse_lease(_service_value(self._service_grid, LEASE_KEY))
        if holder and holder != owner and until is not None and until > now:
            raise StoreBusy(MSG_HELD.format(label=self.label, holder=holder, until=until.strftime("%H:%M")))
        change = _row_change(self._service_grid, LEASE_KEY, format_lease(owner, now + ttl))
        schema, grid = BY_NAME["service"], self._service_grid
        head = grid[0] if grid else []
        writes, _skipped = place_changes(schema, head, _key_column(schema, head, grid), change,
                                         _last_used_row(grid), grid[1:])
        body = {"valueInputOption": "RAW", "data": _value_ranges(schema, writes)}
        self._call(lambda: self.client.http_client.values_batch_update(self.spreadsheet_id, body), "аренда")
        self._owner = owner
        self.sleep(self.settle)  # a claim made at the same moment has landed by now; the later wins

    def _check_lease(self, grid: Sequence[Sequence[object]]) -> None:
        """Read after write: the lease is still ours and nobody wrote since this run's read."""
        holder, _until = parse_lease(_service_value(grid, LEASE_KEY))
        version = _version(_service_value(grid, VERSION_KEY))
        if holder != self._owner:
            self._owner = ""
            raise StoreBusy(MSG_LOST.format(label=self.label))
        if version != self._version:
            self._owner = ""
            raise StoreBusy(MSG_STALE.format(label=self.label))

    def _lease_change(self, grid: Sequence[Sequence[object]]) -> ChangeSet:
        """This write's own rows: the version + 1, and the lease released if this store held it."""
        out = _row_change(grid, VERSION_KEY, str(_version(_service_value(grid, VERSION_KEY)) + 1))
        if self._owner:
            out.extend(_row_change(grid, LEASE_KEY, ""))
        return out

    # writing ---------------------------------------------------------------------------

    def write(self, changes: ChangeSet) -> WriteReport:
        """Apply the changes in one values:batchUpdate; nothing is written on a schema error."""
        report = WriteReport()
        if not changes:
            return report
        schemas = sorted((BY_NAME[name] for name in {*changes.sheets(), "service"}), key=_write_rank)
        # Re-read just before writing: rows are placed by key as the sheet is now.
        ranges = self._get_values([s.title for s in schemas], "запись")
        service = next(vr for sc, vr in zip(schemas, ranges, strict=True) if sc.name == "service")
        if self._owner:
            self._check_lease(service.get("values", []))
        lease = self._lease_change(service.get("values", []))
        # the version this write leaves: the run's own later writes (a backlog) are not stale
        written_version = _version(_service_value(service.get("values", []), VERSION_KEY)) + 1
        changes = ChangeSet([*changes.updates, *lease.updates], [*changes.appends, *lease.appends],
                            list(changes.assigns))
        planned: list[tuple[SheetSchema, list[CellWrite]]] = []
        grow: dict[str, tuple[int, int]] = {}  # title -> (rows, columns) to add
        problems: list[str] = []
        for schema, value_range in zip(schemas, ranges, strict=True):
            grid = value_range.get("values", [])
            head = grid[0] if grid else []
            keys = _key_column(schema, head, grid)
            try:
                writes, skipped = place_changes(schema, head, keys, changes, _last_used_row(grid), grid[1:])
            except SchemaMismatch as exc:
                problems.append(str(exc))
                continue
            planned.append((schema, writes))
            report.skipped += skipped
            report.added += [f"столбец «{schema.header(w.column)}» на листе «{schema.title}»"
                             for w in writes if w.row == 1]  # an optional column this older sheet lacked
            grid_rows, grid_cols = _grid_size(value_range.get("range", ""))
            rows = max((w.row for w in writes), default=0) - grid_rows if grid_rows is not None else 0
            cols = max((w.col for w in writes), default=0) - grid_cols if grid_cols is not None else 0
            if rows > 0 or cols > 0:
                grow[schema.title] = (max(rows, 0), max(cols, 0))
        if problems:
            raise SchemaMismatch(f"{self.label}: " + "; ".join(problems) + "; ничего не записано")
        keyed = [vr for sc, ws in planned if sc.name not in WRITE_LAST for vr in _value_ranges(sc, ws)]
        final = [vr for sc, ws in planned if sc.name in WRITE_LAST for vr in _value_ranges(sc, ws)]
        if grow:
            self._grow(grow, {sc.title: (sc, ws) for sc, ws in planned}, ranges, schemas)
        chunks = split_by_size(keyed + final, MAX_WRITE_BYTES)
        if len(chunks) > 1:  # one request is atomic; several: the final group starts its own
            chunks = split_by_size(keyed, MAX_WRITE_BYTES) + split_by_size(final, MAX_WRITE_BYTES)
        for chunk in chunks:
            body = {"valueInputOption": "RAW", "data": chunk}
            self._call(
                lambda body=body: self.client.http_client.values_batch_update(self.spreadsheet_id, body), "запись"
            )
        self._owner = ""
        self._version = written_version
        lease_cells = len(lease.updates) + 2 * len(lease.appends)  # the lease row is not news
        report.cells = sum(1 for _schema, writes in planned for w in writes if w.row > 1) - lease_cells
        report.rows = len(changes.appends) - len(lease.appends)
        return report

    # plumbing --------------------------------------------------------------------------

    def _get_values(self, titles: Sequence[str], action: str) -> list[dict[str, Any]]:
        ranges = [sheet_range(t) for t in titles]
        try:
            reply = self.client.http_client.values_batch_get(
                self.spreadsheet_id, ranges, params=dict(READ_PARAMS)
            )
        except GSpreadException as exc:
            if isinstance(exc, APIError) and exc.code == 400 and "Unable to parse range" in str(exc):
                raise self._missing_sheets(titles) from exc
            raise self._error(exc, action) from exc
        return list(reply.get("valueRanges", []))

    def _missing_sheets(self, titles: Sequence[str]) -> StoreError:
        """Name the sheets that are missing (a second call, on the error path only)."""
        try:
            meta = self.client.http_client.fetch_sheet_metadata(
                self.spreadsheet_id, params={"fields": "sheets.properties.title"}
            )
        except GSpreadException as exc:
            return self._error(exc, "чтение")
        present = {s["properties"]["title"] for s in meta.get("sheets", [])}
        missing = [t for t in titles if t not in present]
        listed = ", ".join(f"«{t}»" for t in missing) or "(не удалось определить)"
        return SchemaMismatch(
            f"{self.label}: нет листов {listed} (переименованы или удалены?); "
            "восстановите их или выполните «nastavnik init»"
        )

    def _grow(self, needed: dict[str, tuple[int, int]], planned: dict[str, Any],
              ranges: Sequence[dict[str, Any]], schemas: Sequence[SheetSchema]) -> None:
        """Add rows (columns) to sheets whose grid is too short (narrow) for what is written.

        The new rows get the columns' number formats (dates shown ДД.ММ.ГГГГ), as ``init``
        gave the rows it made: a format is a cell's, and appended rows have none.
        """
        heads = {sc.title: (vr.get("values") or [[]])[0] for sc, vr in zip(schemas, ranges, strict=True)}
        meta = self._call(
            lambda: self.client.http_client.fetch_sheet_metadata(
                self.spreadsheet_id, params={"fields": "sheets.properties(sheetId,title)"}
            ),
            "запись",
        )
        ids = {s["properties"]["title"]: s["properties"].get("sheetId", 0) for s in meta.get("sheets", [])}
        requests = [
            {"appendDimension": {"sheetId": ids[title], "dimension": dimension, "length": n + extra}}
            for title, (rows, cols) in needed.items()
            for dimension, n, extra in (("ROWS", rows, GROW_BY), ("COLUMNS", cols, 0))
            if title in ids and n > 0
        ]
        for title, (rows, _cols) in needed.items():
            grid_rows = _grid_size(next(vr.get("range", "") for sc, vr in zip(schemas, ranges, strict=True)
                                        if sc.title == title))[0]
            if title in ids and rows > 0 and grid_rows is not None and title in planned:
                requests += _format_new_rows(planned[title][0], heads[title], ids[title], grid_rows)
        if requests:
            body = {"requests": requests}
            self._call(lambda: self.client.http_client.batch_update(self.spreadsheet_id, body), "запись")

    def _call(self, fn: Any, action: str) -> Any:
        try:
            return fn()
        except GSpreadException as exc:
            raise self._error(exc, action) from exc

    def _error(self, exc: GSpreadException, action: str) -> StoreError:
        """A Russian message for an API error that retrying does not cure.

        Anything but gspread's own APIError comes from the transport, explained by cause.
        """
        if not isinstance(exc, APIError):
            return StoreError(f"{self.label} ({action}): {exc}")
        code = exc.code
        if code == 404:
            why = "таблица не найдена — проверьте spreadsheet_id в nastavnik.toml"
        elif code in (401, 403):
            why = (
                "нет доступа — откройте таблицу для сервисного аккаунта (роль «Редактор») или войдите заново"
            )
        else:
            detail = str(exc.error.get("message", ""))[:200] if isinstance(exc.error, dict) else ""
            why = f"Google Таблицы ответили ошибкой {code}" + (f": {detail}" if detail else "")
        return StoreError(f"{self.label} ({action}): {why}")


LEASE_KEY = "запись: аренда"  # «owner|expiry»: who is writing now
VERSION_KEY = "запись: версия"  # how many writes the store made: a run that read an older one is stale
OWN_KEYS = (LEASE_KEY, VERSION_KEY)
SERVICE_TITLE = BY_NAME["service"].title
MSG_HELD = ("{label}: запись сейчас ведет другой запуск ({holder}) до {until}; этот запуск ничего не "
            "записал — следующий по расписанию продолжит")
MSG_STALE = ("{label}: пока этот запуск считал, таблицу записал другой запуск; этот запуск ничего не "
             "записал — следующий по расписанию начнет с нового состояния")
MSG_LOST = "{label}: в тот же миг запись начал другой запуск; этот запуск уступил и ничего не записал"


def parse_lease(text: str) -> tuple[str, datetime | None]:
    """«owner|2026-11-25T12:15:00+00:00» -> (owner, expiry); ("", None) for none."""
    owner, _, until_text = str(text or "").partition("|")
    try:
        until = datetime.fromisoformat(until_text) if until_text else None
    except ValueError:
        until = None
    return owner, until


def format_lease(owner: str, until: datetime | None) -> str:
    return f"{owner}|{until.isoformat() if until else ''}" if owner else ""


def _version(text: str) -> int:
    return int(text) if str(text).isdecimal() else 0


def _row_change(grid: Sequence[Sequence[object]], key: str, value: str) -> ChangeSet:
    """Set a «Служебное» row: an update if it is there, else a new row."""
    if any(row and cell_text(row[0]).strip() == key for row in grid[1:]):
        return ChangeSet(updates=[CellUpdate("service", key, "value", _service_value(grid, key), value)])
    return ChangeSet(appends=[RowAppend("service", (("id", key), ("value", value)))])


def _service_value(grid: Sequence[Sequence[object]], key: str) -> str:
    head = [cell_text(h) for h in grid[0]] if grid else []
    col = head.index(BY_NAME["service"].header("value")) if BY_NAME["service"].header("value") in head else 1
    for row in grid[1:]:
        if row and cell_text(row[0]).strip() == key:
            return cell_text(row[col]) if len(row) > col else ""
    return ""


def _write_rank(schema: SheetSchema) -> tuple[int, int]:
    last = WRITE_LAST.index(schema.name) + 1 if schema.name in WRITE_LAST else 0
    return last, REGISTRIES.index(schema) if schema in REGISTRIES else 0


def split_by_size(data: Sequence[dict[str, Any]], limit: int) -> list[list[dict[str, Any]]]:
    """ValueRanges in order, cut into requests whose JSON (UTF-8) stays under ``limit`` bytes.

    A range is never split, so a cut falls between cells runs, never inside one.
    """
    chunks: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 64  # the envelope: {"valueInputOption": "RAW", "data": [...]}
    for value_range in data:
        n = len(json.dumps(value_range, ensure_ascii=False).encode("utf-8")) + 2
        if current and size + n > limit:
            chunks.append(current)
            current, size = [], 64
        current.append(value_range)
        size += n
    if current:
        chunks.append(current)
    return chunks


def _key_column(schema: SheetSchema, head: Sequence[object], grid: Sequence[Sequence[object]]) -> list[str]:
    mapping, _problems = header_map(schema, head)
    col = mapping.get(schema.key)
    if col is None:
        return []
    return [cell_text(row[col - 1]) if len(row) >= col else "" for row in grid[1:]]


def _last_used_row(grid: Sequence[Sequence[object]]) -> int:
    """The last row (1-based) with any content; at least the header row."""
    for index in range(len(grid), 1, -1):
        if any(cell_text(v).strip() for v in grid[index - 1]):
            return index
    return 1


def _grid_size(returned_range: str) -> tuple[int | None, int | None]:
    """The sheet's row and column counts, from the range a whole-sheet read reports («'Лист'!A1:Z1000»)."""
    m = _END_CELL.search(returned_range.rpartition("!")[2])
    if not m:
        return None, None
    cols = 0
    for letter in m.group(1):
        cols = cols * 26 + ord(letter) - ord("A") + 1
    return int(m.group(2)), cols


def _cell_value(schema: SheetSchema, write: CellWrite) -> str | int | float:
    """Whole numbers in integer columns go as numbers (as XlsxStore writes them), dates as their
    serial numbers (real date cells, shown ДД.ММ.ГГГГ by the column's format); all else text.

    Only text that reads back the same («5», not «05»; an ISO date) becomes a number, so the
    next run's diff sees no change.
    """
    text = write.text
    kind = schema.column(write.column).kind
    if kind in DATE_KINDS and write.row > 1:
        return cell_value(kind, text)
    if kind in (Kind.INT, Kind.NUMBER) and len(text) < 15:
        try:
            number = int(text)
        except ValueError:
            return number_of(text) if kind is Kind.NUMBER and number_of(text) is not None else text
        if str(number) == text:
            return number
    return text


def _value_ranges(schema: SheetSchema, writes: Sequence[CellWrite]) -> list[dict[str, Any]]:
    """One ValueRange per run of adjacent cells in a row (an appended row is mostly one range)."""
    out: list[dict[str, Any]] = []
    run: list[CellWrite] = []

    def flush() -> None:
        if run:
            start = rowcol_to_a1(run[0].row, run[0].col)
            end = rowcol_to_a1(run[-1].row, run[-1].col)
            cells = start if start == end else f"{start}:{end}"
            out.append(
                {
                    "range": absolute_range_name(schema.title, cells),
                    "majorDimension": "ROWS",
                    "values": [[_cell_value(schema, w) for w in run]],
                }
            )
            run.clear()

    for write in sorted(writes, key=lambda w: (w.row, w.col)):
        if run and (write.row != run[-1].row or write.col != run[-1].col + 1):
            flush()
        run.append(write)
    flush()
    return out


def _format_new_rows(schema: SheetSchema, head: Sequence[object], sheet_id: int, from_row: int) -> list[dict[str, Any]]:
    """repeatCell requests giving rows from ``from_row`` (0-based) on their columns' number formats."""
    mapping, _problems = header_map(schema, head)
    out = []
    for name, col in mapping.items():
        fmt = number_format(schema.column(name).kind)
        if fmt is not None:
            out.append({"repeatCell": {
                "range": {"sheetId": sheet_id, "startRowIndex": from_row, "startColumnIndex": col - 1,
                          "endColumnIndex": col},
                "cell": {"userEnteredFormat": {"numberFormat": fmt}},
                "fields": "userEnteredFormat.numberFormat"}})
    return out
