"""Input nobody here wrote: control characters, broken bytes, files that are not CSV, bad headers.

Each case ran into a traceback, a stuck programme or a silent wrong answer before; now the run
goes on, the answer is kept (with a visible mark where a character could not be) and a person
is told in «Требует внимания» or by a form-level Russian error.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from forms.questionnaires import MENTEE_APPLICATION, MENTOR_APPLICATION
from forms.responses import SourceError, decode_export, parse_export
from forms.text import MARK
from sheets.xlsx import XlsxStore
from sync.cli import main
from tests.conftest import sync_once, write_export
from tests.test_csv_source import MSK

CONTROLS = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\ufffe", "\uffff"]


def mentor_answers(n: int, **override: str) -> dict[str, str]:
    """A valid mentor application, person ``n``."""
    answers = {
        "ФИО": f"Петрова Анна Ивановна {n}",
        "Пол": "ж",
        "Телефон": "+7 912 345-67-89",
        "Должность": "учитель",
        "Отдел / площадка": "",
        "Направленность": "техническая",
        "Компетенции, которыми готовы делиться": "ИКТ",
        "Педагогический стаж, лет": "10",
        "Сколько наставляемых готовы вести": "2",
        "Готовы вести группу": "нет",
        "Форматы встреч": "очно",
        "Удобные дни": "вт",
    }
    answers.update(override)
    return answers


def stamp(n: int) -> str:
    return f"20.11.2026 10:{n // 60:02d}:{n % 60:02d}"


@pytest.fixture(scope="module")
def controls_run(tmp_path_factory):
    """One programme whose mentor export has one control character per row, synced once."""
    from datetime import date

    from sync import clock
    from sync.cli import create_programme
    from sync.config import load_config
    from tests.conftest import NOW

    clock.freeze(NOW)
    config = load_config(create_programme(tmp_path_factory.mktemp("ctl") / "p", "Школа", date(2026, 9, 1)))
    rows = []
    for i, ch in enumerate(CONTROLS):
        rows.append((stamp(i), f"m{i}@school.ru", mentor_answers(i, **{"Должность": f"учитель{ch}физики"})))
    email_at = len(CONTROLS)
    rows.append((stamp(email_at), f"bad{chr(0x0b)}@school.ru", mentor_answers(email_at)))
    write_export(config, MENTOR_APPLICATION, rows)
    report = sync_once(config)
    snap = XlsxStore(config.registry).read_all()
    clock.freeze(None)
    return config, report, snap


@pytest.mark.parametrize("index", range(len(CONTROLS)), ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_a_control_character_is_kept_visible_and_reported(controls_run, index: int) -> None:
    _config, report, snap = controls_run
    assert report.written is not None
    mentors = snap["mentors"]
    row = mentors[mentors["email"] == f"m{index}@school.ru"]
    assert len(row) == 1, "the answer was taken"
    assert row.iloc[0]["position"] == f"учитель{MARK}физики"
    attention = snap["attention"]
    hit = attention[(attention["response"] == f"строка {index + 2}") & (attention["question"] == "Должность")]
    assert len(hit) == 1 and "заменены на «\ufffd»" in hit.iloc[0]["reason"]


def test_a_control_character_in_an_email_quarantines_with_the_mark(controls_run) -> None:
    _config, _report, snap = controls_run
    attention = snap["attention"]
    ref = f"строка {len(CONTROLS) + 2}"
    reasons = " | ".join(attention[attention["response"] == ref]["reason"])
    assert "адрес электронной почты с ошибкой" in reasons and "заменены" in reasons
    assert snap["processed"]["result"].value_counts()["требует внимания"] == 1


def test_the_next_run_after_a_control_character_takes_later_answers(controls_run) -> None:
    config, _report, _snap = controls_run
    from datetime import timedelta

    from tests.conftest import NOW
    from tests.test_sync_local import append_response

    append_response(config, MENTOR_APPLICATION, stamp(300), "late@school.ru", mentor_answers(300))
    sync_once(config, now=NOW + timedelta(minutes=5))
    mentors = XlsxStore(config.registry).read_all()["mentors"]
    assert (mentors["email"] == "late@school.ru").any()


SURROGATES = ["\ud800", "\udfff", "a\udc80b", "\ud83d"]


@pytest.mark.parametrize("text", SURROGATES, ids=["d800", "dfff", "dc80-inside", "half-emoji"])
def test_a_lone_surrogate_is_replaced(text: str) -> None:
    from forms.responses import Response
    from forms.text import clean_response

    response = Response("mentor_application", "r1", None, "ts", "a@b.ru", {"Должность": text})
    cleaned, touched = clean_response(response)
    assert touched == {"Должность": 1}
    assert MARK in cleaned.answers["Должность"]
    cleaned.answers["Должность"].encode("utf-8")  # storable as UTF-8 now


def _export_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["Отметка времени", "Адрес электронной почты", *[q.title for q in MENTOR_APPLICATION.questions]])
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


BROKEN_BYTES = [b"\xff", b"\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xd0", b"\x80", b"\xf8\x88\x80\x80\x80"]


@pytest.mark.parametrize("bad", BROKEN_BYTES, ids=[b.hex() for b in BROKEN_BYTES])
def test_bytes_that_do_not_decode_are_marked_and_their_row_listed(programme, bad: bytes) -> None:
    good = [stamp(1), "a@school.ru", *mentor_answers(1).values()]
    marked = [stamp(2), "b@school.ru", *mentor_answers(2, **{"Должность": "учитель XX"}).values()]
    data = _export_bytes([good, marked]).replace(b"XX", bad)
    (programme.forms_dir / "mentor_application.csv").write_bytes(data)
    report = sync_once(programme)
    assert report.ok
    snap = XlsxStore(programme.registry).read_all()
    mentors = snap["mentors"].set_index("email")
    assert mentors.loc["a@school.ru", "full_name"] == "Петрова Анна Ивановна 1"  # Cyrillic intact
    assert MARK in mentors.loc["b@school.ru", "position"]
    attention = snap["attention"]
    hit = attention[attention["response"] == "строка 3"]
    assert len(hit) == 1 and "UTF-8" in hit.iloc[0]["reason"] and hit.iloc[0]["question"] == "Должность"
    assert not (attention["response"] == "строка 2").any()


def test_a_windows_1251_export_is_still_read_whole() -> None:
    text = "Отметка времени,ФИО\n20.11.2026 10:00:00,Ёлкина Мария\n"
    assert decode_export(text.encode("cp1251")) == (text, False)


def test_an_undefined_1251_byte_does_not_stop_the_form() -> None:
    text, damaged = decode_export("Отметка времени,ФИО\n1,Ёлкина\n".encode("cp1251") + b"\x98")
    assert damaged and text.endswith(MARK)


def _xlsx_bytes(tmp_path: Path) -> bytes:
    wb = Workbook()
    wb.active.append(["Отметка времени", "ФИО"])
    wb.save(tmp_path / "x.xlsx")
    return (tmp_path / "x.xlsx").read_bytes()


NOT_CSV = {
    "xlsx": _xlsx_bytes,
    "xls": lambda _p: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    "pdf": lambda _p: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "binary": lambda _p: bytes(range(256)) * 8,
    "rtf": lambda _p: b"{\\rtf1\\ansi hello}",
    "empty-zip": lambda _p: b"PK\x05\x06" + b"\x00" * 18,
}


@pytest.mark.parametrize("kind", NOT_CSV)
def test_a_file_that_is_not_a_csv_is_a_form_error_and_the_rest_goes_on(demo_programme, tmp_path, kind) -> None:
    (demo_programme.forms_dir / "mentor_application.csv").write_bytes(NOT_CSV[kind](tmp_path))
    result = CliRunner().invoke(main, ["sync", "--config", str(demo_programme.path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "«Анкета наставника»" in result.output
    snap = XlsxStore(demo_programme.registry).read_all()
    assert len(snap["mentees"]) > 0  # every other form went on
    assert snap["attention"].index.str.startswith("анкета mentor_application").any()


def _header() -> list[str]:
    return ["Отметка времени", "Адрес электронной почты", *[q.title for q in MENTOR_APPLICATION.questions]]


HEADERS = {
    "duplicated question": (_header() + ["Должность"], "«Должность» встречается 2 раза"),
    "duplicated name, second empty": (_header() + ["ФИО"], "«ФИО» встречается 2 раза"),
    "three times": (_header() + ["Пол", "Пол"], "«Пол» встречается 3 раза"),
    "duplicated timestamp": (_header() + ["Отметка времени"], "«Отметка времени» встречается"),
    "duplicated email": (_header() + ["Адрес электронной почты"], "«Адрес электронной почты» встречается"),
    "empty header with answers": (_header() + [""], "нет заголовка"),
    "spaces around a duplicate": (_header() + [" Должность "], "«Должность» встречается"),
}


@pytest.mark.parametrize("case", HEADERS)
def test_a_bad_export_header_stops_the_form_naming_the_column(case: str) -> None:
    header, message = HEADERS[case]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    row = [stamp(1), "a@b.ru", *mentor_answers(1).values()]
    writer.writerow(row + ["x"] * (len(header) - len(row)))
    with pytest.raises(SourceError, match=message):
        parse_export(MENTOR_APPLICATION, buf.getvalue(), MSK)


def test_an_empty_header_over_an_empty_column_is_harmless() -> None:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(_header() + ["", ""])
    writer.writerow([stamp(1), "a@b.ru", *mentor_answers(1).values(), "", ""])
    assert len(parse_export(MENTOR_APPLICATION, buf.getvalue(), MSK)) == 1


def test_a_duplicated_header_takes_nothing_from_the_form(programme) -> None:
    header = _header() + ["Должность"]
    with (programme.forms_dir / "mentor_application.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerow([stamp(1), "a@school.ru", *mentor_answers(1).values(), "директор"])
    write_export(programme, MENTEE_APPLICATION, [])
    report = sync_once(programme)
    assert any("«Должность» встречается 2 раза" in e for e in report.plan.errors)
    assert len(XlsxStore(programme.registry).read_all()["mentors"]) == 0


@pytest.mark.parametrize(("sep", "encoding"), [(";", "cp1251"), (";", "utf-8-sig"), ("\t", "utf-16")])
def test_an_export_resaved_by_excel_is_read(sep: str, encoding: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep)
    writer.writerow(_header())
    writer.writerow([stamp(1), "a@b.ru", *mentor_answers(1, **{"Должность": "учитель, методист"}).values()])
    text, damaged = decode_export(buf.getvalue().encode(encoding))
    [response] = parse_export(MENTOR_APPLICATION, text, MSK)
    assert not damaged and response.answers["Должность"] == "учитель, методист"
