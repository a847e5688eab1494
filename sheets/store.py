"""The storage port: what the job needs from a place that keeps the registries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from sheets.changes import ChangeSet


class StoreError(Exception):
    """A store cannot be read or written; the message is Russian and names what and where."""


class SchemaMismatch(StoreError):
    """A sheet or a required header is missing or renamed."""


class StoreBusy(StoreError):
    """Someone else holds the registry (a workbook open in Excel, another run)."""


@dataclass
class Snapshot:
    """Every registry as read in one go: schema name -> frame indexed by key (text cells)."""

    frames: dict[str, pd.DataFrame]
    warnings: list[str] = field(default_factory=list)
    unkeyed: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # rows typed without a key

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]


@dataclass
class WriteReport:
    """What a write did: cells and rows written, and changes it had to skip (with reasons)."""

    cells: int = 0
    rows: int = 0
    skipped: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # optional columns an older sheet lacked, added


class TableStore(Protocol):
    """A place that keeps the registries: the local workbook or a Google spreadsheet."""

    backend: str

    def read_all(self) -> Snapshot:
        """Read every registry in one batched read."""
        ...

    def write(self, changes: ChangeSet) -> WriteReport:
        """Apply the changes in one batched write, by key and header, never by position."""
        ...
