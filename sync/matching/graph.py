"""The candidate graph: feasible (mentee, mentor) pairs with their scores, computed in bulk.

The rules are those of ``sync.matching.rules``, applied with numpy to one direction at a time
(all mentors at once when directions may cross), a block of mentees at a time, so that a
registry of 10,000 mentees and 2,000 mentors costs a few seconds and little memory. Scores are
computed with the same float steps as ``sync.matching.rules.score_from``, so they agree bit for bit.

``PairRules`` holds the registry encoded as arrays and applies the rules to a dense block
(mentees x mentors). On top of it, ``build_candidates`` lists every feasible pair, and
``best_candidates`` only each mentee's best ones, keeping every block's scores in a byte a cell
so that the solver can price the rest without applying the rules again (see
``sync.matching.solvers.priced_matching``).

For mentees left without a single candidate, the graph also records which rule removed the last
one (``Stage``), so the curator reads why nobody was proposed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from enum import IntEnum

import numpy as np

from sheets.schema import MENTEE_CATEGORIES
from sync.matching.cells import best_in_rows, cells
from sync.matching.encoding import Codes, MenteeArrays, MentorArrays, encode_mentees, encode_mentors
from sync.matching.rules import (
    CRITERIA,
    EXPERIENCE_SATURATION,
    FORMS,
    MENTOR_CATEGORIES,
    MatchSettings,
    Mentee,
    Mentor,
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
    """Feasible pairs as parallel arrays, ordered by mentee then mentor, plus per-mentee facts.

    ``stage``, ``blockers``, ``direction``, ``options`` and ``cutoff`` are indexed by mentee;
    ``blockers`` has bit ``k`` set when the must-have criterion ``CRITERIA[k]`` alone leaves the
    mentee without candidates. When only the best pairs are listed (``best_candidates``),
    ``options`` still counts them all, and ``cutoff`` is the best score a pair left out can
    have (-1: none was left out).
    """

    mentee: np.ndarray  # int32, index into the mentee list
    mentor: np.ndarray  # int32, index into the mentor list
    score: np.ndarray  # int16, 0..100 (small types: a big registry has tens of millions)
    stage: np.ndarray  # int8 per mentee
    blockers: np.ndarray  # int64 per mentee
    direction: np.ndarray  # int32 per mentee: a code of the group it was matched in
    options: np.ndarray  # int64 per mentee: feasible pairs with a free place, listed or not
    cutoff: np.ndarray  # int64 per mentee: upper bound of the scores of pairs not listed
    # (mentee rows, mentor columns, int8 scores with -1 where the pair is not alive) of every
    # block, when ``best_candidates`` was asked to keep them: the solver prices unlisted pairs
    # from these instead of applying the rules again (one byte a cell: 85 MB at 50,000 x 10,000)
    scored: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)


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


class PairRules:
    """The pair rules and scores over a whole registry, for a block of pairs at a time.

    Built for the mentees at ``rows`` (a known category and, unless directions may cross, a
    direction) and mentors of known categories; a pair is alive when every hard rule holds and
    the mentor has a ``free`` place. ``rejected`` holds (mentee index, mentor index) pairs.
    """

    def __init__(
        self,
        mentees: Sequence[Mentee],
        mentors: Sequence[Mentor],
        rows: Sequence[int],
        settings: MatchSettings,
        free: np.ndarray,
        rejected: Sequence[tuple[int, int]] = (),
    ) -> None:
        self.n, self.m = len(mentees), len(mentors)
        self.settings = settings
        self.free = free
        rows = np.asarray(sorted(rows), dtype=np.int64)
        codes = Codes()
        self._e = encode_mentees(mentees, rows, codes)
        self._t = encode_mentors(mentors, self._e.vocabulary, codes, settings)
        self._rejected_rows = np.array([r for r, _ in rejected], dtype=np.int64)
        self._rejected_cols = np.array([c for _, c in rejected], dtype=np.int64)
        self._rejected_keys = np.unique(self._rejected_rows * self.m + self._rejected_cols)

        groups_e: dict[str, list[int]] = {}
        groups_t: dict[str, list[int]] = {}
        for i in rows.tolist():
            key = "" if settings.cross_direction else self._e.direction[i]
            groups_e.setdefault(key, []).append(i)
        for j in range(self.m):
            groups_t.setdefault("" if settings.cross_direction else self._t.direction[j], []).append(j)
        self.direction = np.zeros(self.n, dtype=np.int32)
        # (mentee rows, mentor columns) of each group, both ascending; a mentee is in one only
        self.groups: list[tuple[np.ndarray, np.ndarray]] = []
        for code, key in enumerate(sorted(groups_e)):
            self.direction[groups_e[key]] = code
            self.groups.append((np.asarray(groups_e[key], dtype=np.int64),
                                np.asarray(groups_t.get(key, []), dtype=np.int64)))
        self.cells = sum(len(r) * len(c) for r, c in self.groups)

    def blocks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(mentee rows, mentor columns) of at most ``BLOCK`` cells each, group by group."""
        for group_rows, cols in self.groups:
            if len(cols) == 0:
                continue
            step = max(1, BLOCK // len(cols))
            for start in range(0, len(group_rows), step):
                yield group_rows[start : start + step], cols

    def dense(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        stage: np.ndarray | None = None,
        blockers: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(alive, score) over the block rows x cols; records why rows lost every candidate."""
        rejected = None  # none in this block
        if len(self._rejected_rows):
            rejected = np.zeros((len(rows), len(cols)), dtype=bool)
            row_pos = np.full(self.n, -1, dtype=np.int64)
            col_pos = np.full(self.m, -1, dtype=np.int64)
            row_pos[rows] = np.arange(len(rows))
            col_pos[cols] = np.arange(len(cols))
            rp, cp = row_pos[self._rejected_rows], col_pos[self._rejected_cols]
            hit = (rp >= 0) & (cp >= 0)
            rejected[rp[hit], cp[hit]] = True
        e = _view(self._e, rows, lambda a: np.expand_dims(a, 1))
        t = _view(self._t, cols, lambda a: np.expand_dims(a, 0))
        survived, blocked, alive, values = _rules(e, t, self.settings, self.free[cols][None, :],
                                                   rejected)
        if stage is not None and blockers is not None:
            first_failed = np.full(len(rows), Stage.OK, dtype=np.int8)
            for s in reversed(range(len(survived))):
                first_failed[~survived[s]] = s
            stage[rows] = first_failed
            for bit, rows_blocked in blocked:
                blockers[rows[rows_blocked]] |= 1 << bit
        # criteria that apply to nobody here are left out, so the scores may lack the columns
        return alive, np.broadcast_to(_scores(values, self.settings.weights), alive.shape)


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
    return all_candidates(PairRules(mentees, mentors, rows, settings, free, rejected))


def all_candidates(rules: PairRules) -> Candidates:
    """Every alive pair of ``rules``."""
    return _collect(rules, lambda rows, cols, alive, score: alive)


def best_candidates(
    rules: PairRules,
    count: int,
    open_rows: np.ndarray,
    places: np.ndarray,
    shown: int,
    keep_scores: bool = False,
) -> Candidates:
    """Each mentee's ``count`` best pairs with mentors that have ``places`` (``open_rows`` only),
    and every mentee's ``shown`` best with a free place; ``cutoff`` bounds the rest of the
    former (the pairs the solver may still need). With ``keep_scores`` every block's scores
    are kept in ``scored``, so that nothing needs scoring twice.

    Best: higher score, then lower mentor index (id order), so the list is a function of the
    registry, and the alternatives shown are those ``build_candidates`` would give.
    """
    cutoff = np.full(rules.n, -1, dtype=np.int64)
    scored: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def keep(rows: np.ndarray, cols: np.ndarray, alive: np.ndarray, score: np.ndarray):
        kept = np.where(alive, score, -1).astype(np.int8)  # scores are 0..100 (``_scores``)
        if keep_scores:
            scored.append((rows, cols, kept))
        if shown <= count and open_rows[rows].all() and (places[cols] > 0).all():
            # every pair is open: the ``count`` best hold the ``shown`` best
            chosen, cutoff[rows] = best_in_rows(kept, count)
            return chosen
        chosen = best_in_rows(kept, shown)[0]
        open_kept = np.where(open_rows[rows][:, None] & (places[cols] > 0)[None, :], kept, -1)
        chosen |= best_in_rows(open_kept, count)[0]
        cutoff[rows] = np.where(chosen, -1, open_kept).max(axis=1, initial=-1)
        return chosen

    candidates = _collect(rules, keep)
    candidates.cutoff = cutoff
    candidates.scored = scored
    return candidates


def _collect(
    rules: PairRules,
    keep: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray],
) -> Candidates:
    """The pairs ``keep(rows, cols, alive, score)`` marks in each block, with per-mentee facts."""
    n = rules.n
    stage = np.full(n, Stage.NO_MENTORS, dtype=np.int8)
    blockers = np.zeros(n, dtype=np.int64)
    options = np.zeros(n, dtype=np.int64)
    arcs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for rows, cols in rules.blocks():
        alive, score = rules.dense(rows, cols, stage, blockers)
        options[rows] = alive.sum(axis=1)
        ii, jj = cells(keep(rows, cols, alive, score))
        arcs.append((rows[ii].astype(np.int32), cols[jj].astype(np.int32),
                     score[ii, jj].astype(np.int16)))
    if len(arcs) == 1:
        mentee_idx, mentor_idx, scores = arcs[0]
    elif arcs:
        mentee_idx, mentor_idx, scores = (np.concatenate(a) for a in zip(*arcs, strict=True))
        if len(rules.groups) > 1:
            # within a group arcs come by mentee, then mentor; a mentee is in one group only
            order = np.argsort(mentee_idx, kind="stable")
            mentee_idx, mentor_idx, scores = mentee_idx[order], mentor_idx[order], scores[order]
            del order
    else:
        mentee_idx = mentor_idx = np.zeros(0, dtype=np.int32)
        scores = np.zeros(0, dtype=np.int16)
    return Candidates(mentee_idx, mentor_idx, scores, stage, blockers, rules.direction, options,
                      np.full(n, -1, dtype=np.int64))


def _view(arrays, index: np.ndarray, shape: Callable[[np.ndarray], np.ndarray]):
    """One side's arrays taken at ``index`` and shaped to broadcast against the other side."""
    return type(arrays)(**{
        f.name: value if isinstance(value := getattr(arrays, f.name), list | dict)
        else shape(value[index])
        for f in fields(arrays)
    })


def _rules(
    e: MenteeArrays,
    t: MentorArrays,
    settings: MatchSettings,
    free: np.ndarray,
    rejected: np.ndarray | None,
) -> tuple[list[np.ndarray], list[tuple[int, np.ndarray]], np.ndarray, dict]:
    """The hard rules over pairs, in the order ``Stage`` names them.

    ``e`` and ``t`` are views that broadcast: (rows, 1) against (1, cols) for a dense block,
    or two equal-length lists of pairs. Returns, for a dense block, which rows still had a
    candidate after each stage and, per must-have criterion, the rows it alone leaves without
    any (both empty for pairs); then the alive mask and the criterion values.
    """
    dense = np.ndim(t.id) == 2
    survived: list[np.ndarray] = []
    blocked: list[tuple[int, np.ndarray]] = []

    def stage_done(mask: np.ndarray) -> None:
        if dense:
            survived.append(mask.any(axis=1))

    shape = np.broadcast_shapes(np.shape(e.id), np.shape(t.id))
    if dense:
        survived.append(np.ones(shape[0], dtype=bool))  # NO_MENTORS passed: the group has some
    alive = np.broadcast_to(t.available, shape).copy()
    stage_done(alive)  # (a stage that removes nothing repeats the last: no pass over the block)
    if dense:  # a row of the mentor categories' fits per mentee category: a row gather
        alive &= _FORM_OK[t.category[0]].T[e.category[:, 0]]
    else:
        alive &= _FORM_OK[t.category, e.category]
    stage_done(alive)
    alive &= e.id != t.id
    alive &= e.name != t.name
    stage_done(alive)

    def same_as_before() -> None:
        if dense:
            survived.append(survived[-1])

    values = _criterion_values(e, t, settings.cross_direction)
    if any(settings.must_have(name) for name in CRITERIA):
        must = np.ones_like(alive)
        for bit, name in enumerate(CRITERIA):
            if not settings.must_have(name):
                continue
            numerator, _, applies = values[name]
            passes = (numerator > 0) | ~applies
            if dense:
                blocked.append((bit, ~(alive & passes).any(axis=1)))
            must &= passes
        alive &= must
        stage_done(alive)
    else:
        same_as_before()
    if rejected is not None:
        alive &= ~rejected
        stage_done(alive)
    else:
        same_as_before()
    if np.all(free > 0):
        same_as_before()
    else:
        alive &= free > 0
        stage_done(alive)
    return survived, blocked, alive, values


def _criterion_values(
    e: MenteeArrays, t: MentorArrays, cross_direction: bool
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """criterion -> (numerator per pair, denominator per mentee, applies per mentee).

    Numerators come in the narrowest type that holds them (bytes, or bool), and a criterion
    that applies to nobody here gets a zero of shape () instead: nothing reads it (a block
    costs a pass per array it makes, and the direction never applies unless directions cross).
    """
    nothing = np.zeros((), dtype=np.uint8)
    one = np.ones_like(e.need_count)

    def lazy(applies: np.ndarray, numerator: Callable[[], np.ndarray]) -> np.ndarray:
        return numerator() if np.any(applies) else nothing

    needs_apply = e.need_count > 0
    if e.needs.shape[-1] == 1:  # at most 64 topics: one word, at most 64 in common
        covered = lazy(needs_apply, lambda: _popcount(e.needs[..., 0] & t.competencies[..., 0]))
    else:
        covered = lazy(needs_apply, lambda: _popcount(e.needs & t.competencies).sum(
            axis=-1, dtype=np.int16))
    experience_apply = e.teacher

    def lead() -> np.ndarray:
        t_exp, e_exp = t.experience, e.experience
        if max(np.abs(t_exp).max(initial=0), np.abs(e_exp).max(initial=0)) < 2**14:
            t_exp, e_exp = t_exp.astype(np.int16), e_exp.astype(np.int16)  # no overflow
        return np.clip(t_exp - e_exp, 0, EXPERIENCE_SATURATION).astype(np.uint8)

    direction_apply = (e.direction_code >= 0) & cross_direction
    return {
        "needs": (covered, np.maximum(e.need_count, 1), needs_apply),
        "days": (lazy(e.day_count > 0, lambda: _popcount(e.days & t.days)),
                 np.maximum(e.day_count, 1), e.day_count > 0),
        "format": (lazy(e.format > 0, lambda: (e.format & t.formats) != 0), one, e.format > 0),
        "department": (lazy(e.department >= 0, lambda: e.department == t.department), one,
                       e.department >= 0),
        "experience": (lazy(experience_apply, lead), one * EXPERIENCE_SATURATION, experience_apply),
        "preferred": (lazy(e.preferred >= 0, lambda: (e.preferred == t.id) | (e.preferred == t.name)),
                      one, e.preferred >= 0),
        # a hard rule unless directions cross: then it must not count (see sync.matching.rules)
        "direction": (lazy(direction_apply, lambda: e.direction_code == t.direction_code), one,
                      direction_apply),
    }


# Above this common denominator (see ``_scores``) the integer shortcut is not proven exact.
EXACT_DENOMINATOR = 10**8
TABLE_CELLS = 1 << 16  # scores looked up from a table of at most this many (see ``_scores``)


def _scores(
    values: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], weights: dict[str, int]
) -> np.ndarray:
    """Scores of the pairs: exactly what ``sync.matching.rules.score_from`` gives, computed in
    integers, about three times faster than its float steps over a block.

    Per mentee, L is the least common multiple of the denominators of the criteria that apply
    and W their weight sum, so the total is A / L with A = sum of w * (L / d) * numerator, an
    integer, and the score is floor(X + 1/2) with X = 100 A / (L W): (200 A + L W) // (2 L W).
    Why the float steps give the same: their result is within 1e-12 of X + 1/2 + 1e-9 (under
    ten roundings of numbers below 200). When X + 1/2 is an integer k, that is k + 1e-9 and
    floors to k. Otherwise X + 1/2 is at least 1 / (2 L W) >= 5e-9 away from every integer,
    more than the 1e-9 and the rounding together, so both floor to the same integer. Where
    some L W exceeds ``EXACT_DENOMINATOR`` the float steps themselves are used.
    """
    lcm: np.ndarray | int = 1
    weight_sum: np.ndarray | int = 0
    terms = []
    for name in CRITERIA:
        numerator, denominator, applies = values[name]
        w = weights[name]
        if w == 0 or not np.any(applies):
            continue  # adds nothing to either sum
        lcm = np.lcm(lcm, np.where(applies, denominator, 1))
        if np.max(lcm) > EXACT_DENOMINATOR:  # checked at each step: the next lcm cannot overflow
            return _float_scores(values, weights)
        weight_sum = weight_sum + np.where(applies, w, 0)
        terms.append((numerator, denominator, applies, w))
    shape = np.broadcast_shapes(*(np.shape(a) for v in values.values() for a in v))
    if not terms:
        return np.zeros(shape, dtype=np.int64)
    common = lcm * weight_sum
    if np.max(common) > EXACT_DENOMINATOR:
        return _float_scores(values, weights)
    # A numerator never exceeds its denominator (needs met <= needs, shared days <= days,
    # lead <= saturation, the rest 0 or 1), so every partial sum is at most A <= L W: int16
    # holds them while L W < 2**15 (a byte-sized block's traffic), int32 while 200 A + L W
    # <= 201 L W stays far below 2**31 (L W <= 1e6)
    top = int(np.max(common))
    small = np.int16 if top < 2**15 else np.int32 if top <= 10**6 else np.int64
    total: np.ndarray | int = 0
    for numerator, denominator, applies, w in terms:
        coefficient = np.where(applies, w * (lcm // denominator), 0).astype(small)
        total = total + coefficient * numerator.astype(small, copy=False)
    common = np.broadcast_to(np.asarray(common), np.shape(lcm * weight_sum))
    kinds, kind_of = np.unique(common, return_inverse=True)
    if kinds.sum() + len(kinds) <= TABLE_CELLS:
        # A is 0..L W and a mentee has one L W: the score of every A for each L W in the
        # block, looked up per cell, instead of a division per cell
        table = np.concatenate([(200 * np.arange(c + 1) + c) // max(2 * c, 1) for c in kinds.tolist()])
        start = np.concatenate([[0], np.cumsum(kinds + 1)[:-1]]).astype(np.int32)
        score = table.astype(np.int8)[start[kind_of.reshape(common.shape)] + total]
    else:
        # 200 A + L W <= 201 L W: past int16 once A > 163, so the division is done in int32 at least
        wide = np.int32 if small is np.int16 else small
        common = common.astype(wide)
        score = np.where(common > 0, (200 * np.asarray(total, dtype=wide) + common) // np.maximum(2 * common, 1), 0)
    return np.broadcast_to(score, shape).astype(np.int8, copy=False)


def _float_scores(
    values: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], weights: dict[str, int]
) -> np.ndarray:
    """Scores of the pairs, in the float steps of ``sync.matching.rules.score_from``.

    A criterion that does not apply adds 0.0, which leaves the running sum exactly as skipping
    it does, so every pair goes through the same float operations as there.
    """
    total: np.ndarray | float = 0.0
    weight_sum: np.ndarray | int = 0
    for name in CRITERIA:
        numerator, denominator, applies = values[name]
        w = weights[name]
        if not np.any(applies):
            continue  # adds 0.0 and 0 everywhere: the sums stay exactly as they are
        weight_sum = weight_sum + np.where(applies, w, 0)
        part = (w * numerator.astype(np.int64)) / denominator
        total = total + (part if np.all(applies) else np.where(applies, part, 0.0))
    shape = np.broadcast_shapes(*(np.shape(a) for v in values.values() for a in v))
    total = np.broadcast_to(total, shape)  # every criterion may have been skipped
    weight_sum = np.broadcast_to(weight_sum, shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.floor((100 * total) / weight_sum + 0.5 + 1e-9)
    return np.where(weight_sum > 0, score, 0).astype(np.int64)
