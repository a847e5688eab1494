"""`nastavnik status`: the roadmap as a terminal table or JSON, computed from the registries."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections import defaultdict
from datetime import datetime

from sheets.store import Snapshot
from sync.config import Config
from sync.derive import derive
from sync.ingest import Context
from sync.progress import update_progress
from sync.registry import Registries

OVERDUE = "просрочено"
HEADERS = ("№", "Мероприятие", "Срок", "Статус", "%", "Основание")


def current_roadmap(snapshot: Snapshot, config: Config, now: datetime) -> list[dict[str, str]]:
    """The roadmap as the next sync would write it, from what the registries hold now."""
    reg = Registries(snapshot)
    ctx = Context(now=now, tz=config.tz)
    derive(reg, ctx)
    update_progress(reg, ctx, config)
    rows = list(reg["roadmap"].values())
    return sorted(rows, key=lambda r: tuple(int(p) if p.isdecimal() else 0 for p in r["id"].split(".")))


def stage_summaries(rows: list[dict[str, str]]) -> list[str]:
    """One line per stage: «Этап 2. …: выполнено 1 из 3, просрочено 1»."""
    by_stage: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_stage[row["stage"]].append(row)
    lines = []
    for stage, items in by_stage.items():
        done = sum(r["status"] == "выполнено" for r in items)
        late = sum(r["status"] == OVERDUE for r in items)
        busy = sum(r["status"] == "в работе" for r in items)
        text = f"{stage}: выполнено {done} из {len(items)}"
        if busy:
            text += f", в работе {busy}"
        if late:
            text += f", просрочено {late}"
        lines.append(text)
    return lines


def render_table(rows: list[dict[str, str]], width: int | None = None) -> str:
    """A plain-text table; overdue rows are marked with «!».

    Long activities and evidence wrap within their columns (never cut mid-word), at any width,
    the terminal's or, when piped, 140 characters.
    """
    width = width or shutil.get_terminal_size((140, 40)).columns
    fixed = 5 + 23 + 11 + 4 + 2 * 4
    free = max(40, width - fixed)
    w_activity, w_evidence = free // 2, free - free // 2
    out = []
    header = f"{'№':<5}{'Мероприятие':<{w_activity}}  {'Срок':<23}  {'Статус':<11}  {'%':>4}  Основание"
    out.append(header)
    out.append("-" * min(width, len(header) + w_evidence))
    current_stage = None
    for row in rows:
        if row["stage"] != current_stage:
            current_stage = row["stage"]
            out.extend(textwrap.wrap(current_stage, width) or [""])
        mark = "!" if row["status"] == OVERDUE else " "
        activity = textwrap.wrap(row["activity"], w_activity, break_on_hyphens=False) or [""]
        evidence = textwrap.wrap(row["evidence"], w_evidence, break_on_hyphens=False) or [""]
        deadline = textwrap.wrap(row["deadline"] or row["deadline_text"], 23) or [""]
        for n in range(max(len(activity), len(evidence), len(deadline))):
            first = n == 0
            cells = (
                f"{mark if first else ' '}{row['id'] if first else '':<4}",
                f"{activity[n] if n < len(activity) else '':<{w_activity}}",
                f"{deadline[n] if n < len(deadline) else '':<23}",
                f"{row['status'] if first else '':<11}",
                f"{row['progress'] if first else '':>4}",
                evidence[n] if n < len(evidence) else "",
            )
            out.append(f"{cells[0]}{cells[1]}  {cells[2]}  {cells[3]}  {cells[4]}  {cells[5]}".rstrip())
    return "\n".join(out)


def render_json(rows: list[dict[str, str]]) -> str:
    """The roadmap for machines: activities with their fields, and the stage summaries."""
    return json.dumps({"activities": rows, "stages": stage_summaries(rows)}, ensure_ascii=False, indent=2)
