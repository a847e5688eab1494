"""The workbook file itself: read it, know it is still the one read, replace it safely.

Staff keep the workbook open and save it while cron runs the job. The job replaces the file
only if it is byte for byte the file it read (a staff save in between: nothing is written this
run, the next run reads both); a file caught half-saved is retried by the next run; a symlink
is written through (the link stays a link); temp copies a killed run left are removed; every
refusal of the file system is said in Russian with the path.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import time
from pathlib import Path

from sheets.store import StoreBusy, StoreError

TEMP_PREFIX = ".nastavnik-"
SETTLE_SECONDS = 0.5  # a second look at a file that did not open: is someone saving it?
RECENT_SECONDS = 60  # a file modified this recently that does not open is taken as mid-save
STALE_SECONDS = 600  # a temp copy this old is a killed run's, whoever holds the lock


class StoreChanged(StoreBusy):
    """The workbook changed on disk between the job's read and its write."""


MSG_CHANGED = (
    "книгу {name} сохранили, пока шел запуск (ее правит сотрудник?): этот запуск ничего не "
    "записал, следующий учтет и эти правки"
)
MSG_SAVING = "книга {name} сейчас сохраняется (файл еще не дописан): следующий запуск повторит"
MSG_BROKEN = "книга {path} повреждена или не является .xlsx (не открывается как архив Office)"
MSG_READ_DENIED = "нет прав на чтение книги {path}: дайте права пользователю, от которого идет запуск"
MSG_FILE_READ_ONLY = (
    "книга {path} доступна только для чтения: снимите «только чтение» (или дайте права на запись "
    "пользователю, от которого идет запуск); ничего не записано"
)
MSG_DIR_READ_ONLY = (
    "нет прав на запись в папку {folder} (там создается новая версия книги перед заменой): дайте "
    "права на запись пользователю, от которого идет запуск; ничего не записано"
)
MSG_NO_SPACE = "не удалось сохранить книгу {path}: на диске нет места; ничего не записано"
MSG_SAVE_FAILED = "не удалось сохранить книгу {path} (ошибка файловой системы {errno}); ничего не записано"


def digest(data: bytes) -> str:
    """What the job remembers of the file it read."""
    return hashlib.sha256(data).hexdigest()


class WorkbookFile:
    """One workbook on disk, reached through any symlink."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.seen: str | None = None  # digest of the bytes last read

    @property
    def target(self) -> Path:
        """The real file: a symlinked registry.xlsx is written where the link points."""
        return Path(os.path.realpath(self.path))

    def read(self, remember: bool = True) -> bytes:
        """The file's bytes (StoreError in Russian when it cannot be read)."""
        try:
            data = self.target.read_bytes()
        except PermissionError as exc:
            raise StoreError(MSG_READ_DENIED.format(path=self.path)) from exc
        except IsADirectoryError as exc:
            raise StoreError(f"{self.path} — папка, а не книга .xlsx") from exc
        except OSError as exc:
            raise StoreError(f"не удалось прочитать книгу {self.path} (ошибка {exc.errno})") from exc
        if remember:
            self.seen = digest(data)
        return data

    def unreadable(self, exc: Exception) -> StoreError:
        """The error for a file that did not open: «being saved» when it is, else «broken»."""
        try:
            first = self.target.stat()
            time.sleep(SETTLE_SECONDS)
            second = self.target.stat()
        except OSError:
            return StoreBusy(MSG_SAVING.format(name=self.path.name))  # replaced or gone meanwhile
        moving = (first.st_size, first.st_mtime_ns) != (second.st_size, second.st_mtime_ns)
        recent = _file_clock(self.target.parent) - second.st_mtime < RECENT_SECONDS
        if moving or (recent and self._zip_started()):
            return StoreBusy(MSG_SAVING.format(name=self.path.name))
        return StoreError(MSG_BROKEN.format(path=self.path))

    def _zip_started(self) -> bool:
        """Whether the file begins as an .xlsx does (a half-written one lacks only its end)."""
        try:
            with self.target.open("rb") as f:
                return f.read(4) == b"PK\x03\x04"
        except OSError:
            return False

    def check_unchanged(self) -> None:
        """Raise StoreChanged when the file is no longer the one read (nothing is written)."""
        if self.seen is None:
            return
        try:
            now = digest(self.target.read_bytes())
        except OSError:
            now = ""
        if now != self.seen:
            raise StoreChanged(MSG_CHANGED.format(name=self.path.name))

    def check_writable(self) -> None:
        """Refuse early, in Russian, where the file system will refuse the save."""
        target = self.target
        folder = target.parent
        if target.exists() and not os.access(target, os.W_OK):
            raise StoreError(MSG_FILE_READ_ONLY.format(path=self.path))
        if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
            raise StoreError(MSG_DIR_READ_ONLY.format(folder=folder))

    def remove_stale_temps(self, min_age: float = 0) -> list[Path]:
        """Delete temp copies a killed run left beside the book (they hold personal data).

        Under the job's lock (``min_age`` 0) no other run of this programme is saving; without
        it only copies older than ``min_age`` seconds go, as no save takes that long. A copy
        named for another workbook in the same folder is left to that workbook's runs.
        """
        target = self.target
        removed = []
        temps = list(target.parent.glob(f"{TEMP_PREFIX}*.xlsx"))
        now = _file_clock(target.parent) if temps else 0.0
        for path in temps:
            if (path.name.startswith(f"{TEMP_PREFIX}{target.stem}-") and _age(path, now) >= min_age) or _legacy(
                path, now
            ):
                try:
                    path.unlink()
                    removed.append(path)
                except OSError:
                    continue
        return removed

    def save(self, write_to) -> None:
        """Save through ``write_to(tmp_path)`` into a temp file, then replace the book atomically.

        The book is replaced only if it is still the file read; the temp file never outlives a
        failure. A read-only file or folder, a full disk: a Russian StoreError, nothing written.
        """
        target = self.target
        target.parent.mkdir(parents=True, exist_ok=True)
        self.check_writable()
        self.remove_stale_temps()
        try:
            fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.stem}-", suffix=".xlsx", dir=target.parent)
        except OSError as exc:
            raise self._os_error(exc) from exc
        os.close(fd)
        try:
            write_to(tmp)
            os.chmod(tmp, _mode_for(target))  # mkstemp makes 0600; staff share the book
            self.check_unchanged()
            os.replace(tmp, target)  # atomic: a reader sees the old book or the new one
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise self._os_error(exc) from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.seen = None  # the book is ours now; the next write reads it again

    def _os_error(self, exc: OSError) -> StoreError:
        if isinstance(exc, PermissionError):
            if self.target.exists() and not os.access(self.target, os.W_OK):
                return StoreError(MSG_FILE_READ_ONLY.format(path=self.path))
            return StoreError(MSG_DIR_READ_ONLY.format(folder=self.target.parent))
        if exc.errno == 28:  # ENOSPC
            return StoreError(MSG_NO_SPACE.format(path=self.path))
        return StoreError(MSG_SAVE_FAILED.format(path=self.path, errno=exc.errno))


def _file_clock(folder: Path) -> float:
    """The time as the file system stamps it now, read from a probe file in ``folder``.

    File ages compare a file's mtime with "now", and both must come from the same clock: the
    kernel (or a network share's server) stamps files, while the process clock can be moved
    (faketime in CI, a skewed NFS server, a container's clock). Where the folder refuses a probe,
    the process clock is the best there is.
    """
    try:
        fd, probe = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}clock-", suffix=".probe", dir=folder)
    except OSError:
        return time.time()
    try:
        return os.fstat(fd).st_mtime
    finally:
        os.close(fd)
        try:
            os.unlink(probe)
        except OSError:
            pass


def _age(path: Path, now: float) -> float:
    """Seconds since the file was last written, against ``now`` on the file system's clock."""
    try:
        return now - path.stat().st_mtime
    except OSError:
        return 0.0


def _legacy(path: Path, now: float) -> bool:
    """A temp copy named by an earlier version (``.nastavnik-XXXXXXXX.xlsx``), an hour old."""
    rest = path.name[len(TEMP_PREFIX):-len(".xlsx")]
    if "-" in rest:
        return False
    return _age(path, now) > 3600


def _mode_for(path: Path) -> int:
    """The permissions the book keeps: its own, or what the umask allows for a new file."""
    if path.exists():
        return stat.S_IMODE(path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
