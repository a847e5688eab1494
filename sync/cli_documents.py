"""What the documents' commands do (letters, plans, memos, report); ``sync.cli`` registers them.

Each command reads the registries, makes its batches under the job's lock (so it never races
a cron sync), records what it made in «Документы» and writes that back in one write.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sync import clock
from sync.config import Config


def ids_of(values: tuple[str, ...]) -> list[str]:
    """``--only`` values: ids given one by one, or several separated by spaces or commas."""
    return [p.strip() for v in values for p in v.replace(",", " ").split() if p.strip()]


def run_batches(config: Config, codes: list[str], only: list[str] | None = None, force: bool = False) -> list[str]:
    """Make the batches (one per code), write the records; the summary lines to print.

    Raises the domain's errors (DocumentError, StoreError, GoogleError) for the command to show.
    """
    from sync.bootstrap import open_backend
    from sync.documents.catalog import BY_CODE
    from sync.documents.service import make_kind, open_sink
    from sync.job import run_lock
    from sync.registry import Registries

    backend = open_backend(config)
    sink = open_sink(config, getattr(backend, "services", None))
    reports = []
    with run_lock(config.lock_path):
        reg = Registries(backend.store.read_all())
        now = clock.now()
        for code in codes:
            with click.progressbar(length=1, label=BY_CODE[code].title, file=sys.stderr) as bar:
                def progress(done: int, total: int, bar=bar) -> None:
                    bar.length = total
                    bar.update(1)

                reports.append(make_kind(code, reg, config, sink, now, only, force, progress))
        changes = reg.changes()
        if changes:
            backend.store.write(changes)
    lines = [line for report in reports for line in report.lines()]
    calls = backend.api_calls()
    if calls:
        lines.append("Обращения к Google: " + ", ".join(f"{k}: {v}" for k, v in sorted(calls.items())))
    return lines




def document_commands(context: dict, failure: type[click.ClickException], load: Any, expected: tuple,
                      command_class: type[click.Command] | None = None) -> list[click.Command]:
    """The commands letters, plans, memos and report, with the CLI's context, errors and config loader."""
    command_class = command_class or click.Command

    _CONFIG = click.option("--config", "config_path", type=click.Path(path_type=Path),
                           help="Файл настроек (иначе $NASTAVNIK_CONFIG или ./nastavnik.toml).")
    _FORCE = click.option("--force", is_flag=True, help="Создать заново и заменить уже созданные.")


    def _documents(config_path: Path | None, codes: list[str], only: tuple[str, ...] = (), force: bool = False) -> None:
        from sync.documents.render import DocumentError

        config = load(config_path)
        try:
            lines = run_batches(config, codes, ids_of(only) or None, force)
        except (DocumentError, *expected) as exc:
            raise failure(str(exc)) from exc
        for line in lines:
            click.echo(line)


    @click.command(cls=command_class, context_settings=context)
    @click.argument("whom", type=click.Choice(["mentors", "mentees", "partners"]))
    @click.option("--only", "only", multiple=True, metavar="ID",
                  help="Только этим (ID через пробел или запятую); иначе — всем, чьи пары завершены.")
    @_FORCE
    @_CONFIG
    def letters(whom: str, only: tuple[str, ...], force: bool, config_path: Path | None) -> None:
        """Благодарственные письма наставникам (mentors), наставляемым (mentees) или партнерам (partners).

        По умолчанию — тем, чьи пары завершены, и всем партнерам. Созданное записано в «Документы»
        и второй раз не создается; --force заменяет.

        Пример: nastavnik letters mentors --only НС-0003 НС-0007
        """
        from sync.documents.catalog import LETTERS

        _documents(config_path, [LETTERS[whom]], only, force)


    @click.command(cls=command_class, context_settings=context)
    @click.option("--only", "only", multiple=True, metavar="ID", help="Только этим парам (П-…).")
    @_FORCE
    @_CONFIG
    def plans(only: tuple[str, ...], force: bool, config_path: Path | None) -> None:
        """Индивидуальные планы развития (ИПР) утвержденных пар: цели, график встреч, результаты, подписи.

        Задание синхронизации делает ИПР само, когда пара утверждена, и пишет ссылку в «Пары».

        Пример: nastavnik plans --only П-0004 --force
        """
        _documents(config_path, ["plan"], only, force)


    @click.command(cls=command_class, context_settings=context)
    @_FORCE
    @_CONFIG
    def memos(force: bool, config_path: Path | None) -> None:
        """Памятки наставляемого и наставника с QR-кодами ссылок на анкеты программы.

        Пример: nastavnik memos
        """
        _documents(config_path, ["memo_mentee", "memo_mentor"], (), force)


    @click.command(cls=command_class, context_settings=context)
    @click.argument("which", type=click.Choice(["needs", "interim", "final"]))
    @_FORCE
    @_CONFIG
    def report(which: str, force: bool, config_path: Path | None) -> None:
        """Отчет с цифрами и диаграммами по реестрам: needs — анализ потребностей, interim — промежуточный
        мониторинг, final — итоги программы (два этапа мониторинга, лучшие практики).

        Пример: nastavnik report final
        """
        from sync.documents.catalog import REPORTS

        _documents(config_path, [REPORTS[which]], (), force)

    return [letters, plans, memos, report]
