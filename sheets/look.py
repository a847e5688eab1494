"""How a registry sheet looks, the same rules for the local workbook and for Google.

Header colour says who writes the column (the legend is on «Как заполнять»); long text wraps;
dates are real dates shown ДД.ММ.ГГГГ; every sheet prints landscape, one page wide, with the
header row repeated.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheets.schema import Column, Kind, Owner

# Header colour says who writes the column; «Как заполнять» shows the legend.
OWNER_COLOURS: dict[Owner, str] = {Owner.JOB: "EDEDED", Owner.FORM: "E2EFDA", Owner.STAFF: "DDE7F3"}
OWNER_WORDS: dict[Owner, str] = {
    Owner.JOB: "заполняет программа (не правьте: следующий запуск перепишет)",
    Owner.FORM: "из анкет участников (правка — новым ответом анкеты или вручную)",
    Owner.STAFF: "заполняют сотрудники (программа пишет сюда только при создании строки)",
}
WRAP_FROM_WIDTH = 28  # columns this wide hold long text: their cells wrap
DATE_FORMAT = "DD.MM.YYYY"  # date cells are real dates, shown so
DATETIME_FORMAT = "DD.MM.YYYY HH:MM:SS"


@dataclass(frozen=True)
class PrintSetup:
    """How every registry prints: landscape, one page wide, the header row on every page."""

    landscape: bool = True
    fit_to_width: bool = True
    repeat_header_rows: int = 1


PRINT_SETUP = PrintSetup()


def header_colour(column: Column) -> str:
    """The header's background (hex RGB) for who writes the column."""
    return OWNER_COLOURS[column.owner]


def wraps(column: Column) -> bool:
    """Whether the column's cells wrap (long text: explanations, reasons, names)."""
    return column.kind is Kind.TEXT and column.width >= WRAP_FROM_WIDTH
