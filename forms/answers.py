"""Answers -> values: parse and validate one response against its questionnaire.

Every problem names the question and says in Russian what is wrong; a response with problems
is not applied, it is kept for a person to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache

from forms.responses import Response
from forms.spec import FormSpec, Question, QuestionType

LIST_SEPARATOR = "; "  # registries join several options with "; ": options may contain commas
EMAIL_QUESTION = "Адрес электронной почты"

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%m/%d/%Y", "%Y/%m/%d", "%d/%m/%Y")
_DOTTED = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})")  # _DATE_FORMATS[0], zero-padded
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")  # _DATE_FORMATS[1], zero-padded


@dataclass(frozen=True)
class Problem:
    """Why one answer cannot be taken."""

    question: str
    value: str
    reason: str


@dataclass
class ParsedResponse:
    """A response's answers as registry values (canonical column -> text), and its problems."""

    response: Response
    values: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def normalise_email(text: str) -> str:
    """Lower-case, trimmed email (Gmail dots are not folded: other domains differ)."""
    return text.strip().lower()


def valid_email(text: str) -> bool:
    """Whether the text looks like one email address."""
    return bool(_EMAIL.match(text)) and len(text) <= 254


@lru_cache(maxsize=65_536)  # answers repeat the same few dates; strptime is slow
def parse_date(text: str) -> date | None:
    """A date answer as Google exports it (25.11.2026, 2026-11-25, 11/25/2026)."""
    text = text.strip()
    quick = _DOTTED.fullmatch(text) or _ISO.fullmatch(text)  # the usual two, read without strptime
    if quick:
        first, month, last = map(int, quick.groups())
        try:
            return date(last, month, first) if quick.re is _DOTTED else date(first, month, last)
        except ValueError:
            pass  # not a real day: the formats below refuse it as well
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _fold(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).casefold()


@cache
def _folded(options: tuple[str, ...]) -> dict[str, str]:
    """Folded option -> option (made once per question, not once per answer)."""
    return {_fold(o): o for o in options}


def split_options(text: str, options: tuple[str, ...]) -> tuple[list[str], list[str]] | None:
    """Split a checkbox answer joined by ", " into known options and unknown pieces.

    Options may themselves contain ", ", so a plain split is wrong: this finds the segmentation
    that uses the fewest unknown pieces. Returns (options in the spec's order, unknown pieces).
    """
    split = _split_options(text, options)
    return None if split is None else (list(split[0]), list(split[1]))


@lru_cache(maxsize=16_384)  # checkbox answers repeat: the same few combinations of options
def _split_options(text: str, options: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    text = text.strip()
    if not text:
        return (), ()
    folded = _folded(options)
    parts = text.split(", ")

    @cache
    def best(i: int) -> tuple[int, tuple[str, ...], tuple[str, ...]] | None:
        # (unknown count, known, unknown) for parts[i:]
        if i == len(parts):
            return 0, (), ()
        found = None
        for j in range(i + 1, len(parts) + 1):
            piece = ", ".join(parts[i:j])
            rest = best(j)
            if rest is None:
                continue
            option = folded.get(_fold(piece))
            cand = (
                (rest[0], (option, *rest[1]), rest[2])
                if option is not None
                else (rest[0] + 1, rest[1], (piece.strip(), *rest[2]))
            )
            if found is None or cand[0] < found[0]:
                found = cand
        return found

    if len(parts) > 200:  # a pasted essay, not a checkbox answer
        return None
    result = best(0)
    if result is None:
        return None
    known = sorted(set(result[1]), key=options.index)
    return tuple(known), tuple(u for u in result[2] if u)


def parse_answer(q: Question, raw: str | list[str]) -> tuple[str, str | None]:
    """One answer -> (registry text, problem or None)."""
    if isinstance(raw, list):
        pieces = [str(p) for p in raw]
        text = ", ".join(pieces)
    else:
        pieces, text = None, str(raw)
    stripped = text.strip()
    if not stripped:
        return "", ("не заполнен обязательный вопрос" if q.required else None)
    t = q.type
    if t in (QuestionType.SHORT_TEXT, QuestionType.PARAGRAPH):
        value = stripped if t is QuestionType.PARAGRAPH else " ".join(stripped.split())
        return value, None
    if t is QuestionType.EMAIL:
        email = normalise_email(stripped)
        return (email, None) if valid_email(email) else ("", "адрес электронной почты с ошибкой")
    if t is QuestionType.PHONE:
        digits = re.sub(r"\D", "", stripped)
        if len(digits) == 11 and digits[0] in "78":
            return "+7" + digits[1:], None
        if len(digits) == 10 and digits[0] == "9":
            return "+7" + digits, None
        return "", "номер телефона не распознан (нужно 11 цифр, например +7 912 345-67-89)"
    if t is QuestionType.DATE:
        parsed = parse_date(stripped)
        return (parsed.isoformat(), None) if parsed else ("", "дата не распознана (ДД.ММ.ГГГГ)")
    if t in (QuestionType.INTEGER, QuestionType.SCALE):
        if not re.fullmatch(r"\d{1,4}", stripped):
            return "", "нужно целое число"
        number = int(stripped)
        if t is QuestionType.SCALE and not q.low <= number <= q.high:
            return "", f"число вне шкалы {q.low}–{q.high}"
        if t is QuestionType.INTEGER and number > 100:
            return "", "слишком большое число"
        return str(number), None
    if t is QuestionType.CHOICE:
        folded = _folded(q.options)
        option = folded.get(_fold(stripped))
        if option is not None:
            return option, None
        if q.other_allowed:
            return stripped, None
        return "", "такого варианта ответа нет в анкете"
    if t is QuestionType.CHECKBOX:
        if pieces is not None:
            folded = _folded(q.options)
            known = [folded[_fold(p)] for p in pieces if _fold(p) in folded]
            unknown = [p.strip() for p in pieces if _fold(p) not in folded and p.strip()]
            known = sorted(set(known), key=q.options.index)
        else:
            split = split_options(stripped, q.options)
            if split is None:
                return "", "ответ не разбирается на варианты анкеты"
            known, unknown = split
        if unknown and not q.other_allowed:
            return "", "вариантов нет в анкете: " + ", ".join(f"«{u}»" for u in unknown)
        return LIST_SEPARATOR.join([*known, *unknown]), None
    raise AssertionError(f"unhandled question type {t}")  # pragma: no cover


# Answers whose registry text depends on the answer's text alone and recurs across responses
# (options, dates, numbers): parsed once per distinct text when the caller keeps a memo.
_MEMO_TYPES = frozenset({QuestionType.CHOICE, QuestionType.CHECKBOX, QuestionType.DATE,
                         QuestionType.INTEGER, QuestionType.SCALE})


def parse_response(spec: FormSpec, response: Response, memo: dict | None = None) -> ParsedResponse:
    """Parse every answer of a response; the collected email goes to the ``email`` column.

    ``memo`` (a dict the caller keeps for this one ``spec``) holds what each distinct answer of
    a choice, date or number question parsed to, so thousands of equal answers are parsed once.
    """
    parsed = ParsedResponse(response)
    if response.submitted_at is None:
        parsed.problems.append(
            Problem("Отметка времени", response.raw_timestamp, "отметка времени не распознана")
        )
    if spec.collects_email:
        email = normalise_email(response.email)
        if not email:
            parsed.problems.append(Problem(EMAIL_QUESTION, "", "не указан адрес электронной почты"))
        elif not valid_email(email):
            parsed.problems.append(
                Problem(EMAIL_QUESTION, response.email, "адрес электронной почты с ошибкой")
            )
        else:
            parsed.values["email"] = email
    for i, q in enumerate(spec.questions):
        raw = response.answers.get(q.title, "")
        if memo is not None and type(raw) is str and q.type in _MEMO_TYPES:
            found = memo.get((i, raw))
            if found is None:
                found = memo[i, raw] = parse_answer(q, raw)
            value, problem = found
        else:
            value, problem = parse_answer(q, raw)
        if problem:
            shown = raw if isinstance(raw, str) else ", ".join(raw)
            parsed.problems.append(Problem(q.title, shown, problem))
        else:
            parsed.values[q.target] = value
    return parsed


def split_list(text: str) -> list[str]:
    """A registry list cell ("ИКТ; проектная деятельность") -> its items."""
    return [p.strip() for p in text.split(";") if p.strip()]
