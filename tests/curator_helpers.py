"""What a curator does in the workbook, as helpers for the curator's-cycle tests."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from forms.answers import split_list
from forms.questionnaires import FINAL_SURVEY, INTERIM_FEEDBACK, MEETING_REPORT
from sheets.xlsx import XlsxStore
from sync.config import Config
from tests.conftest import write_export


def snapshot(config: Config) -> dict[str, pd.DataFrame]:
    """Every sheet of the programme's workbook, as the job reads it."""
    return XlsxStore(config.registry).read_all().frames


def single_proposals(config: Config) -> pd.DataFrame:
    """Open one-mentee proposals in «Пары»."""
    pairs = snapshot(config)["pairs"]
    return pairs[(pairs["status"] == "предложена") & ~pairs["mentee_ids"].str.contains(";")]


def mentor_with_two(config: Config) -> tuple[str, list[str]]:
    """A mentor with at least two one-mentee proposals, and those pairs."""
    pairs = single_proposals(config)
    counts = Counter(pairs["mentor_id"])
    mentor = next(m for m, n in sorted(counts.items()) if n >= 2)
    return mentor, sorted(pairs.index[pairs["mentor_id"] == mentor])[:2]


def meeting(held_on: str, mentee_name: str = "", kind: str = "плановая встреча") -> dict[str, str]:
    """A meeting report's answers by question title."""
    return {
        "ФИО наставляемого или название группы": mentee_name,
        "Дата встречи": held_on,
        "Вид встречи": kind,
        "Тема": "Разбор занятия",
        "Формат": "очно",
        "Длительность, минут": "45",
        "Итоги встречи": "Обсудили план",
    }


def feedback(role: str, author: str = "", partner: str = "", final: bool = False) -> dict[str, str]:
    """Interim (or final) feedback answers by question title."""
    spec = FINAL_SURVEY if final else INTERIM_FEEDBACK
    values = {"role": role, "author_name": author, "partner_name": partner, "satisfaction": "9",
              "usefulness": "8", "goals_progress": "7", "mentor_quality": "9", "ready_to_mentor": "да",
              "comment": "Спасибо"}
    return {q.title: values.get(q.target, "") for q in spec.questions}


class Forms:
    """The programme's meeting and feedback exports, growing as answers come in."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.rows: dict[str, list[tuple[str, str, dict[str, str]]]] = {}

    def add(self, spec, stamp: str, email: str, answers: dict[str, str]) -> None:
        self.rows.setdefault(spec.code, []).append((stamp, email, answers))
        write_export(self.config, spec, self.rows[spec.code])

    def meeting(self, stamp: str, email: str, **kw: str) -> None:
        self.add(MEETING_REPORT, stamp, email, meeting(**kw))

    def feedback(self, stamp: str, email: str, final: bool = False, **kw: str) -> None:
        self.add(FINAL_SURVEY if final else INTERIM_FEEDBACK, stamp, email, feedback(final=final, **kw))


def members(pair: pd.Series) -> list[str]:
    return split_list(pair["mentee_ids"])
