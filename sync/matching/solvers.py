"""Solvers over the candidate graph: the exact optimum, the stable matching, and a stability check.

All take the graph as parallel arrays of arcs (mentee, mentor, score) over compact indices:
mentees ``0..n-1`` and mentors ``0..m-1`` in id order, so that the same registries give the same
pairs whatever order their rows come in. Each returns or inspects a boolean mask over the arcs.

The optimum is exact and unique. Min-cost flow (OR-Tools) finds an optimum; the dual prices of
that optimum, recovered by a longest-path computation, describe *every* optimum (complementary
slackness: an assignment is optimal exactly when it uses only arcs whose weight equals the
mentee's and the mentor's prices together, pairs every mentee with a positive price and fills
every mentor with a positive price). Among those, ``sync.matching.ties.canonical`` picks the
lexicographically first by ids: the first mentee (in id order) gets the first mentor it can have
in some optimum, and so on, a mentee without a pair coming after every mentor. So ties are
settled by ids, not by the solver's path, and ``priced_matching``, which never sees most arcs,
gives the same pairs.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow
from scipy.sparse.csgraph import connected_components

from sync.matching.rules import MatchingError
from sync.matching.ties import canonical

# Rounds of longest paths given to pairs that may still be optimal once arcs were added: their
# prices settle in a handful when they are; when not, a solve is cheaper than m rounds. Tried
# only when at most TRY_BEYOND arcs beat the prices: past a few they never were optimal (and
# the try cost a second of the 50,000 x 10,000 run).
TRY_ROUNDS = 50
TRY_BEYOND = 50
# Score points below the prices an unlisted pair may be and still be listed before the last
# round: the next solve's prices move a little, and pairs just below the old ones would come in
# at a third pricing and a third solve (50,000 x 10,000: 1,588 arcs, 5 beyond, 2.3 s to solve).
NEAR = 3

# price(mentee, mentor, weigh, u, p, standing, worst) -> (mentee, mentor, score, blocking): the
# arcs not among the listed (mentee, mentor) ones whose weight reaches u[mentee] + p[mentor],
# and how many of the other unlisted arcs are blocking pairs (see ``priced_matching``); with
# u None only that count.
Price = Callable[
    [np.ndarray, np.ndarray, Callable[[np.ndarray], np.ndarray], np.ndarray | None, np.ndarray,
     np.ndarray, np.ndarray],
    tuple[np.ndarray, np.ndarray, np.ndarray, int],
]


def arc_weights(score: np.ndarray, priority: str, n: int) -> np.ndarray:
    """What a pair is worth to the objective; the optimum maximises the total over pairs.

    ``"count"``: a pair's bonus (more than all scores of ``n`` mentees together) puts the number
    of pairs first, then the total score. ``"score"``: a point of score outweighs any number of
    extra pairs, and the +1 still prefers a pair to none. Every weight is positive.
    """
    score = score.astype(np.int64)
    if priority == "count":
        return score + (100 * n + 1)
    return score * (n + 1) + 1


def optimal_matching(
    mentee: np.ndarray,
    mentor: np.ndarray,
    score: np.ndarray,
    capacity: np.ndarray,
    priority: str = "count",
) -> np.ndarray:
    """The exact best matching: each mentee once, each mentor up to capacity.

    ``priority="count"`` matches as many mentees as possible and, among such matchings, takes
    the largest total score; ``"score"`` takes the largest total score, then the most pairs.
    Ties go by ids (see the module's docstring).
    """
    if len(mentee) == 0:
        return np.zeros(0, dtype=bool)
    n = int(mentee.max()) + 1
    weight = arc_weights(score, priority, n)
    chosen = _flow(mentee, mentor, weight, capacity, n, priority)
    u, p = _duals(mentee, mentor, weight, capacity, chosen, n)
    return canonical(mentee, mentor, weight, capacity, chosen, u, p, n)


def priced_matching(
    mentee: np.ndarray,
    mentor: np.ndarray,
    score: np.ndarray,
    capacity: np.ndarray,
    priority: str,
    n: int,
    price: Price,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """``optimal_matching`` over a graph only partly listed: the same pairs, far fewer arcs.

    The listed arcs must include at least one of each of the ``n`` mentees' arcs (the same
    ``n`` mentees as the whole graph). Solve on them, take the dual prices (u per mentee,
    p per mentor), and ask ``price`` for every unlisted arc whose weight reaches u + p: if one
    exceeds it, the prices are not feasible for the whole graph and the listed optimum may not
    be one: add those arcs and solve again. When none exceeds it, the prices prove the listed
    optimum optimal for the whole graph (weak duality), and the arcs that reach it exactly
    (alternative optima) are added, so that ``canonical`` sees every optimum and settles ties
    exactly as over the whole graph. Until then each scan also lists the arcs up to ``NEAR``
    points below the prices, which the next prices usually reach: one solve fewer.

    Ties are settled once, at the end; one more scan then counts the blocking pairs of the
    final pairs unless they are those of the last scan. Returns the final listed arcs (mentee,
    mentor, score), the chosen mask over them and the number of blocking pairs over the whole
    graph.
    """
    if n == 0:  # no listed arc: then no mentee has an arc at all
        return mentee, mentor, score, np.zeros(0, dtype=bool), 0
    weight = arc_weights(score, priority, n)

    def weigh(s: np.ndarray) -> np.ndarray:
        return arc_weights(s, priority, n)

    chosen = _flow(mentee, mentor, weight, capacity, n, priority)
    u, p = _duals(mentee, mentor, weight, capacity, chosen, n)
    near = int(weigh(np.array([NEAR]))[0] - weigh(np.array([0]))[0])  # NEAR points as weight
    settled = False
    while True:
        standing, worst = _standing(mentee, mentor, score, capacity, chosen, n)
        if settled:  # the prices did not change: every arc reaching them is listed, so only
            outside = price(mentee, mentor, weigh, None, p, standing, worst)[3]  # count blocking
            break
        # the pairs just below the prices are listed too (all reaching u - near + p): the next
        # prices usually stay above them
        new_e, new_t, new_s, outside = price(mentee, mentor, weigh, u - near, p, standing, worst)
        new_w = weigh(new_s)
        beyond = new_w > u[new_e] + p[new_t]
        dirty = np.concatenate([np.zeros(len(mentee), dtype=bool), beyond])
        mentee = np.concatenate([mentee, new_e.astype(mentee.dtype)])
        mentor = np.concatenate([mentor, new_t.astype(mentor.dtype)])
        score = np.concatenate([score, new_s.astype(score.dtype)])
        weight = np.concatenate([weight, new_w])
        chosen = np.concatenate([chosen, np.zeros(len(new_e), dtype=bool)])
        if beyond.any():
            # The prices were too low for some added arc, yet the pairs may still be optimal
            # with these arcs in: their least prices exist exactly then (``_least_prices``),
            # and cost far less than a solve. Usually they do: an arc left out made a mentor
            # look uncontested, which changes the prices, not the pairs.
            prices = None
            if np.count_nonzero(beyond) <= TRY_BEYOND:
                prices = _least_prices(mentee, mentor, weight, capacity, chosen, n, TRY_ROUNDS)
            if prices is None:
                chosen = _flow(mentee, mentor, weight, capacity, n, priority, chosen, dirty)
                prices = _duals(mentee, mentor, weight, capacity, chosen, n)
            u, p = prices
            continue
        # optimal over the whole graph, and every optimum's arcs are listed: settle the ties
        settled = True
        before = chosen
        chosen = canonical(mentee, mentor, weight, capacity, chosen, u, p, n)
        if len(new_e) == 0 and np.array_equal(chosen, before):
            break  # the blocking count of the scan just made holds for these pairs
    blocking = blocking_pairs(mentee, mentor, score, capacity, chosen) + outside
    return mentee, mentor, score, chosen, blocking


def _flow(
    mentee: np.ndarray,
    mentor: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    n: int,
    priority: str,
    chosen: np.ndarray | None = None,
    dirty: np.ndarray | None = None,
) -> np.ndarray:
    """Some maximum-weight matching, by min-cost flow (OR-Tools): the chosen arcs.

    Parts of the graph that share no mentee and no mentor (directions, when they do not
    cross, and the many small islands inside them) are solved apart: the same optimum, and
    cost scaling is faster on several small problems than on their union (about half the time
    at 10,000 x 2,000).

    Given the ``chosen`` arcs of an optimum of an earlier, smaller graph and its dual prices
    (u, p), and ``dirty``, the arcs added since whose weight exceeds u + p, only the parts
    holding a dirty arc are solved again. Why the rest keeps its pairs: in a part without one,
    every arc (old or added) has weight <= u + p, the chosen arcs meet it exactly, a mentee
    with u > 0 is paired and a mentor with p > 0 full, as they were: the prices prove the old
    pairs optimal for that part (complementary slackness), and an optimum of the whole is the
    optimum of each part. ``_duals`` checks the union again.
    """
    m = len(capacity)
    graph = sp.csr_matrix((np.ones(len(mentee), dtype=np.int8), (mentee, mentor.astype(np.int64) + n)),
                          shape=(n + m, n + m))
    parts, label = connected_components(graph, directed=False)
    arc_part = label[mentee]
    if chosen is None or dirty is None:
        stale = np.ones(parts, dtype=bool)
        chosen = np.zeros(len(mentee), dtype=bool)
    else:
        stale = np.zeros(parts, dtype=bool)
        stale[arc_part[dirty]] = True
        chosen = chosen.copy()
    if parts == 1 and stale[0]:
        return _flow_part(mentee, mentor, weight, capacity, n, priority)
    order = np.argsort(arc_part, kind="stable")
    bounds = np.searchsorted(arc_part[order], np.arange(parts + 1))
    for k in np.flatnonzero(stale).tolist():
        arcs = order[bounds[k] : bounds[k + 1]]
        if len(arcs) == 0:
            continue
        people = np.unique(mentee[arcs])
        places = np.unique(mentor[arcs])
        chosen[arcs] = _flow_part(
            np.searchsorted(people, mentee[arcs]), np.searchsorted(places, mentor[arcs]),
            weight[arcs], capacity[places], len(people), priority, n,
        )
    return chosen


def _flow_part(
    mentee: np.ndarray,
    mentor: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    n: int,
    priority: str,
    everyone: int | None = None,
) -> np.ndarray:
    """``_flow`` on one connected part (``everyone``: the mentee count the weights were made
    for, when the part has fewer).

    With ``priority="count"`` the weights put the number of pairs first, which is a maximum
    flow of least cost over the scores alone: OR-Tools solves that directly, and its cost
    scaling then works on costs of at most 100 instead of ~100 n (about twice as fast).
    """
    arcs = len(mentee)
    m = len(capacity)
    source, sink = n + m, n + m + 1
    count_first = priority == "count"
    bonus = 100 * (n if everyone is None else everyone) + 1
    cost = -(weight - bonus) if count_first else -weight
    flow = SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        mentee.astype(np.int32), mentor.astype(np.int32) + n, np.ones(arcs, np.int64), cost
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n, source, np.int32), np.arange(n, dtype=np.int32),
        np.ones(n, np.int64), np.zeros(n, np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, n + m, dtype=np.int32), np.full(m, sink, np.int32),
        capacity.astype(np.int64), np.zeros(m, np.int64),
    )
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    if count_first:
        status = flow.solve_max_flow_with_min_cost()
    else:
        flow.add_arc_with_capacity_and_unit_cost(source, sink, n, 0)  # a mentee left unpaired
        status = flow.solve()
    if status != SimpleMinCostFlow.OPTIMAL:
        raise MatchingError(f"решатель не нашёл оптимум: {status!r}")
    return flow.flows(np.arange(arcs, dtype=np.int32)) > 0


def _duals(
    mentee: np.ndarray,
    mentor: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    chosen: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``_least_prices`` of a matching the solver says is optimal (an error if it is not)."""
    prices = _least_prices(mentee, mentor, weight, capacity, chosen, n)
    if prices is None:
        raise MatchingError("решатель не нашёл оптимум: цены не сходятся")
    return prices


def _least_prices(
    mentee: np.ndarray,
    mentor: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    chosen: np.ndarray,
    n: int,
    rounds: int | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Optimal dual prices of a matching: u per mentee, p per mentor, both >= 0, with
    u[e] + p[t] >= weight on every arc and equality on the chosen ones; None when the
    matching is not optimal over these arcs (then no such prices exist).

    A mentee's u is what their pair leaves after the mentor's price (0 without a pair), so the
    prices must satisfy p[t] >= p[held(e)] + weight(e, t) - weight(e, held(e)) and, for a mentee
    without a pair, p[t] >= weight(e, t). The least such prices are longest paths from a root
    over the mentors (at most m + 1 nodes). An optimal dual satisfies the same
    inequalities and is at least as large, so the least prices keep its zeros: a mentor with a
    free place costs 0 and every u is >= 0. Conversely, when the least prices exist, are
    >= 0, cost 0 at every free place and leave every u >= 0, they prove the matching optimal
    (complementary slackness); a positive cycle, a free place with a positive price or a
    negative u each is an exchange that gains. With ``rounds``, prices not settled within that
    many rounds count as none (a positive cycle takes m rounds to show).
    """
    m = len(capacity)
    holder = np.full(n, -1, dtype=np.int64)
    holder[mentee[chosen]] = mentor[chosen]
    held = np.zeros(n, dtype=np.int64)
    held[mentee[chosen]] = weight[chosen]
    other = ~chosen
    e, t, w = mentee[other], mentor[other], weight[other]
    paired = holder[e] >= 0
    src = np.concatenate([np.where(paired, holder[e], m), np.full(m, m)])  # m: the root
    dst = np.concatenate([t.astype(np.int64), np.arange(m)])
    gain = np.concatenate([np.where(paired, w - held[e], w), np.zeros(m, dtype=np.int64)])
    longest = _longest_paths(src, dst, gain, m, rounds)
    if longest is None:
        return None
    p = longest[:m]
    u = np.where(holder >= 0, held - p[np.maximum(holder, 0)], 0)
    load = np.bincount(mentor[chosen], minlength=m)
    if (u < 0).any() or (p[load < capacity] != 0).any():
        return None
    return u, p


def _longest_paths(
    src: np.ndarray, dst: np.ndarray, gain: np.ndarray, root: int, rounds: int | None = None
) -> np.ndarray | None:
    """Longest path lengths from ``root`` over nodes ``0..root`` (Bellman-Ford, maximising).

    Each round relaxes only the edges out of nodes that gained in the previous one, all at once
    with numpy: a handful of rounds here, where a full pass per round (scipy's) is 100x slower.
    A node still gaining after ``root + 1`` rounds lies on a positive cycle: the matching was
    not optimal (None). None too when ``rounds`` were not enough.
    """
    order = np.argsort(src, kind="stable")
    src, dst, gain = src[order], dst[order], gain[order]
    starts = np.searchsorted(src, np.arange(root + 2))
    lowest = np.iinfo(np.int64).min // 4  # unreached; far from overflow when a gain is added
    best = np.full(root + 1, lowest, dtype=np.int64)
    best[root] = 0
    active = np.array([root], dtype=np.int64)
    for _ in range(root + 2 if rounds is None else min(rounds, root + 2)):
        if len(active) == 0:
            return best
        low, high = starts[active], starts[active + 1]
        lengths = high - low
        edges = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        edges += np.repeat(low, lengths)
        reached = np.full(root + 1, lowest, dtype=np.int64)
        np.maximum.at(reached, dst[edges], best[src[edges]] + gain[edges])
        active = np.flatnonzero(reached > best)
        best = np.maximum(best, reached)
    return best if len(active) == 0 else None


def _standing(
    mentee: np.ndarray,
    mentor: np.ndarray,
    score: np.ndarray,
    capacity: np.ndarray,
    chosen: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per mentee the score of their pair (-1: none); per mentor the lowest score they hold
    when full (-1: a free place). A pair is blocking when its score beats both."""
    m = len(capacity)
    standing = np.full(n, -1, dtype=np.int64)
    standing[mentee[chosen]] = score[chosen]
    worst = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(worst, mentor[chosen], score[chosen].astype(np.int64))
    worst[np.bincount(mentor[chosen], minlength=m) < capacity] = -1
    return standing, worst


def stable_matching(
    mentee: np.ndarray, mentor: np.ndarray, score: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """Mentee-proposing deferred acceptance with capacities (hospitals/residents).

    Both sides prefer a higher score; a mentee breaks ties by the mentor's id order, a mentor by
    the mentee's. Iterative: a stack of mentees still free, each walking down their own list.
    """
    arcs = len(mentee)
    chosen = np.zeros(arcs, dtype=bool)
    if arcs == 0:
        return chosen
    n = int(mentee.max()) + 1
    order = np.lexsort((mentor, -score, mentee))  # each mentee's list, best first
    starts = np.searchsorted(mentee[order], np.arange(n + 1)).tolist()
    wanted = mentor[order].tolist()
    # a mentor's view of a proposal: higher is better; the low digits settle ties by id order
    keys = (score[order].astype(np.int64) * n + (n - 1 - mentee[order])).tolist()
    places = capacity.tolist()
    held: list[list[int]] = [[] for _ in places]  # min-heaps: the worst held mentee on top
    next_choice = starts[:-1]
    free = list(range(n - 1, -1, -1))  # popped from the end: lowest id first
    while free:
        i = free.pop()
        p, end = next_choice[i], starts[i + 1]
        while p < end:
            j, key = wanted[p], keys[p]
            p += 1
            heap = held[j]
            if len(heap) < places[j]:
                heapq.heappush(heap, key)
                break
            if heap and heap[0] < key:
                bumped = heapq.heapreplace(heap, key)
                free.append(n - 1 - bumped % n)
                break
        next_choice[i] = p
    matched = {n - 1 - key % n for heap in held for key in heap}
    for i in matched:
        chosen[order[next_choice[i] - 1]] = True
    return chosen


def blocking_pairs(
    mentee: np.ndarray,
    mentor: np.ndarray,
    score: np.ndarray,
    capacity: np.ndarray,
    chosen: np.ndarray,
) -> int:
    """How many unchosen arcs both sides strictly prefer (by score) to what they have.

    A mentor prefers an arc when they have a free place or hold a mentee with a lower score.
    """
    if len(mentee) == 0:
        return 0
    n, m = int(mentee.max()) + 1, len(capacity)
    current = np.full(n, -1, dtype=np.int64)
    current[mentee[chosen]] = score[chosen]  # -1: unpaired, anything beats it
    held = np.bincount(mentor[chosen], minlength=m)
    worst = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(worst, mentor[chosen], score[chosen])
    has_room = held < capacity
    mentee_wants = score > current[mentee]
    mentor_wants = has_room[mentor] | (score > worst[mentor])
    return int(np.count_nonzero(~chosen & mentee_wants & mentor_wants))
