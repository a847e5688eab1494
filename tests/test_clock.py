"""One clock: nothing reads the wall clock but ``sync.clock``, and commands follow it."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from forms.questionnaires import QUESTIONNAIRES
from forms.responses import parse_export, read_csv_text
from sync import clock
from sync.cli import main
from sync.demo import MSK
from tests.conftest import NOW, sync_once

ROOT = Path(__file__).resolve().parent.parent
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("datetime", "today")}


def _wall_clock_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name, node.func.attr) in WALL_CLOCK:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    offenders = []
    for package in ("sync", "forms", "sheets"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name != "clock.py":
                offenders += _wall_clock_calls(path)
    assert offenders == []


def test_frozen_clock_and_environment_override(monkeypatch: pytest.MonkeyPatch) -> None:
    assert clock.now() == NOW
    later = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    with clock.frozen(later):
        assert clock.now() == later
    assert clock.now() == NOW
    clock.freeze(None)
    monkeypatch.setenv(clock.ENV, "2031-05-20")
    assert clock.now() == datetime(2031, 5, 20, tzinfo=UTC)
    monkeypatch.setenv(clock.ENV, "вчера")
    with pytest.raises(clock.ClockError, match="NASTAVNIK_NOW"):
        clock.now()


@pytest.mark.parametrize(("day", "start"), [
    (date(2026, 8, 31), date(2025, 9, 1)),
    (date(2026, 9, 1), date(2026, 9, 1)),
    (date(2027, 1, 15), date(2026, 9, 1)),
])
def test_school_year_start(day: date, start: date) -> None:
    assert clock.school_year_start(day) == start


def test_match_after_sync_agrees_with_it_years_later(demo_programme) -> None:
    """Regression: a pinned sync and a wall-clock ``match`` disagreed about a minor's age."""
    for moment in (NOW, datetime(2028, 3, 1, tzinfo=UTC)):
        with clock.frozen(moment):
            sync_once(demo_programme, now=moment)
            result = CliRunner().invoke(main, ["match", "--config", str(demo_programme.path)])
        assert result.exit_code == 0, result.output
        assert "Изменений нет" in result.output


def test_demo_answers_are_in_the_past_on_the_first_school_day(tmp_path: Path) -> None:
    """A demo made on 1 September is this school year's programme, every answer already given."""
    moment = datetime(2027, 9, 1, 10, 0, tzinfo=UTC)
    with clock.frozen(moment):
        result = CliRunner().invoke(main, ["demo", str(tmp_path / "d"), "--mentors", "30", "--mentees", "90"])
    assert result.exit_code == 0, result.output
    assert 'start = "2027-09-01"' in (tmp_path / "d" / "nastavnik.toml").read_text(encoding="utf-8")
    stamps = []
    for spec in QUESTIONNAIRES:
        path = tmp_path / "d" / "forms" / f"{spec.code}.csv"
        if path.exists():
            stamps += [r.submitted_at for r in parse_export(spec, read_csv_text(path), MSK) if r.submitted_at]
    assert stamps and max(stamps) <= moment
