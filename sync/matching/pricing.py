"""Pricing the pairs the optimal solver was not given, from the scores kept in bulk.

Above ``sync.matching.propose.PRICING_ABOVE`` cells the optimal method lists only some pairs
(each mentee's best, ``sync.matching.graph.best_candidates``, and each mentor's best mentees,
``mentor_best``) and ``sync.matching.solvers.priced_matching`` asks ``pricer`` for the others
whose weight reaches the dual prices. Both read the scores ``best_candidates`` kept a byte a
cell (``Candidates.scored``): nothing is scored twice. What is listed changes only the time,
never the pairs: the prices are checked against every pair before the result is taken.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sync.matching.cells import cells
from sync.matching.graph import Candidates
from sync.matching.solvers import Price

SLICE = 128  # rows whose best cell per column ``mentor_best`` takes (int16 keys: 101 x 128 fit)


def mentor_best(
    candidates: Candidates, count: int, open_rows: np.ndarray, places: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """About ``count`` best open mentees of each mentor with a place (mentee, mentor, score),
    not already among ``candidates``' pairs.

    Why list them: each mentee's best pairs leave out the mentors nobody ranks high, and a
    free place nobody listed lets in, at the first pricing, every pair that reaches it
    (about a million at 50,000 x 10,000): each mentor's own best cost little and settle most
    of that before the first solve. Exactly the ``count`` best per column would take a
    partition of every block (~1.5 s there); the best of each slice of ``SLICE`` rows (one
    pass of maxima over int16 keys: score, then the first row), then the ``count`` best of
    those per group, is as good a guess: any guess gives the same pairs.
    """
    n = len(open_rows)
    empty = np.zeros(0, dtype=np.int64)
    if count <= 0:
        return empty, empty, empty
    has_place = places > 0
    low = SLICE - 1 - np.arange(SLICE, dtype=np.int16)  # the first row of a slice wins a tie
    pools: list[tuple[np.ndarray, list[np.ndarray]]] = []  # (columns, keys of maxima) per group
    for rows, cols, block in candidates.scored:
        if not pools or pools[-1][0] is not cols:  # blocks come group by group
            pools.append((cols, []))
        if not (open_rows[rows].all() and has_place[cols].all()):
            block = np.where(open_rows[rows][:, None] & has_place[cols][None, :], block, -1)
        starts = np.arange(0, len(rows), SLICE)
        key = block.astype(np.int16) * SLICE + np.resize(low, len(rows))[:, None]
        best = np.maximum.reduceat(key, starts, axis=0)  # per slice and column
        score, first = best // SLICE, SLICE - 1 - best % SLICE
        # as global keys, comparable across blocks: score first, then the lower mentee
        at = rows[np.minimum(starts[:, None] + first, len(rows) - 1)]
        pools[-1][1].append(np.where(score >= 0, score.astype(np.int64) * n + (n - 1 - at), -1))
    found = []
    for cols, maxima in pools:
        pool = np.concatenate(maxima)
        if len(pool) > count:
            pool = np.take_along_axis(pool, np.argpartition(-pool, count - 1, axis=0)[:count], axis=0)
        ii, jj = cells(pool >= 0)
        key = pool[ii, jj]
        found.append((n - 1 - key % n, cols[jj], key // n))
    if not found:
        return empty, empty, empty
    e, t, sc = (np.concatenate(a) for a in zip(*found, strict=True))
    m = len(places)
    listed = candidates.mentee.astype(np.int64) * m + candidates.mentor  # sorted: by mentee, mentor
    key = e * m + t
    if len(listed):
        pos = np.minimum(np.searchsorted(listed, key), len(listed) - 1)
        new = listed[pos] != key
        e, t, sc = e[new], t[new], sc[new]
    return e, t, sc


def pricer(
    candidates: Candidates, problem: np.ndarray, places: np.ndarray, count: int
) -> Price:
    """What ``priced_matching`` asks of the pairs it was not given, answered block by block
    from the scores ``best_candidates`` kept (``candidates.scored``): nothing is scored again.

    ``problem`` maps the solver's mentees to mentee indices. A mentee whose ``cutoff`` is -1
    has every open pair listed already, so their rows are not looked at.
    """
    m = len(places)
    index_of = np.full(count, -1, dtype=np.int64)
    index_of[problem] = np.arange(len(problem))
    looked_at = (index_of >= 0) & (candidates.cutoff >= 0)
    has_place = places > 0

    def price(
        mentee: np.ndarray,
        mentor: np.ndarray,
        weigh: Callable[[np.ndarray], np.ndarray],
        u: np.ndarray | None,
        p: np.ndarray,
        standing: np.ndarray,
        worst: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        listed = np.sort(problem[mentee] * m + mentor)
        # A cell is wanted when its weight reaches u + p or its score beats both sides'
        # standing (only the latter, counted, when ``u`` is None). Standings compare as bytes
        # clipped to -2..127 (the same answers for scores in -1..100), and the prices in int32
        # when they fit: a few narrow passes. Weights come from a table (-1, not alive: never
        # reaches), or, when a score point is a unit of weight (priority "count"), reaching
        # is score >= u + p - weight(0): no table, half the traffic.
        table = weigh(np.arange(-1, 101))
        top = 0 if u is None else int(u.max(initial=0)) + int(p.max(initial=0))
        kind = np.int64 if max(int(table.max()), top) >= 2**31 - 1 else np.int32
        table = table.astype(kind)
        table[0] = np.iinfo(kind).min
        unit = bool(np.all(np.diff(table[1:]) == 1))
        if u is not None:
            u_k, p_k = u.astype(kind), p.astype(kind)
            if unit:
                u_k -= table[1]  # then u + p - weight(0), above -2**31 as u and p are >= 0
        standing8 = np.clip(standing, -2, 127).astype(np.int8)
        worst8 = np.clip(worst, -2, 127).astype(np.int8)
        cheapest = int(p[has_place].min(initial=0))
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        blocking = 0
        for rows, cols, block in candidates.scored:
            at = index_of[rows]
            bound = candidates.cutoff[rows]  # no unlisted cell of the row scores more
            safe = np.maximum(at, 0)
            row_ok = bound > standing[safe]
            if u is not None:
                row_ok |= weigh(np.maximum(bound, 0)) >= u[safe] + cheapest
            row_ok &= looked_at[rows]
            if not row_ok.any():
                continue
            pick = np.flatnonzero(row_ok)
            rows, at, scores = rows[pick], at[pick][:, None], block[pick]
            wanted = (scores > standing8[at]) & (scores > worst8[cols][None, :])
            if u is not None:
                if unit:  # u + p - weight(0) may be below -1: a dead cell (-1) must not reach
                    reach = (scores.astype(kind) >= u_k[at] + p_k[cols][None, :]) & (scores >= 0)
                else:
                    reach = table[scores.astype(np.int64) + 1] >= u_k[at] + p_k[cols][None, :]
                wanted |= reach
            wanted &= has_place[cols][None, :]
            ii, jj = cells(wanted)
            e, t, sc = rows[ii], cols[jj], scores[ii, jj].astype(np.int64)
            key = e * m + t
            pos = np.minimum(np.searchsorted(listed, key), max(len(listed) - 1, 0))
            new = listed[pos] != key if len(listed) else np.ones(len(key), dtype=bool)
            if u is None:
                blocking += int(np.count_nonzero(new))
                continue
            at_new, t, sc, arc_reach = index_of[e[new]], t[new], sc[new], reach[ii, jj][new]
            blocking += int(np.count_nonzero(~arc_reach))  # wanted and not reaching: beats
            found.append((at_new[arc_reach], t[arc_reach], sc[arc_reach]))
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, blocking
        e, t, sc = (np.concatenate(a) for a in zip(*found, strict=True))
        return e, t, sc, blocking

    return price
