"""What the documents' commands do (letters, plans, memos, report); ``sync.cli`` declares them.

Each command reads the registries, makes its batches under the job's lock (so it never races
a cron sync), records what it made in «Документы» and writes that back in one write.
"""

from __future__ import annotations

import sys

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


