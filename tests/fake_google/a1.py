"""A1 notation: parse «'Лист'!A2:C», render «'Лист'!A1:C10», as Sheets does."""

from __future__ import annotations

import re
from dataclasses import dataclass

_REF = re.compile(r"^([A-Za-z]*)(\d*)$")
_SIMPLE_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class A1:
    """A parsed range: sheet title and 0-based, end-exclusive bounds (None = unbounded)."""

    title: str | None
    row0: int | None
    col0: int | None
    row1: int | None
    col1: int | None


class A1Error(ValueError):
    """The text is not a range."""


def column_letters(index: int) -> str:
    """0-based column index -> letters (0 -> A, 26 -> AA)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def column_index(letters: str) -> int:
    """Letters -> 0-based column index."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - ord("A") + 1
    return n - 1


_CELL_LIKE = re.compile(r"^(?:[A-Za-z]{1,3}\d+|[Rr]\d+[Cc]\d+)$")


def quote_title(title: str) -> str:
    """A sheet title as it appears in a range: quoted unless plain ASCII that cannot be read as
    a cell («D3», «R1C1» are quoted, as Google's replies show: gspread cassette
    ``WorksheetTest.test_get_all_values_title_is_a1_notation``)."""
    if _SIMPLE_TITLE.match(title) and not _CELL_LIKE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split_title(text: str) -> tuple[str | None, str]:
    """Split «'Лист'!A1:B2» into the title (unquoted) and the cell part."""
    if text.startswith("'"):
        i, title = 1, ""
        while i < len(text):
            if text[i] == "'":
                if text[i + 1 : i + 2] == "'":
                    title += "'"
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return title, ""
                if not rest.startswith("!"):
                    raise A1Error(text)
                return title, rest[1:]
            title += text[i]
            i += 1
        raise A1Error(text)
    if "!" in text:
        title, _, rest = text.rpartition("!")
        return title, rest
    return None, text


def _corner(ref: str) -> tuple[int | None, int | None]:
    m = _REF.match(ref)
    if not m or not (m.group(1) or m.group(2)):
        raise A1Error(ref)
    col = column_index(m.group(1)) if m.group(1) else None
    row = int(m.group(2)) - 1 if m.group(2) else None
    if row is not None and row < 0:
        raise A1Error(ref)
    return row, col


def parse_cells(cells: str) -> tuple[int | None, int | None, int | None, int | None]:
    """«A2:C» -> (row0, col0, row1, col1), 0-based, end-exclusive, None for unbounded."""
    first, _, second = cells.partition(":")
    r0, c0 = _corner(first)
    if not second:
        if r0 is None or c0 is None:
            raise A1Error(cells)
        return r0, c0, r0 + 1, c0 + 1
    r1, c1 = _corner(second)
    if (r0 is None) != (r1 is None) and r0 is None:
        raise A1Error(cells)
    if (c0 is None) != (c1 is None) and c0 is None:
        raise A1Error(cells)
    return (
        r0 if r0 is not None else 0 if r1 is not None else None,
        c0 if c0 is not None else 0 if c1 is not None else None,
        r1 + 1 if r1 is not None else None,
        c1 + 1 if c1 is not None else None,
    )


def render(title: str, row0: int, col0: int, row1: int, col1: int) -> str:
    """«'Лист'!A1:C10» from 0-based end-exclusive bounds."""
    start = f"{column_letters(col0)}{row0 + 1}"
    end = f"{column_letters(col1 - 1)}{row1}"
    cells = start if (row1 - row0, col1 - col0) == (1, 1) else f"{start}:{end}"
    return f"{quote_title(title)}!{cells}"
