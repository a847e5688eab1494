"""The integer scores of the candidate graph against the float steps of ``score_from``.

``sync.matching.graph._scores`` computes in integers what ``score_from`` computes in floats,
with a proof in its docstring; here both run on the same random criterion values, including
denominators large enough that the float steps are taken instead.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.matching import graph
from sync.matching.rules import CRITERIA, score_from


@st.composite
def blocks(draw):
    rows, cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    big = draw(st.sampled_from([5, 60, 10**5]))  # the last makes L x W pass the bound
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    narrow = big <= 60 and draw(st.booleans())  # numerators in bytes, as the graph makes them
    values = {}
    for name in CRITERIA:
        denominator = rng.integers(1, big + 1, size=(rows, 1))
        numerator = rng.integers(0, denominator + 1, size=(rows, cols))
        if narrow:
            numerator = numerator.astype(np.uint8)
        applies = rng.random((rows, 1)) < draw(st.sampled_from([0.0, 0.5, 1.0]))
        values[name] = (numerator, denominator, applies)
    weights = {name: draw(st.integers(0, 10)) for name in CRITERIA}
    return values, weights


@settings(max_examples=300, deadline=None)
@given(blocks())
def test_integer_scores_equal_the_float_steps(block):
    values, weights = block
    fast = graph._scores(values, weights)
    assert np.array_equal(fast, graph._float_scores(values, weights))
    rows, cols = fast.shape
    for r in range(rows):
        for c in range(cols):
            pair = {name: (int(v[0][r, c]), int(v[1][r, 0])) if v[2][r, 0] else None
                    for name, v in values.items()}
            assert fast[r, c] == score_from(pair, weights)


def test_an_exact_half_rounds_up_as_score_from_does():
    # needs 1 of 2 (weight 1) and nothing else: 50 % exactly, and 1 of 8 at weight 4: 12.5
    for met, of, w, expected in ((1, 2, 1, 50), (1, 8, 4, 13), (3, 8, 4, 38)):
        values = {name: (np.zeros((1, 1), dtype=np.int64), np.ones((1, 1), dtype=np.int64),
                         np.zeros((1, 1), dtype=bool)) for name in CRITERIA}
        values["needs"] = (np.array([[met]]), np.array([[of]]), np.array([[True]]))
        weights = dict.fromkeys(CRITERIA, 0) | {"needs": w}
        assert graph._scores(values, weights)[0, 0] == expected == score_from(
            {n: (met, of) if n == "needs" else None for n in CRITERIA}, weights)


def test_many_distinct_denominators_past_the_table_are_scored_exactly() -> None:
    """Rows whose L x W are many and each below 2**15 skip the lookup table: the division must
    not be done in int16 (200 A overflows it once A > 163; a clean clone's random draw found it)."""
    rows, cols = 12, 3
    first, second, *rest = CRITERIA
    values = {}
    for name in CRITERIA:
        denominator = np.ones((rows, 1), dtype=np.int64)
        if name in (first, second):
            denominator = np.arange(100, 100 + rows).reshape(rows, 1) + (name == second)
        numerator = np.repeat(denominator, cols, axis=1) - np.arange(cols)  # near full marks
        values[name] = (numerator, denominator, np.full((rows, 1), name in (first, second)))
    weights = {name: int(name in (first, second)) for name in CRITERIA}
    fast = graph._scores(values, weights)
    assert np.array_equal(fast, graph._float_scores(values, weights))
    assert fast.min() >= 98
