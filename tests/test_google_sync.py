"""The same end-to-end scenarios as on the local backend, on Google: the real gspread and
google-api-python-client against the in-process fake, through the project's one transport."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from forms.answers import split_options
from forms.questionnaires import BY_CODE, MENTOR_APPLICATION
from forms.responses import CsvFormSource
from forms.spec import QuestionType
from sync.cli import create_programme, main
from sync.config import Config, load_config
from sync.demo import generate
from sync.google.provision import provision
from sync.google.setup import GoogleServices, connect
from sync.google.transport import Endpoints
from sync.google.wiring import open_google_backend
from sync.job import RunReport, run_sync
from tests.conftest import NOW
from tests.fake_google import FakeGoogle

pytest_plugins = ["tests.fake_google.fixtures"]


def mentor_answers(**changes: str | list[str]) -> dict[str, str | list[str]]:
    """A valid «Анкета наставника» as the Forms API holds it (checkboxes as lists)."""
    answers: dict[str, str | list[str]] = {
        "ФИО": "Новиков Пётр Семёнович", "Пол": "м", "Должность": "методист",
        "Направленность": "техническая", "Компетенции, которыми готовы делиться": ["ИКТ"],
        "Педагогический стаж, лет": "10", "Сколько наставляемых готовы вести": "2",
        "Готовы вести группу": "нет", "Форматы встреч": ["очно"], "Удобные дни": ["пн"],
    }
    return {**answers, **changes}


def google_config(folder: Path, url: str) -> Path:
    path = create_programme(folder, "Тестовая школа", NOW.date().replace(month=9, day=1))
    text = path.read_text(encoding="utf-8").replace(
        'auth = "service_account"', f'auth = "none"\nendpoint = "{url}"'
    )
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def services(fake_google: FakeGoogle, sleeps: list[float]) -> GoogleServices:
    return connect(None, Endpoints.single(fake_google.url), timeout=10.0, max_retries=3, sleep=sleeps.append)


@pytest.fixture
def programme(tmp_path: Path, fake_google: FakeGoogle, services: GoogleServices) -> Config:
    """A Google programme: spreadsheet and forms created in the fake, ids saved in the config."""
    path = google_config(tmp_path / "g", fake_google.url)
    report = provision(load_config(path), services)
    assert not report.problems
    return load_config(path)


def seed_demo(fake: FakeGoogle, config: Config, tmp_path: Path, mentors: int = 10, mentees: int = 30) -> int:
    """The demo's answers, submitted to the fake forms as respondents would."""
    generate(tmp_path / "csv", mentors, mentees, seed=11, start=config.start)
    source = CsvFormSource(tmp_path / "csv", config.timezone)
    n = 0
    for code, form_id in config.google.form_ids.items():
        spec = BY_CODE[code]
        for r in source.responses(spec, None):
            if r.submitted_at is None:
                continue  # Google always stamps a response
            answers: dict[str, str | list[str]] = {}
            for q in spec.questions:
                raw = str(r.answers[q.title])
                if q.type is QuestionType.CHECKBOX:
                    known, unknown = split_options(raw, q.options) or ([], [])
                    answers[q.title] = known + unknown
                elif raw:
                    answers[q.title] = raw
            fake.forms.seed_response(form_id, answers, r.submitted_at, r.email)
            n += 1
    return n


def sync(config: Config, services: GoogleServices, now=NOW) -> RunReport:
    backend = open_google_backend(config, services)
    return run_sync(config, backend.store, backend.sources, now=now, api_calls=backend.api_calls)


def rows(fake: FakeGoogle, config: Config, title: str) -> dict[str, dict[str, str]]:
    grid = fake.sheets.grid(config.google.spreadsheet_id, title)
    head = grid[0]
    return {r[0]: dict(zip(head, r + [""] * (len(head) - len(r)), strict=False)) for r in grid[1:] if r and r[0]}


def test_init_google_then_doctor_pass_and_init_again_duplicates_nothing(
    tmp_path: Path, fake_google: FakeGoogle
) -> None:
    path = google_config(tmp_path / "g", fake_google.url)
    runner = CliRunner()
    result = runner.invoke(main, ["init", str(tmp_path / "g"), "--google"])
    assert result.exit_code == 0, result.output
    assert "Таблица создана" in result.output
    config = load_config(path)
    assert config.backend == "google" and config.google.spreadsheet_id
    assert set(config.google.form_ids) == set(BY_CODE)
    result = runner.invoke(main, ["doctor", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "✗" not in result.output
    names = ("sheets.create", "forms.create", "drive.files.create", "drive.files.copy")
    creates = sum(fake_google.count(n) for n in names)
    assert creates == 1 + len(BY_CODE)  # the names are the transport's: this count cannot be 0 == 0
    result = runner.invoke(main, ["init", str(tmp_path / "g"), "--google"])
    assert result.exit_code == 0, result.output
    assert sum(fake_google.count(n) for n in names) == creates
    assert load_config(path).google.form_ids == config.google.form_ids


def test_demo_on_google_ingests_quarantines_and_second_run_writes_nothing(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    seeded = seed_demo(fake_google, programme, tmp_path)
    fake_google.clear_calls()
    report = sync(programme, services)
    assert report.ok and report.plan.ingest.new_responses == seeded
    # one read of the spreadsheet, the write lease, and one write (plus its re-read)
    assert fake_google.count("sheets.values.batchUpdate") == 2
    assert fake_google.count("sheets.values.batchGet") == 2
    mentors = rows(fake_google, programme, "Наставники")
    assert len(mentors) >= 10
    attention = rows(fake_google, programme, "Требует внимания")
    assert any("с другим ФИО" in r["Причина"] for r in attention.values())
    assert any(r["Причина"].startswith("несовершеннолетний") for r in attention.values())
    assert any(v["Должность"].startswith("=HYPERLINK") for v in mentors.values())
    journal = rows(fake_google, programme, "Журнал синхронизации")
    assert "sheets.values.batchGet" in next(iter(journal.values()))["Обращения к API"]

    fake_google.clear_calls()
    again = sync(programme, services)
    assert again.written is None
    assert fake_google.names().count("sheets.values.batchGet") == 1
    assert fake_google.count("forms.responses.list") == len(programme.google.form_ids)
    assert fake_google.count("sheets.values.batchUpdate") == 0
    assert set(fake_google.names()) == {"sheets.values.batchGet", "forms.responses.list"}


def test_n_new_responses_cost_one_write(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    seed_demo(fake_google, programme, tmp_path, mentors=3, mentees=5)
    sync(programme, services)
    form = programme.google.form_ids[MENTOR_APPLICATION.code]
    for i in range(25):
        fake_google.forms.seed_response(
            form, mentor_answers(**{"ФИО": f"Новиков Пётр Семёнович {i}"}), NOW, f"new{i}@example.ru"
        )
    fake_google.clear_calls()
    report = sync(programme, services)
    assert report.plan.ingest.accepted == 25
    assert fake_google.count("sheets.values.batchUpdate") == 2  # the lease, then the write


def test_formula_answer_is_text_in_the_sheet(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle
) -> None:
    form = programme.google.form_ids[MENTOR_APPLICATION.code]
    answers = mentor_answers(**{"ФИО": "Иванов Иван Иванович", "Должность": '=IMPORTXML("http://x","//a")'})
    fake_google.forms.seed_response(form, answers, NOW, "ivanov@example.ru")
    sync(programme, services)
    sid = programme.google.spreadsheet_id
    grid = fake_google.sheets.grid(sid, "Наставники")
    col = grid[0].index("Должность")
    assert grid[1][col] == '=IMPORTXML("http://x","//a")'
    ref = f"{chr(ord('A') + col)}2"
    assert not fake_google.sheets.cell(sid, "Наставники", ref).is_formula


def test_staff_edits_in_the_sheet_survive(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    seed_demo(fake_google, programme, tmp_path, mentors=4, mentees=8)
    sync(programme, services)
    sid = programme.google.spreadsheet_id
    grid = fake_google.sheets.grid(sid, "Наставники")
    status_col = grid[0].index("Статус")
    fake_google.sheets.set_values(sid, "Наставники", [["Заметки"]], start=f"{chr(ord('A') + len(grid[0]))}1")
    fake_google.sheets.sort_rows(sid, "Наставники", 2, reverse=True)
    first = fake_google.sheets.grid(sid, "Наставники")[1][0]
    fake_google.sheets.set_values(sid, "Наставники", [["приостановлен"]], start=f"{chr(ord('A') + status_col)}2")
    fake_google.sheets.set_values(sid, "Наставники", [["позвонить"]], start=f"{chr(ord('A') + len(grid[0]))}2")
    # a new answer arrives, so the run writes
    form = programme.google.form_ids[MENTOR_APPLICATION.code]
    answers = mentor_answers(**{"ФИО": "Орлова Алёна Юрьевна", "Пол": "ж", "Направленность": "художественная"})
    fake_google.forms.seed_response(form, answers, NOW, "orlova@example.ru")
    assert sync(programme, services).written
    after = fake_google.sheets.grid(sid, "Наставники")
    assert after[1][0] == first
    assert after[1][status_col] == "приостановлен"
    assert after[1][len(grid[0])] == "позвонить"
    assert after[0][-1] == "Заметки"


def test_faults_are_retried_and_converge(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle, tmp_path: Path, sleeps: list[float]
) -> None:
    seed_demo(fake_google, programme, tmp_path, mentors=4, mentees=8)
    fake_google.fail("sheets.values.batchGet", 429, times=1, retry_after=2)
    fake_google.fail("forms.responses.list", 500, times=2)
    fake_google.fail("sheets.values.batchUpdate", 503, times=1)
    report = sync(programme, services)
    assert report.ok and report.written
    assert 2 in sleeps and len(sleeps) >= 4
    assert len(rows(fake_google, programme, "Наставники")) >= 4


def test_faults_outlasting_retries_write_nothing_and_next_run_converges(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    seed_demo(fake_google, programme, tmp_path, mentors=4, mentees=8)
    fake_google.fail("sheets.values.batchUpdate", 500, times=10)
    runner_config = programme
    with pytest.raises(Exception) as caught:
        sync(runner_config, services)
    assert "500" in str(caught.value) and "http" not in str(caught.value)
    assert rows(fake_google, programme, "Наставники") == {}
    fake_google.faults.clear()
    assert sync(programme, services).ok
    assert len(rows(fake_google, programme, "Наставники")) >= 4
    assert sync(programme, services).written is None


def test_cli_sync_on_google_exits_nonzero_with_russian_message(
    programme: Config, fake_google: FakeGoogle
) -> None:
    text = programme.path.read_text(encoding="utf-8")
    programme.path.write_text(text.replace("[google]\n", "[google]\nmax_retries = 0\n", 1), encoding="utf-8")
    fake_google.fail("sheets.values.batchGet", 500, times=100)
    result = CliRunner().invoke(main, ["sync", "--config", str(programme.path)])
    assert result.exit_code == 1
    assert result.output.startswith("Ошибка:") and "Traceback" not in result.output


def test_renamed_header_and_question_are_named_by_doctor_and_sync(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    sid = programme.google.spreadsheet_id
    fake_google.sheets.rename_header(sid, "Наставники", "ФИО", "Ф.И.О.")
    runner = CliRunner()
    result = runner.invoke(main, ["doctor", "--config", str(programme.path)])
    assert result.exit_code == 1 and "«ФИО»" in result.output
    result = runner.invoke(main, ["sync", "--config", str(programme.path)])
    assert result.exit_code == 1 and "«Наставники»" in result.output and "«ФИО»" in result.output
    fake_google.sheets.rename_header(sid, "Наставники", "Ф.И.О.", "ФИО")

    form = programme.google.form_ids[MENTOR_APPLICATION.code]
    seed_demo(fake_google, programme, tmp_path, mentors=3, mentees=3)
    fake_google.forms.rename_question(form, "Должность", "Ваша должность")
    result = runner.invoke(main, ["doctor", "--config", str(programme.path)])
    assert result.exit_code == 1 and "«Должность»" in result.output
    result = runner.invoke(main, ["sync", "--config", str(programme.path)])
    assert result.exit_code == 2 and "«Должность»" in result.output
    assert rows(fake_google, programme, "Наставники") == {}  # that form waits; nothing lost
    assert rows(fake_google, programme, "Наставляемые")  # the others went on
    fake_google.forms.rename_question(form, "Ваша должность", "Должность")
    assert runner.invoke(main, ["sync", "--config", str(programme.path)]).exit_code == 0
    assert rows(fake_google, programme, "Наставники")


def test_a_response_that_shows_up_late_is_not_lost(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle
) -> None:
    form = programme.google.form_ids[MENTOR_APPLICATION.code]
    answers = mentor_answers(**{"ФИО": "Зуева Ольга Петровна", "Пол": "ж"})
    fake_google.forms.seed_response(form, answers, NOW, "zueva@example.ru")
    sync(programme, services)
    # submitted five minutes before the newest one taken, visible in the API only now
    late = dict(answers, **{"ФИО": "Зуев Пётр Ильич"})
    fake_google.forms.seed_response(form, late, NOW - timedelta(minutes=5), "zuev@example.ru")
    fake_google.clear_calls()
    report = sync(programme, services, now=NOW + timedelta(minutes=5))
    assert report.plan.ingest.accepted == 1
    assert len(rows(fake_google, programme, "Наставники")) == 2
    # and the overlap costs nothing once both are taken: no forms.get, no write
    fake_google.clear_calls()
    assert sync(programme, services, now=NOW + timedelta(minutes=10)).written is None
    assert set(fake_google.names()) == {"sheets.values.batchGet", "forms.responses.list"}
