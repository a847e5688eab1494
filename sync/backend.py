"""What a run talks to: a table store, a response source and the API call counter.

Both adapters build one (``sync.bootstrap`` for local files, ``sync.google.wiring`` for Google);
neither imports the place that chooses between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from forms.responses import ResponseSource
from sheets.store import TableStore


@dataclass
class Backend:
    """The store and the response source a run talks to, and its API call counter."""

    store: TableStore
    sources: ResponseSource
    api_calls: Callable[[], dict[str, int]] = field(default=lambda: {})
    services: Any = None  # the Google clients (documents go to Drive through them), if any
