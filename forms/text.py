"""Text a store can hold: what cannot be kept is replaced by a visible mark, never dropped.

An .xlsx cell (XML 1.0) cannot hold most control characters (``\\x00``, ``\\x1b``, ``\\x0b``…),
nor can any UTF-8 store hold a lone surrogate; Google Sheets refuses the same. A response that
had such characters is taken with each one replaced by ``MARK`` and listed for a person.
"""

from __future__ import annotations

import re
from dataclasses import replace

from forms.responses import Response

MARK = "\ufffd"  # «�», what a reader sees where a character could not be kept
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

TIMESTAMP_QUESTION = "Отметка времени"
EMAIL_QUESTION = "Адрес электронной почты"


def storable(text: str) -> tuple[str, int]:
    """The text with every character a store cannot hold replaced by MARK, and how many were."""
    return _UNSTORABLE.subn(MARK, text)


def clean_response(response: Response) -> tuple[Response, dict[str, int]]:
    """The response with storable text everywhere, and question title -> characters replaced."""
    texts = [response.email, response.raw_timestamp]
    texts += ("\n".join(map(str, raw)) if isinstance(raw, list) else str(raw) for raw in response.answers.values())
    if _UNSTORABLE.search("\n".join(texts)) is None:  # nearly every response: one search, not one per answer
        return response, {}
    touched: dict[str, int] = {}

    def clean(title: str, text: str) -> str:
        fixed, n = storable(text)
        if n:
            touched[title] = touched.get(title, 0) + n
        return fixed

    answers: dict[str, str | list[str]] = {}
    for title, raw in response.answers.items():
        answers[title] = [clean(title, str(p)) for p in raw] if isinstance(raw, list) else clean(title, str(raw))
    email = clean(EMAIL_QUESTION, response.email)
    stamp = clean(TIMESTAMP_QUESTION, response.raw_timestamp)
    if not touched:
        return response, touched
    return replace(response, answers=answers, email=email, raw_timestamp=stamp), touched
