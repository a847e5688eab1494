"""Reading the roadmap's Russian deadline phrases and staff-typed dates as date ranges."""

from __future__ import annotations

import calendar
import tomllib
from datetime import date
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.roadmap.deadlines import DeadlineError, DeadlineRange, parse_deadline

PERIOD = DeadlineRange(date(2022, 9, 1), date(2024, 6, 30))


def r(start: str, end: str) -> DeadlineRange:
    return DeadlineRange(date.fromisoformat(start), date.fromisoformat(end))


# Every deadline phrase of roadmap-2022-2024.txt, as a person reads it.
ROADMAP_PHRASES = {
    "октябрь 2022 г.": r("2022-10-01", "2022-10-31"),
    "октябрь 2022 г..": r("2022-10-01", "2022-10-31"),
    "Сентябрь- октябрь 2022 г.": r("2022-09-01", "2022-10-31"),
    "апрель 2023 г.": r("2023-04-01", "2023-04-30"),
    "июль- сентябрь 2023г.": r("2023-07-01", "2023-09-30"),
    "первая декада сентября 2023 г.": r("2023-09-01", "2023-09-10"),
    "сентябрь 2023 г.": r("2023-09-01", "2023-09-30"),
    # October of school year 2022-2023 is October 2022.
    "Октябрь 2022-2023 г.": r("2022-10-01", "2022-10-31"),
    "сентябрь 2022 г.": r("2022-09-01", "2022-09-30"),
    "Август - сентябрь 2022 г.": r("2022-08-01", "2022-09-30"),
    "сентябрь 2021-2022 г.": r("2021-09-01", "2021-09-30"),
    "сентябрь - октябрь 2021-2022 г.": r("2021-09-01", "2021-10-31"),
    "в течение всего периода": PERIOD,
    "май 2024 г.": r("2024-05-01", "2024-05-31"),
    "июнь 2024 г.": r("2024-06-01", "2024-06-30"),
    "Май 2023 г.": r("2023-05-01", "2023-05-31"),
}


def roadmap_deadlines() -> list[str]:
    text = resources.files("sync.roadmap").joinpath("roadmap.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return [a["deadline"] for stage in data["stage"] for a in stage["activity"]]


def test_every_roadmap_phrase_is_pinned() -> None:
    assert set(roadmap_deadlines()) == set(ROADMAP_PHRASES)


@pytest.mark.parametrize("phrase", sorted(ROADMAP_PHRASES))
def test_roadmap_phrase(phrase: str) -> None:
    assert parse_deadline(phrase, period=PERIOD) == ROADMAP_PHRASES[phrase]


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("вторая декада сентября 2023 г.", r("2023-09-11", "2023-09-20")),
        ("третья декада сентября 2023 г.", r("2023-09-21", "2023-09-30")),
        ("третья декада февраля 2024", r("2024-02-21", "2024-02-29")),
        ("третья декада февраля 2023", r("2023-02-21", "2023-02-28")),
        ("1-я декада мая 2024", r("2024-05-01", "2024-05-10")),
        ("первая - вторая декада октября 2022", r("2022-10-01", "2022-10-20")),
        ("второй - третьей декады октября 2022", r("2022-10-11", "2022-10-31")),
        ("май 2021-2022 г.", r("2022-05-01", "2022-05-31")),
        ("ноябрь - февраль 2022-2023 гг.", r("2022-11-01", "2023-02-28")),
        ("ноябрь 2022 - февраль 2023", r("2022-11-01", "2023-02-28")),
        ("2023 г.", r("2023-01-01", "2023-12-31")),
        ("2022-2023 уч. г.", r("2022-09-01", "2023-08-31")),
        ("2022-2024 г. г.", r("2022-09-01", "2024-08-31")),
        ("ОКТЯБРЬ 2022 Г.", r("2022-10-01", "2022-10-31")),
        ("сентябрь — октябрь 2022 г.", r("2022-09-01", "2022-10-31")),
        ("сентябрь–октябрь 2022 гг.", r("2022-09-01", "2022-10-31")),
        ("  сентябрь  -октябрь   2022  г. г. ", r("2022-09-01", "2022-10-31")),
        ("октября 2022 года", r("2022-10-01", "2022-10-31")),
        ("в сентябре 2023 года", r("2023-09-01", "2023-09-30")),
        ("сент. 2023", r("2023-09-01", "2023-09-30")),
        ("Весь период программы", PERIOD),
        ("В течение всего периода.", PERIOD),
        # typed by staff
        ("25.11.2026", r("2026-11-25", "2026-11-25")),
        ("25.11.26", r("2026-11-25", "2026-11-25")),
        ("2026-11-25", r("2026-11-25", "2026-11-25")),
        ("25 ноября 2026 г.", r("2026-11-25", "2026-11-25")),
        ("25.11.2026 - 01.12.2026", r("2026-11-25", "2026-12-01")),
        ("25.11.2026–01.12.2026", r("2026-11-25", "2026-12-01")),
        ("25.11–01.12.2026", r("2026-11-25", "2026-12-01")),
        ("2026-11-25 — 2026-12-01", r("2026-11-25", "2026-12-01")),
        ("с 01.09.2023 по 10.09.2023", r("2023-09-01", "2023-09-10")),
        ("1-10 сентября 2023", r("2023-09-01", "2023-09-10")),
        ("с 1 сентября 2023 по 10 октября", r("2023-09-01", "2023-10-10")),
    ],
)
def test_phrase(phrase: str, expected: DeadlineRange) -> None:
    assert parse_deadline(phrase, period=PERIOD) == expected


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("октябрь 2022 г.", r("2026-10-01", "2026-10-31")),
        ("Октябрь 2022-2023 г.", r("2026-10-01", "2026-10-31")),
        ("сентябрь - октябрь 2021-2022 г.", r("2025-09-01", "2025-10-31")),
        ("третья декада февраля 2023", r("2027-02-21", "2027-02-28")),
        ("третья декада февраля 2024", r("2028-02-21", "2028-02-29")),
        ("25.11.2026", r("2030-11-25", "2030-11-25")),
        # the period is the new cycle's own already: it does not move
        ("в течение всего периода", PERIOD),
    ],
)
def test_shift_years_moves_every_year(phrase: str, expected: DeadlineRange) -> None:
    assert parse_deadline(phrase, shift_years=4, period=PERIOD) == expected


@pytest.mark.parametrize(
    "phrase, reason",
    [
        ("", "срок не указан"),
        (" . ", "срок не указан"),
        ("скоро", "непонятно «скоро»"),
        ("октябрь", "не указан год"),
        ("1-10 2023", "не указан месяц"),
        ("31.02.2023", "такой даты нет: 31.02.2023"),
        ("32.13.2026", "такой даты нет"),
        ("ноябрь - февраль 2023", "месяцы идут в обратном порядке"),
        ("01.12.2026 - 25.11.2026", "начало срока позже окончания"),
        ("май 2022-2024", "учебный год"),
        ("2023-2022", "учебный год"),
        ("октябрь 2022 2023", "дважды указано: год"),
        ("декада мая 2024", "декада"),
        ("1 - 2 - 3 мая 2024", "не больше двух частей"),
        ("май 2024 -", "пустая часть"),
        ("5 первая декада мая 2024", "и день, и декада"),
        ("май 1800", "вне допустимых пределов"),
        ("в течение всего периода", "период программы не задан"),
    ],
)
def test_unreadable_text_gives_a_russian_reason(phrase: str, reason: str) -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline(phrase)
    assert reason in str(caught.value)
    assert f"«{phrase}»" in str(caught.value)


def test_range_text_and_helpers() -> None:
    october = r("2022-10-01", "2022-10-31")
    assert str(october) == "01.10.2022–31.10.2022"
    assert str(r("2026-11-25", "2026-11-25")) == "25.11.2026"
    assert october.contains(date(2022, 10, 31)) and not october.contains(date(2022, 11, 1))
    assert october.is_past(date(2022, 11, 1)) and not october.is_past(date(2022, 10, 31))


# --- properties ---------------------------------------------------------------------------

SOUP = (
    "октябрь сентября мае первая третьей декада декады г. гг. г года в течение всего периода с "
    "по - – — 2022 2023 2022-2023 2021-2022 1 10 31 25.11 25.11.2026 2026-11-25 31.02.2024 1-я "
    ". .. , уч. 9999 0 00.00.00 2023г. 1900-1901"
).split() + [" ", "\t"]


def _parse_or_error(text: str, shift: int = 0) -> DeadlineRange | None:
    try:
        result = parse_deadline(text, shift_years=shift, period=PERIOD)
    except DeadlineError as error:
        assert str(error).startswith("не удалось разобрать срок")
        return None
    assert isinstance(result, DeadlineRange) and result.start <= result.end
    return result


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(-300, 300))
def test_arbitrary_text_never_crashes(text: str, shift: int) -> None:
    _parse_or_error(text, shift)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SOUP), max_size=8), st.sampled_from(["", " "]))
def test_token_soup_never_crashes(tokens: list[str], glue: str) -> None:
    _parse_or_error(glue.join(tokens))


NOMINATIVE = (
    "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split()
)
GENITIVE = (
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
)
YEAR_MARKS = ["", " г", " г.", "г.", " гг.", " г. г.", " г..", " года", "."]
DASHES = ["-", "- ", " - ", " -", "–", " – ", "—", " — "]
ORDINALS = ["первая", "вторая", "третья"]


def _month_name(draw: st.DrawFn, month: int) -> str:
    name = draw(st.sampled_from([NOMINATIVE, GENITIVE]))[month - 1]
    return draw(st.sampled_from([name, name.capitalize(), name.upper()]))


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


@st.composite
def phrases(draw: st.DrawFn) -> tuple[str, DeadlineRange]:
    """A valid phrase and the range a person reads in it, computed independently."""
    year = draw(st.integers(2000, 2100))
    mark = draw(st.sampled_from(YEAR_MARKS))
    kind = draw(st.sampled_from(["month", "months", "decade", "school", "date", "dates"]))
    if kind == "month":
        m = draw(st.integers(1, 12))
        expected = DeadlineRange(date(year, m, 1), date(year, m, _last_day(year, m)))
        return f"{_month_name(draw, m)} {year}{mark}", expected
    if kind == "months":
        m1 = draw(st.integers(1, 12))
        m2 = draw(st.integers(m1, 12))
        dash = draw(st.sampled_from(DASHES))
        text = f"{_month_name(draw, m1)}{dash}{_month_name(draw, m2)} {year}{mark}"
        return text, DeadlineRange(date(year, m1, 1), date(year, m2, _last_day(year, m2)))
    if kind == "decade":
        m, n = draw(st.integers(1, 12)), draw(st.integers(1, 3))
        end = 10 * n if n < 3 else _last_day(year, m)
        ordinal = draw(st.sampled_from([ORDINALS[n - 1], ORDINALS[n - 1].upper(), f"{n}-я"]))
        text = f"{ordinal} декада {GENITIVE[m - 1]} {year}{mark}"
        return text, DeadlineRange(date(year, m, 10 * n - 9), date(year, m, end))
    if kind == "school":
        m = draw(st.integers(1, 12))
        real = year if m >= 9 else year + 1
        dash = draw(st.sampled_from(DASHES))
        text = f"{_month_name(draw, m)} {year}{dash.strip() or '-'}{year + 1}{mark}"
        return text, DeadlineRange(date(real, m, 1), date(real, m, _last_day(real, m)))
    first = draw(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
    style = draw(st.sampled_from(["dmy", "iso", "words"]))

    def typed(day: date) -> str:
        if style == "iso":
            return day.isoformat()
        if style == "words":
            return f"{day.day} {GENITIVE[day.month - 1]} {day.year}{mark}"
        return day.strftime("%d.%m.%Y")

    if kind == "date":
        return typed(first), DeadlineRange(first, first)
    last = draw(st.dates(first, date(2100, 12, 31)))
    return f"{typed(first)}{draw(st.sampled_from(DASHES))}{typed(last)}", DeadlineRange(first, last)


@settings(max_examples=400, deadline=None)
@given(phrases())
def test_generated_phrases_read_as_a_person_would(case: tuple[str, DeadlineRange]) -> None:
    text, expected = case
    assert parse_deadline(text) == expected


@settings(max_examples=200, deadline=None)
@given(phrases(), st.integers(-20, 20))
def test_shift_moves_the_range_by_whole_years(case: tuple[str, DeadlineRange], shift: int) -> None:
    text, expected = case
    shifted = parse_deadline(text, shift_years=shift)
    assert shifted.start.year == expected.start.year + shift
    assert shifted.end.year == expected.end.year + shift
    assert (shifted.start.month, shifted.end.month) == (expected.start.month, expected.end.month)


@settings(max_examples=200, deadline=None)
@given(st.dates(date(1900, 1, 1), date(2199, 12, 31)), st.integers(0, 3000))
def test_written_range_reads_back(start: date, length: int) -> None:
    end = min(date.fromordinal(start.toordinal() + length), date(2199, 12, 31))
    written = DeadlineRange(start, end)
    assert parse_deadline(str(written)) == written
