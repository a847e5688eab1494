"""Step 6 of the job: pair and mentee stages, and the roadmap's statuses, from the evidence."""

from __future__ import annotations

import hashlib
from collections import Counter

from sheets.changes import records_by_key
from sheets.schema import REGISTRIES
from sync.config import Config
from sync.curation import fill_dates, fill_names
from sync.derive import mentee_statuses
from sync.ingest import Context
from sync.registry import Registries, local_stamp
from sync.roadmap import RoadmapSettings, compute_pair_stages, compute_roadmap

DOCUMENT_PREFIX = "документ "
PROBLEM_PREFIX = "ДК-"


def generated_documents(reg: Registries) -> set[str]:
    """The roadmap's names of the documents made: from «Документы» (and older «Служебное» marks)."""
    from sync.documents.catalog import BY_CODE

    made = {BY_CODE[r["id"].split(":", 1)[0]].evidence for r in reg["documents"].values()
            if r["link"] and r["state"] != "удален: отзыв согласия" and r["id"].split(":", 1)[0] in BY_CODE}
    return made | {k.removeprefix(DOCUMENT_PREFIX) for k in reg["service"] if k.startswith(DOCUMENT_PREFIX)}


def roadmap_settings(config: Config) -> RoadmapSettings:
    """The programme cycle for the roadmap rules."""
    return RoadmapSettings(config.start, config.end, config.roadmap_year_shift)


def update_progress(reg: Registries, ctx: Context, config: Config) -> str:
    """Write stages to «Пары»/«Наставляемые» and statuses to «Дорожная карта»; a summary line."""
    rows = {s.name: reg[s.name] for s in REGISTRIES}  # read as they stand: no frames made
    pair_stage, mentee_stage = compute_pair_stages(rows, ctx.today)
    fill_dates(reg, ctx)
    fill_names(reg)
    mentee_statuses(reg)
    for pair_id, stage in pair_stage.items():
        if pair_id in reg["pairs"]:
            reg["pairs"][pair_id]["stage"] = stage
    for mentee_id, stage in mentee_stage.items():
        if mentee_id in reg["mentees"]:
            reg["mentees"][mentee_id]["stage"] = stage
    # the rows as they stand now (stages, dates and names in): the stages depend on none of it
    status = compute_roadmap(rows, ctx.today, roadmap_settings(config), generated_documents(reg),
                             stages=(pair_stage, mentee_stage))
    for key, row in records_by_key(status.frame).items():
        current = reg["roadmap"].get(key)
        if current is None:
            reg.add("roadmap", row)
        else:
            current.update(row)
    _roadmap_problems(reg, ctx, status.problems)
    counts = Counter(row["status"] for row in reg["roadmap"].values())
    return "дорожная карта: " + ", ".join(
        f"{name} — {counts.get(name, 0)}" for name in ("выполнено", "в работе", "просрочено", "не начато")
    )


def _roadmap_problems(reg: Registries, ctx: Context, problems: list[str]) -> None:
    """Each problem is an attention row while it lasts; it is marked fixed when it goes away."""
    current = {PROBLEM_PREFIX + hashlib.sha1(p.encode()).hexdigest()[:10]: p for p in problems}
    stamp = local_stamp(ctx.now, ctx.tz)
    for key in sorted(set(current) | {k for k in reg["attention"] if k.startswith(PROBLEM_PREFIX)}):
        reg.alert(key, key in current, stamp, form="Дорожная карта", reason=current.get(key, ""))
