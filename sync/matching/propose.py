"""Matching mentees with mentors: proposals for the curator, with scores, reasons and alternatives.

A pure function over plain data: ``propose_pairs`` takes mentees, mentors and the curator's
settings, and returns proposals; it reads and writes nothing. The rules of a pair and its score
are in ``sync.matching.rules``; the bulk candidate graph in ``sync.matching.graph``; the solvers
(exact min-cost flow, stable deferred acceptance) in ``sync.matching.solvers``.

Between cron runs proposals must not churn: pairs passed as ``keep`` (open proposals) stay as
they are while they still fit, and only the rest is matched again. ``fixed`` pairs (approved or
entered by hand) are never questioned; they only take up their mentors' places.

Example::

    >>> mentor = Mentor("Н-1", "Петрова Анна Ивановна", "техническая", competencies=("ИКТ",),
    ...                 days=("вт",), formats=("очно",), trained=True)
    >>> mentee = Mentee("У-1", "Сидоров Илья", "молодой педагог", "техническая", needs=("икт",),
    ...                 days=("вт", "чт"), format="очно", consent_ok=True)
    >>> result = propose_pairs([mentee], [mentor], MatchSettings())
    >>> [(p.mentor_id, p.mentee_id, p.mentoring_form) for p in result.proposals]
    [('Н-1', 'У-1', 'педагог – педагог')]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from sheets.schema import MENTEE_CATEGORIES
from sync.matching.graph import Candidates, PairRules, Stage, all_candidates, best_candidates
from sync.matching.pricing import mentor_best, pricer
from sync.matching.rules import (
    CRITERIA,
    CRITERION_NAMES,
    MENTOR_CATEGORIES,
    NO_CONSENT,
    NO_DIRECTION,
    UNKNOWN_CATEGORY,
    MatchingError,
    MatchSettings,
    Mentee,
    Mentor,
    applicable_criteria,
    explain,
    id_order,
    mentoring_form,
    normalise,
    pair_format,
    pair_violation,
    score,
)
from sync.matching.solvers import (
    blocking_pairs,
    optimal_matching,
    priced_matching,
    stable_matching,
)
from sync.matching.stable import CHUNK, lazy_stable

__all__ = ["MatchResult", "Proposal", "propose_pairs"]  # the package re-exports the rules' names

# Above this many mentee x mentor cells the optimal method lists only each mentee's best pairs
# and prices the rest (exact, the same pairs; see ``sync.matching.solvers.priced_matching``): at
# 10,000 x 2,000 with crossing directions the full graph has 16 M arcs, ~2 GiB in OR-Tools. The
# stable method then makes each mentee's list as it walks it (``sync.matching.stable``).
PRICING_ABOVE = 2_000_000
BEST_PAIRS = 15  # pairs listed per mentee when pricing, with each mentor's MENTOR_BEST best mentees:
MENTOR_BEST = 10  # 40 and none took three solves at 50,000 x 10,000, these two (see bench/README.md)

# Why a mentee got no proposal; {scope} is « художественной направленности» or empty.
NO_MENTORS = "нет наставников{scope}"
NO_MENTORS_AT_ALL = "в реестре нет наставников"
NONE_ACTIVE = "нет активных наставников{scope}"
NONE_TRAINED = "нет активных наставников{scope}, прошедших обучение"
NONE_FOR_CATEGORY = "нет наставников{scope} для категории «{category}»"
ONLY_SELF = "нет подходящих наставников, кроме самого наставляемого"
NONE_MUST_HAVE = "нет наставников{scope}, подходящих по обязательным критериям: {criteria}"
ALL_REJECTED = "все подходящие наставники отклонены куратором"
NO_FREE_PLACES = "нет наставника{scope} со свободными местами"
ALL_TAKEN = "все подходящие наставники ({count}) заняты другими наставляемыми"

# Why an open proposal passed in ``keep`` was withdrawn (besides ``pair_violation`` reasons).
UNKNOWN_MENTEE = "наставляемый не найден в реестре"
UNKNOWN_MENTOR = "наставник не найден в реестре"
ALREADY_PAIRED = "наставляемый уже в паре"
OTHER_PROPOSAL = "у наставляемого осталось другое предложение"
MENTOR_FULL = "у наставника не осталось свободных мест"

# Directions in the genitive, for «нет наставника художественной направленности».
_DIRECTION_GENITIVE = {
    "техническая": "технической",
    "естественнонаучная": "естественнонаучной",
    "физкультурно-спортивная": "физкультурно-спортивной",
    "художественная": "художественной",
    "туристско-краеведческая": "туристско-краеведческой",
    "социально-гуманитарная": "социально-гуманитарной",
}


@dataclass(frozen=True)
class Proposal:
    """A proposed pair, for a row of «Пары» with status «предложена»."""

    mentor_id: str
    mentee_id: str
    score: int
    explanation: str
    alternatives: list[tuple[str, int]]  # other mentors with free places: (id, score), best first
    mentoring_form: str
    format: str = ""  # the format the pair would work in
    kept: bool = False  # an open proposal from an earlier run, kept as it was


@dataclass
class MatchResult:
    """What a matching run proposes, and why the others got nothing."""

    proposals: list[Proposal]
    unmatched: list[tuple[str, str]]  # (mentee id, reason in Russian)
    total_score: int
    matched: int
    blocking_pairs: int  # pairs of this run that would both rather be together
    method: str
    withdrawn: list[tuple[str, str, str]] = field(default_factory=list)  # (mentor, mentee, why)


def propose_pairs(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    settings: MatchSettings | None = None,
    fixed: Iterable[tuple[str, str]] = (),
    rejected: Collection[tuple[str, str]] = frozenset(),
    keep: Iterable[tuple[str, str]] = (),
) -> MatchResult:
    """Propose mentors for the mentees who wait for one.

    ``fixed``, ``rejected`` and ``keep`` hold (mentor id, mentee id) pairs: pairs already made
    (they take up places), pairs the curator rejected (never proposed again) and open proposals
    (kept while they still fit). A mentee with an open proposal should still be ``waiting``.
    The result does not depend on the order of the input lists.
    """
    settings = settings or MatchSettings()
    mentees = sorted(mentees, key=lambda x: id_order(x.id))
    mentors = sorted(mentors, key=lambda x: id_order(x.id))
    _check_ids(mentees, mentors)
    mentee_at = {x.id: i for i, x in enumerate(mentees)}
    mentor_at = {x.id: j for j, x in enumerate(mentors)}
    rejected = set(rejected)
    fixed = list(fixed)
    paired = {e for _, e in fixed}
    taken = Counter(mentor_at[t] for t, _ in fixed if t in mentor_at)
    free = np.array([max(0, x.capacity - taken[j]) for j, x in enumerate(mentors)], np.int64)

    rows, reasons = _waiting(mentees, paired, settings)
    kept, withdrawn = _keep_what_fits(
        mentees, mentors, mentee_at, mentor_at, settings, keep, paired, rejected, free
    )
    rejected_at = [
        (mentee_at[e], mentor_at[t]) for t, e in rejected if e in mentee_at and t in mentor_at
    ]
    rules = PairRules(mentees, mentors, rows, settings, free, rejected_at)
    places = free.copy()
    for j in kept.values():
        places[j] -= 1
    if rules.cells > PRICING_ABOVE:
        open_rows = np.zeros(len(mentees), dtype=bool)
        open_rows[rows] = True
        open_rows[list(kept)] = False
        if settings.method == "optimal":
            candidates = best_candidates(rules, BEST_PAIRS, open_rows, places, settings.alternatives + 1,
                                         keep_scores=True)
            assigned, blocking = _match_the_rest(candidates, kept, places, settings, len(mentees),
                                                 priced=True)
        else:  # stable: each mentee's list is made as deferred acceptance walks it
            candidates = best_candidates(rules, CHUNK, open_rows, places, settings.alternatives + 1)
            assigned, blocking = lazy_stable(rules, candidates, places, open_rows), 0
    else:
        candidates = all_candidates(rules)
        assigned, blocking = _match_the_rest(candidates, kept, places, settings, len(mentees))
    for i, j in kept.items():
        assigned[i] = (j, score(mentees[i], mentors[j], settings))

    alternatives = _alternatives(candidates, assigned, settings.alternatives, mentors)
    proposals = [
        Proposal(
            mentor_id=mentors[j].id,
            mentee_id=mentees[i].id,
            score=s,
            explanation=explain(mentees[i], mentors[j], settings),
            alternatives=alternatives[i],
            mentoring_form=mentoring_form(mentors[j], mentees[i]) or "",
            format=pair_format(mentees[i], mentors[j]),
            kept=i in kept,
        )
        for i, (j, s) in sorted(assigned.items(), key=lambda item: (item[1][0], item[0]))
    ]
    options = candidates.options
    for i in rows:
        if i not in assigned:
            reasons[i] = _why_unmatched(
                mentees[i], Stage(candidates.stage[i]), int(candidates.blockers[i]),
                int(options[i]), settings,
            )
    return MatchResult(
        proposals=proposals,
        unmatched=[(mentees[i].id, reasons[i]) for i in sorted(reasons)],
        total_score=sum(p.score for p in proposals),
        matched=len(proposals),
        blocking_pairs=blocking,
        method=settings.method,
        withdrawn=withdrawn,
    )


def _waiting(
    mentees: Sequence[Mentee], paired: set[str], settings: MatchSettings
) -> tuple[list[int], dict[int, str]]:
    """Mentees to match (indices), and those who wait but cannot be matched, with the reason."""
    rows: list[int] = []
    reasons: dict[int, str] = {}
    for i, x in enumerate(mentees):
        if x.id in paired or not x.waiting:
            continue  # not looking for a mentor: nothing to propose, nothing to explain
        if not x.consent_ok:
            reasons[i] = NO_CONSENT
        elif x.category not in MENTEE_CATEGORIES:
            reasons[i] = UNKNOWN_CATEGORY
        elif not settings.cross_direction and not normalise(x.direction):
            reasons[i] = NO_DIRECTION
        else:
            rows.append(i)
    return rows, reasons


def _match_the_rest(
    candidates: Candidates,
    kept: dict[int, int],
    places: np.ndarray,
    settings: MatchSettings,
    mentee_count: int,
    priced: bool = False,
) -> tuple[dict[int, tuple[int, int]], int]:
    """Match mentees without a kept proposal to the places left: (mentee -> (mentor, score)),
    and the number of blocking pairs among them. When ``priced`` the candidates are only each
    mentee's best, and the solver prices the rest from the scores they kept."""
    is_kept = np.zeros(mentee_count, dtype=bool)
    is_kept[list(kept)] = True
    open_arcs = ~is_kept[candidates.mentee] & (places[candidates.mentor] > 0)
    mentee, mentor = candidates.mentee[open_arcs], candidates.mentor[open_arcs]
    arc_score = candidates.score[open_arcs]
    if priced:  # each mentor's best open mentees too (any mentee of theirs has a listed pair)
        more = mentor_best(candidates, MENTOR_BEST, ~is_kept, places)
        mentee, mentor, arc_score = (np.concatenate([a, b.astype(a.dtype)]) for a, b in
                                     zip((mentee, mentor, arc_score), more, strict=True))
    compact = _numbered(mentee)
    if priced:
        problem = np.unique(mentee).astype(np.int64)  # every mentee with an open pair
        price = pricer(candidates, problem, places, mentee_count)
        mentee, mentor, arc_score, chosen, blocking = priced_matching(
            compact, mentor, arc_score, places, settings.priority, len(problem), price
        )
        mentee = problem[mentee]
    else:
        if settings.method == "stable":
            chosen = stable_matching(compact, mentor, arc_score, places)
        elif settings.cross_direction:
            chosen = optimal_matching(compact, mentor, arc_score, places, settings.priority)
        else:
            chosen = np.zeros(len(mentee), dtype=bool)
            # directions share no mentor, so each is its own, smaller problem: faster, less memory
            for part in _directions(candidates, mentee):
                chosen[part] = optimal_matching(
                    _numbered(mentee[part]), mentor[part], arc_score[part], places,
                    settings.priority,
                )
        blocking = blocking_pairs(compact, mentor, arc_score, places, chosen)
    assigned = {
        int(i): (int(j), int(s))
        for i, j, s in zip(mentee[chosen], mentor[chosen], arc_score[chosen], strict=True)
    }
    return assigned, blocking


def _check_ids(mentees: Sequence[Mentee], mentors: Sequence[Mentor]) -> None:
    for kind, people in (("наставляемых", mentees), ("наставников", mentors)):
        ids = Counter(x.id for x in people)
        if "" in ids:
            raise MatchingError(f"в списке {kind} есть запись без ID")
        twice = sorted((i for i, k in ids.items() if k > 1), key=id_order)
        if twice:
            raise MatchingError(f"в списке {kind} повторяются ID: {', '.join(twice)}")
    for x in mentors:
        if x.category not in MENTOR_CATEGORIES:
            raise MatchingError(f"у наставника {x.id} неизвестная категория: {x.category}")


def _numbered(mentee: np.ndarray) -> np.ndarray:
    """Mentee indices renumbered 0, 1, ... in the same order, as the solvers want them."""
    if len(mentee) == 0:
        return mentee.astype(np.int64)
    has_arcs = np.zeros(int(mentee.max()) + 1, dtype=bool)
    has_arcs[mentee] = True
    return (np.cumsum(has_arcs) - 1)[mentee]


def _directions(candidates: Candidates, mentee: np.ndarray) -> list[np.ndarray]:
    """The arcs of each direction, as positions in ``mentee``."""
    labels = candidates.direction[mentee]
    return [np.flatnonzero(labels == label) for label in np.unique(labels)]


def _keep_what_fits(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    mentee_at: dict[str, int],
    mentor_at: dict[str, int],
    settings: MatchSettings,
    keep: Iterable[tuple[str, str]],
    paired: set[str],
    rejected: set[tuple[str, str]],
    free: np.ndarray,
) -> tuple[dict[int, int], list[tuple[str, str, str]]]:
    """Open proposals that still fit (mentee index -> mentor index), and the withdrawn ones.

    Where places ran short (a fixed pair took one), the better-scored proposals stay.
    """
    withdrawn: list[tuple[str, str, str]] = []
    fitting: list[tuple[int, int, int]] = []  # (mentor, -score, mentee): the order places go in
    pairs = sorted(set(keep), key=lambda p: (id_order(p[1]), id_order(p[0])))
    for t, e in pairs:
        if e not in mentee_at:
            withdrawn.append((t, e, UNKNOWN_MENTEE))
        elif t not in mentor_at:
            withdrawn.append((t, e, UNKNOWN_MENTOR))
        elif e in paired:
            withdrawn.append((t, e, ALREADY_PAIRED))
        else:
            i, j = mentee_at[e], mentor_at[t]
            why = pair_violation(mentees[i], mentors[j], settings, rejected)
            if why:
                withdrawn.append((t, e, why))
            else:
                fitting.append((j, -score(mentees[i], mentors[j], settings), i))
    kept: dict[int, int] = {}
    left = free.copy()
    best_first = sorted(fitting, key=lambda f: (f[1], f[0], f[2]))
    for j, _, i in best_first:
        if i in kept:
            withdrawn.append((mentors[j].id, mentees[i].id, OTHER_PROPOSAL))
        elif left[j] <= 0:
            withdrawn.append((mentors[j].id, mentees[i].id, MENTOR_FULL))
        else:
            kept[i] = j
            left[j] -= 1
    return kept, withdrawn


def _alternatives(
    candidates: Candidates, assigned: dict[int, tuple[int, int]], count: int, mentors: Sequence[Mentor]
) -> dict[int, list[tuple[str, int]]]:
    """For each paired mentee, the next best mentors that had free places, best first."""
    wanted = np.zeros(len(candidates.stage), dtype=bool)
    wanted[np.fromiter(assigned, dtype=np.int64, count=len(assigned))] = True
    arcs = np.flatnonzero(wanted[candidates.mentee])
    mentee, score = candidates.mentee[arcs], candidates.score[arcs]
    # a mentee's arcs come in mentor id order, which a stable sort keeps among equal scores
    order = np.argsort(mentee.astype(np.int64) * 101 + (100 - score), kind="stable")
    mentee = mentee[order]
    starts = np.searchsorted(mentee, mentee, side="left")
    top = order[np.arange(len(order)) - starts <= count]  # each mentee's count + 1 best
    result: dict[int, list[tuple[str, int]]] = {i: [] for i in assigned}
    for i, j, s in zip(candidates.mentee[arcs[top]].tolist(), candidates.mentor[arcs[top]].tolist(),
                       candidates.score[arcs[top]].tolist(), strict=True):
        picks = result[i]
        if j != assigned[i][0] and len(picks) < count:
            picks.append((mentors[j].id, s))
    return result


def _why_unmatched(
    mentee: Mentee, stage: Stage, blockers: int, options: int, settings: MatchSettings
) -> str:
    """The reason, in Russian, a mentee with a known category and direction got no proposal."""
    if settings.cross_direction:
        scope = ""
    else:
        key = normalise(mentee.direction)
        genitive = _DIRECTION_GENITIVE.get(key)
        scope = f" {genitive} направленности" if genitive else f" направленности «{key}»"
    if stage == Stage.NO_MENTORS:
        return NO_MENTORS.format(scope=scope) if scope else NO_MENTORS_AT_ALL
    if stage == Stage.INACTIVE:
        return (NONE_TRAINED if settings.require_training else NONE_ACTIVE).format(scope=scope)
    if stage == Stage.FORM:
        return NONE_FOR_CATEGORY.format(scope=scope, category=mentee.category)
    if stage == Stage.SAME_PERSON:
        return ONLY_SELF
    if stage == Stage.MUST_HAVE:
        names = [c for k, c in enumerate(CRITERIA) if blockers >> k & 1]
        if not names:  # no single criterion is to blame: name every must-have that applies
            names = [
                c for c in applicable_criteria(mentee, settings.cross_direction)
                if settings.must_have(c)
            ]
        listed = ", ".join(CRITERION_NAMES[c] for c in names)
        return NONE_MUST_HAVE.format(scope=scope, criteria=listed)
    if stage == Stage.REJECTED:
        return ALL_REJECTED
    if stage == Stage.CAPACITY:
        return NO_FREE_PLACES.format(scope=scope)
    return ALL_TAKEN.format(count=options)
