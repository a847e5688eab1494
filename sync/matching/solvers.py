"""Solvers over the candidate graph: the exact optimum, the stable matching, and a stability check.

All take the graph as parallel arrays of arcs (mentee, mentor, score) over compact indices:
mentees ``0..n-1`` and mentors ``0..m-1`` in id order, so that the same registries give the same
pairs whatever order their rows come in. Each returns or inspects a boolean mask over the arcs.

The optimum is exact and unique. Min-cost flow (OR-Tools) finds an optimum; the dual prices of
that optimum, recovered by a longest-path computation, describe *every* optimum (complementary
slackness: an assignment is optimal exactly when it uses only arcs whose weight equals the
mentee's and the mentor's prices together, pairs every mentee with a positive price and fills
every mentor with a positive price). Among those, ``_canonical`` picks the lexicographically
first by ids: the first mentee (in id order) gets the first mentor it can have in some optimum,
and so on, a mentee without a pair coming after every mentor. So ties are settled by ids, not
by the solver's path, and ``priced_matching``, which never sees most arcs, gives the same pairs.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow
from scipy.sparse.csgraph import connected_components

from sync.matching.rules import MatchingError

# price(mentee, mentor, weigh, u, p, standing, worst) -> (mentee, mentor, score, blocking): the
# arcs not among the listed (mentee, mentor) ones whose weight reaches u[mentee] + p[mentor],
# and how many of the other unlisted arcs are blocking pairs (see ``priced_matching``).
Price = Callable[
    [np.ndarray, np.ndarray, Callable[[np.ndarray], np.ndarray], np.ndarray, np.ndarray,
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
    chosen = _flow(mentee, mentor, weight, capacity, n)
    u, p = _duals(mentee, mentor, weight, capacity, chosen, n)
    return _canonical(mentee, mentor, weight, capacity, chosen, u, p, n)


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
    (alternative optima) are added, so that ``_canonical`` sees every optimum and settles ties
    exactly as over the whole graph.

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

    solve = True
    settled = False
    while True:
        if solve:
            chosen = _flow(mentee, mentor, weight, capacity, n)
            u, p = _duals(mentee, mentor, weight, capacity, chosen, n)
            solve = False
        standing, worst = _standing(mentee, mentor, score, capacity, chosen, n)
        new_e, new_t, new_s, outside = price(mentee, mentor, weigh, u, p, standing, worst)
        if settled:
            if len(new_e):  # the prices did not change: every arc reaching them is listed
                raise MatchingError("решатель не нашёл оптимум: цены не сходятся")
            break  # blocking pairs counted for the settled pairs
        new_w = weigh(new_s)
        solve = bool((new_w > u[new_e] + p[new_t]).any())
        mentee = np.concatenate([mentee, new_e.astype(mentee.dtype)])
        mentor = np.concatenate([mentor, new_t.astype(mentor.dtype)])
        score = np.concatenate([score, new_s.astype(score.dtype)])
        weight = np.concatenate([weight, new_w])
        chosen = np.concatenate([chosen, np.zeros(len(new_e), dtype=bool)])
        if solve:
            continue
        # optimal over the whole graph, and every optimum's arcs are listed: settle the ties
        settled = True
        before = chosen
        chosen = _canonical(mentee, mentor, weight, capacity, chosen, u, p, n)
        if len(new_e) == 0 and np.array_equal(chosen, before):
            break  # the blocking count of the scan just made holds for these pairs
    blocking = blocking_pairs(mentee, mentor, score, capacity, chosen) + outside
    return mentee, mentor, score, chosen, blocking


def _flow(
    mentee: np.ndarray, mentor: np.ndarray, weight: np.ndarray, capacity: np.ndarray, n: int
) -> np.ndarray:
    """Some maximum-weight matching, by min-cost flow (OR-Tools): the chosen arcs."""
    arcs = len(mentee)
    m = len(capacity)
    source, sink = n + m, n + m + 1
    flow = SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        mentee.astype(np.int32), mentor.astype(np.int32) + n, np.ones(arcs, np.int64), -weight
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n, source, np.int32), np.arange(n, dtype=np.int32),
        np.ones(n, np.int64), np.zeros(n, np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, n + m, dtype=np.int32), np.full(m, sink, np.int32),
        capacity.astype(np.int64), np.zeros(m, np.int64),
    )
    flow.add_arc_with_capacity_and_unit_cost(source, sink, n, 0)  # leaving a mentee unpaired
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
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
    """Optimal dual prices of an optimal matching: u per mentee, p per mentor, both >= 0,
    with u[e] + p[t] >= weight on every arc and equality on the chosen ones.

    A mentee's u is what their pair leaves after the mentor's price (0 without a pair), so the
    prices must satisfy p[t] >= p[held(e)] + weight(e, t) - weight(e, held(e)) and, for a mentee
    without a pair, p[t] >= weight(e, t). The least such prices are longest paths from a root
    over the mentors (at most m + 1 nodes). An optimal dual satisfies the same
    inequalities and is at least as large, so the least prices keep its zeros: a mentor with a
    free place costs 0 and every u is >= 0. A positive cycle would mean the matching is not
    optimal; both are checked.
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
    p = _longest_paths(src, dst, gain, m)[:m]
    u = np.where(holder >= 0, held - p[np.maximum(holder, 0)], 0)
    load = np.bincount(mentor[chosen], minlength=m)
    if (u < 0).any() or (p[load < capacity] != 0).any():
        raise MatchingError("решатель не нашёл оптимум: цены не сходятся")
    return u, p


def _longest_paths(src: np.ndarray, dst: np.ndarray, gain: np.ndarray, root: int) -> np.ndarray:
    """Longest path lengths from ``root`` over nodes ``0..root`` (Bellman-Ford, maximising).

    Each round relaxes only the edges out of nodes that gained in the previous one, all at once
    with numpy: a handful of rounds here, where a full pass per round (scipy's) is 100x slower.
    A node still gaining after ``root + 1`` rounds lies on a positive cycle: the matching was
    not optimal.
    """
    order = np.argsort(src, kind="stable")
    src, dst, gain = src[order], dst[order], gain[order]
    starts = np.searchsorted(src, np.arange(root + 2))
    lowest = np.iinfo(np.int64).min // 4  # unreached; far from overflow when a gain is added
    best = np.full(root + 1, lowest, dtype=np.int64)
    best[root] = 0
    active = np.array([root], dtype=np.int64)
    for _ in range(root + 2):
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
    raise MatchingError("решатель не нашёл оптимум: цены не сходятся")


def _canonical(
    mentee: np.ndarray,
    mentor: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    chosen: np.ndarray,
    u: np.ndarray,
    p: np.ndarray,
    n: int,
) -> np.ndarray:
    """Among all optima, the lexicographically first by ids (see the module's docstring).

    Optima differ by cycles of the residual graph over tight arcs (weight = u + p): nodes are
    the mentees, the mentors, a source S and a sink T. A chosen arc can be given up (mentor ->
    mentee), an unchosen tight arc taken (mentee -> mentor); S -> mentee lets a mentee without
    a pair take one, mentee -> S lets one with u = 0 give theirs up; mentor -> T and T -> mentor
    let a mentor with p = 0 take one more mentee or one fewer; S -> T and T -> S are the unpaired
    mentees. Mentees are settled in id order: each takes the first mentor before its current one
    from which a path leads back to its current mentor (or to S, for a mentee without a pair)
    avoiding settled mentees, and that cycle is pushed. A cycle stays within a strongly connected
    component, so only those with more than one node are searched.
    """
    m = len(capacity)
    source, sink = n + m, n + m + 1
    tight = np.flatnonzero(u[mentee] + p[mentor] == weight)
    te, tt, used = mentee[tight].astype(np.int64), mentor[tight].astype(np.int64), chosen[tight]
    holder = np.full(n, -1, dtype=np.int64)
    holder[mentee[chosen]] = mentor[chosen]
    load = np.bincount(mentor[chosen], minlength=m)
    unpaired = int((holder < 0).sum())
    free_mentor = np.flatnonzero(p == 0)
    lone = np.flatnonzero(holder < 0)
    quits = np.flatnonzero((holder >= 0) & (u == 0))
    takes = free_mentor[load[free_mentor] < capacity[free_mentor]]
    gives = free_mentor[load[free_mentor] > 0]
    # S -> T always; T -> S while some mentee is unpaired
    bypass_from = np.array([source, sink][: 1 + (unpaired > 0)], dtype=np.int64)
    bypass_to = np.array([sink, source][: 1 + (unpaired > 0)], dtype=np.int64)
    src = np.concatenate([np.where(used, tt + n, te), np.full(len(lone), source), quits,
                          takes + n, np.full(len(gives), sink), bypass_from])
    dst = np.concatenate([np.where(used, te, tt + n), lone, np.full(len(quits), source),
                          np.full(len(takes), sink), gives + n, bypass_to])
    size = n + m + 2
    graph = sp.csr_matrix((np.ones(len(src)), (src, dst)), shape=(size, size))
    _, label = connected_components(graph, directed=True, connection="strong")
    inside = label[src] == label[dst]
    if not inside.any():
        return chosen  # no alternative optimum at all

    succ: dict[int, set[int]] = {}
    pred: dict[int, set[int]] = {}  # the same arcs backwards, to find who can reach S

    def add(a: int, b: int) -> None:
        succ.setdefault(a, set()).add(b)
        pred.setdefault(b, set()).add(a)

    def drop(a: int, b: int) -> None:
        succ[a].discard(b)
        pred[b].discard(a)

    for a, b in zip(src[inside].tolist(), dst[inside].tolist(), strict=True):
        add(a, b)
    settled = bytearray(size)
    holder_of = holder.tolist()
    load_of = load.tolist()
    cap_of = capacity.tolist()
    counts = np.bincount(label, minlength=label.max() + 1)
    searched = [i for i in range(n) if counts[label[i]] > 1 and i in succ]

    def flip(a: int, b: int) -> None:
        nonlocal unpaired
        if a == sink or b == sink:  # a mentor's load (or the unpaired count) changes by one
            if a == source:
                unpaired += 1
                add(sink, source)
            elif b == source:
                unpaired -= 1
                if unpaired == 0:
                    drop(sink, source)
            elif b == sink:  # mentor a takes one more
                j = a - n
                load_of[j] += 1
                if load_of[j] >= cap_of[j]:
                    drop(a, sink)
                add(sink, a)
            else:  # mentor b takes one fewer
                j = b - n
                load_of[j] -= 1
                if load_of[j] == 0:
                    drop(sink, b)
                add(b, sink)
            return
        drop(a, b)  # a unit arc: its use flips its direction
        add(b, a)

    # Nodes with a path to S avoiding settled mentees, for the mentees without a pair (their
    # cycles close through S). No such path enters a mentee without a pair (only S leads
    # there), so settling one keeps it; a push, or settling a mentee on it, renews it.
    to_source: set[int] | None = None
    for i in searched:
        settled[i] = 1
        current = holder_of[i]
        target = source if current < 0 else n + current
        options = sorted(b - n for b in succ.get(i, ()) if n <= b < n + m)
        if current >= 0:
            if to_source is not None and i in to_source:
                to_source = None
            options = [j for j in options if j < current]
        elif options:
            if to_source is None:
                to_source = _reaching(pred, source, settled)
            options = [j for j in options if n + j in to_source][:1]
        dead: set[int] = set()
        for j in options:
            path = _path(succ, n + j, target, settled, dead)
            if path is None:
                continue
            cycle = [i, *path, i]
            for a, b in pairwise(cycle):
                flip(a, b)
                if a < n and n <= b < n + m:
                    holder_of[a] = b - n
                elif a < n and b == source:
                    holder_of[a] = -1
            to_source = None
            break
    chosen = np.zeros(len(mentee), dtype=bool)
    final = np.array(holder_of, dtype=np.int64)
    has = final[mentee] >= 0
    chosen[has] = final[mentee[has]] == mentor[has]
    if len(np.unique(mentee[chosen])) != int(chosen.sum()):
        raise MatchingError("решатель не нашёл оптимум: пары повторяются")
    return chosen


def _reaching(pred: dict[int, set[int]], target: int, settled: bytearray) -> set[int]:
    """Nodes with a path to ``target`` avoiding settled mentees."""
    seen = {target}
    stack = [target]
    while stack:
        for v in pred.get(stack.pop(), ()):
            if v not in seen and not settled[v]:
                seen.add(v)
                stack.append(v)
    return seen


def _path(
    succ: dict[int, set[int]], start: int, target: int, settled: bytearray, dead: set[int]
) -> list[int] | None:
    """Nodes of a path start -> target avoiding settled mentees and nodes known not to lead
    there (``dead``, which grows with every failed search of the same step)."""
    if start in dead:
        return None
    parent: dict[int, int] = {start: start}
    stack = [start]
    while stack:
        v = stack.pop()
        if v == target:
            path = [v]
            while v != start:
                v = parent[v]
                path.append(v)
            return path[::-1]
        for w in succ.get(v, ()):
            if w not in parent and not settled[w] and w not in dead:
                parent[w] = v
                stack.append(w)
    dead.update(parent)
    return None


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
