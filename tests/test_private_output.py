"""No traceback and no personal data reach a person: plans, -v, --explain, errors, «Объяснение»."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from forms.questionnaires import MENTEE_APPLICATION, MENTOR_APPLICATION, PD_CONSENT
from sheets.xlsx import XlsxStore
from sync.cli import main
from tests.conftest import NOW, write_export
from tests.test_bad_input import mentor_answers, stamp

PRIVATE = ("secret.person@mail.ru", "+7 999 111-22-33", "89991112233", "Кабинет Тайный", "Сидорова Тайна")


def mentee_answers(n: int, **override: str) -> dict[str, str]:
    answers = {
        "ФИО": f"Лебедев Олег {n}",
        "Пол": "м",
        "Категория": "молодой педагог",
        "Дата рождения": "01.02.1998",
        "Телефон": "",
        "ФИО родителя (законного представителя)": "",
        "Отдел / площадка": "Кабинет Тайный, +7 999 111-22-33",
        "Направленность": "техническая",
        "Запросы: в чем нужна помощь наставника": "ИКТ, пишите на secret.person@mail.ru",
        "Педагогический стаж, лет (для педагогов)": "1",
        "Предпочтительный формат": "очно",
        "Удобные дни": "вт",
        "Желаемый наставник (если есть)": "Сидорова Тайна, 89991112233",
    }
    answers.update(override)
    return answers


@pytest.fixture
def private_programme(programme):
    """A mentor and a mentee who wrote contacts into free-text answers, both with consent."""
    write_export(programme, MENTOR_APPLICATION, [
        (stamp(1), "mentor@school.ru", mentor_answers(1, **{
            "Отдел / площадка": "кабинет тайный, +7 999 111-22-33",
            "Компетенции, которыми готовы делиться": "ИКТ, пишите на secret.person@mail.ru",
        })),
    ])
    write_export(programme, MENTEE_APPLICATION, [(stamp(2), "mentee@school.ru", mentee_answers(2))])
    consent = {"ФИО участника программы": "Лебедев Олег 2", "Email, указанный в анкете участника": "mentee@school.ru",
               "Кем дано согласие": "сам участник", "ФИО давшего согласие": "Лебедев Олег 2",
               "Подтверждение": "Даю согласие на обработку персональных данных"}
    write_export(programme, PD_CONSENT, [(stamp(3), "mentee@school.ru", consent)])
    return programme


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_private(text: str) -> None:
    for secret in PRIVATE:
        assert secret.casefold() not in text.casefold(), secret
    assert "Traceback" not in text


def test_plans_verbose_and_explain_show_ids_not_what_people_wrote(private_programme) -> None:
    config = str(private_programme.path)
    assert_private(cli("sync", "--config", config, "--dry-run").output)
    first = cli("sync", "--config", config, "-v")
    assert first.exit_code == 0, first.output
    assert_private(first.output)
    snap = XlsxStore(private_programme.registry).read_all()
    [pair] = snap["pairs"].to_dict("index").values()
    assert "тот же отдел" in pair["explanation"]
    assert_private(pair["explanation"] + pair["alternatives"])
    # an edited answer rewrites form cells: the plan names the columns, not the text
    write_export(private_programme, MENTEE_APPLICATION, [
        (stamp(2), "mentee@school.ru", mentee_answers(2)),
        (stamp(4), "mentee@school.ru", mentee_answers(2, **{"Отдел / площадка": "Кабинет Тайный 2"})),
    ])
    edited = cli("sync", "--config", config, "-v")
    assert "«Отдел / площадка»: изменено (личные данные не показываются)" in edited.output
    assert_private(edited.output)
    mentee_id = snap["mentees"].index[0]
    for item in (mentee_id, pair["id"]):
        explained = cli("match", "--config", config, "--explain", item)
        assert explained.exit_code == 0 and pair["id"] in explained.output
        assert_private(explained.output)


def test_an_unexpected_error_is_one_russian_line_and_a_log_without_personal_data(
    demo_programme, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("NASTAVNIK_LOG_DIR", str(tmp_path / "logs"))

    def explode(*_args, **_kwargs):
        raise ValueError("secret.person@mail.ru Сидорова Тайна cannot be used in НВ-0007")

    monkeypatch.setattr("sync.progress.update_progress", explode)
    before = demo_programme.registry.read_bytes()
    result = cli("sync", "--config", str(demo_programme.path))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Ошибка: непредвиденная ошибка (ValueError)")
    assert_private(result.output)
    [log] = (tmp_path / "logs").glob("ошибка-*.log")
    assert str(log) in lines[0]
    text = log.read_text(encoding="utf-8")
    assert "ValueError" in text and "compute_plan" in text and "НВ-0007" in text
    assert_private(text)
    assert demo_programme.registry.read_bytes() == before


def test_crash_logs_do_not_pile_up(demo_programme, tmp_path, monkeypatch) -> None:
    from sync import crashlog

    monkeypatch.setenv("NASTAVNIK_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(crashlog, "KEEP", 3)
    monkeypatch.setattr("sync.progress.update_progress", lambda *a, **k: 1 / 0)
    for minutes in range(5):
        from sync import clock

        clock.freeze(NOW + timedelta(minutes=minutes))
        assert cli("sync", "--config", str(demo_programme.path)).exit_code == 1
    assert len(list((tmp_path / "logs").glob("ошибка-*.log"))) == 3


def test_library_warnings_go_to_a_log_once_not_to_the_person(tmp_path, monkeypatch, capsys) -> None:
    """google-api-core warns in English about the Python version on every start (from 90 days
    before its end of life); cron would mail it each run. It goes to the log, once."""
    import warnings

    from sync import crashlog

    monkeypatch.setenv("NASTAVNIK_LOG_DIR", str(tmp_path / "logs"))
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        crashlog.route_warnings()
        for _ in range(3):
            warnings.warn("You are using a Python version (3.11.7) which Google will stop supporting",
                          FutureWarning, stacklevel=1)
    captured = capsys.readouterr()
    assert "Google" not in captured.err + captured.out
    lines = (tmp_path / "logs" / crashlog.WARNINGS_LOG).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and "FutureWarning" in lines[0] and "3.11.7" in lines[0]


def test_doctor_says_in_russian_when_googles_libraries_drop_this_python() -> None:
    from datetime import date

    from sync.doctor import python_check

    assert python_check((3, 11), date(2027, 7, 1)) is None
    soon = python_check((3, 11), date(2027, 8, 1))
    assert soon is not None and "прекращает" in soon.text and "24.10.2027" in soon.text and "3.12" in soon.text
    past = python_check((3, 11), date(2028, 1, 5))
    assert past is not None and "прекратил" in past.text
    assert python_check((3, 13), date(2028, 1, 5)) is None
