"""Reading Google Forms CSV exports: headers, timestamps, BOM, checkbox answers with commas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms.answers import LIST_SEPARATOR, parse_answer, split_options
from forms.questionnaires import COMPETENCIES, MENTOR_APPLICATION
from forms.responses import CsvFormSource, SourceError, parse_export, parse_timestamp

MSK = ZoneInfo("Europe/Moscow")


def export(rows: list[list[str]], header: list[str] | None = None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header or ["Отметка времени", "Адрес электронной почты",
                          *[q.title for q in MENTOR_APPLICATION.questions]])
    w.writerows(rows)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25.11.2026 14:03:12", datetime(2026, 11, 25, 14, 3, 12, tzinfo=MSK)),
        ("2026/11/25 2:03:12 PM GMT+3", datetime(2026, 11, 25, 11, 3, 12, tzinfo=UTC)),
        ("2026/11/25 2:03:12 AM GMT+3", datetime(2026, 11, 24, 23, 3, 12, tzinfo=UTC)),
        ("2026/11/25 12:03:12 PM GMT+05:00", datetime(2026, 11, 25, 7, 3, 12, tzinfo=UTC)),
        ("2026-11-25 14:03:12", datetime(2026, 11, 25, 14, 3, 12, tzinfo=MSK)),
        ("11/25/2026 14:03:12", datetime(2026, 11, 25, 14, 3, 12, tzinfo=MSK)),
        ("25.11.2026 9:03", datetime(2026, 11, 25, 9, 3, tzinfo=MSK)),
    ],
)
def test_timestamp_formats(text: str, expected: datetime) -> None:
    assert parse_timestamp(text, MSK) == expected


@pytest.mark.parametrize("text", ["", "вчера", "32.13.2026 25:00:00", "2026/11/25"])
def test_bad_timestamps_are_none(text: str) -> None:
    assert parse_timestamp(text, MSK) is None


@given(st.text(max_size=60))
@settings(max_examples=300, derandomize=True)
def test_timestamp_never_crashes(text: str) -> None:
    result = parse_timestamp(text, MSK)
    assert result is None or result.tzinfo is not None


def test_bom_and_rows(tmp_path) -> None:
    row = ["25.11.2026 14:03:12", "a@b.ru"] + ["x"] * len(MENTOR_APPLICATION.questions)
    (tmp_path / "mentor_application.csv").write_text("\ufeff" + export([row]), encoding="utf-8")
    responses = CsvFormSource(tmp_path).responses(MENTOR_APPLICATION, None)
    assert len(responses) == 1
    assert responses[0].email == "a@b.ru" and responses[0].row == 2


def test_windows_1251_export_is_read(tmp_path) -> None:
    row = ["25.11.2026 14:03:12", "a@b.ru"] + ["Ёлкина"] * len(MENTOR_APPLICATION.questions)
    (tmp_path / "mentor_application.csv").write_bytes(export([row]).encode("cp1251"))
    [response] = CsvFormSource(tmp_path).responses(MENTOR_APPLICATION, None)
    assert response.answers["ФИО"] == "Ёлкина"


def test_renamed_question_stops_the_form_with_its_name() -> None:
    header = ["Отметка времени", "Адрес электронной почты",
              *[q.title for q in MENTOR_APPLICATION.questions if q.title != "Должность"], "Позиция"]
    with pytest.raises(SourceError, match="«Должность»"):
        parse_export(MENTOR_APPLICATION, export([], header), MSK)


def test_missing_timestamp_column_is_named() -> None:
    with pytest.raises(SourceError, match="Отметка времени"):
        parse_export(MENTOR_APPLICATION, "ФИО,Пол\nx,y\n", MSK)


def test_same_row_same_id_edit_new_id() -> None:
    row = ["25.11.2026 14:03:12", "a@b.ru"] + ["x"] * len(MENTOR_APPLICATION.questions)
    edited = ["26.11.2026 10:00:00", "a@b.ru"] + ["y"] * len(MENTOR_APPLICATION.questions)
    a = parse_export(MENTOR_APPLICATION, export([row]), MSK)
    b = parse_export(MENTOR_APPLICATION, export([row, edited]), MSK)
    assert a[0].response_id == b[0].response_id != b[1].response_id


def test_checkbox_options_with_commas_are_split_against_options() -> None:
    text = "ИКТ, дисциплина и мотивация, вовлечение, разработка программ"
    known, unknown = split_options(text, COMPETENCIES)
    assert known == ["ИКТ", "дисциплина и мотивация, вовлечение", "разработка программ"]
    assert unknown == []


def test_checkbox_other_answer_is_kept_when_allowed() -> None:
    q = MENTOR_APPLICATION.question("Компетенции, которыми готовы делиться")
    value, problem = parse_answer(q, "ИКТ, шахматы, вовлечение")
    assert problem is None
    assert value.split(LIST_SEPARATOR) == ["ИКТ", "шахматы, вовлечение"]


def test_checkbox_unknown_option_is_a_problem_when_not_allowed() -> None:
    q = MENTOR_APPLICATION.question("Удобные дни")
    value, problem = parse_answer(q, "пн, воскресенье")
    assert problem is not None and "воскресенье" in problem


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80) | st.sampled_from(
    ['=IMPORTXML("http://x","//a")', "+7 912", "-1", "@mention", "a,b,\"c\"", "x\ny", "ё" * 60_000]
)


@given(st.lists(st.lists(cell, min_size=14, max_size=14), max_size=6))
@settings(max_examples=80, deadline=None, derandomize=True)
def test_export_parser_keeps_every_row_and_cell(rows: list[list[str]]) -> None:
    rows = [[f"25.11.2026 10:00:{i:02d}", *r[1:]] for i, r in enumerate(rows)]
    responses = parse_export(MENTOR_APPLICATION, export(rows), MSK)
    kept = [r for r in rows if any(c.strip() for c in r)]
    assert len(responses) == len(kept)
    for response, row in zip(responses, kept, strict=True):
        titles = [q.title for q in MENTOR_APPLICATION.questions]
        assert [response.answers[t] for t in titles] == row[2:]
        assert response.submitted_at == datetime(2026, 11, 25, 10, 0, int(row[0][-2:]), tzinfo=MSK)


@given(st.text(max_size=300))
@settings(max_examples=300, derandomize=True)
def test_answer_parser_never_crashes(text: str) -> None:
    for q in MENTOR_APPLICATION.questions:
        value, problem = parse_answer(q, text)
        assert problem is None or isinstance(problem, str)
        assert isinstance(value, str)


def test_delta_is_fine() -> None:
    assert parse_timestamp("2026/11/25 2:03:12 PM GMT-3", MSK).utcoffset() == -timedelta(hours=3)


def _by_strptime(text: str, tz) -> datetime | None:
    """What parse_timestamp gave before its quick paths: each format in turn, then ISO."""
    from forms.responses import _TS_FORMATS

    for fmt in _TS_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


part = st.sampled_from(["0", "00", "1", "01", "9", "09", "11", "12", "13", "23", "24", "29", "30", "31", "32",
                        "59", "60", "999"])


@given(st.sampled_from(["2026", "1999", "0999", "26"]), part, part, part, part, part,
       st.sampled_from(["AM", "PM", "am", "pm", "ДП", "ПП", ""]), st.sampled_from([".", "/", "-"]))
@settings(max_examples=400, deadline=None, derandomize=True)
def test_quick_timestamps_read_as_strptime_does(year, month, day, hour, minute, second, half, sep) -> None:
    """The usual Russian and Google forms, read without strptime, give what strptime gives
    (real moments, impossible ones, 12 AM and 12 PM, unpadded parts) in either order."""
    msk = ZoneInfo("Europe/Moscow")
    for date_part in (f"{year}{sep}{month}{sep}{day}", f"{day}{sep}{month}{sep}{year}"):
        text = f"{date_part} {hour}:{minute}:{second} {half}".strip()
        expected = _by_strptime(text.replace("ПП", "PM").replace("ДП", "AM"), msk)
        assert parse_timestamp(text, msk) == expected, text


@given(st.sampled_from(["2026", "1999", "0999", "26", "0000"]), part, part, st.sampled_from([".", "-", "/"]))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_quick_dates_read_as_strptime_does(year, month, day, sep) -> None:
    """A date answer read without strptime (25.11.2026, 2026-11-25) is what strptime reads."""
    from forms.answers import _DATE_FORMATS, parse_date

    for text in (f"{day}{sep}{month}{sep}{year}", f"{year}{sep}{month}{sep}{day}"):
        expected = None
        for fmt in _DATE_FORMATS:
            try:
                expected = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        assert parse_date(text) == expected, text
