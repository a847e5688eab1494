"""Personal data in public text: what must never appear, and a scan that finds it.

Forbidden: every email and phone number (except the contacts the organisation publishes in
``[site] contacts``), every participant's birth date, mentees' and parents' names, and the
name of anyone without a publication consent that covers it. Names are matched as whole words
(«Фамилия Имя Отчество», «Фамилия Имя», «Имя Фамилия»), case and «ё» folded, so the scan is
linear in the text whatever the number of people.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sync.registry import Registries

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<!\d)(?:\+7|8|7)?[\s(.-]*\d{3}[\s).-]*\d{3}[\s.-]*\d{2}[\s.-]*\d{2}(?!\d)")
DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2}|\d{2}\.\d{2}\.\d{4})(?!\d)")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
TAG = re.compile(r"<[^>]+>")


def fold(text: str) -> str:
    """Lower case, «ё» as «е»: how names are compared."""
    return text.casefold().replace("ё", "е")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)[-10:]


def _date_forms(iso: str) -> set[str]:
    try:
        day = date.fromisoformat(iso.strip()[:10])
    except ValueError:
        return set()
    return {day.isoformat(), day.strftime("%d.%m.%Y")}


def _name_forms(full_name: str) -> set[tuple[str, ...]]:
    words = tuple(WORD.findall(fold(full_name)))
    if len(words) < 2:
        return set()
    return {words, words[:2], (words[1], words[0])}


@dataclass
class Forbidden:
    """What must not appear: names as word tuples, birth dates, and the allowed contacts."""

    names: set[tuple[str, ...]] = field(default_factory=set)
    birth_dates: set[str] = field(default_factory=set)
    allowed_emails: set[str] = field(default_factory=set)
    allowed_phones: set[str] = field(default_factory=set)


def forbidden_values(reg: Registries, public_names: Iterable[str], contacts: str = "") -> Forbidden:
    """Everything personal in the registries, less the names a consent lets the site show."""
    out = Forbidden()
    allowed = {fold(n).strip() for n in public_names}
    people: list[str] = []
    for row in reg["mentees"].values():
        people += [row.get("full_name", ""), row.get("guardian", "")]
        out.birth_dates |= _date_forms(row.get("birth_date", ""))
    people += [
        r.get("full_name", "") for r in reg["mentors"].values() if fold(r.get("full_name", "")).strip() not in allowed
    ]
    for row in reg["consents"].values():
        for name in (row.get("subject_name", ""), row.get("giver_name", "")):
            if fold(name).strip() not in allowed:
                people.append(name)
    people += [r.get("mentee_name", "") for r in reg["meetings"].values()]
    for name in people:
        out.names |= _name_forms(name)
    # a published name also appears in shorter forms: those stay allowed
    for name in allowed:
        out.names -= _name_forms(name)
    out.allowed_emails = {fold(e) for e in EMAIL.findall(contacts)}
    out.allowed_phones = {_digits(p) for p in PHONE.findall(contacts)}
    return out


def page_text(markup: str) -> str:
    """The text a reader sees in a page (tags dropped, entities read)."""
    return html.unescape(TAG.sub(" ", markup))


def find_personal_data(text: str, forbidden: Forbidden) -> list[str]:
    """Kinds of personal data found in ``text`` («email», «phone», «birth_date», «name»), never the values."""
    found: list[str] = []
    if any(fold(e) not in forbidden.allowed_emails for e in EMAIL.findall(text)):
        found.append("email")
    if any(_digits(p) not in forbidden.allowed_phones for p in PHONE.findall(text)):
        found.append("phone")
    if any(d in forbidden.birth_dates for d in DATE.findall(text)):
        found.append("birth_date")
    words = WORD.findall(fold(text))
    grams = {tuple(words[i:i + n]) for n in (2, 3) for i in range(len(words) - n + 1)}
    if grams & forbidden.names:
        found.append("name")
    return found
