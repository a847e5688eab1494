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
class MenteeArrays:  # codes in int32 (fewer than 2**31 texts): half the traffic of a block
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
    """The mentees at ``rows`` as arrays over all ``len(mentees)`` (other rows stay blank)."""
    n = len(mentees)
    picked = rows.tolist()
    # the same topics, days and formats come again and again: each tuple is parsed once
    parsed: dict[tuple[str, ...], list[str]] = {}
    needs = [parsed.get(t) or parsed.setdefault(t, list(unique_normalised(t)))
             for t in (tuple(mentees[i].needs) for i in picked)]
    days_of: dict[tuple[str, ...], int] = {}
    format_of: dict[str, int] = {}
    vocabulary: dict[str, int] = {}
    for items in needs:
        for item in items:
            vocabulary.setdefault(item, len(vocabulary))
    words = max(1, -(-len(vocabulary) // 64))
    # gathered in Python lists and stored once: a numpy element write costs more than the rest
    columns: dict[str, list[int]] = {k: [] for k in (
        "category", "teacher", "need_count", "days", "format", "department", "experience",
        "preferred", "id", "name", "direction_code", "need_bits", "day_count")}
    for i, items in zip(picked, needs, strict=True):
        x = mentees[i]
        columns["category"].append(MENTEE_CATEGORIES.index(x.category))
        columns["teacher"].append(x.category in TEACHER_CATEGORIES)
        bits = 0
        for item in items:
            bits |= 1 << vocabulary[item]
        columns["need_bits"].append(bits)
        columns["need_count"].append(len(items))
        days = days_of.get(day_key := tuple(x.days))
        if days is None:
            days = days_of[day_key] = day_bits(day_key)
        columns["days"].append(days)
        columns["day_count"].append(days.bit_count())
        form = format_of.get(x.format)
        if form is None:
            form = format_of[x.format] = format_bits([x.format])
        columns["format"].append(form)
        columns["department"].append(codes.of(x.department) if normalise(x.department) else -1)
        columns["experience"].append(x.experience_years)
        columns["preferred"].append(
            codes.of(x.preferred_mentor) if normalise(x.preferred_mentor) else -1)
        columns["id"].append(codes.of(x.id))
        columns["name"].append(codes.of(x.full_name) if normalise(x.full_name) else -2)
        columns["direction_code"].append(codes.of(x.direction) if normalise(x.direction) else -1)

    def spread(name: str, dtype, blank: int = 0) -> np.ndarray:
        values = np.full(n, blank, dtype=dtype)
        values[rows] = np.array(columns[name], dtype=dtype)
        return values

    needs_bits = np.zeros((n, words), dtype=np.uint64)
    for word in range(words):
        needs_bits[rows, word] = np.array(
            [b >> (64 * word) & 0xFFFF_FFFF_FFFF_FFFF for b in columns["need_bits"]], dtype=np.uint64)
    return MenteeArrays(
        direction=[normalise(x.direction) for x in mentees],
        vocabulary=vocabulary,
        category=spread("category", np.int32),
        teacher=spread("teacher", bool),
        needs=needs_bits,
        need_count=spread("need_count", np.int64),
        days=spread("days", np.uint8),
        day_count=spread("day_count", np.int64),
        format=spread("format", np.uint8),
        department=spread("department", np.int32, -1),
        experience=spread("experience", np.int64),
        preferred=spread("preferred", np.int32, -1),
        id=spread("id", np.int32),
        name=spread("name", np.int32, -2),
        direction_code=spread("direction_code", np.int32, -1),
    )


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
        category=np.array([MENTOR_CATEGORIES.index(x.category) for x in mentors], dtype=np.int32),
        available=np.array(
            [x.active and (x.trained or not settings.require_training) for x in mentors],
            dtype=bool,
        ),
        competencies=competencies,
        days=np.array([day_bits(x.days) for x in mentors], dtype=np.uint8),
        formats=np.array([format_bits(x.formats) for x in mentors], dtype=np.uint8),
        department=np.array(
            [codes.of(x.department) if normalise(x.department) else -3 for x in mentors],
            dtype=np.int32,
        ),
        experience=np.array([x.experience_years for x in mentors], dtype=np.int64),
        id=np.array([codes.of(x.id) for x in mentors], dtype=np.int32),
        name=np.array([codes.of(x.full_name) for x in mentors], dtype=np.int32),
        direction_code=np.array(
            [codes.of(x.direction) if normalise(x.direction) else -3 for x in mentors],
            dtype=np.int32,
        ),
    )
