"""An unexpected error: one Russian line for the person, the details in a log file for a developer.

The log carries where it happened (files, lines, functions, the command, the form and response
being taken, the IDs the message names) but never the exception's message itself: a library's
message may quote a cell, and a cell may hold a name, an email or a free-text answer.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import traceback
from pathlib import Path

from sync import clock

KEEP = 30  # newest logs kept; a cron every five minutes must not fill the disk
MSG_UNEXPECTED = (
    "непредвиденная ошибка ({kind}); ничего не записано наполовину, следующий запуск повторит. "
    "Подробности для разработчика (без персональных данных): {path}"
)
_IDS = re.compile(r"\b(?:НС|НВ|С|П|В|ОС|ТВ|ЛП)-\d{1,7}\b|\bcsv-[0-9a-f]{16}\b|строка \d+")

# What the run is doing now (set by the steps, e.g. ingestion): ids and codes only.
CURRENT: dict[str, str] = {}


def log_dir() -> Path:
    """Where crash logs go: $NASTAVNIK_LOG_DIR, else the user's state folder, else /tmp."""
    explicit = os.environ.get("NASTAVNIK_LOG_DIR")
    if explicit:
        return Path(explicit)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "nastavnik"


def describe(exc: BaseException, command: str) -> str:
    """The log text: the frames and the IDs, never the message (see the module docstring)."""
    lines = [
        f"время: {clock.now().isoformat()}",
        f"команда: {command}",
        f"python: {sys.version.split()[0]}",
        f"исключение: {type(exc).__module__}.{type(exc).__qualname__}",
        f"длина сообщения: {len(str(exc))} символов (текст не сохраняется)",
    ]
    ids = sorted(set(_IDS.findall(str(exc))))
    if ids:
        lines.append("ID в сообщении: " + ", ".join(ids))
    lines += [f"{k}: {v}" for k, v in sorted(CURRENT.items())]
    lines.append("стек:")
    chain: list[BaseException] = []
    seen = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for item in reversed(chain):
        lines.append(f"  {type(item).__qualname__}")
        for frame in traceback.extract_tb(item.__traceback__):
            lines.append(f"    {frame.filename}:{frame.lineno} в {frame.name}")
    return "\n".join(lines) + "\n"


def write(exc: BaseException, command: str) -> Path:
    """Write the log of an unexpected error and return its path (a temp folder if need be)."""
    text = describe(exc, command)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    for folder in (log_dir(), Path(tempfile.gettempdir()) / "nastavnik"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f"ошибка-{stamp}-", suffix=".log", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError:
            continue
        _prune(folder)
        return Path(name)
    return Path("(журнал не записан: нет папки, доступной для записи)")


def _prune(folder: Path) -> None:
    logs = sorted(folder.glob("ошибка-*.log"), key=lambda p: p.name)
    for old in logs[:-KEEP]:
        old.unlink(missing_ok=True)


WARNINGS_LOG = "warnings.log"
WARNINGS_KEPT = 200  # lines; each distinct warning is logged once


def route_warnings() -> None:
    """Library warnings go to a log, not to the person's terminal or cron mail.

    They are English and meant for developers (google-api-core warns about the Python version
    on every start, pandas about its future); the person gets Russian from ``doctor``. Each
    distinct warning (kind, file, line) is written once.
    """
    import warnings

    def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ARG001 - stdlib signature
        where = f"{category.__name__} {filename}:{lineno}"
        try:
            folder = log_dir()
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / WARNINGS_LOG
            lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
            if any(where in old for old in lines):
                return
            lines.append(f"{clock.now().isoformat()} {where}: {' '.join(str(message).split())[:300]}")
            path.write_text("\n".join(lines[-WARNINGS_KEPT:]) + "\n", encoding="utf-8")
        except OSError:
            pass

    warnings.showwarning = show

