"""The roadmap («дорожная карта») as data, its deadline phrases, and the status rules.

``roadmap.toml`` holds the institution's 24 activities in 7 stages exactly as its document
words them; ``deadlines`` reads the Russian deadline phrases («до 15 сентября 2022 г.»,
«в течение всего периода») into dates; ``evidence`` says what the registries show for each
activity; ``stages`` gives the stage of every pair and mentee; ``sheet`` computes the desired
«Дорожная карта» sheet (manual status wins, then evidence, then the deadline). ``texts`` holds
the Russian words, all in one place.

Pure functions over registry frames: nothing here reads or writes a store. May import pandas
and ``sheets.schema`` / ``sheets.changes`` (the vocabulary and frame helpers), nothing else of
the project.
"""

from sync.roadmap.evidence import RULES
from sync.roadmap.sheet import (
    RoadmapActivity,
    RoadmapSettings,
    RoadmapStatus,
    compute_roadmap,
    load_roadmap,
)
from sync.roadmap.stages import compute_pair_stages
from sync.roadmap.texts import DOCUMENTS

__all__ = [
    "DOCUMENTS",
    "RULES",
    "RoadmapActivity",
    "RoadmapSettings",
    "RoadmapStatus",
    "compute_pair_stages",
    "compute_roadmap",
    "load_roadmap",
]
