"""The roadmap («дорожная карта») and the stage of every pair, computed from the registries.

Pure functions over registry frames (canonical columns, text cells, indexed by key): nothing
here reads or writes a store. ``compute_roadmap`` gives the desired «Дорожная карта» sheet,
``compute_pair_stages`` the stage of each pair and mentee.

Who wins, per activity: a status staff set in «Статус вручную» always wins; otherwise the
activity's evidence rule (``rule`` in roadmap.toml) decides from the registries; an activity
without a rule is «не начато» until staff mark it. Any activity not done after its deadline is
«просрочено». The deadline is the one staff typed in «Срок (даты)» if it can be read, else the
document's phrase (years moved by ``shift_years``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import NamedTuple

import pandas as pd

from sheets.changes import frame_from_records
from sheets.schema import (
    FEEDBACK,
    MEETINGS,
    MENTEES,
    MENTORS,
    PAIRS,
    PRACTICES,
    ROADMAP,
    ROADMAP_STATUSES,
)
from sync.roadmap.deadlines import DeadlineError, DeadlineRange, parse_deadline
from sync.roadmap.evidence import RULES, _Registries, _ru
from sync.roadmap.stages import Table, _rows, compute_pair_stages
from sync.roadmap.texts import (
    DONE,
    EV_MANUAL,
    EV_MANUAL_ONLY,
    EV_NO_RULE,
    EV_OVERDUE,
    IN_PROGRESS,
    MENTEE_LEFT,
    MENTOR_INACTIVE,
    NOT_STARTED,
    OVERDUE,
    PROBLEM_BEFORE_START,
    PROBLEM_DEADLINE,
    PROBLEM_MANUAL,
    PROBLEM_NO_DEADLINE,
    PROBLEM_PUBLISHED,
    PROBLEM_ROADMAP_TEXT,
    ROADMAP_FILE,
    STAGE_TEXT,
    YES,
)


@dataclass(frozen=True)
class RoadmapActivity:
    """One activity of the roadmap, its texts exactly as the institution's document has them."""

    id: str
    stage_no: int
    stage_title: str
    activity: str
    documents: str
    responsible: str
    deadline_text: str
    rule: str | None


@dataclass(frozen=True)
class RoadmapSettings:
    """The programme cycle: its period, and how many years the 2022-2024 texts move."""

    start: date
    end: date
    shift_years: int = 0

    @property
    def period(self) -> DeadlineRange:
        """The programme period, which «в течение всего периода» stands for."""
        return DeadlineRange(self.start, self.end)


class RoadmapStatus(NamedTuple):
    """The desired «Дорожная карта» frame and the Russian problems found on the way."""

    frame: pd.DataFrame
    problems: list[str]


def load_roadmap() -> list[RoadmapActivity]:
    """The 24 activities of roadmap.toml, in the document's order."""
    text = resources.files("sync.roadmap").joinpath(ROADMAP_FILE).read_text(encoding="utf-8")
    activities = [
        RoadmapActivity(
            id=item["id"],
            stage_no=stage["number"],
            stage_title=stage["title"],
            activity=item["activity"],
            documents=item["documents"],
            responsible=item["responsible"],
            deadline_text=item["deadline"],
            rule=item.get("rule"),
        )
        for stage in tomllib.loads(text)["stage"]
        for item in stage["activity"]
    ]
    unknown = sorted({a.rule for a in activities if a.rule is not None} - set(RULES))
    if unknown:
        raise ValueError(f"{ROADMAP_FILE}: unknown rules {unknown}")
    return activities


# --- the roadmap sheet ------------------------------------------------------------------


def compute_roadmap(
    frames: Mapping[str, Table],
    today: date,
    settings: RoadmapSettings,
    documents: Iterable[str] = (),
    stages: tuple[dict[str, str], dict[str, str]] | None = None,
) -> RoadmapStatus:
    """The desired «Дорожная карта» frame (index: activity id) and Russian problems.

    ``frames`` holds the registries by schema name («roadmap» is the sheet as it is now, if
    any); ``documents`` names the generated documents (``DOCUMENTS``) that exist. Staff-owned
    cells («Срок (даты)», «Статус вручную», «Ссылка на документ») are carried over unchanged;
    a new row gets the deadline read from the document's phrase. ``stages`` is what
    ``compute_pair_stages`` gives for these frames, when the caller has it already.
    """
    pair_stage, mentee_stage = stages if stages is not None else compute_pair_stages(frames, today)
    reg = _Registries(
        today=today,
        documents=frozenset(documents),
        mentees=[m for m in _rows(frames, MENTEES) if m["status"].lower() != MENTEE_LEFT],
        mentors=[m for m in _rows(frames, MENTORS) if m["status"].lower() not in MENTOR_INACTIVE],
        pairs=_rows(frames, PAIRS),
        meetings=_rows(frames, MEETINGS),
        feedback=_rows(frames, FEEDBACK),
        practices=_rows(frames, PRACTICES),
        pair_stage=pair_stage,
        mentee_stage=mentee_stage,
    )
    existing = {row["id"]: row for row in _rows(frames, ROADMAP, strip=False)}
    problems: list[str] = []
    records = []
    for activity in load_roadmap():
        old = existing.get(activity.id)
        record = _roadmap_row(activity, old, reg, settings, problems)
        records.append(record)
    problems.extend(
        PROBLEM_PUBLISHED.format(id=p["id"])
        for p in reg.practices
        if p["published_link"] and p["publication_ok"].lower() != YES
    )
    return RoadmapStatus(frame_from_records(ROADMAP, records), problems)


def _roadmap_row(
    activity: RoadmapActivity,
    old: dict[str, str] | None,
    reg: _Registries,
    settings: RoadmapSettings,
    problems: list[str],
) -> dict[str, str]:
    aid = activity.id
    try:
        deadline: DeadlineRange | None = parse_deadline(activity.deadline_text, settings.shift_years, settings.period)
    except DeadlineError as error:
        deadline = None
        problems.append(PROBLEM_ROADMAP_TEXT.format(id=aid, value=activity.deadline_text, reason=error.reason))
    staff = {name: "" for name in ("deadline", "manual_status", "document_link")}
    if old is not None:
        staff = {name: old[name] for name in staff}
    else:
        staff["deadline"] = str(deadline) if deadline else ""

    if staff["deadline"].strip():
        try:
            deadline = parse_deadline(staff["deadline"], 0, settings.period)
        except DeadlineError as error:
            fallback = str(deadline) if deadline else PROBLEM_NO_DEADLINE
            problems.append(
                PROBLEM_DEADLINE.format(
                    id=aid,
                    value=staff["deadline"],
                    column=ROADMAP.header("deadline"),
                    reason=error.reason,
                    fallback=fallback,
                )
            )

    if deadline is not None and deadline.end < settings.start:
        problems.append(PROBLEM_BEFORE_START.format(
            id=aid, deadline=str(deadline), start=_ru(settings.start.isoformat()), column=ROADMAP.header("deadline")))
        deadline = None  # a date to check, not a missed one

    manual = staff["manual_status"].strip().lower()
    if manual and manual not in ROADMAP_STATUSES:
        problems.append(
            PROBLEM_MANUAL.format(
                id=aid,
                value=staff["manual_status"],
                column=ROADMAP.header("manual_status"),
                allowed=", ".join(ROADMAP_STATUSES),
            )
        )
        manual = ""

    rule = RULES[activity.rule] if activity.rule else None
    evidence = rule(aid, reg) if rule else None
    texts = [evidence.text if evidence else EV_NO_RULE.format(id=aid)]
    if manual:
        status = manual
        texts = [evidence.text, EV_MANUAL] if evidence else [EV_MANUAL_ONLY.format(id=aid)]
    elif evidence and evidence.done:
        status = DONE
    elif deadline is not None and deadline.is_past(reg.today):
        status = OVERDUE
        texts.append(EV_OVERDUE.format(end=_ru(deadline.end.isoformat())))
    elif evidence and evidence.started:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    progress = evidence.progress if evidence else None
    if progress is None and status == DONE:
        progress = 100

    return {
        "id": aid,
        "stage": STAGE_TEXT.format(number=activity.stage_no, title=activity.stage_title),
        "activity": activity.activity,
        "documents": activity.documents,
        "responsible": activity.responsible,
        "deadline_text": activity.deadline_text,
        "deadline": staff["deadline"],
        "status": status,
        "progress": "" if progress is None else str(progress),
        "evidence": "; ".join(texts),
        "manual_status": staff["manual_status"],
        "document_link": staff["document_link"],
    }
