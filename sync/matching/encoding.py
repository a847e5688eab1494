"""The registry as arrays for the candidate graph: texts coded as ints, sets as bit masks.

``encode_mentees`` and ``encode_mentors`` turn the plain records of ``sync.matching.rules`` into
the numpy arrays that ``sync.matching.graph.PairRules`` applies the rules to; names, ids and
departments share one ``Codes`` table, so "the same person" and "the same department" are
integer comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sheets.schema import MENTEE_CATEGORIES
from sync.matching.rules import (
    MENTOR_CATEGORIES,
    TEACHER_CATEGORIES,
    MatchSettings,
    Mentee,
    Mentor,
    day_bits,
    format_bits,
    normalise,
    unique_normalised,
)


class Codes(dict):
    """Normalised text -> a small int, so names and ids compare as numbers."""

    def of(self, text: str) -> int:
        return self.setdefault(normalise(text), len(self))


@dataclass
class MenteeArrays:
    direction: list[str]
    vocabulary: dict[str, int]
    category: np.ndarray
    teacher: np.ndarray
    needs: np.ndarray  # (n, words) uint64 bit sets over the vocabulary
    need_count: np.ndarray
    days: np.ndarray
    day_count: np.ndarray
    format: np.ndarray
    department: np.ndarray  # code, -1 when blank
    experience: np.ndarray
    preferred: np.ndarray  # code, -1 when blank
    id: np.ndarray
    name: np.ndarray  # code, -2 when blank (a blank name is nobody)
    direction_code: np.ndarray  # code, -1 when blank


@dataclass
class MentorArrays:
    direction: list[str]
    category: np.ndarray
    available: np.ndarray  # active, and trained when required
    competencies: np.ndarray
    days: np.ndarray
    formats: np.ndarray
    department: np.ndarray
    experience: np.ndarray
    id: np.ndarray
    name: np.ndarray
    direction_code: np.ndarray  # code, -3 when blank (never equal to a mentee's)


def encode_mentees(mentees: Sequence[Mentee], rows: np.ndarray, codes: Codes) -> MenteeArrays:
    n = len(mentees)
    needs = [list(unique_normalised(mentees[i].needs)) for i in rows.tolist()]
    vocabulary: dict[str, int] = {}
    for items in needs:
        for item in items:
            vocabulary.setdefault(item, len(vocabulary))
    words = max(1, -(-len(vocabulary) // 64))
    a = MenteeArrays(
        direction=[normalise(x.direction) for x in mentees],
        vocabulary=vocabulary,
        category=np.zeros(n, dtype=np.int64),
        teacher=np.zeros(n, dtype=bool),
        needs=np.zeros((n, words), dtype=np.uint64),
        need_count=np.zeros(n, dtype=np.int64),
        days=np.zeros(n, dtype=np.uint8),
        day_count=np.zeros(n, dtype=np.int64),
        format=np.zeros(n, dtype=np.uint8),
        department=np.full(n, -1, dtype=np.int64),
        experience=np.zeros(n, dtype=np.int64),
        preferred=np.full(n, -1, dtype=np.int64),
        id=np.zeros(n, dtype=np.int64),
        name=np.full(n, -2, dtype=np.int64),
        direction_code=np.full(n, -1, dtype=np.int64),
    )
    for i, items in zip(rows.tolist(), needs, strict=True):
        x = mentees[i]
        a.category[i] = MENTEE_CATEGORIES.index(x.category)
        a.teacher[i] = x.category in TEACHER_CATEGORIES
        for item in items:
            bit = vocabulary[item]
            a.needs[i, bit // 64] |= np.uint64(1 << (bit % 64))
        a.need_count[i] = len(items)
        a.days[i] = day_bits(x.days)
        a.day_count[i] = int(a.days[i]).bit_count()
        a.format[i] = format_bits([x.format])
        if normalise(x.department):
            a.department[i] = codes.of(x.department)
        a.experience[i] = x.experience_years
        if normalise(x.preferred_mentor):
            a.preferred[i] = codes.of(x.preferred_mentor)
        a.id[i] = codes.of(x.id)
        if normalise(x.full_name):
            a.name[i] = codes.of(x.full_name)
        if normalise(x.direction):
            a.direction_code[i] = codes.of(x.direction)
    return a


def encode_mentors(
    mentors: Sequence[Mentor], vocabulary: dict[str, int], codes: Codes, settings: MatchSettings
) -> MentorArrays:
    m = len(mentors)
    words = max(1, -(-len(vocabulary) // 64))
    competencies = np.zeros((m, words), dtype=np.uint64)
    for j, x in enumerate(mentors):
        for item in unique_normalised(x.competencies):
            bit = vocabulary.get(item)
            if bit is not None:  # a competence nobody asked for cannot change a score
                competencies[j, bit // 64] |= np.uint64(1 << (bit % 64))
    return MentorArrays(
        direction=[normalise(x.direction) for x in mentors],
        category=np.array([MENTOR_CATEGORIES.index(x.category) for x in mentors], dtype=np.int64),
        available=np.array(
            [x.active and (x.trained or not settings.require_training) for x in mentors],
            dtype=bool,
        ),
        competencies=competencies,
        days=np.array([day_bits(x.days) for x in mentors], dtype=np.uint8),
        formats=np.array([format_bits(x.formats) for x in mentors], dtype=np.uint8),
        department=np.array(
            [codes.of(x.department) if normalise(x.department) else -3 for x in mentors],
            dtype=np.int64,
        ),
        experience=np.array([x.experience_years for x in mentors], dtype=np.int64),
        id=np.array([codes.of(x.id) for x in mentors], dtype=np.int64),
        name=np.array([codes.of(x.full_name) for x in mentors], dtype=np.int64),
        direction_code=np.array(
            [codes.of(x.direction) if normalise(x.direction) else -3 for x in mentors],
            dtype=np.int64,
        ),
    )
