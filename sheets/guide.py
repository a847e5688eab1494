"""«Как заполнять»: every sheet's columns, who fills each, and the allowed values.

Made from the schema, so it cannot drift from what the job reads and writes. Both stores lay
it out from ``guide_rows``; the job never reads it.
"""

from __future__ import annotations

from sheets.look import OWNER_COLOURS, OWNER_WORDS, header_colour
from sheets.schema import REGISTRIES, Kind, Owner

GUIDE_TITLE = "Как заполнять"
GUIDE_HEADER = ("Лист", "Столбец", "Кто заполняет", "Допустимые значения")
GUIDE_WIDTHS = (24, 30, 60, 70)
LEGEND_TITLE = "Цвет заголовка столбца показывает, кто его заполняет:"
KIND_WORDS = {
    Kind.INT: "целое число",
    Kind.NUMBER: "число",
    Kind.DATE: "дата ДД.ММ.ГГГГ",
    Kind.DATETIME: "дата и время",
    Kind.BOOL: "да или нет",
}


def allowed(column) -> str:
    """What may be in a column, in words."""
    if column.choices:
        joined = ", ".join(column.choices)
        return f"одно из: {joined}" if column.kind is not Kind.CHOICES else f"несколько из: {joined} (через «; »)"
    return KIND_WORDS.get(column.kind, "текст")


def guide_rows() -> list[tuple[tuple[str, ...], str]]:
    """The sheet's rows (cells, header colour of the row or ""): legend first, then every column."""
    rows: list[tuple[tuple[str, ...], str]] = [((LEGEND_TITLE, "", "", ""), "")]
    for owner in (Owner.STAFF, Owner.FORM, Owner.JOB):
        rows.append((("", "", OWNER_WORDS[owner], ""), OWNER_COLOURS[owner]))
    rows.append((("", "", "", ""), ""))
    rows.append((GUIDE_HEADER, "bold"))
    for schema in REGISTRIES:
        if schema.hidden:
            continue
        for column in schema.columns:
            rows.append(((schema.title, column.header, OWNER_WORDS[column.owner], allowed(column)),
                         header_colour(column)))
    return rows

