"""Questionnaires as data: a form is a title, a target registry and a list of questions.

Question titles are what participants see and what a Google Forms export uses as CSV headers;
``target`` is the canonical column name (see ``sheets.schema``) the answer fills. ``forms``
never imports ``sheets``: the two meet in ``sync`` through those names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class QuestionType(StrEnum):
    SHORT_TEXT = "short_text"
    PARAGRAPH = "paragraph"
    EMAIL = "email"
    PHONE = "phone"
    DATE = "date"
    INTEGER = "integer"
    CHOICE = "choice"  # one of the options (radio or dropdown)
    CHECKBOX = "checkbox"  # any of the options, exported joined by ", "
    SCALE = "scale"  # linear scale low..high


@dataclass(frozen=True)
class Question:
    """One question of a form."""

    title: str
    type: QuestionType
    target: str
    required: bool = True
    options: tuple[str, ...] = ()
    low: int = 1
    high: int = 10
    help: str = ""
    other_allowed: bool = False  # an «Другое:» answer is kept as free text
    added_later: bool = False  # forms made before it was added may lack it: read as empty


@dataclass(frozen=True)
class FormSpec:
    """A questionnaire: its code (used in config and file names), title and questions."""

    code: str
    title: str
    target: str  # which registry it feeds (canonical sheet name)
    questions: tuple[Question, ...]
    description: str = ""
    collects_email: bool = True  # the export has the «Адрес электронной почты» column
    text_version: str = ""  # for consent forms: the version of the consent text
    _by_title: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_title.update({q.title: q for q in self.questions})

    def question(self, title: str) -> Question | None:
        """The question with this title, if any."""
        return self._by_title.get(title)

    def by_target(self, target: str) -> Question | None:
        """The question that fills this canonical column, if any."""
        return next((q for q in self.questions if q.target == target), None)
