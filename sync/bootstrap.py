"""Wiring: the one place that picks the backend for a config (never at import time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from forms.responses import CsvFormSource, ResponseSource
from sheets.store import TableStore
from sheets.xlsx import XlsxStore
from sync.config import Config


@dataclass
class Backend:
    """The store and the response source a run talks to, and its API call counter."""

    store: TableStore
    sources: ResponseSource
    api_calls: Callable[[], dict[str, int]] = field(default=lambda: {})


def open_backend(config: Config) -> Backend:
    """The backend the config asks for: local files by default, Google when configured."""
    if config.backend == "google":
        from sync.google.wiring import open_google_backend  # needs credentials: import late

        return open_google_backend(config)
    return Backend(
        store=XlsxStore(config.registry),
        sources=CsvFormSource(config.forms_dir, config.timezone, config.form_files),
    )
