"""The Sheets v4 fake's ``spreadsheets.batchUpdate``: one handler per request kind, all or none.

Each request kind is a ``_req_<kind>`` method; an unknown kind is a 501 (the fake does not
pretend), a bad one Google's 400 «Invalid requests[i].kind: …», and a failed batch leaves the
spreadsheet as it was (Google applies a batchUpdate whole or not at all:
https://developers.google.com/sheets/api/guides/batchupdate).
"""

from __future__ import annotations

import copy
import itertools
import re
from typing import Any

from . import a1
from .charts import add_chart
from .errors import FakeApiError, bad_request
from .grid import Sheet, Spreadsheet, cell_from_extended, omit_defaults

SHEET_FIELDS = {"sheetId", "title", "index", "sheetType", "gridProperties", "hidden", "tabColor",
                "tabColorStyle", "rightToLeft", "dataSourceSheetProperties"}


class BatchRequests:
    """The batchUpdate half of ``FakeSheets``, a mixin: ``FakeSheets`` gives it ``_new_sheet``
    (``create`` makes sheets too), ``describe`` and the protected ranges' id counter."""

    _protected_ids: itertools.count[int]
    # batchUpdate ------------------------------------------------------------------------------

    def batch_update(self, book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
        snapshot = copy.deepcopy(book.sheets)
        replies = []
        try:
            for i, request in enumerate(body.get("requests") or []):
                if len(request) != 1:
                    raise bad_request(f"Invalid requests[{i}]: exactly one kind of request must be set")
                ((kind, spec),) = request.items()
                handler = getattr(self, f"_req_{kind}", None)
                if handler is None:
                    raise FakeApiError(501, f"fake Sheets: request {kind} is not implemented")
                try:
                    replies.append(handler(book, spec) or {})
                except FakeApiError as exc:
                    if not exc.message.startswith("Invalid requests["):
                        exc.message = f"Invalid requests[{i}].{kind}: {exc.message}"
                    raise
        except FakeApiError:
            book.sheets = snapshot  # a batchUpdate applies all of its requests or none
            raise
        out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = self.describe(book, None)
        return out

    def _sheet_of(self, book: Spreadsheet, sheet_id: Any) -> Sheet:
        sheet = book.sheet_by_id(int(sheet_id or 0))
        if sheet is None:
            raise bad_request(f"No grid with id: {sheet_id}")
        return sheet

    def _grid_range(self, book: Spreadsheet, rng: dict[str, Any]) -> tuple[Sheet, int, int, int, int]:
        sheet = self._sheet_of(book, rng.get("sheetId"))
        r0, r1 = rng.get("startRowIndex", 0), rng.get("endRowIndex", sheet.rows)
        c0, c1 = rng.get("startColumnIndex", 0), rng.get("endColumnIndex", sheet.cols)
        if r1 > sheet.rows or c1 > sheet.cols or r0 > r1 or c0 > c1:
            raise bad_request(
                f"Range ({a1.render(sheet.title, r0, c0, max(r1, r0 + 1), max(c1, c0 + 1))}) exceeds "
                f"grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}"
            )
        return sheet, r0, c0, r1, c1

    def _req_addSheet(self, book: Spreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        props = spec.get("properties") or {}
        sheet = self._new_sheet(book, props, len(book.sheets))
        index = min(props.get("index", len(book.sheets)), len(book.sheets))
        book.sheets.insert(index, sheet)
        for i, s in enumerate(book.sheets):
            s.properties["index"] = i
        return {"addSheet": {"properties": omit_defaults(sheet.properties)}}

    def _req_updateSpreadsheetProperties(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        fields = spec.get("fields")
        if not fields:
            raise bad_request("At least one field must be specified in 'fields'")
        props = spec.get("properties") or {}
        for key in (fields.split(",") if fields != "*" else list(props)):
            if key.strip() in props:
                book.properties[key.strip()] = copy.deepcopy(props[key.strip()])

    def _req_addChart(self, book: Spreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        existing = [c for s in book.sheets for c in s.charts]
        sheet_id, chart = add_chart(
            existing, spec, lambda rng: self._grid_range(book, rng),
            lambda sid: book.sheet_by_id(int(sid or 0)) is not None,
        )
        self._sheet_of(book, sheet_id).charts.append(chart)
        return {"addChart": {"chart": copy.deepcopy(chart)}}

    def _req_deleteSheet(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        sheet = self._sheet_of(book, spec.get("sheetId"))
        if len(book.sheets) == 1:
            raise bad_request("You can't remove all the sheets in a document.")
        book.sheets.remove(sheet)

    def _req_updateSheetProperties(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        props = spec.get("properties") or {}
        fields = spec.get("fields")
        if not fields:
            raise bad_request("At least one field must be specified in 'fields'")
        sheet = self._sheet_of(book, props.get("sheetId"))
        # Google takes «gridProperties.rowCount» and «gridProperties/rowCount» alike (gspread
        # sends the second); a path the resource does not have is a 400, never ignored.
        paths = [p.strip().replace("/", ".") for p in fields.split(",")] if fields != "*" else list(props)
        for path in paths:
            if path.split(".")[0] not in SHEET_FIELDS or "." in path and path.split(".")[0] != "gridProperties":
                raise bad_request(f"Invalid field mask path: {path}")
            if path == "index":
                target = max(0, min(int(props.get("index", 0)), len(book.sheets) - 1))
                book.sheets.remove(sheet)
                book.sheets.insert(target, sheet)
                for i, other in enumerate(book.sheets):
                    other.properties["index"] = i
                continue
            src: Any = props
            dst: Any = sheet.properties
            parts = path.split(".")
            for part in parts[:-1]:
                src = (src or {}).get(part, {})
                dst = dst.setdefault(part, {})
            value = (src or {}).get(parts[-1])
            if path == "title" and value and book.sheet_by_title(value) not in (None, sheet):
                raise bad_request(f'A sheet with the name "{value}" already exists.')
            if value is None:
                dst.pop(parts[-1], None)
            else:
                dst[parts[-1]] = value
        if sheet.properties.get("hidden") and all(s.properties.get("hidden") for s in book.sheets):
            raise bad_request("You can't hide all the sheets in a document.")

    def _req_updateCells(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        fields = spec.get("fields") or ""
        if not fields:
            raise bad_request("At least one field must be specified in 'fields'")
        if "start" in spec:
            sheet = self._sheet_of(book, spec["start"].get("sheetId"))
            r0, c0 = spec["start"].get("rowIndex", 0), spec["start"].get("columnIndex", 0)
        else:
            sheet, r0, c0, r1, c1 = self._grid_range(book, spec.get("range") or {})
        covered = set()
        for i, row in enumerate(spec.get("rows") or []):
            for j, data in enumerate(row.get("values") or []):
                self._put_cell(sheet, r0 + i, c0 + j, data, fields)
                covered.add((r0 + i, c0 + j))
        if "range" in spec:  # with a range, what the rows do not cover is cleared (UpdateCellsRequest)
            inside = [k for k in {*sheet.cells, *sheet.formats} if r0 <= k[0] < r1 and c0 <= k[1] < c1]
            for key in inside:
                if key not in covered:
                    self._put_cell(sheet, key[0], key[1], {}, fields)

    def _req_repeatCell(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        sheet, r0, c0, r1, c1 = self._grid_range(book, spec.get("range") or {})
        mask = spec.get("fields") or "*"
        parts = fields_of_format(mask) if "userEnteredValue" not in mask and "dataValidation" not in mask else None
        if parts:  # a format only: kept as one range entry, not a copy per cell
            wanted = (spec.get("cell") or {}).get("userEnteredFormat") or {}
            rng = {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}
            sheet.format_ranges.append((rng, {p: copy.deepcopy(wanted.get(p)) for p in parts}))
            for r, c in [k for k in sheet.formats if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
                for p in parts:
                    sheet.formats[(r, c)].pop(p, None)  # the range's format is the newer
            return
        for r in range(r0, r1):
            for c in range(c0, c1):
                self._put_cell(sheet, r, c, spec.get("cell") or {}, spec.get("fields") or "*")

    def _put_cell(self, sheet: Sheet, r: int, c: int, data: dict[str, Any], fields: str) -> None:
        if r >= sheet.rows or c >= sheet.cols:
            raise bad_request(
                f"Range ({a1.render(sheet.title, r, c, r + 1, c + 1)}) exceeds grid limits. "
                f"Max rows: {sheet.rows}, max columns: {sheet.cols}"
            )
        if fields == "*" or "userEnteredValue" in fields:
            cell = cell_from_extended(data.get("userEnteredValue") or {})
            if cell is None:
                sheet.cells.pop((r, c), None)
            else:
                sheet.cells[(r, c)] = cell
        if fields == "*" or "userEnteredFormat" in fields:
            self._put_format(sheet, r, c, data.get("userEnteredFormat") or {}, fields)
        if "dataValidation" in fields and data.get("dataValidation"):
            sheet.validations.append(
                (
                    {
                        "startRowIndex": r,
                        "endRowIndex": r + 1,
                        "startColumnIndex": c,
                        "endColumnIndex": c + 1,
                    },
                    data["dataValidation"],
                )
            )

    @staticmethod
    def _put_format(sheet: Sheet, r: int, c: int, wanted: dict[str, Any], fields: str) -> None:
        """Set a cell's format as the field mask says: «userEnteredFormat» replaces it whole,
        «userEnteredFormat.numberFormat» or «userEnteredFormat(numberFormat,wrapStrategy)» only
        those parts, the rest of the format staying (FieldMask in batchUpdate requests)."""
        mask = fields_of_format(fields)
        if mask is None:
            if wanted:
                sheet.formats[(r, c)] = copy.deepcopy(wanted)
            else:
                sheet.formats.pop((r, c), None)
            return
        current = sheet.formats.setdefault((r, c), {})
        for part in mask:
            if part in wanted:
                current[part] = copy.deepcopy(wanted[part])
            else:
                current.pop(part, None)
        if not current:
            sheet.formats.pop((r, c), None)

    def _put_grid(self, sheet: Sheet, grid: dict[str, Any]) -> None:
        r0, c0 = grid.get("startRow", 0), grid.get("startColumn", 0)
        for i, row in enumerate(grid.get("rowData") or []):
            for j, data in enumerate(row.get("values") or []):
                self._put_cell(sheet, r0 + i, c0 + j, data, "*")
        for j, meta in enumerate(grid.get("columnMetadata") or []):
            if "pixelSize" in meta:
                sheet.column_sizes[c0 + j] = meta["pixelSize"]

    def _req_updateDimensionProperties(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        rng = spec.get("range") or {}
        sheet = self._sheet_of(book, rng.get("sheetId"))
        if rng.get("dimension") == "COLUMNS" and "pixelSize" in (spec.get("fields") or ""):
            for c in range(rng.get("startIndex", 0), rng.get("endIndex", sheet.cols)):
                sheet.column_sizes[c] = (spec.get("properties") or {}).get("pixelSize", 100)

    def _req_setDataValidation(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        sheet, r0, c0, r1, c1 = self._grid_range(book, spec.get("range") or {})
        rng = {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}
        # The new rule replaces whatever covered exactly these cells; nothing piles up.
        sheet.validations = [(r, v) for r, v in sheet.validations if r != rng]
        if spec.get("rule"):
            rule = spec["rule"]
            condition = rule.get("condition") or {}
            if condition.get("type") == "ONE_OF_LIST" and not condition.get("values"):
                raise bad_request("ONE_OF_LIST condition needs at least one value")
            sheet.validations.append((rng, copy.deepcopy(rule)))

    def _req_addConditionalFormatRule(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        rule = spec.get("rule") or {}
        ranges = rule.get("ranges") or []
        if not ranges:
            raise bad_request("A conditional format rule needs at least one range")
        sheet, *_ = self._grid_range(book, ranges[0])
        index = spec.get("index", len(sheet.conditional_formats))
        sheet.conditional_formats.insert(index, copy.deepcopy(rule))

    def _req_addProtectedRange(self, book: Spreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        pr = spec.get("protectedRange") or {}
        sheet, *_ = self._grid_range(book, pr.get("range") or {})
        added = self._add_protected(sheet, pr)
        return {"addProtectedRange": {"protectedRange": omit_defaults(added)}}

    def _add_protected(self, sheet: Sheet, pr: dict[str, Any]) -> dict[str, Any]:
        added = copy.deepcopy(pr)
        added["protectedRangeId"] = next(self._protected_ids)
        added.setdefault("requestingUserCanEdit", True)
        sheet.protected_ranges.append(added)
        return added

    def _req_appendDimension(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        sheet = self._sheet_of(book, spec.get("sheetId"))
        key = "rowCount" if spec.get("dimension") == "ROWS" else "columnCount"
        sheet.properties["gridProperties"][key] += int(spec.get("length") or 0)

    def _req_insertDimension(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        rng = spec.get("range") or {}
        sheet = self._sheet_of(book, rng.get("sheetId"))
        self._insert_dimension(sheet, rng.get("dimension", "ROWS"), rng["startIndex"], rng["endIndex"])

    def _req_deleteDimension(self, book: Spreadsheet, spec: dict[str, Any]) -> None:
        rng = spec.get("range") or {}
        sheet = self._sheet_of(book, rng.get("sheetId"))
        self._delete_dimension(sheet, rng.get("dimension", "ROWS"), rng["startIndex"], rng["endIndex"])

    def _insert_dimension(self, sheet: Sheet, dim: str, start: int, end: int) -> None:
        n = end - start
        axis = 0 if dim == "ROWS" else 1
        sheet.cells = {
            (
                k[0] + (n if axis == 0 and k[0] >= start else 0),
                k[1] + (n if axis == 1 and k[1] >= start else 0),
            ): v
            for k, v in sheet.cells.items()
        }
        key = "rowCount" if axis == 0 else "columnCount"
        sheet.properties["gridProperties"][key] += n

    def _delete_dimension(self, sheet: Sheet, dim: str, start: int, end: int) -> None:
        n = end - start
        axis = 0 if dim == "ROWS" else 1
        moved = {}
        for k, v in sheet.cells.items():
            if start <= k[axis] < end:
                continue
            if k[axis] >= end:
                k = (k[0] - n, k[1]) if axis == 0 else (k[0], k[1] - n)
            moved[k] = v
        sheet.cells = moved
        key = "rowCount" if axis == 0 else "columnCount"
        sheet.properties["gridProperties"][key] -= n
        end = "endRowIndex" if axis == 0 else "endColumnIndex"
        for rng, _parts in sheet.format_ranges:  # a range's format ends with the grid it covered
            rng[end] = min(rng.get(end, 10**9), sheet.properties["gridProperties"][key])


def fields_of_format(fields: str) -> list[str] | None:
    """The parts of userEnteredFormat a mask names; None when it names the format whole."""
    if fields.strip() == "*":
        return None
    parts: list[str] = []
    for m in re.finditer(r"userEnteredFormat(?:\.(\w+)|\(([^)]*)\))?", fields):
        if m.group(1):
            parts.append(m.group(1))
        elif m.group(2):
            parts += [p.strip().split(".")[0] for p in m.group(2).split(",") if p.strip()]
        else:
            return None
    return parts
