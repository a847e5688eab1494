"""The stage of every pair and mentee, from the evidence in the registries (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

import pandas as pd

from sheets.changes import cell_text, records_by_key
from sheets.schema import (
    FEEDBACK,
    MEETINGS,
    MENTEES,
    PAIRS,
    SheetSchema,
)
from sync.roadmap.texts import (
    APPROVED,
    APPROVED_LADDER,
    FINAL,
    FINISHED,
    PLAN,
    PROPOSED,
    REJECTED,
    TERMINATED,
    TRIAL,
    TRIAL_KIND,
    WAITING_CONSENT,
    WAITING_PAIR,
    WITHDRAWN,
    WORK,
)

# --- reading the frames -----------------------------------------------------------------


# A registry as the roadmap reads it: a frame (canonical columns, indexed by key), or the job's
# working rows themselves (key -> canonical name -> text), which need no frame made and read back.
Table = pd.DataFrame | Mapping[str, Mapping[str, object]]


def _rows(frames: Mapping[str, Table], schema: SheetSchema, strip: bool = True) -> list[dict[str, str]]:
    """The sheet's rows as text dicts with every schema column, sorted by key."""
    frame = frames.get(schema.name)
    if frame is None or not len(frame):
        return []
    records = records_by_key(frame) if isinstance(frame, pd.DataFrame) else frame
    rows = []
    names, key_name = schema.names, schema.key
    for key, record in records.items():
        get = record.get
        if strip:  # one pass: most values are text already
            row = {name: (v if type(v := get(name, "")) is str else cell_text(v)).strip() for name in names}
        else:
            row = {name: cell_text(get(name, "")) for name in names}
        row[key_name] = row[key_name].strip() or cell_text(key).strip()
        rows.append(row)
    return sorted(rows, key=lambda r: r[key_name])


def _ids(cell: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", cell) if part.strip()]


def _is_trial(meeting: dict[str, str]) -> bool:
    return bool(TRIAL_KIND.search(meeting["kind"].lower()))


# --- pair and mentee stages -------------------------------------------------------------


def compute_pair_stages(
    frames: Mapping[str, Table], today: date | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """(pair id -> stage, mentee id -> stage), derived from the evidence in the registries.

    A pair climbs предложена -> утверждена (the curator's status) -> пробная встреча (any
    meeting held) -> план развития (that, and a link to the ИПР) -> работа (a further regular
    meeting) -> завершена (final feedback from the pair, or the curator's status). A later stage
    the curator typed in «Статус» is kept if evidence lags; отклонена, расторгнута and снята are
    final. A meeting dated after ``today`` has not been held yet: it counts once its day comes.
    A mentee is at the stage of their current pair, else «ожидает согласия»
    (no consent to process personal data) or «ожидает пары».
    """
    meetings: dict[str, list[dict[str, str]]] = {}
    for meeting in _rows(frames, MEETINGS):
        if meeting["held_on"] and (today is None or meeting["held_on"] <= today.isoformat()):
            meetings.setdefault(meeting["pair_id"], []).append(meeting)
    finished = {f["pair_id"] for f in _rows(frames, FEEDBACK) if f["kind"] == FINAL}
    pairs = _rows(frames, PAIRS)
    pair_stage = {p["id"]: _pair_stage(p, meetings.get(p["id"], []), finished) for p in pairs}

    current: dict[str, list[str]] = {}
    for pair in pairs:
        if pair_stage[pair["id"]] not in (REJECTED, TERMINATED, WITHDRAWN):
            for mentee in _ids(pair["mentee_ids"]):
                current.setdefault(mentee, []).append(pair_stage[pair["id"]])
    mentee_stage = {}
    for mentee in _rows(frames, MENTEES):
        stages = current.get(mentee["id"], [])
        ongoing = [s for s in stages if s != FINISHED]
        if ongoing:
            mentee_stage[mentee["id"]] = max(ongoing, key=_rank)
        elif stages:
            mentee_stage[mentee["id"]] = FINISHED
        else:
            mentee_stage[mentee["id"]] = WAITING_PAIR if mentee["pd_consent"] else WAITING_CONSENT
    return pair_stage, mentee_stage


def _rank(stage: str) -> int:
    return APPROVED_LADDER.index(stage) + 1 if stage in APPROVED_LADDER else 0


def _pair_stage(pair: dict[str, str], held: list[dict[str, str]], finished: set[str]) -> str:
    status = " ".join(pair["status"].lower().replace("ё", "е").split())
    if status in (REJECTED, TERMINATED, WITHDRAWN):
        return status
    if status not in APPROVED_LADDER:
        return PROPOSED
    stage = APPROVED
    if held:
        held = sorted(held, key=lambda m: (m["held_on"], m["id"]))
        stage = TRIAL
        first = next((m for m in held if _is_trial(m)), held[0])
        if pair["plan_link"]:
            stage = PLAN
            if any(m is not first and not _is_trial(m) and m["held_on"] >= first["held_on"] for m in held):
                stage = WORK
    if pair["id"] in finished:
        stage = FINISHED
    return max(stage, status, key=_rank)
