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
    damaged: tuple[str, ...] = ()  # questions whose answer held bytes that did not decode

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


# _TS_FORMATS[0] zero-padded, read without strptime
_RUSSIAN_TS = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")
# _TS_FORMATS[2] as Google's English-locale export writes it («2026/09/08 10:37:51 AM»), the same way
_GOOGLE_TS = re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2}) ([0-9]{1,2}):([0-9]{2}):([0-9]{2}) (AM|PM)")
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
    quick = _RUSSIAN_TS.fullmatch(text.strip())  # the usual «25.11.2026 14:03:12»: strptime is slow
    if quick:
        day, month, year, hour, minute, second = map(int, quick.groups())
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=tz)
        except ValueError:
            pass  # not a real moment: the formats below refuse it as well
    quick = _GOOGLE_TS.fullmatch(text.strip())
    if quick and 1 <= int(quick.group(4)) <= 12:  # %I is 1-12: 12 AM is midnight, 12 PM noon
        year, month, day, hour, minute, second = map(int, quick.groups()[:6])
        hour = hour % 12 + (12 if quick.group(7) == "PM" else 0)
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=tz)
        except ValueError:
            pass
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
    missing = [q.title for q in spec.questions if q.title not in present and not q.added_later]
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


# What a file that is not a CSV export starts with, and what to call it in the message.
_NOT_CSV = (
    (b"PK\x03\x04", "книга Excel (.xlsx) или другой архив"),
    (b"\xd0\xcf\x11\xe0", "книга Excel старого формата (.xls)"),
    (b"%PDF", "документ PDF"),
    (b"{\\rtf", "документ RTF"),
)
DECODE_MARK = "\ufffd"


def decode_export(data: bytes) -> tuple[str, bool]:
    """The text of an export and whether some bytes did not decode (each became «\ufffd»).

    UTF-8 (with or without BOM) is what Google Forms writes; Excel on a Russian Windows saves
    CSV in Windows-1251. A UTF-8 file with a few broken bytes stays UTF-8 (decoding it as 1251
    would garble every Cyrillic letter); a file that is mostly not UTF-8 is read as 1251.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's «Unicode text»
        text = data.decode("utf-16", errors="replace")
        return text, DECODE_MARK in text
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8-sig", errors="replace")
    broken = text.count(DECODE_MARK) - data.decode("utf-8-sig", errors="ignore").count(DECODE_MARK)
    high = len(data.translate(None, bytes(range(0x80))))  # bytes outside ASCII
    if broken * 10 <= high:
        return text, True  # UTF-8 with a few bad bytes
    try:
        return data.decode("cp1251"), False
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), True  # 0x98 is undefined in 1251


def read_csv_text(path: Path) -> str:
    """The text of an export (see ``decode_export``)."""
    return decode_export(path.read_bytes())[0]


def not_a_csv(data: bytes) -> str | None:
    """What the file is instead of a CSV export (Russian), or None when it may be one."""
    for magic, what in _NOT_CSV:
        if data.startswith(magic):
            return what
    head = data[:4096]
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")) and head.count(b"\x00") * 10 > len(head):
        return "двоичный файл"  # one NUL may be an answer; a file of them is not text
    return None


def _delimiter(text: str) -> str:
    """«,» as Google writes; «;» or a tab when Excel saved the export (Russian locale, «Unicode text»)."""
    first = text.split("\n", 1)[0]
    for sep in (",", ";", "\t"):
        try:
            header = next(csv.reader([first], delimiter=sep))
        except (csv.Error, StopIteration):
            continue
        if any(h.strip() in TIMESTAMP_HEADERS for h in header):
            return sep
    return ","


def _letter(index: int) -> str:
    """A 0-based column index as a spreadsheet letter (A, B, …, AA), as a person sees it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_header(spec: FormSpec, header: Sequence[str], rows: Sequence[Sequence[str]], where: str) -> None:
    """Raise SourceError when a question (or the timestamp, or the email) has two columns, or a
    column without a header holds answers: taking either would be a guess."""
    wanted = {q.title for q in spec.questions} | set(TIMESTAMP_HEADERS) | set(EMAIL_HEADERS)
    problems = []
    seen: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        if h in wanted:
            seen.setdefault(h, []).append(i)
        elif not h and any(i < len(r) and r[i].strip() for r in rows):
            problems.append(f"у столбца {_letter(i)} нет заголовка, а в нем есть ответы")
    for h, places in seen.items():
        if len(places) > 1:
            columns = ", ".join(_letter(i) for i in places)
            problems.append(f"вопрос «{h}» встречается {len(places)} раза (столбцы {columns})")
    if problems:
        raise SourceError(
            f"{where}: " + "; ".join(problems)
            + ". Ответы этой анкеты не приняты, пока выгрузка не исправлена (выгрузите ответы заново)"
        )


def parse_export(
    spec: FormSpec, text: str, default_tz: tzinfo, damaged_bytes: bool = False
) -> list[Response]:
    """Parse a Google Forms CSV export of one form into responses, in file order.

    Raises SourceError when the header lacks the timestamp column or a question of the form
    (a renamed or deleted question must be fixed before any answer is taken), or has a
    question twice. With ``damaged_bytes`` (the file had bytes that did not decode) each
    response names the answers that hold the replacement mark.
    """
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    where = f"в выгрузке анкеты «{spec.title}»"
    ts_col = next((i for i, h in enumerate(header) if h in TIMESTAMP_HEADERS), None)
    if ts_col is None:
        raise SourceError(
            f"{where} нет столбца «Отметка времени» — это не выгрузка ответов Google Forms?"
        )
    check_header(spec, header, rows[1:], where)
    email_col = next((i for i, h in enumerate(header) if h in EMAIL_HEADERS), None)
    columns = {h: i for i, h in enumerate(header)}
    require_questions(spec, columns, where)
    out: list[Response] = []
    for line_no, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        raw_ts = cells[ts_col].strip()
        answers: dict[str, str | list[str]] = {
            q.title: cells[columns[q.title]] if q.title in columns else "" for q in spec.questions
        }
        email = cells[email_col].strip() if email_col is not None else ""
        damaged = ()
        if damaged_bytes:
            named = {TIMESTAMP_HEADERS[0]: raw_ts, EMAIL_HEADERS[0]: email, **answers}
            damaged = tuple(t for t, v in named.items() if DECODE_MARK in v)
        out.append(
            Response(
                form=spec.code,
                response_id=response_id(spec.code, cells),
                submitted_at=parse_timestamp(raw_ts, default_tz),
                raw_timestamp=raw_ts,
                email=email,
                answers=answers,
                row=line_no,
                damaged=damaged,
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

    def fingerprint(self, spec: FormSpec) -> str:
        """A digest of the form's export as it is now ("absent" without one, "" when it cannot
        be read): an export that is the very file already read in full need not be parsed."""
        try:
            with self.path_for(spec).open("rb") as f:
                return hashlib.file_digest(f, "blake2b").hexdigest()[:32]
        except FileNotFoundError:
            return "absent"
        except OSError:
            return ""

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
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(
                f"выгрузку анкеты «{spec.title}» ({path}) не удалось прочитать: {_os_reason(exc)}"
            ) from exc
        other = not_a_csv(data)
        if other:
            raise SourceError(
                f"файл {path.name} анкеты «{spec.title}» — не CSV-выгрузка, а {other}: скачайте ответы "
                "заново (Google Формы → Ответы → Скачать ответы, .csv) и положите под тем же именем"
            )
        text, damaged = decode_export(data)
        try:
            return [
                r for r in parse_export(spec, text, self.tz, damaged) if r.response_id not in seen
            ]
        except csv.Error as exc:
            raise SourceError(
                f"файл {path.name} анкеты «{spec.title}» не читается как CSV: выгрузите ответы заново"
            ) from exc


def _os_reason(exc: OSError) -> str:
    """An OS error in Russian words (the common ones), for a person to act on."""
    if isinstance(exc, PermissionError):
        return "нет прав на чтение файла"
    if isinstance(exc, IsADirectoryError):
        return "это папка, а не файл"
    return f"ошибка чтения (код {exc.errno})"
