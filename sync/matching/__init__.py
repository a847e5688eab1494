"""Matching mentees with mentors: pure algorithms over plain data.

``propose_pairs`` takes mentees, mentors and settings as plain records (``Mentee``, ``Mentor``,
``MatchSettings``) and returns proposals with scores, Russian reasons and alternatives; it reads
and writes nothing, so it is tested and benchmarked alone. Inside: ``rules`` (what a pair may be,
its score and explanation), ``encoding`` and ``graph`` (the candidate pairs in bulk, numpy),
``solvers`` (exact min-cost flow with pricing, stable deferred acceptance), ``propose`` (the
curator's proposals: kept, fixed and new pairs, alternatives, why a mentee has none).

May import: numpy, scipy, OR-Tools, and from the rest of the project only ``sheets.schema``
(the vocabulary: categories, days). Nothing from ``forms``, the stores or the rest of ``sync``
(a test walks the imports).
"""

from sync.matching.propose import (
    MatchResult,
    Proposal,
    propose_pairs,
)
from sync.matching.rules import MatchingError, MatchSettings, Mentee, Mentor, explain, pair_violation, score

__all__ = [
    "MatchResult",
    "MatchSettings",
    "MatchingError",
    "Mentee",
    "Mentor",
    "Proposal",
    "explain",
    "pair_violation",
    "propose_pairs",
    "score",
]
