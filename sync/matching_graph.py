"""The candidate graph: every feasible (mentee, mentor) pair with its score, computed in bulk.

The rules are those of ``sync.matching_rules``, applied with numpy to one direction at a time
(all mentors at once when directions may cross), a block of mentees at a time, so that a
registry of 10,000 mentees and 2,000 mentors costs a few seconds and little memory. Scores are
computed with the same float steps as ``matching_rules.score_from``, so they agree bit for bit.

For mentees left without a single candidate, the graph also records which rule removed the last
one (``Stage``), so the curator reads why nobody was proposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from sheets.schema import MENTEE_CATEGORIES
from sync.matching_rules import (
    CRITERIA,
    EXPERIENCE_SATURATION,
    FORMS,
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

BLOCK = 1 << 20  # mentee x mentor cells computed at once: bounds the memory of a block


class Stage(IntEnum):
    """The rule that removed a mentee's last candidate; ``OK`` when some candidate is left."""

    NO_MENTORS = 0  # no mentor of the direction at all
    INACTIVE = 1  # none active (and trained, when required)
    FORM = 2  # none whose category fits the mentee's
    SAME_PERSON = 3
    MUST_HAVE = 4  # none meets every must-have criterion
    REJECTED = 5  # the curator rejected all that were left
    CAPACITY = 6  # none has a free place
    OK = 7


@dataclass
class Candidates:
    """Feasible pairs as parallel arrays, ordered by mentee then mentor, plus per-mentee stages.

    ``stage`` and ``blockers`` are indexed by mentee; ``blockers`` has bit ``k`` set when the
    must-have criterion ``CRITERIA[k]`` alone leaves the mentee without candidates.
    """

    mentee: np.ndarray  # int32, index into the mentee list
    mentor: np.ndarray  # int32, index into the mentor list
    score: np.ndarray  # int16, 0..100 (small types: a big registry has tens of millions)
    stage: np.ndarray  # int8 per mentee
    blockers: np.ndarray  # int64 per mentee
    direction: np.ndarray  # int32 per mentee: a code of the group it was matched in


_popcount = getattr(np, "bitwise_count", None)
if _popcount is None:  # numpy < 2: count bits byte by byte
    _BYTE_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)

    def _popcount(a: np.ndarray) -> np.ndarray:
        as_bytes = a[..., None].view(np.uint8)
        return _BYTE_BITS[as_bytes].sum(axis=-1, dtype=np.uint8)


# FORM_OK[mentor category, mentee category]: whether the pair has a mentoring form at all
_FORM_OK = np.array(
    [[(t, e) in FORMS for e in MENTEE_CATEGORIES] for t in MENTOR_CATEGORIES], dtype=bool
)


class _Codes(dict):
    """Normalised text -> a small int, so names and ids compare as numbers."""

    def of(self, text: str) -> int:
        return self.setdefault(normalise(text), len(self))


def build_candidates(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    rows: Sequence[int],
    settings: MatchSettings,
    free: np.ndarray,
    rejected: Sequence[tuple[int, int]] = (),
) -> Candidates:
    """Every feasible pair for the mentees at ``rows``, with mentors that have ``free`` places.

    ``rejected`` holds (mentee index, mentor index) pairs. Mentees must have a known category
    and, unless directions may cross, a direction; mentor categories must be known.
    """
    n, m = len(mentees), len(mentors)
    stage = np.full(n, Stage.NO_MENTORS, dtype=np.int8)
    blockers = np.zeros(n, dtype=np.int64)
    rows = np.asarray(sorted(rows), dtype=np.int64)
    codes = _Codes()
    e = _encode_mentees(mentees, rows, codes)
    t = _encode_mentors(mentors, e.vocabulary, codes, settings)
    rejected_rows = np.array([r for r, _ in rejected], dtype=np.int64)
    rejected_cols = np.array([c for _, c in rejected], dtype=np.int64)

    groups_e: dict[str, list[int]] = {}
    groups_t: dict[str, list[int]] = {}
    for i in rows.tolist():
        groups_e.setdefault("" if settings.cross_direction else e.direction[i], []).append(i)
    for j in range(m):
        groups_t.setdefault("" if settings.cross_direction else t.direction[j], []).append(j)

    arcs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    row_pos = np.full(n, -1, dtype=np.int64)
    col_pos = np.full(m, -1, dtype=np.int64)
    for key in sorted(groups_e):
        group_rows = np.asarray(groups_e[key], dtype=np.int64)
        cols = np.asarray(groups_t.get(key, []), dtype=np.int64)
        if len(cols) == 0:
            continue  # stage stays NO_MENTORS
        col_pos[cols] = np.arange(len(cols))
        step = max(1, BLOCK // len(cols))
        for start in range(0, len(group_rows), step):
            block = group_rows[start : start + step]
            row_pos[block] = np.arange(len(block))
            rej = np.zeros((len(block), len(cols)), dtype=bool)
            if len(rejected_rows):
                rp, cp = row_pos[rejected_rows], col_pos[rejected_cols]
                hit = (rp >= 0) & (cp >= 0)
                rej[rp[hit], cp[hit]] = True
            ii, jj, ss = _block(e, t, block, cols, settings, free, rej, stage, blockers)
            arcs.append((block[ii].astype(np.int32), cols[jj].astype(np.int32),
                         ss.astype(np.int16)))
            row_pos[block] = -1
        col_pos[cols] = -1

    if len(arcs) == 1:
        mentee_idx, mentor_idx, scores = arcs[0]
    elif arcs:
        mentee_idx, mentor_idx, scores = (np.concatenate(a) for a in zip(*arcs, strict=True))
        # within a group arcs come by mentee, then mentor; a mentee is in one group only
        order = np.argsort(mentee_idx, kind="stable")
        mentee_idx, mentor_idx, scores = mentee_idx[order], mentor_idx[order], scores[order]
        del order
    else:
        mentee_idx = mentor_idx = np.zeros(0, dtype=np.int32)
        scores = np.zeros(0, dtype=np.int16)
    direction = np.zeros(n, dtype=np.int32)
    for code, key in enumerate(sorted(groups_e)):
        direction[groups_e[key]] = code
    return Candidates(mentee_idx, mentor_idx, scores, stage, blockers, direction)


@dataclass
class _MenteeArrays:
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
class _MentorArrays:
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


def _encode_mentees(mentees: Sequence[Mentee], rows: np.ndarray, codes: _Codes) -> _MenteeArrays:
    n = len(mentees)
    needs = [list(unique_normalised(mentees[i].needs)) for i in rows.tolist()]
    vocabulary: dict[str, int] = {}
    for items in needs:
        for item in items:
            vocabulary.setdefault(item, len(vocabulary))
    words = max(1, -(-len(vocabulary) // 64))
    a = _MenteeArrays(
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


def _encode_mentors(
    mentors: Sequence[Mentor], vocabulary: dict[str, int], codes: _Codes, settings: MatchSettings
) -> _MentorArrays:
    m = len(mentors)
    words = max(1, -(-len(vocabulary) // 64))
    competencies = np.zeros((m, words), dtype=np.uint64)
    for j, x in enumerate(mentors):
        for item in unique_normalised(x.competencies):
            bit = vocabulary.get(item)
            if bit is not None:  # a competence nobody asked for cannot change a score
                competencies[j, bit // 64] |= np.uint64(1 << (bit % 64))
    return _MentorArrays(
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


def _block(
    e: _MenteeArrays,
    t: _MentorArrays,
    rows: np.ndarray,
    cols: np.ndarray,
    settings: MatchSettings,
    free: np.ndarray,
    rejected: np.ndarray,
    stage: np.ndarray,
    blockers: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feasible pairs of one block (positions in rows, positions in cols, scores)."""
    k = len(rows)
    survived = [np.ones(k, dtype=bool)]  # Stage.NO_MENTORS passed: the group has mentors
    alive = np.broadcast_to(t.available[cols], (k, len(cols))).copy()
    survived.append(alive.any(axis=1))
    alive &= _FORM_OK[t.category[cols][None, :], e.category[rows][:, None]]
    survived.append(alive.any(axis=1))
    alive &= e.id[rows][:, None] != t.id[cols][None, :]
    alive &= e.name[rows][:, None] != t.name[cols][None, :]
    survived.append(alive.any(axis=1))

    values = _criterion_values(e, t, rows, cols, settings.cross_direction)
    must = np.ones_like(alive)
    for bit, name in enumerate(CRITERIA):
        if not settings.must_have(name):
            continue
        numerator, _, applies = values[name]
        passes = numerator > 0
        passes |= ~applies[:, None]
        blockers[rows[~(alive & passes).any(axis=1)]] |= 1 << bit
        must &= passes
    alive &= must
    survived.append(alive.any(axis=1))
    alive &= ~rejected
    survived.append(alive.any(axis=1))
    alive &= free[cols][None, :] > 0
    survived.append(alive.any(axis=1))

    first_failed = np.full(k, Stage.OK, dtype=np.int8)
    for s in reversed(range(len(survived))):
        first_failed[~survived[s]] = s
    stage[rows] = first_failed

    ii, jj = np.nonzero(alive)
    return ii, jj, _scores(values, settings.weights, rows, ii, jj)


def _criterion_values(
    e: _MenteeArrays, t: _MentorArrays, rows: np.ndarray, cols: np.ndarray, cross_direction: bool
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """criterion -> (numerator per pair, denominator per mentee, applies per mentee)."""
    covered = _popcount(e.needs[rows][:, None, :] & t.competencies[cols][None, :, :]).sum(
        axis=2, dtype=np.int64
    )
    shared = _popcount(e.days[rows][:, None] & t.days[cols][None, :]).astype(np.int64)
    fits = ((e.format[rows][:, None] & t.formats[cols][None, :]) != 0).astype(np.int64)
    department = (e.department[rows][:, None] == t.department[cols][None, :]).astype(np.int64)
    lead = np.clip(t.experience[cols][None, :] - e.experience[rows][:, None], 0,
                   EXPERIENCE_SATURATION)
    preferred = (e.preferred[rows][:, None] == t.id[cols][None, :]) | (
        e.preferred[rows][:, None] == t.name[cols][None, :]
    )
    same_direction = e.direction_code[rows][:, None] == t.direction_code[cols][None, :]
    one = np.ones(len(rows), dtype=np.int64)
    return {
        "needs": (covered, np.maximum(e.need_count[rows], 1), e.need_count[rows] > 0),
        "days": (shared, np.maximum(e.day_count[rows], 1), e.day_count[rows] > 0),
        "format": (fits, one, e.format[rows] > 0),
        "department": (department, one, e.department[rows] >= 0),
        "experience": (lead, one * EXPERIENCE_SATURATION, e.teacher[rows]),
        "preferred": (preferred.astype(np.int64), one, e.preferred[rows] >= 0),
        # a hard rule unless directions cross: then it must not count (see matching_rules)
        "direction": (
            same_direction.astype(np.int64), one, (e.direction_code[rows] >= 0) & cross_direction
        ),
    }


def _scores(
    values: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    weights: dict[str, int],
    rows: np.ndarray,
    ii: np.ndarray,
    jj: np.ndarray,
) -> np.ndarray:
    """Scores of the pairs (ii, jj), in the float steps of ``matching_rules.score_from``."""
    total = np.zeros(len(ii), dtype=np.float64)
    weight_sum = np.zeros(len(rows), dtype=np.int64)
    for name in CRITERIA:
        numerator, denominator, applies = values[name]
        w = weights[name]
        weight_sum += np.where(applies, w, 0)
        term = (w * numerator[ii, jj]) / denominator[ii]
        total = total + np.where(applies[ii], term, 0.0)
    per_pair_sum = weight_sum[ii]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.floor((100 * total) / per_pair_sum + 0.5 + 1e-9)
    return np.where(per_pair_sum > 0, score, 0).astype(np.int64)
