"""Arbitrary Unicode and bytes through CSV -> sync -> workbook: the run never crashes, no answer
is lost, no cell becomes a formula, and a second run writes nothing."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from forms.questionnaires import MENTEE_APPLICATION, MENTOR_APPLICATION
from forms.responses import SourceError, decode_export, parse_export
from sheets.schema import BY_NAME
from sheets.xlsx import XlsxStore
from sync import clock
from sync.cli import create_programme
from sync.config import load_config
from tests.conftest import NOW, sync_once
from tests.test_bad_input import mentor_answers
from tests.test_csv_source import MSK
from tests.test_private_output import mentee_answers

# Any code point, lone surrogates included; the usual troublemakers weighted in.
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF)
NASTY = st.sampled_from([
    "\x00", "\x01", "\x0b", "\x1b", "\ud800", "\udfff", "\ufeff", "\ufffe", "\u202e", "\r", "\n", '"', ",",
    "=1+1", '=HYPERLINK("http://x")', "+7", "-1", "@SUM(A1)", "ИКТ, ИКТ", "Утверждена ", "да",
])
CELL = (
    st.text(ANY_CHAR, max_size=30)
    | st.lists(NASTY | st.text(ANY_CHAR, max_size=5), max_size=6).map("".join)
    | st.sampled_from(["x" * 100_000, "ё" * 40_000, "=" + "A" * 33_000])
)
BYTES = st.binary(max_size=8) | st.sampled_from([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\x00", b"\x98"])


@st.composite
def export(draw, spec, valid):
    """An export's bytes: plausible rows with some cells replaced by anything, bytes spliced in."""
    rows = []
    for n in range(draw(st.integers(1, 4))):
        answers = dict(valid(n))
        for title in draw(st.lists(st.sampled_from(list(answers)), max_size=4)):
            answers[title] = draw(CELL)
        email = draw(st.sampled_from([f"p{n}@school.ru", ""]) | CELL)
        stamp = draw(st.sampled_from([f"20.11.2026 10:00:{n:02d}", "2026/11/20 1:00:00 PM GMT+3"]) | CELL)
        rows.append([stamp, email, *[answers.get(q.title, "") for q in spec.questions]])
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["Отметка времени", "Адрес электронной почты", *[q.title for q in spec.questions]])
    writer.writerows(rows)
    data = buf.getvalue().encode("utf-8", "surrogatepass")  # a lone surrogate becomes bad bytes
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(BYTES) + data[at:]
    return data


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    clock.freeze(NOW)
    root = tmp_path_factory.mktemp("any")
    create_programme(root / "template", "Школа", date(2026, 9, 1))
    clock.freeze(None)
    return root


def expected_responses(spec, data: bytes) -> int | None:
    """How many responses the export holds, read on its own; None when the form is refused."""
    text, damaged = decode_export(data)
    try:
        return len({r.response_id for r in parse_export(spec, text, MSK, damaged)})
    except SourceError:
        return None


@given(export(MENTOR_APPLICATION, mentor_answers), export(MENTEE_APPLICATION, mentee_answers))
@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
def test_any_export_goes_through_without_a_crash_a_loss_or_a_formula(template, mentors, mentees) -> None:
    folder = template / "run"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(template / "template", folder)
    config = load_config(folder / "nastavnik.toml")
    (config.forms_dir / "mentor_application.csv").write_bytes(mentors)
    (config.forms_dir / "mentee_application.csv").write_bytes(mentees)
    report = sync_once(config)  # never raises
    snap = XlsxStore(config.registry).read_all()
    processed = snap["processed"]
    for spec, data in ((MENTOR_APPLICATION, mentors), (MENTEE_APPLICATION, mentees)):
        expected = expected_responses(spec, data)
        taken = int((processed["form"] == spec.title).sum())
        if expected is None:
            assert taken == 0 and any(f"«{spec.title}»" in e for e in report.plan.errors)
        else:
            assert taken == expected  # every response is accounted for: taken or kept for a person
    quarantined = set(processed.index[processed["result"] == "требует внимания"])
    refs = set(snap["attention"]["response"])
    assert len(quarantined) <= len(snap["attention"]) and (not quarantined or refs)
    wb = load_workbook(config.registry)
    for name in ("mentors", "mentees", "attention", "processed", "journal"):
        for row in wb[BY_NAME[name].title].iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, cell.coordinate)
                if isinstance(cell.value, str):
                    assert len(cell.value) <= 32_767
    assert sync_once(config, now=NOW + timedelta(minutes=5)).written is None
