"""How a registry sheet looks on Google, the same rules as the local workbook (``sheets.look``).

Each column below its header gets, once, by one ``repeatCell`` at ``init``: date columns the
number format ДД.ММ.ГГГГ (the job writes dates as serial numbers: ``sheets.google_cells``), text
columns plain text (what a person types there stays as typed), long-text columns wrapping,
every cell aligned to the top (beside wrapped text a row reads on one line, as locally). A
column whose second row already has the format is left alone, so a second ``init`` sends nothing.

Printing: the Sheets API has no print settings. SheetProperties and GridProperties hold no
orientation, scale or rows to repeat (https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/sheets#SheetProperties),
and Drive's export takes no page options either: asked for since 2018, issuetracker.google.com/
issues/79378403, as googleapis/google-api-dotnet-client#1670 reports. Printing is the «Файл →
Печать» dialog, so what the API can do is done here and in ``setup``: the header row is frozen
(the dialog repeats frozen rows on every page), headers and long text wrap, columns get their
widths. README says what to choose in the dialog (landscape, fit to width).
"""

from __future__ import annotations

from typing import Any

from sheets.google_cells import number_format
from sheets.look import header_colour, wraps
from sheets.schema import Column, SheetSchema, dropdown_message

PARTS = ("numberFormat", "wrapStrategy", "verticalAlignment")


def wanted_format(column: Column) -> dict[str, Any]:
    """The userEnteredFormat parts a column's cells get (empty: nothing to set)."""
    out: dict[str, Any] = {"verticalAlignment": "TOP"}  # a row's cells start on one line, as locally
    if (fmt := number_format(column.kind)) is not None:
        out["numberFormat"] = fmt
    if wraps(column):
        out["wrapStrategy"] = "WRAP"
    return out


def has_format(current: dict[str, Any] | None, wanted: dict[str, Any]) -> bool:
    """Whether a cell's userEnteredFormat already has every wanted part (others are staff's)."""
    current = current or {}
    for part, value in wanted.items():
        have = current.get(part)
        if part == "numberFormat":
            if not isinstance(have, dict) or (have.get("type"), have.get("pattern", "")) != (
                    value["type"], value.get("pattern", "")):
                return False
        elif have != value:
            return False
    return True


def column_format_requests(
    schema: SheetSchema, sheet_id: int, mapping: dict[str, int], second: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """repeatCell requests for the columns whose cells (as row 2 shows) lack their format."""
    out = []
    for column in schema.columns:
        col = mapping.get(column.name)
        wanted = wanted_format(column)
        if col is None or not wanted:
            continue
        cell = second[col - 1] if col - 1 < len(second) else {}
        if has_format(cell.get("userEnteredFormat"), wanted):
            continue
        out.append({"repeatCell": {
            "range": {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": col - 1, "endColumnIndex": col},
            "cell": {"userEnteredFormat": wanted},
            "fields": "userEnteredFormat(" + ",".join(p for p in PARTS if p in wanted) + ")",
        }})
    return out


def header_colour_requests(
    schema: SheetSchema, sheet_id: int, mapping: dict[str, int], first: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Repaint headers whose colour is not their owner's (a column that changed hands since)."""
    out = []
    for column in schema.columns:
        col = mapping.get(column.name)
        if col is None:
            continue
        cell = first[col - 1] if col - 1 < len(first) else {}
        have = (cell.get("userEnteredFormat") or {}).get("backgroundColor") or {}
        wanted = _colour(header_colour(column))
        if all(abs(float(have.get(k, 0.0)) - wanted[k]) < 0.01 for k in wanted):
            continue
        out.append({"repeatCell": {
            "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": col - 1,
                      "endColumnIndex": col},
            "cell": {"userEnteredFormat": {"backgroundColor": wanted}},
            "fields": "userEnteredFormat.backgroundColor"}})
    return out


# --- dropdowns and status colours (moved here from setup: the sheet's look) -------------------


def _dropdown(column: Column) -> dict[str, Any]:
    # strict: a value outside the list is refused, with the same Russian message as the
    # workbook's (DataValidationRule.strict / inputMessage, Sheets API v4 reference).
    return {
        "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in column.choices]},
        "inputMessage": dropdown_message(column),
        "showCustomUi": True,
        "strict": True,
    }


def _same_list(current: dict[str, Any] | None, wanted: dict[str, Any]) -> bool:
    """Whether the cell's rule is already the wanted one (an old lenient list is made strict)."""
    if not current:
        return False
    condition = current.get("condition", {})
    values = [v.get("userEnteredValue") for v in condition.get("values", [])]
    wanted_values = [v["userEnteredValue"] for v in wanted["condition"]["values"]]
    return (condition.get("type") == "ONE_OF_LIST" and values == wanted_values
            and bool(current.get("strict")) and current.get("inputMessage", "") == wanted["inputMessage"])


def _has_rule(rules: list[dict[str, Any]], col: int, value: str) -> bool:
    for rule in rules:
        condition = rule.get("booleanRule", {}).get("condition", {})
        values = [v.get("userEnteredValue") for v in condition.get("values", [])]
        starts = [r.get("startColumnIndex") for r in rule.get("ranges", [])]
        if condition.get("type") == "TEXT_EQ" and values == [value] and col in starts:
            return True
    return False


def _colour_rule(rng: dict[str, Any], value: str, colour: str) -> dict[str, Any]:
    return {
        "ranges": [rng],
        "booleanRule": {
            "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": value}]},
            "format": {"backgroundColor": _colour(colour)},
        },
    }


def _colour(hex_rgb: str) -> dict[str, float]:
    red, green, blue = (int(hex_rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": round(red, 4), "green": round(green, 4), "blue": round(blue, 4)}
