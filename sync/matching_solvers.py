"""Solvers over the candidate graph: the exact optimum, the stable matching, and a stability check.

All three take the graph as parallel arrays of arcs (mentee, mentor, score) over compact indices:
mentees ``0..n-1`` and mentors ``0..m-1`` in id order, so that the same registries give the same
pairs whatever order their rows come in. Each returns or inspects a boolean mask over the arcs.
"""

from __future__ import annotations

import heapq

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from sync.matching_rules import MatchingError


def optimal_matching(
    mentee: np.ndarray,
    mentor: np.ndarray,
    score: np.ndarray,
    capacity: np.ndarray,
    priority: str = "count",
) -> np.ndarray:
    """An exact best matching (min-cost flow): each mentee once, each mentor up to capacity.

    ``priority="count"`` matches as many mentees as possible and, among such matchings, takes
    the largest total score; ``"score"`` takes the largest total score, then the most pairs.
    """
    arcs = len(mentee)
    if arcs == 0:
        return np.zeros(0, dtype=bool)
    n = int(mentee.max()) + 1
    m = len(capacity)
    source, sink = n + m, n + m + 1
    if priority == "count":
        cost = -score.astype(np.int64)
    else:
        # a point of score outweighs any number of extra pairs; +1 still prefers a pair to none
        cost = -(score.astype(np.int64) * (n + 1) + 1)
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
    if priority == "count":
        status = flow.solve_max_flow_with_min_cost()
    else:
        flow.add_arc_with_capacity_and_unit_cost(source, sink, n, 0)  # leaving a mentee unpaired
        status = flow.solve()
    if status != SimpleMinCostFlow.OPTIMAL:
        raise MatchingError(f"решатель не нашёл оптимум: {status!r}")
    return flow.flows(np.arange(arcs, dtype=np.int32)) > 0


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
