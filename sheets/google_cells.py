"""Dates on Google Sheets: real date cells, written as serial numbers and read back as such.

Sheets keeps a date as a number, its «serial number»: whole days since 30 December 1899, the
time of day as the fraction (DateTimeRenderOption, SERIAL_NUMBER; «About date & time values»,
https://developers.google.com/workspace/sheets/api/guides/formats). The job writes a date column's
ISO text as that number with ``valueInputOption=RAW`` (a number stays a number, a text stays
text: nothing typed by a participant can become a formula), and ``init`` gives the column the
number format ``DATE_PATTERN`` so a person sees ДД.ММ.ГГГГ. Reads ask for UNFORMATTED_VALUE with
SERIAL_NUMBER: a date cell comes back as its number whatever the column's format or the
spreadsheet's locale (a FORMATTED_VALUE of «03.04.2026» would be 3 April in ru_RU and 4 March
in en_US), and only in a date column is a number taken for a date. Text a person typed that
Sheets did not take for a date («25.11.26», «скоро») and the ISO text of older spreadsheets come
back as text, for the typed-cell reader (``sheets.typed``) to read or report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sheets.layout import header_map
from sheets.schema import Kind, SheetSchema

EPOCH = datetime(1899, 12, 30)
DAY_SECONDS = 86_400
DATE_PATTERN = "dd.mm.yyyy"  # Sheets' pattern letters (NumberFormat.pattern): ДД.ММ.ГГГГ
DATETIME_PATTERN = "dd.mm.yyyy hh:mm:ss"
DATE_KINDS = (Kind.DATE, Kind.DATETIME)


def number_format(kind: Kind) -> dict[str, str] | None:
    """The NumberFormat a column of this kind gets (None: Sheets' automatic format).

    Text columns get TEXT («Обычный текст»), so what a person types there stays as typed:
    «01.12.2026» in «Срок (даты)» or a phone number is not turned into a number.
    """
    if kind is Kind.DATE:
        return {"type": "DATE", "pattern": DATE_PATTERN}
    if kind is Kind.DATETIME:
        return {"type": "DATE_TIME", "pattern": DATETIME_PATTERN}
    if kind in (Kind.TEXT, Kind.CHOICE, Kind.CHOICES, Kind.BOOL):
        return {"type": "TEXT"}
    return None


def to_serial(text: str, kind: Kind) -> int | float | None:
    """The serial number of a date column's ISO text, when it reads back as the same text."""
    try:
        if kind is Kind.DATE and len(text) == 10:
            return (date.fromisoformat(text) - EPOCH.date()).days
        if kind is Kind.DATETIME and len(text) == 19:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                delta = moment - EPOCH
                return delta.days + delta.seconds / DAY_SECONDS
    except ValueError:
        return None
    return None


def from_serial(value: object, kind: Kind) -> str | None:
    """The ISO text of a serial number read from a date column (None: not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        moment = EPOCH + timedelta(seconds=round(float(value) * DAY_SECONDS))
    except (OverflowError, ValueError):
        return None
    if kind is Kind.DATE:
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def dates_as_text(schema: SheetSchema, grid: Sequence[Sequence[object]]) -> list[list[object]]:
    """The grid with every serial number in a date column turned into its ISO text."""
    if not grid:
        return []
    mapping, _problems = header_map(schema, grid[0])
    columns = [(i - 1, schema.column(name).kind) for name, i in mapping.items()
               if schema.column(name).kind in DATE_KINDS]
    if not columns:
        return [list(row) for row in grid]
    out = [list(grid[0])]
    for row in grid[1:]:
        cells = list(row)
        for index, kind in columns:
            if index < len(cells) and (text := from_serial(cells[index], kind)) is not None:
                cells[index] = text
        out.append(cells)
    return out


def cell_value(kind: Kind, text: str) -> str | int | float:
    """A date column's cell as the job writes it: its serial number, or the text as it is."""
    serial = to_serial(text, kind) if kind in DATE_KINDS else None
    return serial if serial is not None else text
