"""The stable matching of a big registry without listing every pair: lists made as they are used.

Deferred acceptance (mentees propose, mentors hold their best up to their places) has one
result whatever order the proposals come in, when both sides' preferences are strict: the
mentee-optimal stable matching. So proposals can be made in rounds, every free mentee at once,
with numpy; and a mentee's list can be made a few entries at a time, in preference order, from
the registry itself (``PairRules``), instead of sorting every pair of the graph at once (85 M
pairs and 10 GiB at 50,000 x 10,000).

A full mentor never becomes free again and its worst held proposal only gets better, so a
proposal it would refuse now it would refuse forever: such entries are dropped whenever a list
is looked at or made, and most of a rejected mentee's list is never walked in Python at all.

Preferences are those of ``sync.matching.solvers.stable_matching``: a mentee prefers a higher
score, then the lower mentor index (id order); a mentor a higher score, then the lower mentee
index. The same registry gives the same pairs by either function.
"""

from __future__ import annotations

import numpy as np

from sync.matching.graph import Candidates, PairRules

CHUNK = 16  # entries of a mentee's list made at a time


def lazy_stable(
    rules: PairRules, candidates: Candidates, places: np.ndarray, open_rows: np.ndarray
) -> dict[int, tuple[int, int]]:
    """Mentee -> (mentor, score) of the stable matching of the ``open_rows`` mentees over the
    mentors' ``places``; ``candidates`` lists at least each open mentee's first ``CHUNK`` pairs
    with a place (``best_candidates``), and ``cutoff`` says whether more are left out."""
    n, m = rules.n, rules.m
    lists = _Lists(n)
    arcs = open_rows[candidates.mentee] & (places[candidates.mentor] > 0)
    e, t, s = (a[arcs].astype(np.int64) for a in (candidates.mentee, candidates.mentor, candidates.score))
    order = np.lexsort((t, -s, e))
    e, t, s = e[order], t[order], s[order]
    rank = np.arange(len(e)) - np.searchsorted(e, e)
    first = rank < CHUNK
    lists.fill(e[first], rank[first], t[first], s[first])
    lists.more[:] = False
    lists.more[np.unique(e)] = True
    # a mentee whose listed pairs are all there are has nothing more to make
    complete = np.zeros(n, dtype=bool)
    complete[candidates.cutoff < 0] = True
    counts = np.bincount(e, minlength=n)
    lists.more &= ~(complete & (counts <= CHUNK))
    held_by = np.full(n, -1, dtype=np.int64)  # the mentor holding each mentee
    held_score = np.zeros(n, dtype=np.int64)
    load = np.zeros(m, dtype=np.int64)
    worst = np.full(m, -1, dtype=np.int64)  # a full mentor's worst held key; -1: has a place
    free = np.flatnonzero(open_rows & (lists.length > 0))
    while len(free):
        pick, target, key = lists.next_proposals(free, worst, n)
        lacking = free[pick < 0]
        if len(lacking):  # their chunk ran out: make the next one, then look again
            refill = lacking[lists.more[lacking]]
            if len(refill):
                lists.refill(rules, refill, places, worst, n)
                pick_again, target_again, key_again = lists.next_proposals(refill, worst, n)
                pick[np.isin(free, refill)] = pick_again
                target[np.isin(free, refill)] = target_again
                key[np.isin(free, refill)] = key_again
        go = pick >= 0
        proposers, target, key = free[go], target[go], key[go]
        if len(proposers) == 0:
            break
        lists.pointer[proposers] = pick[go] + 1
        # each mentor keeps its best proposals and held mentees, up to its places
        touched = np.unique(target)
        holding = np.flatnonzero(np.isin(held_by, touched))
        who = np.concatenate([holding, proposers])
        where = np.concatenate([held_by[holding], target])
        score = np.concatenate([held_score[holding], key // n])
        keys = score * n + (n - 1 - who)
        order = np.lexsort((-keys, where))
        who, where, keys, score = who[order], where[order], keys[order], score[order]
        rank = np.arange(len(who)) - np.searchsorted(where, where)
        keep = rank < places[where]
        held_by[who[~keep]] = -1
        held_by[who[keep]] = where[keep]
        held_score[who[keep]] = score[keep]
        load[touched] = 0
        np.add.at(load, where[keep], 1)
        worst[touched] = -1
        lowest = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(lowest, where[keep], keys[keep])
        is_full = touched[load[touched] >= places[touched]]
        worst[is_full] = lowest[is_full]
        free = who[~keep]
        free = free[(lists.pointer[free] < lists.length[free]) | lists.more[free]]
    return {int(i): (int(held_by[i]), int(held_score[i])) for i in np.flatnonzero(held_by >= 0)}


class _Lists:
    """Each mentee's current chunk of their list: mentors and scores in preference order."""

    def __init__(self, n: int) -> None:
        self.mentor = np.full((n, CHUNK), -1, dtype=np.int64)
        self.score = np.full((n, CHUNK), -1, dtype=np.int64)
        self.length = np.zeros(n, dtype=np.int64)
        self.pointer = np.zeros(n, dtype=np.int64)
        self.more = np.zeros(n, dtype=bool)  # entries after the chunk may exist
        self.proposed = np.zeros(n, dtype=np.int64)  # score of the last entry made (for refills)
        self.last_mentor = np.full(n, -1, dtype=np.int64)

    def fill(self, e: np.ndarray, pos: np.ndarray, t: np.ndarray, s: np.ndarray) -> None:
        self.mentor[e, pos] = t
        self.score[e, pos] = s
        np.maximum.at(self.length, e, pos + 1)
        last = np.flatnonzero(pos + 1 == self.length[e])
        self.proposed[e[last]] = s[last]
        self.last_mentor[e[last]] = t[last]

    def next_proposals(
        self, who: np.ndarray, worst: np.ndarray, n: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per mentee the chunk position of the first entry at or after the pointer that its
        mentor would not refuse for sure (-1: none), that mentor and the proposal's key."""
        t = self.mentor[who]
        s = self.score[who]
        pos = np.arange(CHUNK)[None, :]
        key = s * n + (n - 1 - who)[:, None]
        usable = (pos >= self.pointer[who][:, None]) & (pos < self.length[who][:, None])
        usable &= key > worst[np.maximum(t, 0)]
        has = usable.any(axis=1)
        pick = np.where(has, usable.argmax(axis=1), -1)
        rows = np.arange(len(who))
        at = np.maximum(pick, 0)
        target = np.where(has, t[rows, at], -1)
        keys = np.where(has, key[rows, at], -1)
        self.pointer[who[~has]] = self.length[who[~has]]  # nothing usable left in the chunk
        return pick, target, keys

    def refill(self, rules: PairRules, who: np.ndarray, places: np.ndarray, worst: np.ndarray,
               n: int) -> None:
        """The next ``CHUNK`` entries after each mentee's last one, leaving out what a full
        mentor would refuse: made from the registry, a block of mentees at a time."""
        group_of = rules.direction[who]
        for g in np.unique(group_of).tolist():
            rows_all = who[group_of == g]
            cols = rules.groups[g][1]
            step = max(1, (1 << 20) // max(1, len(cols)))
            for start in range(0, len(rows_all), step):
                rows = rows_all[start : start + step]
                alive, score = rules.dense(rows, cols)
                score = score.astype(np.int64)
                last_s = self.proposed[rows][:, None]
                last_t = self.last_mentor[rows][:, None]
                after = (score < last_s) | ((score == last_s) & (cols[None, :] > last_t))
                key = score * n + (n - 1 - rows)[:, None]
                ok = alive & after & (places[cols] > 0)[None, :] & (key > worst[cols][None, :])
                rank_key = np.where(ok, score * len(cols) + (len(cols) - 1 - np.arange(len(cols))), -1)
                take = min(CHUNK, len(cols))
                best = np.argpartition(-rank_key, take - 1, axis=1)[:, :take]
                best_key = np.take_along_axis(rank_key, best, axis=1)
                order = np.argsort(-best_key, axis=1, kind="stable")
                best = np.take_along_axis(best, order, axis=1)
                best_key = np.take_along_axis(best_key, order, axis=1)
                valid = best_key >= 0
                counts = valid.sum(axis=1)
                self.mentor[rows] = np.where(valid, cols[best], -1)
                self.score[rows] = np.where(valid, np.take_along_axis(score, best, axis=1), -1)
                self.length[rows] = counts
                self.pointer[rows] = 0
                total = ok.sum(axis=1)
                self.more[rows] = total > counts
                has = counts > 0
                end = np.maximum(counts - 1, 0)
                self.proposed[rows[has]] = self.score[rows, end][has]
                self.last_mentor[rows[has]] = self.mentor[rows, end][has]
