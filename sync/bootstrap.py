"""Wiring: the one place that picks the backend for a config (never at import time).

It imports both adapters (the local one here, Google's late, since it needs credentials and
heavy client libraries); the adapters import nothing from it.
"""

from __future__ import annotations

from forms.responses import CsvFormSource
from sheets.xlsx import XlsxStore
from sync.backend import Backend
from sync.config import Config

__all__ = ["Backend", "open_backend"]


def open_backend(config: Config) -> Backend:
    """The backend the config asks for: local files by default, Google when configured."""
    if config.backend == "google":
        from sync.google.wiring import open_google_backend  # needs credentials: import late

        return open_google_backend(config)
    return Backend(
        store=XlsxStore(config.registry),
        sources=CsvFormSource(config.forms_dir, config.timezone, config.form_files),
    )
