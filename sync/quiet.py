"""Quiet cron runs: what the last complete run saw, so that the next one can skip its work.

A cron run every few minutes almost always finds nothing new. After a run that read every form
and left the registries as it computed them, the job records beside the lock file: a digest of
the workbook as it left it, a digest of each form export it read, and the context its results
depend on (the local date — deadlines and ages move with it —, the settings file, the version
and the code's own files).
The next run digests the workbook and the exports (reading every byte, parsing nothing); when
they and the context are unchanged there is nothing to compute, and the run stops there: the
workbook is not parsed either, since it is byte for byte the one the last run left. An export
whose file did not change since it was read in full is not parsed again in any run.

The record is a cache, written atomically after the registries were written: a crash in
between leaves an older record, which only makes the next run do the full work again. A store
or a source that cannot tell a digest (Google) never matches, so those runs are never skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

STATE_NAME = ".nastavnik.state.json"
VERSION = 1  # of the record's format and of what the job computes from the same inputs


@dataclass
class Seen:
    """What a run's results depend on, as digests ("" when unknown: never equal)."""

    context: str
    workbook: str = ""
    forms: dict[str, str] = field(default_factory=dict)

    def same_as(self, other: Seen | None) -> bool:
        """Whether nothing at all changed since ``other`` was recorded."""
        if other is None or not self.context or self.context != other.context:
            return False
        if not self.workbook or self.workbook != other.workbook:
            return False
        return all(d and other.forms.get(code) == d for code, d in self.forms.items()) and set(
            self.forms
        ) == set(other.forms)

    def unchanged_forms(self, other: Seen | None) -> set[str]:
        """Forms whose export is the very file that ``other`` read in full."""
        if other is None:
            return set()
        return {code for code, d in self.forms.items() if d and other.forms.get(code) == d}


def context_digest(today: str, settings: str, version: str) -> str:
    """The inputs besides the workbook and the exports: the day, the settings, the code."""
    return hashlib.blake2b("|".join([today, settings, version, str(VERSION)]).encode()).hexdigest()[:32]


CODE_PACKAGES = ("sync", "sheets", "forms")
CODE_SUFFIXES = {".py", ".toml", ".json", ".docx", ".css", ".html"}


def code_digest(root: Path | None = None) -> str:
    """What the job's code is: every source and data file of its packages, by size and time.

    The version number alone misses an upgrade that keeps it (a fix installed from a branch, an
    edited checkout), and a run skipped on old results would then hide the fix until the inputs
    change. Stat only, no reading: a few hundred files cost about a millisecond.
    """
    root = root or Path(__file__).resolve().parent.parent
    h = hashlib.blake2b()
    for package in CODE_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.suffix not in CODE_SUFFIXES or "__pycache__" in path.parts:
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            h.update(f"{path.relative_to(root)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:32]


def state_path(lock_path: Path) -> Path:
    return lock_path.with_name(STATE_NAME)


def load(path: Path) -> Seen | None:
    """The last record, or None when there is none or it cannot be read (then: full run)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Seen(str(data["context"]), str(data["workbook"]),
                    {str(k): str(v) for k, v in dict(data["forms"]).items()})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(path: Path, seen: Seen) -> None:
    """Replace the record atomically (a reader sees the old one or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sync-state-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"context": seen.context, "workbook": seen.workbook, "forms": seen.forms}, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def forget(path: Path) -> None:
    """Drop the record (a run that wrote something must not be taken for a quiet one)."""
    path.unlink(missing_ok=True)
