"""Settling ties between optima by ids: the lexicographically first optimum, mentee by mentee.

Given an optimum and dual prices that prove it (see ``sync.matching.solvers``), every other
optimum differs from it by cycles of the residual graph over *tight* arcs (weight = u + p). Its
nodes are the mentees, the mentors, a source S and a sink T; a chosen arc can be given up
(mentor -> mentee), an unchosen tight arc taken (mentee -> mentor); S -> mentee lets a mentee
without a pair take one, mentee -> S lets one with u = 0 give theirs up; mentor -> T and
T -> mentor let a mentor with p = 0 take one more mentee or one fewer; S -> T and T -> S are the
unpaired mentees.

Mentees are settled in id order: each takes the first mentor before its current one (any, for a
mentee without a pair) from which a path leads back to its current mentor (or to S) avoiding
settled mentees, and that cycle is pushed; then the mentee is settled (leaves the graph).

Why this is fast: such a path exists exactly when the mentor lies in the mentee's strongly
connected component (the only arc into a mentee comes from its current mentor, or from S, so
the way back closes the cycle). Pushing a cycle never changes which node reaches which (each
arc it reverses is replaced by the rest of the reversed cycle), so components change only when
a settled mentee leaves, and then they can only split. Labels computed once therefore remain a
coarsening of the truth: a mentor with another label is no option at all, a search never leaves
its label, and a component is recomputed (in C, by scipy) only when a search inside it fails.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from sync.matching.rules import MatchingError


def canonical(
    mentee: np.ndarray,
    mentor: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    chosen: np.ndarray,
    u: np.ndarray,
    p: np.ndarray,
    n: int,
) -> np.ndarray:
    """Among all optima, the lexicographically first by ids (see the module's docstring):
    the chosen mask over the arcs."""
    m = len(capacity)
    source, sink = n + m, n + m + 1
    size = n + m + 2
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
    graph = sp.csr_matrix((np.ones(len(src)), (src, dst)), shape=(size, size))
    _, labels = connected_components(graph, directed=True, connection="strong")
    inside = labels[src] == labels[dst]
    if not inside.any():
        return chosen  # no alternative optimum at all

    # only the nodes of components with more than one
    succ = _adjacency(src[inside], dst[inside])
    pred = _adjacency(dst[inside], src[inside])
    label = labels.tolist()
    fresh = int(labels.max()) + 1  # the next unused label
    counts = np.bincount(labels)
    settled = bytearray(size)
    holder_of = holder.tolist()
    load_of = load.tolist()
    cap_of = capacity.tolist()

    def add(a: int, b: int) -> None:
        succ.setdefault(a, set()).add(b)
        pred.setdefault(b, set()).add(a)

    def drop(a: int, b: int) -> None:
        succ.get(a, set()).discard(b)
        pred.get(b, set()).discard(a)

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

    searched = [i for i in range(n) if counts[labels[i]] > 1 and succ.get(i)]
    for i in searched:
        current = holder_of[i]
        target = source if current < 0 else n + current
        while True:
            own = label[i]
            if label[target] != own:
                break
            first = min((b - n for b in succ[i]  # the first mentor before the current one
                         if n <= b < n + m and label[b] == own and (current < 0 or b - n < current)),
                        default=None)
            if first is None:
                break
            path, cut = _search(succ, pred, n + first, target, label, own, settled)
            if path is None:  # the label was stale: the closed side found gets a label of its own
                for v in cut:
                    label[v] = fresh
                fresh += 1
                continue
            for a, b in pairwise([i, *path, i]):
                flip(a, b)
                if a < n and n <= b < n + m:
                    holder_of[a] = b - n
                elif a < n and b == source:
                    holder_of[a] = -1
            break
        settled[i] = 1
    chosen = np.zeros(len(mentee), dtype=bool)
    final = np.array(holder_of, dtype=np.int64)
    has = final[mentee] >= 0
    chosen[has] = final[mentee[has]] == mentor[has]
    if len(np.unique(mentee[chosen])) != int(chosen.sum()):
        raise MatchingError("решатель не нашёл оптимум: пары повторяются")
    return chosen


def _adjacency(src: np.ndarray, dst: np.ndarray) -> dict[int, set[int]]:
    """node -> the set of nodes its arcs lead to, built a node at a time (sets made in C)."""
    if len(src) == 0:
        return {}
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order].tolist()
    cut = (np.flatnonzero(src[1:] != src[:-1]) + 1).tolist()
    return {a: set(dst[lo:hi])
            for a, lo, hi in zip(src[[0, *cut]].tolist(), [0, *cut], [*cut, len(dst)], strict=True)}


def _search(
    succ: dict[int, set[int]],
    pred: dict[int, set[int]],
    start: int,
    target: int,
    label: list[int],
    own: int,
    settled: bytearray,
) -> tuple[list[int] | None, set[int]]:
    """A path start -> target within the label ``own`` avoiding settled mentees, by
    breadth-first search from both ends, the side with fewer arcs to follow first: (nodes,
    empty set). Which path does not matter (the optimum chosen is the first by ids, unique).
    Each node's arcs are first intersected (in C) with what the other side reached: the
    source and the sink have thousands, and adding them one by one before the meeting node
    was most of the time of this pass at 50,000 x 10,000 (2.6 of 3.3 s; now 0.4).

    When there is none, the side that ran out first has found a set no arc leaves (forward)
    or none enters (backward) within the label: (None, that set), so that the caller can give
    it a label of its own. Either way the search costs about the smaller side, which is what
    makes a stale label cheap: the piece that broke off is usually small.
    """
    ahead = {start: start}
    back = {target: target}
    front, rear = [start], [target]
    while True:
        # the side with fewer arcs to follow first (a frontier holding a hub is not small)
        forward = sum(len(succ.get(v, ())) for v in front) <= sum(len(pred.get(v, ())) for v in rear)
        seen, other = (ahead, back) if forward else (back, ahead)
        links = succ if forward else pred
        grown: list[int] = []
        for v in front if forward else rear:
            out = links.get(v, ())
            meet = other.keys() & out  # first any node the other side reached: a hub (the
            for w in meet:  # source, the sink) would otherwise add thousands before it
                if not settled[w] and label[w] == own:
                    seen[w] = v
                    return _joined(ahead, back, w, start, target), set()
            for w in out:
                if w in seen or settled[w] or label[w] != own:
                    continue
                seen[w] = v
                grown.append(w)
        if not grown:
            return None, set(seen)
        if forward:
            front = grown
        else:
            rear = grown


def _joined(ahead: dict[int, int], back: dict[int, int], meet: int, start: int, target: int) -> list[int]:
    """The path start -> meet -> target from the two searches' parent links."""
    path = [meet]
    v = meet
    while v != start:
        v = ahead[v]
        path.append(v)
    path.reverse()
    v = meet
    while v != target:
        v = back[v]
        path.append(v)
    return path
