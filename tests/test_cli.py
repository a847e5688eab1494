"""The CLI: Russian messages, exit codes, config lookup, and help that README documents."""

from __future__ import annotations

import gc
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sheets.xlsx import XlsxStore
from sync.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_every_command_has_help_and_is_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help, name
        assert f"nastavnik {name}" in readme, name
        result = run(name, "--help")
        assert result.exit_code == 0 and "Пример" in result.output


def test_demo_then_sync_then_nothing_new(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = run("demo", str(folder), "--mentors", "8", "--mentees", "20", "--seed", "3")
    assert result.exit_code == 0, result.output
    result = run("sync", "--config", str(folder / "nastavnik.toml"))
    assert result.exit_code == 0, result.output
    assert "Записано:" in result.output and "@" not in result.output
    result = run("sync", "--config", str(folder / "nastavnik.toml"))
    assert "Изменений нет" in result.output


def test_dry_run_prints_plan_without_personal_data(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    run("demo", str(folder), "--mentors", "8", "--mentees", "20")
    before = (folder / "registry.xlsx").read_bytes()
    result = run("sync", "--config", str(folder / "nastavnik.toml"), "--dry-run")
    assert result.exit_code == 0
    assert "План:" in result.output and "Пробный запуск" in result.output
    assert "@" not in result.output
    assert (folder / "registry.xlsx").read_bytes() == before


def test_demo_is_deterministic_by_seed(tmp_path: Path) -> None:
    run("demo", str(tmp_path / "a"), "--seed", "5")
    run("demo", str(tmp_path / "b"), "--seed", "5")
    run("demo", str(tmp_path / "c"), "--seed", "6")
    a, b, c = ((tmp_path / x / "forms" / "mentee_application.csv").read_bytes() for x in "abc")
    assert a == b != c


def test_config_from_env_then_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("init", str(tmp_path / "p"))
    result = run("sync", env={"NASTAVNIK_CONFIG": str(tmp_path / "p" / "nastavnik.toml")})
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "p")
    assert run("sync").exit_code == 0
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["sync"], env={"NASTAVNIK_CONFIG": ""})
    assert result.exit_code == 1
    assert "Ошибка: не найден файл настроек" in result.output


def test_broken_config_is_named(tmp_path: Path) -> None:
    run("init", str(tmp_path / "p"))
    path = tmp_path / "p" / "nastavnik.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('kind = "local"', 'kind = "облако"'),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["sync", "--config", str(path)])
    assert result.exit_code == 1
    assert "[backend] kind" in result.output and "облако" in result.output
    path.write_text("[programme\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["sync", "--config", str(path)])
    assert result.exit_code == 1 and "ошибка в файле настроек" in result.output


def test_renamed_question_fails_that_form_only(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    run("demo", str(folder), "--mentors", "8", "--mentees", "20")
    export = folder / "forms" / "mentor_application.csv"
    export.write_text(export.read_text(encoding="utf-8-sig").replace("Должность", "Позиция", 1),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["sync", "--config", str(folder / "nastavnik.toml")])
    assert result.exit_code == 2
    assert "«Должность»" in result.output
    snap = XlsxStore(folder / "registry.xlsx").read_all()
    assert len(snap["mentees"]) > 0 and len(snap["mentors"]) == 0
    assert snap["attention"].loc["анкета mentor_application", "status"] == "открыто"
    export.write_text(export.read_text(encoding="utf-8").replace("Позиция", "Должность", 1), encoding="utf-8")
    assert CliRunner().invoke(main, ["sync", "--config", str(folder / "nastavnik.toml")]).exit_code == 0
    snap = XlsxStore(folder / "registry.xlsx").read_all()
    assert len(snap["mentors"]) > 0
    assert snap["attention"].loc["анкета mentor_application", "status"] == "исправлено"


def test_workbook_open_elsewhere_is_a_clear_message(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    run("demo", str(folder), "--mentors", "8", "--mentees", "20")
    (folder / ".~lock.registry.xlsx#").write_text("x")
    result = CliRunner().invoke(main, ["sync", "--config", str(folder / "nastavnik.toml")])
    assert result.exit_code == 1
    assert "открыта в Excel или LibreOffice" in result.output
    assert "Traceback" not in result.output


def test_commands_are_click_commands() -> None:
    assert all(isinstance(c, click.Command) for c in main.commands.values())


@pytest.mark.parametrize(("n", "word"), [(1, "строка"), (2, "строки"), (5, "строк"), (11, "строк"),
                                         (21, "строка"), (22, "строки"), (112, "строк"), (0, "строк")])
def test_russian_plurals(n: int, word: str) -> None:
    from sync.job import plural

    assert plural(n, "строка", "строки", "строк") == word


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["init"], "не указан ПАПКА"),
        (["sync", "--foo"], "нет параметра --foo"),
        (["demo", "x", "--mentors", "0"], "mentors: нужно целое от 1 до 100000"),
        (["frob"], "нет такой команды"),
    ],
)
def test_usage_errors_are_russian(argv, expected, monkeypatch, capsys) -> None:
    from sync.cli import entry

    monkeypatch.setattr("sync.cli.GC_THRESHOLDS", gc.get_threshold())  # this test process keeps its own
    monkeypatch.setattr("sys.argv", ["nastavnik", *argv])
    with pytest.raises(SystemExit) as exit_:
        entry()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Ошибка в команде: ") and expected in err and "--help" in err


def test_a_run_collects_garbage_rarely(monkeypatch) -> None:
    """The console script raises the collector's thresholds before the command runs: with the
    default ones a first load of 12,000 participants spent 2.6-3.3 s of 14 in full collections."""
    from sync import cli

    set_to = []
    monkeypatch.setattr(cli.gc, "set_threshold", lambda *t: set_to.append(t))
    monkeypatch.setattr("sys.argv", ["nastavnik", "--version"])
    cli.entry()
    assert set_to == [cli.GC_THRESHOLDS] and cli.GC_THRESHOLDS[0] >= 50_000


def test_help_is_russian_throughout() -> None:
    result = run("sync", "--help")
    assert "Запуск: " in result.output and "sync [ПАРАМЕТРЫ]" in result.output
    assert "Параметры:" in result.output and "Показать эту справку и выйти." in result.output
    assert "Show this message" not in result.output


def test_direction_weight_is_a_known_setting(tmp_path: Path) -> None:
    from sync.config import load_config
    from sync.pairing import settings_of

    run("init", str(tmp_path / "p"))
    path = tmp_path / "p" / "nastavnik.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("direction = 6", "direction = 9"), encoding="utf-8")
    assert settings_of(load_config(path)).weights["direction"] == 9
