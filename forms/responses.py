"""Form responses and where they come from: a CSV export of Google Forms (the local default).

A source returns raw responses: answers keyed by question title, as text (CSV) or as lists
(the Forms API, for checkbox questions). Parsing against the questionnaire is ``forms.answers``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from forms.spec import FormSpec

TIMESTAMP_HEADERS = ("Отметка времени", "Timestamp")
EMAIL_HEADERS = ("Адрес электронной почты", "Email Address", "Адрес электронной почты:")
MAX_CELL = 50_000  # a Google Sheets cell holds at most 50,000 characters

csv.field_size_limit(sys.maxsize)


class SourceError(Exception):
    """A whole form cannot be read (missing file, renamed question); message in Russian."""


@dataclass(frozen=True)
class Response:
    """One submitted response, as the source gives it."""

    form: str  # FormSpec.code
    response_id: str
    submitted_at: datetime | None  # timezone-aware; None when the timestamp did not parse
    raw_timestamp: str
    email: str
    answers: dict[str, str | list[str]] = field(default_factory=dict)
    row: int = 0  # line in the CSV file, for people looking for it

    @property
    def ref(self) -> str:
        """How staff find this response: row number in the export, or the response id."""
        return f"строка {self.row}" if self.row else self.response_id


class ResponseSource(Protocol):
    """Where a form's responses come from: a CSV export or the Google Forms API."""

    def responses(
        self, spec: FormSpec, since: datetime | None, seen: Collection[str] = frozenset()
    ) -> list[Response]:
        """Responses submitted (or edited) after ``since``, oldest first, less those in ``seen``."""
        ...


_TS_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%d/%m/%Y %H:%M:%S",
)
_TZ_SUFFIX = re.compile(r"\s*(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$", re.I)
_ZULU = re.compile(r"(?:Z|\s*(?:GMT|UTC))\s*$", re.I)


def parse_timestamp(text: str, default_tz: tzinfo) -> datetime | None:
    """Parse a Google Forms timestamp («25.11.2026 14:03:12», «2026/11/25 2:03:12 PM GMT+3»).

    Without an explicit offset the time is taken in ``default_tz`` (the form's time zone).
    Returns None when the text is not a timestamp.
    """
    text = " ".join(str(text).replace("\u202f", " ").split())
    if not text:
        return None
    tz: tzinfo = default_tz
    m = _TZ_SUFFIX.search(text)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        tz = timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0)))
        text = text[: m.start()]
    elif _ZULU.search(text):
        tz = UTC
        text = _ZULU.sub("", text)
    text = text.replace("ПП", "PM").replace("ДП", "AM")
    for fmt in _TS_FORMATS:
        try:
            parsed = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=tz)
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def require_questions(spec: FormSpec, present: Collection[str], where: str) -> None:
    """Raise SourceError naming every question of the spec missing from ``present`` titles."""
    missing = [q.title for q in spec.questions if q.title not in present]
    if missing:
        raise SourceError(
            f"{where} нет вопросов: "
            + ", ".join(f"«{t}»" for t in missing)
            + " (вопрос переименован или удален в форме?)"
        )


def response_id(form: str, cells: Sequence[str]) -> str:
    """A stable id for a CSV row: the same answers give the same id, an edit gives a new one."""
    digest = hashlib.sha256("\x1f".join([form, *cells]).encode("utf-8")).hexdigest()
    return "csv-" + digest[:16]


def read_csv_text(path: Path) -> str:
    """The text of an export: UTF-8 with or without BOM; Windows-1251 as a fallback."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def parse_export(spec: FormSpec, text: str, default_tz: tzinfo) -> list[Response]:
    """Parse a Google Forms CSV export of one form into responses, in file order.

    Raises SourceError when the header lacks the timestamp column or a question of the form
    (a renamed or deleted question must be fixed before any answer is taken).
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return []
    ts_col = next((i for i, h in enumerate(header) if h in TIMESTAMP_HEADERS), None)
    if ts_col is None:
        raise SourceError(
            f"в выгрузке анкеты «{spec.title}» нет столбца «Отметка времени» — это не выгрузка "
            "ответов Google Forms?"
        )
    email_col = next((i for i, h in enumerate(header) if h in EMAIL_HEADERS), None)
    columns = {h: i for i, h in enumerate(header)}
    require_questions(spec, columns, f"в выгрузке анкеты «{spec.title}»")
    out: list[Response] = []
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        raw_ts = cells[ts_col].strip()
        answers: dict[str, str | list[str]] = {
            q.title: cells[columns[q.title]] for q in spec.questions
        }
        out.append(
            Response(
                form=spec.code,
                response_id=response_id(spec.code, cells),
                submitted_at=parse_timestamp(raw_ts, default_tz),
                raw_timestamp=raw_ts,
                email=cells[email_col].strip() if email_col is not None else "",
                answers=answers,
                row=line_no,
            )
        )
    return out


class CsvFormSource:
    """Responses from CSV exports in a folder: ``<folder>/<form code>.csv`` unless mapped."""

    def __init__(self, folder: Path, tz: str = "Europe/Moscow", files: dict[str, str] | None = None):
        self.folder = Path(folder)
        self.tz = ZoneInfo(tz)
        self.files = files or {}

    def path_for(self, spec: FormSpec) -> Path:
        """The export file of a form."""
        name = self.files.get(spec.code, f"{spec.code}.csv")
        return self.folder / name

    def responses(
        self, spec: FormSpec, since: datetime | None = None, seen: Collection[str] = frozenset()
    ) -> list[Response]:
        """Every response in the export (a CSV has no server-side filter), oldest first.

        ``since`` is accepted for the interface; the job skips processed responses by id, which
        also catches responses edited after the watermark.
        """
        path = self.path_for(spec)
        if not path.exists():
            return []
        try:
            text = read_csv_text(path)
        except OSError as exc:
            raise SourceError(f"не удалось прочитать {path}: {exc}") from exc
        try:
            return [r for r in parse_export(spec, text, self.tz) if r.response_id not in seen]
        except csv.Error as exc:
            raise SourceError(f"{path.name}: файл не похож на CSV ({exc})") from exc
