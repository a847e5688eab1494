"""Shared fixtures: a small local programme on a temp path (the real files, no mocks)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from forms.spec import FormSpec
from sync import clock
from sync.bootstrap import open_backend
from sync.cli import create_programme
from sync.config import Config, load_config
from sync.demo import generate
from sync.job import RunReport, run_sync

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
pytest_plugins = ["tests.lived"]  # the lived programme fixtures


@pytest.fixture(autouse=True)
def google_pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """No test really waits on the Google path (backoff, the lease's settle): the waits a run
    asked for are recorded instead. A test that wants them passes ``sleep=`` itself."""
    asked: list[float] = []
    monkeypatch.setattr("sync.google.transport.pause", asked.append)
    return asked


@pytest.fixture(autouse=True)
def programme_clock() -> Iterator[datetime]:
    """Every test runs at NOW on the programme's one clock, whatever the date of the machine."""
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


@pytest.fixture
def programme(tmp_path: Path) -> Config:
    """An empty local programme: config, workbook with every sheet, forms/ and out/."""
    return load_config(create_programme(tmp_path / "prog", "Тестовая школа", datetime(2026, 9, 1).date()))


@pytest.fixture(scope="session")
def lived_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo programme lived through its whole cycle, to 30 June 2028 (made once per run)."""
    from click.testing import CliRunner

    from sync.cli import main

    folder = tmp_path_factory.mktemp("lived") / "demo"
    clock.freeze(NOW)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("NASTAVNIK_SOFFICE", "none")
            result = CliRunner().invoke(main, ["demo", str(folder), "--mentors", "6", "--mentees", "16", "--seed", "4",
                                               "--through", "2028-06-30"])
    finally:
        clock.freeze(None)
    assert result.exit_code == 0, result.output
    return folder


LIVED_THROUGH = datetime(2028, 6, 30, 15, 0, tzinfo=UTC)  # the lived demo's last day, when documents are made
DOCUMENT_COMMANDS = (("letters", "mentors"), ("letters", "mentees"), ("letters", "partners"), ("plans",), ("memos",),
                     ("report", "needs"), ("report", "interim"), ("report", "final"))


@pytest.fixture(scope="session")
def lived_documents(lived_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the lived demo with every document made once (read-only for the tests that share it)."""
    import shutil

    from click.testing import CliRunner

    from sync.cli import main

    folder = tmp_path_factory.mktemp("docs") / "demo"
    shutil.copytree(lived_demo, folder)
    with clock.frozen(LIVED_THROUGH), pytest.MonkeyPatch.context() as mp:
        mp.setenv("NASTAVNIK_SOFFICE", "none")
        for args in DOCUMENT_COMMANDS:
            result = CliRunner().invoke(main, [*args, "--config", str(folder / "nastavnik.toml")])
            assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def demo_programme(programme: Config) -> Config:
    """The programme with the demo's CSV exports (small, fixed seed)."""
    generate(programme.forms_dir, mentors=15, mentees=40, seed=7, start=programme.start)
    return programme


@pytest.fixture
def twin_programmes(tmp_path: Path) -> tuple[Config, Config]:
    """Two identical demo programmes, to compare a disturbed run with an undisturbed one."""
    twins = []
    for name in ("whole", "other"):
        config = load_config(create_programme(tmp_path / name, "Школа", datetime(2026, 9, 1).date()))
        generate(config.forms_dir, mentors=10, mentees=30, seed=5, start=config.start)
        twins.append(config)
    return twins[0], twins[1]


def write_export(config: Config, spec: FormSpec, rows: list[tuple[str, str, dict[str, str]]]) -> None:
    """A form's CSV export as Google Forms writes it: (timestamp, email, answers by title) rows."""
    with (config.forms_dir / f"{spec.code}.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Отметка времени", "Адрес электронной почты", *[q.title for q in spec.questions]])
        for stamp, email, answers in rows:
            writer.writerow([stamp, email, *[answers.get(q.title, "") for q in spec.questions]])


def sync_once(config: Config, dry_run: bool = False, now: datetime = NOW) -> RunReport:
    """One run of the job on the config's backend."""
    backend = open_backend(config)
    return run_sync(config, backend.store, backend.sources, dry_run=dry_run, now=now)


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """No LibreOffice runs in the suite (seconds each); the PDF test turns it back on."""
    monkeypatch.setenv("NASTAVNIK_SOFFICE", "none")
