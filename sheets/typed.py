"""Typed cells: a staff- or form-owned cell read as its column's kind says, or a reason why not.

Staff type into the registries by hand: «Утверждена », «ДА», «три», «32.13.2026». A cell is read
here, once, into its value and the canonical text it should hold (choices tidied for case,
spaces and ё/е), or into a Russian reason it cannot be read. Callers never guess: an unreadable
cell is reported (sheet, ID, column, value) and the job does not act on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sheets.schema import Column, Kind

LIST_SEPARATOR = "; "
YES, NO = "да", "нет"
_YES = frozenset({"да", "д", "yes", "y", "true", "истина", "1", "+"})
_NO = frozenset({"нет", "н", "no", "n", "false", "ложь", "0", "-"})

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y", "%Y/%m/%d", "%Y.%m.%d")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_INT = re.compile(r"[+]?[0-9]{1,9}(?:[.,]0+)?")

MSG_INT = "нужно целое число"
MSG_INT_LOW = "число меньше {low}"
MSG_INT_HIGH = "число больше {high}"
MSG_DATE = "дата не распознана (нужно ДД.ММ.ГГГГ)"
MSG_DATETIME = "дата и время не распознаны (нужно ДД.ММ.ГГГГ ЧЧ:ММ)"
MSG_BOOL = "нужно «да» или «нет»"
MSG_CHOICE = "такого значения нет в списке; допустимо: {allowed}"
MSG_CHOICES = "значений нет в списке: {unknown}; допустимо: {allowed}"


@dataclass(frozen=True)
class Reading:
    """A cell as read: its value, the text it should hold, or why it cannot be read.

    ``value`` is None for an empty or unreadable cell; otherwise an int (INT), a date (DATE), a
    datetime (DATETIME), a bool (BOOL), the canonical option (CHOICE), a tuple of options
    (CHOICES) or the text (TEXT). ``canonical`` equals ``text`` when nothing is to be tidied.
    """

    text: str
    value: object = None
    canonical: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def empty(self) -> bool:
        return self.ok and self.value is None

    @property
    def tidy(self) -> bool:
        """Whether the cell reads but should be rewritten to its canonical text."""
        return self.ok and self.canonical != self.text


def fold(text: str) -> str:
    """Text for comparing choices: case, ё/е and any run of spaces (also no-break) do not matter."""
    return _SPACES.sub(" ", text.replace("ё", "е").replace("Ё", "Е")).strip().casefold()


def match_choice(text: str, choices: tuple[str, ...]) -> str | None:
    """The canonical option ``text`` means, or None (``choices`` empty: any text is fine)."""
    return _folded(choices).get(fold(text))


@lru_cache(maxsize=256)
def _folded(choices: tuple[str, ...]) -> dict[str, str]:
    return {fold(c): c for c in choices}


def _allowed(choices: tuple[str, ...]) -> str:
    return ", ".join(f"«{c}»" for c in choices)


@lru_cache(maxsize=65_536)  # the same few dates (and "") are read for thousands of rows; strptime is slow
def parse_date_text(text: str) -> date | None:
    """A date typed or stored in a cell (2026-11-25, 25.11.2026, 25.11.26), or None."""
    text = _SPACES.sub(" ", text).strip()
    if text.endswith(" 00:00:00"):
        text = text[:-9]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _read_int(column: Column, text: str, stripped: str) -> Reading:
    compact = _SPACES.sub("", stripped)
    if not _INT.fullmatch(compact):
        return Reading(text, None, text, MSG_INT)
    number = int(re.split(r"[.,]", compact)[0])
    if column.low is not None and number < column.low:
        return Reading(text, None, text, MSG_INT_LOW.format(low=column.low))
    if column.high is not None and number > column.high:
        return Reading(text, None, text, MSG_INT_HIGH.format(high=column.high))
    return Reading(text, number, str(number))


def _read_choices(column: Column, text: str, stripped: str) -> Reading:
    pieces = [p.strip() for p in re.split(r"[;,]", stripped) if p.strip()]
    if not column.choices:
        return Reading(text, tuple(pieces), text)
    known, unknown = [], []
    for piece in pieces:
        option = match_choice(piece, column.choices)
        (known if option is not None else unknown).append(option or piece)
    if unknown:
        return Reading(
            text, None, text,
            MSG_CHOICES.format(unknown=", ".join(f"«{u}»" for u in unknown), allowed=_allowed(column.choices)),
        )
    ordered = tuple(sorted(set(known), key=column.choices.index))
    return Reading(text, ordered, LIST_SEPARATOR.join(ordered))


@lru_cache(maxsize=65_536)
def read_cell(column: Column, text: str) -> Reading:
    """Read one cell's text as ``column`` says; an empty cell reads as None, never a problem."""
    stripped = text.strip()
    if not stripped:
        return Reading(text, None, "" if text.isspace() else text)
    kind = column.kind
    if kind is Kind.INT:
        return _read_int(column, text, stripped)
    if kind is Kind.DATE:
        parsed = parse_date_text(stripped)
        return Reading(text, parsed, parsed.isoformat()) if parsed else Reading(text, None, text, MSG_DATE)
    if kind is Kind.DATETIME:
        squeezed = _SPACES.sub(" ", stripped)
        for fmt in _DATETIME_FORMATS:
            try:
                moment = datetime.strptime(squeezed, fmt)
            except ValueError:
                continue
            return Reading(text, moment, moment.strftime("%Y-%m-%d %H:%M:%S"))
        return Reading(text, None, text, MSG_DATETIME)
    if kind is Kind.BOOL:
        folded = fold(stripped)
        if folded in _YES:
            return Reading(text, True, YES)
        if folded in _NO:
            return Reading(text, False, NO)
        return Reading(text, None, text, MSG_BOOL)
    if kind is Kind.CHOICE:
        if not column.choices:
            return Reading(text, stripped, text)
        option = match_choice(stripped, column.choices)
        if option is None:
            return Reading(text, None, text, MSG_CHOICE.format(allowed=_allowed(column.choices)))
        return Reading(text, option, option)
    if kind is Kind.CHOICES:
        return _read_choices(column, text, stripped)
    return Reading(text, text, text)


def is_typed(column: Column) -> bool:
    """Whether a column's cells have a kind to check (text and free lists have none)."""
    if column.kind is Kind.TEXT:
        return False
    if column.kind in (Kind.CHOICE, Kind.CHOICES):
        return bool(column.choices)
    return True
