"""Dates and number formats in the Sheets fake, as Google keeps and shows them.

- A date is a number, its serial number: days since 30 December 1899, the time of day as the
  fraction («About date & time values», https://developers.google.com/workspace/sheets/api/guides/formats;
  DateTimeRenderOption, https://developers.google.com/workspace/sheets/api/reference/rest/v4/DateTimeRenderOption).
- ``valueInputOption=RAW`` stores values as they are: a number stays a number, a string a string
  (never a date or a formula). ``USER_ENTERED`` parses as the UI does: in a ru_RU spreadsheet
  «25.11.2026» (and «2026-11-25») becomes a date and, if the cell had no number format, gets a
  date format; a cell formatted as plain text (NumberFormat type TEXT) keeps what was typed
  (ValueInputOption, https://developers.google.com/workspace/sheets/api/reference/rest/v4/ValueInputOption).
- Reads: FORMATTED_VALUE shows a number through its cell's format («dd.mm.yyyy» -> 25.11.2026);
  UNFORMATTED_VALUE gives the number itself, and for date-formatted cells the
  ``dateTimeRenderOption``: SERIAL_NUMBER (the default) the serial, FORMATTED_STRING the formatted
  text (ValueRenderOption, .../rest/v4/ValueRenderOption). dateTimeRenderOption is ignored with
  FORMATTED_VALUE.
- Format patterns (NumberFormat.pattern, the formats guide): ``dd`` day, ``mm`` month (minutes
  right after ``hh``), ``yyyy`` year, ``hh`` hours, ``ss`` seconds; the fake renders these.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

EPOCH = datetime(1899, 12, 30)
DATE_TYPES = ("DATE", "DATE_TIME", "TIME")
LOCALE_DATE_FORMAT = {"type": "DATE", "pattern": "dd.MM.yyyy"}  # what ru_RU gives a typed date
_TYPED = (
    ("%d.%m.%Y", False), ("%d.%m.%Y %H:%M:%S", True), ("%d.%m.%Y %H:%M", True), ("%Y-%m-%d", False),
)
_TOKENS = re.compile(r"yyyy|yy|dd|d|mm|m|hh|h|ss|s", re.IGNORECASE)


def serial_of(moment: datetime) -> float:
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86_400


def moment_of(serial: float) -> datetime:
    return EPOCH + timedelta(seconds=round(serial * 86_400))


def typed_date(text: str) -> tuple[float, dict[str, str]] | None:
    """A date as the UI takes it in a ru_RU spreadsheet: its serial and the format it gets."""
    for fmt, has_time in _TYPED:
        try:
            moment = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        shown = {"type": "DATE_TIME", "pattern": "dd.MM.yyyy H:mm:ss"} if has_time else LOCALE_DATE_FORMAT
        return serial_of(moment), shown
    return None


def is_text_format(fmt: dict[str, Any] | None) -> bool:
    return bool(fmt) and (fmt.get("numberFormat") or {}).get("type") == "TEXT"


def date_format(fmt: dict[str, Any] | None) -> str | None:
    """The pattern of a cell formatted as a date (or date and time), else None."""
    number = (fmt or {}).get("numberFormat") or {}
    return number.get("pattern") or "dd.MM.yyyy" if number.get("type") in DATE_TYPES else None


def render_date(serial: float, pattern: str) -> str:
    """A serial number through a date pattern (the tokens above; other characters as they are)."""
    moment = moment_of(serial)
    out, last = [], ""
    for piece in re.split(r"(yyyy|yy|dd|d|mm|m|hh|h|ss|s)", pattern, flags=re.IGNORECASE):
        if not _TOKENS.fullmatch(piece or "-"):
            out.append(piece)
            continue
        token = piece.lower()
        if token in ("mm", "m") and last in ("hh", "h"):
            value = moment.minute
        elif token in ("mm", "m"):
            value = moment.month
        else:
            value = {"yyyy": moment.year, "yy": moment.year % 100, "dd": moment.day, "d": moment.day,
                     "hh": moment.hour, "h": moment.hour, "ss": moment.second, "s": moment.second}[token]
        out.append(f"{value:04d}" if token == "yyyy" else f"{value:02d}" if len(token) == 2 else str(value))
        last = token
    return "".join(out)
