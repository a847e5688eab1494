"""Russian deadline phrases of the roadmap («октябрь 2022 г.», «первая декада сентября 2023 г.»)
read as inclusive date ranges.

``parse_deadline`` either returns a ``DeadlineRange`` or raises ``DeadlineError`` whose message
is Russian and says what it could not read; it raises nothing else, whatever the text.

How phrases are read (what a person at the school would understand):

- a month «октябрь 2022 г.» is the whole month, 2022-10-01..2022-10-31;
- a month range «Сентябрь- октябрь 2022 г.» runs from the first day of the first month to the
  last day of the second; the year written once applies to both months. If the months run
  backwards under one calendar year («ноябрь - февраль 2023») the phrase is ambiguous and
  refused;
- a decade «первая декада сентября 2023 г.» is days 1-10, the second 11-20, the third 21 to
  the month's end;
- a school year «2022-2023» (two consecutive years) places a month in that school year:
  September-December fall in the first year, January-August in the second. So
  «Октябрь 2022-2023 г.» is October 2022 (not "October 2022 through 2023") and
  «май 2021-2022 г.» is May 2022. Years with no month («2022-2024 г. г.») run from 1 September
  of the first year to 31 August of the last; a month with years further apart is refused;
- a plain year «2023 г.» is the whole calendar year;
- «в течение всего периода» (and «весь период программы» and the like) is the programme period,
  which the caller passes as ``period``;
- dates typed by staff: «25.11.2026», «25.11.26», «2026-11-25», «25 ноября 2026»; ranges of them
  with any dash or «с ... по ...»; the left end may leave out what the right end says
  («25.11–01.12.2026», «1-10 сентября 2023»).

Case, the dash (-, –, —), spacing, «г», «г.», «гг.», «г. г.», «года» and stray dots do not
matter. Months may be written in the nominative, genitive or prepositional case, or abbreviated
(«сент.», «окт.»). ``shift_years`` moves every year in the phrase, so a new programme cycle
reuses the 2022-2024 texts; it does not move ``period``, which is already the cycle's own.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["DeadlineError", "DeadlineRange", "parse_deadline"]

# Russian messages, all in one place.
MSG_PREFIX = "не удалось разобрать срок «{text}»: {reason}"
MSG_EMPTY = "срок не указан"
MSG_UNKNOWN = "непонятно «{token}»"
MSG_NO_PERIOD = "период программы не задан"
MSG_NO_YEAR = "не указан год"
MSG_NO_MONTH = "не указан месяц"
MSG_NO_DATE = "такой даты нет: {text}"
MSG_YEAR_RANGE = "год {year} вне допустимых пределов ({low}–{high})"
MSG_TWICE = "дважды указано: {what}"
MSG_DECADE = "декада указывается словами «первая», «вторая» или «третья» декада"
MSG_DAY_AND_DECADE = "указаны и день, и декада"
MSG_PARTS = "в сроке должно быть не больше двух частей через тире"
MSG_EMPTY_PART = "пустая часть до или после тире"
MSG_SCHOOL_YEAR = "учебный год пишется двумя соседними годами, например «2022-2023»: {text}"
MSG_REVERSED = "начало срока позже окончания"
MSG_REVERSED_MONTHS = (
    "месяцы идут в обратном порядке; укажите год у каждого месяца или учебный год (2022-2023)"
)
WHAT_DAY, WHAT_MONTH, WHAT_YEAR, WHAT_DECADE = "день", "месяц", "год", "декада"

YEAR_LOW, YEAR_HIGH = 1900, 2199

_MONTHS: dict[str, int] = {}
for _number, _forms in enumerate(
    (
        "январь января январе янв",
        "февраль февраля феврале фев февр",
        "март марта марте мар",
        "апрель апреля апреле апр",
        "май мая мае",
        "июнь июня июне июн",
        "июль июля июле июл",
        "август августа августе авг",
        "сентябрь сентября сентябре сен сент",
        "октябрь октября октябре окт",
        "ноябрь ноября ноябре ноя нояб",
        "декабрь декабря декабре дек",
    ),
    start=1,
):
    _MONTHS.update(dict.fromkeys(_forms.split(), _number))

_ORDINALS: dict[str, int] = {
    **dict.fromkeys(("первая", "первой", "первую"), 1),
    **dict.fromkeys(("вторая", "второй", "вторую"), 2),
    **dict.fromkeys(("третья", "третьей", "третью"), 3),
}
_DECADE_WORDS = frozenset(("декада", "декады", "декаде", "декаду"))
# Words that carry no date: year marks, "school year", "from", "in", "during".
_FILLER = frozenset("г гг год года году уч учебный учебного учебном с в течение течении".split())
_RANGE_WORDS = frozenset(("по",))
_PERIOD_WORDS = frozenset(
    "в течение течении на протяжении всего весь период периода программы реализации "
    "наставничества".split()
)

_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d-]")
_TOKEN = re.compile(
    r"""
    (?P<iso>\d{4}-\d{1,2}-\d{1,2})(?!\d)
    | (?P<dmy>\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2}))(?!\d)
    | (?P<dm>\d{1,2}\.\d{1,2})(?!\d)
    | (?P<span>\d{4}\s*-\s*\d{4})(?!\d)
    | (?P<year>\d{4})(?!\d)
    | (?P<ordnum>[1-3])\s*-?\s*(?:я|ая|ья|й|ой)(?![а-яa-z])
    | (?P<num>\d{1,2})(?!\d)
    | (?P<dash>-)
    | (?P<word>[а-яa-z]+)
    | (?P<skip>[\s.,;:()/«»"']+)
    """,
    re.VERBOSE,
)


class DeadlineError(ValueError):
    """A deadline text that cannot be read; ``str()`` is a Russian message naming the text."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(MSG_PREFIX.format(text=text, reason=reason))
        self.text = text
        self.reason = reason


@dataclass(frozen=True, order=True)
class DeadlineRange:
    """An inclusive range of days."""

    start: date
    end: date

    def __str__(self) -> str:
        """«01.10.2022–31.10.2022», or one date when the range is a single day."""
        if self.start == self.end:
            return _dmy(self.start)
        return f"{_dmy(self.start)}–{_dmy(self.end)}"

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls inside the range."""
        return self.start <= day <= self.end

    def is_past(self, today: date) -> bool:
        """Whether the range ended before ``today``."""
        return today > self.end


def parse_deadline(
    text: str, shift_years: int = 0, period: DeadlineRange | None = None
) -> DeadlineRange:
    """Read a Russian deadline phrase or typed date(s) as an inclusive date range.

    ``period`` is the programme period that «в течение всего периода» stands for. Raises
    ``DeadlineError`` (Russian message) for text it cannot read, and never anything else.
    """
    original = text
    try:
        return _parse(original, shift_years, period)
    except DeadlineError:
        raise
    except (ValueError, OverflowError, TypeError) as error:  # defensive: never leak others
        raise DeadlineError(str(original), MSG_UNKNOWN.format(token=original)) from error


def _dmy(day: date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


@dataclass
class _Part:
    """One side of a range: whatever the text says about it, fields missing until inherited."""

    day: int | None = None
    month: int | None = None
    year: int | None = None
    school_year: tuple[int, int] | None = None
    decade: int | None = None

    @property
    def has_year(self) -> bool:
        return self.year is not None or self.school_year is not None


def _parse(text: str, shift: int, period: DeadlineRange | None) -> DeadlineRange:
    norm = _DASHES.sub("-", text.lower().replace("ё", "е"))
    if not norm.strip(" \t\r\n.,;:"):
        raise DeadlineError(text, MSG_EMPTY)
    words = re.findall(r"[а-яa-z]+", norm)
    if words and set(words) <= _PERIOD_WORDS and {"период", "периода"} & set(words):
        if re.search(r"\d", norm):
            raise DeadlineError(text, MSG_UNKNOWN.format(token=norm.strip()))
        if period is None:
            raise DeadlineError(text, MSG_NO_PERIOD)
        return period
    sides = _split(text, _tokenize(text, norm))
    if len(sides) == 2 and sides[0][-1][0] == "ordnum" and any(k == "decade" for k, _ in sides[1]):
        sides[0].append(("decade", ""))  # «первая - вторая декада октября»
    parts = [_read_part(text, tokens) for tokens in sides]
    year_written_once = len(parts) == 2 and not parts[0].has_year
    _inherit(text, parts)
    ranges = [_resolve(text, part, shift) for part in parts]
    if len(ranges) == 2 and ranges[0].start > ranges[1].end:
        if year_written_once and parts[0].year is not None and parts[0].month is not None:
            raise DeadlineError(text, MSG_REVERSED_MONTHS)
        raise DeadlineError(text, MSG_REVERSED)
    return DeadlineRange(ranges[0].start, ranges[-1].end)


def _tokenize(text: str, norm: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(norm):
        match = _TOKEN.match(norm, position)
        if match is None:
            rest = norm[position:]
            raise DeadlineError(text, MSG_UNKNOWN.format(token=(rest.split() or [rest])[0]))
        position = match.end()
        kind = match.lastgroup or "skip"
        value = match.group(kind)
        if kind == "skip":
            continue
        if kind == "word":
            if value in _FILLER:
                continue
            if value in _RANGE_WORDS:
                kind = "dash"
            elif value in _MONTHS:
                kind = "month"
            elif value in _ORDINALS:
                kind, value = "ordnum", str(_ORDINALS[value])
            elif value in _DECADE_WORDS:
                kind = "decade"
            else:
                raise DeadlineError(text, MSG_UNKNOWN.format(token=value))
        tokens.append((kind, value))
    return tokens


def _split(text: str, tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    parts: list[list[tuple[str, str]]] = [[]]
    for kind, value in tokens:
        if kind == "dash":
            parts.append([])
        else:
            parts[-1].append((kind, value))
    if len(parts) > 2:
        raise DeadlineError(text, MSG_PARTS)
    if any(not part for part in parts):
        raise DeadlineError(text, MSG_EMPTY_PART if len(parts) > 1 else MSG_EMPTY)
    return parts


def _read_part(text: str, tokens: list[tuple[str, str]]) -> _Part:
    part = _Part()

    def put(field: str, value: object, what: str) -> None:
        if getattr(part, field) is not None:
            raise DeadlineError(text, MSG_TWICE.format(what=what))
        setattr(part, field, value)

    def put_year(year: int) -> None:
        if part.has_year:
            raise DeadlineError(text, MSG_TWICE.format(what=WHAT_YEAR))
        part.year = year

    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        index += 1
        if kind == "iso":
            year, month, day = (int(x) for x in value.split("-"))
            put("day", day, WHAT_DAY)
            put("month", month, WHAT_MONTH)
            put_year(year)
        elif kind in ("dmy", "dm"):
            numbers = [int(x) for x in value.split(".")]
            put("day", numbers[0], WHAT_DAY)
            put("month", numbers[1], WHAT_MONTH)
            if kind == "dmy":
                raw = value.rsplit(".", 1)[1]
                put_year(numbers[2] + 2000 if len(raw) == 2 else numbers[2])
        elif kind == "span":
            first, last = (int(x) for x in value.split("-"))
            if last <= first:
                raise DeadlineError(text, MSG_SCHOOL_YEAR.format(text=value.replace(" ", "")))
            if part.has_year:
                raise DeadlineError(text, MSG_TWICE.format(what=WHAT_YEAR))
            part.school_year = (first, last)
        elif kind == "year":
            put_year(int(value))
        elif kind == "num":
            put("day", int(value), WHAT_DAY)
        elif kind == "month":
            put("month", _MONTHS[value], WHAT_MONTH)
        elif kind == "ordnum":
            if index >= len(tokens) or tokens[index][0] != "decade":
                raise DeadlineError(text, MSG_DECADE)
            index += 1
            put("decade", int(value), WHAT_DECADE)
        else:  # a bare «декада»
            raise DeadlineError(text, MSG_DECADE)
    if part.day is not None and part.decade is not None:
        raise DeadlineError(text, MSG_DAY_AND_DECADE)
    return part


def _inherit(text: str, parts: list[_Part]) -> None:
    """Fill what the left end leaves out from the right end («1-10 сентября 2023»), and a
    year the right end leaves out from the left («с 1 сентября 2023 по 10 октября»)."""
    if len(parts) == 2:
        left, right = parts
        if left.month is None and (left.day is not None or left.decade is not None):
            left.month = right.month
        if not left.has_year:
            left.year, left.school_year = right.year, right.school_year
        elif not right.has_year:
            right.year, right.school_year = left.year, left.school_year
    for part in parts:
        if (part.day is not None or part.decade is not None) and part.month is None:
            raise DeadlineError(text, MSG_NO_MONTH)
        if not part.has_year:
            raise DeadlineError(text, MSG_NO_YEAR)


def _resolve(text: str, part: _Part, shift: int) -> DeadlineRange:
    if part.school_year is not None:
        first, last = part.school_year
        if part.month is None:
            return DeadlineRange(_date(text, first + shift, 9, 1), _date(text, last + shift, 8, 31))
        if last != first + 1:  # «май 2022-2024»: which May?
            raise DeadlineError(text, MSG_SCHOOL_YEAR.format(text=f"{first}-{last}"))
        written = first if part.month >= 9 else last
    else:
        assert part.year is not None
        written = part.year
    year = written + shift
    if part.month is None:
        return DeadlineRange(_date(text, year, 1, 1), _date(text, year, 12, 31))
    if part.day is not None:
        _date(text, written, part.month, part.day)  # the day must exist as written
        day = part.day
        if (part.month, day) == (2, 29) and not calendar.isleap(year):
            day = 28  # 29 February moved to a common year: its last day, as a person would
        return DeadlineRange(_date(text, year, part.month, day), _date(text, year, part.month, day))
    first_day = _date(text, year, part.month, 1)
    last_day = _month_end(first_day)
    if part.decade is not None:
        start = first_day + timedelta(days=10 * (part.decade - 1))
        end = last_day if part.decade == 3 else start + timedelta(days=9)
        return DeadlineRange(start, end)
    return DeadlineRange(first_day, last_day)


def _date(text: str, year: int, month: int, day: int) -> date:
    if not YEAR_LOW <= year <= YEAR_HIGH:
        raise DeadlineError(text, MSG_YEAR_RANGE.format(year=year, low=YEAR_LOW, high=YEAR_HIGH))
    try:
        return date(year, month, day)
    except ValueError:
        typed = f"{day:02d}.{month:02d}.{year}"
        raise DeadlineError(text, MSG_NO_DATE.format(text=typed)) from None


def _month_end(first_day: date) -> date:
    following = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
