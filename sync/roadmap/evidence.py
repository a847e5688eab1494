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

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import NamedTuple

import pandas as pd

from sheets.changes import cell_text, frame_from_records
from sheets.schema import (
    FEEDBACK,
    MEETINGS,
    MENTEES,
    MENTORS,
    PAIR_STATUSES,
    PAIRS,
    PRACTICES,
    ROADMAP,
    ROADMAP_STATUSES,
    SheetSchema,
)
from sync.deadlines import DeadlineError, DeadlineRange, parse_deadline

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

# --- Russian text, all in one place -------------------------------------------------------

NOT_STARTED, IN_PROGRESS, DONE, OVERDUE = ROADMAP_STATUSES
PROPOSED, APPROVED, TRIAL, PLAN, WORK, FINISHED, REJECTED, TERMINATED, WITHDRAWN = PAIR_STATUSES
WAITING_CONSENT, WAITING_PAIR = "ожидает согласия", "ожидает пары"
YES = "да"
MENTEE_LEFT = "выбыл"
MENTOR_INACTIVE = ("приостановлен", "выбыл")
INTERIM, FINAL = "промежуточная", "итоговая"
MENTEE_ROLE = "наставляемый"
# A meeting report's kind («Вид встречи») that counts as the trial or planning meeting.
TRIAL_KIND = re.compile(r"пробн|планирован")

STAGE_TEXT = "{number}. {title}"
EV_NO_RULE = "{id}: данных в реестрах нет — укажите статус вручную"
EV_MANUAL = "статус указан вручную"
EV_MANUAL_ONLY = "{id}: статус указан вручную"
EV_OVERDUE = "срок истек {end}"
EV_NO_MENTEES = "{id}: в учетной базе нет наставляемых"
EV_NO_MENTORS = "{id}: в реестре нет наставников"
EV_CONSENTS = "{id}: согласия получены у {n} из {total} {whom} ({pct}%)"
EV_NEEDS = "{id}: анкеты о потребностях заполнили {n} из {total} {whom} ({pct}%); {report}"
EV_NEEDS_REPORT = ("отчет по анализу потребностей сформирован", "отчета по анализу потребностей нет")
EV_MENTORS = "{id}: наставников в реестре: {count}"
EV_DIRECTIONS_UNKNOWN = "направленности наставляемых пока не известны"
EV_DIRECTIONS = "наставники есть по {n} из {total} {what}, нужных наставляемым ({pct}%)"
EV_DIRECTIONS_MISSING = "нет наставника: {names}"
EV_TRAINED = "{id}: обучение прошли {n} из {total} {whom} ({pct}%)"
EV_PAIRS_NONE = "{id}: пар пока нет; наставляемых с согласием: {eligible}"
EV_PAIRS = (
    "{id}: утверждено пар: {approved}, ждут утверждения: {proposed}; "
    "в утвержденных парах {n} из {total} {whom} с согласием ({pct}%)"
)
EV_PAIRS_NO_ELIGIBLE = "{id}: утверждено пар: {approved}, ждут утверждения: {proposed}; наставляемых с согласием нет"
EV_NO_APPROVED = "{id}: утвержденных пар пока нет"
EV_PLANS = "{id}: из {total} {pairs} пробная встреча проведена в {met}, план развития (ИПР) составлен в {n} ({pct}%)"
EV_NO_MEETINGS = "{id}: встреч пока не было"
EV_NO_PLAN = "{id}: проведено встреч: {held}; дат по плану в «Встречах» нет"
EV_PLAN_AHEAD = "{id}: встреч в плане: {planned}, первая по плану — {first}; проведено встреч: {held}"
EV_MEETINGS = "{id}: встреч по плану на {today}: {due}, из них проведено {n} ({pct}%); всего проведено встреч: {held}"
EV_INTERIM = "{id}: промежуточная обратная связь получена от {n} из {total} {pairs} ({pct}%)"
EV_FINAL = "{id}: итоговая обратная связь получена от {n} из {total} {pairs} ({pct}%); {report}"
EV_FINAL_NO_PAIRS = "{id}: утвержденных пар нет; {report}"
EV_FINAL_REPORT = ("итоговый отчет сформирован", "итогового отчета нет")
EV_LETTERS = "{id}: благодарственные письма: {parts}"
EV_LETTER_PART = "{whom} — {state}"
EV_LETTER_STATE = ("сформированы", "нет")
EV_PRACTICES_NONE = "{id}: в базе практик нет ни одного кейса"
EV_PRACTICES = "{id}: кейсов в базе: {count}; опубликовано на сайте {n} из {total} с согласием на публикацию ({pct}%)"
EV_PRACTICES_NO_CONSENT = "{id}: кейсов в базе: {count}; согласий на публикацию пока нет"
EV_PUBLISHED_WITHOUT_CONSENT = "опубликовано без согласия на публикацию: {n}"
EV_LONG_TERM = "{id}: в долгосрочном реестре наставников: {count}"
EV_LONG_TERM_FINISHED = "из завершивших пару наставников внесены {n} из {total} ({pct}%)"
EV_READY_MENTEES = "наставляемых, готовых стать наставниками: {n}"

PROBLEM_DEADLINE = (
    "Дорожная карта, {id}: срок «{value}» в столбце «{column}» не разобран ({reason}); "
    "действует срок из документа: {fallback}"
)
PROBLEM_NO_DEADLINE = "нет"
PROBLEM_MANUAL = "Дорожная карта, {id}: неизвестный статус «{value}» в столбце «{column}»; допустимо: {allowed}"
PROBLEM_ROADMAP_TEXT = "Дорожная карта, {id}: срок документа «{value}» не разобран ({reason})"
PROBLEM_PUBLISHED = "Лучшие практики, {id}: кейс опубликован без согласия на публикацию"

# Genitive after «из N»: singular after 1, 21, 31..., plural otherwise.
WHOM_MENTEES = ("наставляемого", "наставляемых")
WHOM_MENTORS = ("наставника", "наставников")
WHAT_DIRECTIONS = ("направленности", "направленностей")
PAIRS_ANY = ("пары", "пар")
PAIRS_APPROVED = ("утвержденной пары", "утвержденных пар")
LETTERS_TO = {
    "letters_mentors": "наставникам",
    "letters_mentees": "наставляемым",
    "letters_partners": "партнерам",
}

# --- generated documents that count as evidence -----------------------------------------

NEEDS_REPORT = "needs_report"
FINAL_REPORT = "final_report"
DOCUMENTS: tuple[str, ...] = (NEEDS_REPORT, FINAL_REPORT, *LETTERS_TO)

ROADMAP_FILE = "roadmap.toml"
APPROVED_LADDER = (APPROVED, TRIAL, PLAN, WORK, FINISHED)
ACTIVE_STAGES = (APPROVED, TRIAL, PLAN, WORK)


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
    text = resources.files("sync").joinpath(ROADMAP_FILE).read_text(encoding="utf-8")
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


# --- reading the frames -----------------------------------------------------------------


def _rows(frames: Mapping[str, pd.DataFrame], schema: SheetSchema, strip: bool = True) -> list[dict[str, str]]:
    """The sheet's rows as text dicts with every schema column, sorted by key."""
    frame = frames.get(schema.name)
    if frame is None or not len(frame):
        return []
    rows = []
    for key, record in frame.to_dict("index").items():
        row = {name: cell_text(record.get(name, "")) for name in schema.names}
        if strip:
            row = {name: value.strip() for name, value in row.items()}
        row[schema.key] = row[schema.key].strip() or cell_text(key).strip()
        rows.append(row)
    return sorted(rows, key=lambda r: r[schema.key])


def _ids(cell: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", cell) if part.strip()]


def _is_trial(meeting: dict[str, str]) -> bool:
    return bool(TRIAL_KIND.search(meeting["kind"].lower()))


# --- pair and mentee stages -------------------------------------------------------------


def compute_pair_stages(
    frames: Mapping[str, pd.DataFrame],
) -> tuple[dict[str, str], dict[str, str]]:
    """(pair id -> stage, mentee id -> stage), derived from the evidence in the registries.

    A pair climbs предложена -> утверждена (the curator's status) -> пробная встреча (any
    meeting held) -> план развития (that, and a link to the ИПР) -> работа (a further regular
    meeting) -> завершена (final feedback from the pair, or the curator's status). A later stage
    the curator typed in «Статус» is kept if evidence lags; отклонена and расторгнута are the
    curator's and final. A mentee is at the stage of their current pair, else
    «ожидает согласия» (no consent to process personal data) or «ожидает пары».
    """
    meetings: dict[str, list[dict[str, str]]] = {}
    for meeting in _rows(frames, MEETINGS):
        if meeting["held_on"]:
            meetings.setdefault(meeting["pair_id"], []).append(meeting)
    finished = {f["pair_id"] for f in _rows(frames, FEEDBACK) if f["kind"] == FINAL}
    pairs = _rows(frames, PAIRS)
    pair_stage = {p["id"]: _pair_stage(p, meetings.get(p["id"], []), finished) for p in pairs}

    current: dict[str, list[str]] = {}
    for pair in pairs:
        if pair_stage[pair["id"]] not in (REJECTED, TERMINATED):
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
    status = pair["status"].lower()
    if status in (REJECTED, TERMINATED):
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


# --- evidence rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Evidence:
    """What the registries say about an activity."""

    started: bool
    done: bool
    progress: int | None
    text: str


@dataclass
class _Registries:
    """Everything the rules read, prepared once per run."""

    today: date
    documents: frozenset[str]
    mentees: list[dict[str, str]]
    mentors: list[dict[str, str]]
    pairs: list[dict[str, str]]
    meetings: list[dict[str, str]]
    feedback: list[dict[str, str]]
    practices: list[dict[str, str]]
    pair_stage: dict[str, str]
    mentee_stage: dict[str, str]

    @property
    def approved_pairs(self) -> list[str]:
        return [pid for pid, stage in sorted(self.pair_stage.items()) if stage in APPROVED_LADDER]

    @property
    def all_pairs_finished(self) -> bool:
        return all(stage not in ACTIVE_STAGES for stage in self.pair_stage.values())


def _pct(n: int, total: int) -> int:
    """Percent rounded half up, never 100 before everything is there."""
    value = (200 * n + total) // (2 * total)
    return min(value, 99) if n < total else value


def _of(n: int, forms: tuple[str, str]) -> str:
    """The genitive that follows «из N»."""
    return forms[0] if n % 10 == 1 and n % 100 != 11 else forms[1]


def _ratio(aid: str, template: str, n: int, total: int, **words: str) -> _Evidence:
    pct = _pct(n, total)
    text = template.format(id=aid, n=n, total=total, pct=pct, **words)
    return _Evidence(n > 0, n == total, pct, text)


def _mentee_consents(aid: str, reg: _Registries) -> _Evidence:
    total = len(reg.mentees)
    if not total:
        return _Evidence(False, False, None, EV_NO_MENTEES.format(id=aid))
    n = sum(1 for m in reg.mentees if m["pd_consent"])
    evidence = _ratio(aid, EV_CONSENTS, n, total, whom=_of(total, WHOM_MENTEES))
    return _Evidence(True, evidence.done, evidence.progress, evidence.text)


def _needs_analysis(aid: str, reg: _Registries) -> _Evidence:
    total = len(reg.mentees)
    if not total:
        return _Evidence(False, False, None, EV_NO_MENTEES.format(id=aid))
    n = sum(1 for m in reg.mentees if m["needs"])
    report = NEEDS_REPORT in reg.documents
    report_text = EV_NEEDS_REPORT[0 if report else 1]
    e = _ratio(aid, EV_NEEDS, n, total, whom=_of(total, WHOM_MENTEES), report=report_text)
    return _Evidence(e.started or report, e.done and report, e.progress, e.text)


def _mentor_directions(aid: str, reg: _Registries) -> _Evidence:
    if not reg.mentors:
        return _Evidence(False, False, None, EV_NO_MENTORS.format(id=aid))
    head = EV_MENTORS.format(id=aid, count=len(reg.mentors))
    needed = sorted({m["direction"] for m in reg.mentees if m["direction"]})
    if not needed:
        return _Evidence(True, False, None, f"{head}; {EV_DIRECTIONS_UNKNOWN}")
    covered = {m["direction"] for m in reg.mentors}
    missing = [d for d in needed if d not in covered]
    n, total = len(needed) - len(missing), len(needed)
    pct = _pct(n, total)
    text = f"{head}; " + EV_DIRECTIONS.format(n=n, total=total, what=_of(total, WHAT_DIRECTIONS), pct=pct)
    if missing:
        text += "; " + EV_DIRECTIONS_MISSING.format(names=", ".join(missing))
    return _Evidence(True, not missing, pct, text)


def _mentors_trained(aid: str, reg: _Registries) -> _Evidence:
    total = len(reg.mentors)
    if not total:
        return _Evidence(False, False, None, EV_NO_MENTORS.format(id=aid))
    n = sum(1 for m in reg.mentors if m["trained"].lower() == YES)
    return _ratio(aid, EV_TRAINED, n, total, whom=_of(total, WHOM_MENTORS))


def _pairs_approved(aid: str, reg: _Registries) -> _Evidence:
    eligible = [m["id"] for m in reg.mentees if m["pd_consent"]]
    approved = len(reg.approved_pairs)
    proposed = sum(1 for stage in reg.pair_stage.values() if stage == PROPOSED)
    if not approved and not proposed:
        return _Evidence(False, False, None, EV_PAIRS_NONE.format(id=aid, eligible=len(eligible)))
    if not eligible:
        text = EV_PAIRS_NO_ELIGIBLE.format(id=aid, approved=approved, proposed=proposed)
        return _Evidence(True, False, None, text)
    n = sum(1 for m in eligible if reg.mentee_stage.get(m) in APPROVED_LADDER)
    e = _ratio(
        aid,
        EV_PAIRS,
        n,
        len(eligible),
        whom=_of(len(eligible), WHOM_MENTEES),
        approved=str(approved),
        proposed=str(proposed),
    )
    return _Evidence(True, e.done, e.progress, e.text)


def _pair_plans(aid: str, reg: _Registries) -> _Evidence:
    approved = reg.approved_pairs
    if not approved:
        return _Evidence(False, False, None, EV_NO_APPROVED.format(id=aid))
    stages = [reg.pair_stage[p] for p in approved]
    met = sum(1 for s in stages if _rank(s) >= _rank(TRIAL))
    n = sum(1 for s in stages if _rank(s) >= _rank(PLAN))
    e = _ratio(aid, EV_PLANS, n, len(approved), pairs=_of(len(approved), PAIRS_APPROVED), met=met)
    # Proposals still waiting for the curator mean pairs still to plan.
    waiting = any(stage == PROPOSED for stage in reg.pair_stage.values())
    return _Evidence(met > 0, e.done and not waiting, e.progress, e.text)


def _meetings_vs_plan(aid: str, reg: _Registries) -> _Evidence:
    held = sum(1 for m in reg.meetings if m["held_on"])
    planned = [m for m in reg.meetings if m["planned_on"]]
    if not planned:
        if not held:
            return _Evidence(False, False, None, EV_NO_MEETINGS.format(id=aid))
        return _Evidence(True, False, None, EV_NO_PLAN.format(id=aid, held=held))
    today = reg.today.isoformat()
    due = [m for m in planned if _iso(m["planned_on"]) and m["planned_on"] <= today]
    all_held = all(m["held_on"] for m in planned)
    done = all_held and reg.all_pairs_finished
    if not due:
        first = min((m["planned_on"] for m in planned if _iso(m["planned_on"])), default="")
        text = EV_PLAN_AHEAD.format(id=aid, planned=len(planned), first=_ru(first), held=held)
        return _Evidence(held > 0, done, None, text)
    n = sum(1 for m in due if m["held_on"])
    pct = _pct(n, len(due))
    text = EV_MEETINGS.format(id=aid, today=_ru(today), due=len(due), n=n, pct=pct, held=held)
    return _Evidence(held > 0, done, pct, text)


def _interim_feedback(aid: str, reg: _Registries) -> _Evidence:
    approved = reg.approved_pairs
    if not approved:
        return _Evidence(False, False, None, EV_NO_APPROVED.format(id=aid))
    answered = {f["pair_id"] for f in reg.feedback if f["kind"] == INTERIM}
    n = sum(1 for p in approved if p in answered)
    e = _ratio(aid, EV_INTERIM, n, len(approved), pairs=_of(len(approved), PAIRS_ANY))
    return _Evidence(e.started, e.done and reg.all_pairs_finished, e.progress, e.text)


def _final_report(aid: str, reg: _Registries) -> _Evidence:
    report = FINAL_REPORT in reg.documents
    report_text = EV_FINAL_REPORT[0 if report else 1]
    approved = reg.approved_pairs
    if not approved:
        text = EV_FINAL_NO_PAIRS.format(id=aid, report=report_text)
        return _Evidence(report, report, 100 if report else None, text)
    answered = {f["pair_id"] for f in reg.feedback if f["kind"] == FINAL}
    n = sum(1 for p in approved if p in answered)
    pairs = _of(len(approved), PAIRS_ANY)
    e = _ratio(aid, EV_FINAL, n, len(approved), pairs=pairs, report=report_text)
    return _Evidence(e.started or report, report, 100 if report else e.progress, e.text)


def _letters(*kinds: str) -> Callable[[str, _Registries], _Evidence]:
    def rule(aid: str, reg: _Registries) -> _Evidence:
        ready = [kind in reg.documents for kind in kinds]
        parts = "; ".join(
            EV_LETTER_PART.format(whom=LETTERS_TO[kind], state=EV_LETTER_STATE[0 if ok else 1])
            for kind, ok in zip(kinds, ready, strict=True)
        )
        n = sum(ready)
        text = EV_LETTERS.format(id=aid, parts=parts)
        return _Evidence(n > 0, n == len(kinds), _pct(n, len(kinds)), text)

    return rule


def _best_practices(aid: str, reg: _Registries) -> _Evidence:
    if not reg.practices:
        return _Evidence(False, False, None, EV_PRACTICES_NONE.format(id=aid))
    count = len(reg.practices)
    consented = [p for p in reg.practices if p["publication_ok"].lower() == YES]
    unconsented = sum(1 for p in reg.practices if p["published_link"] and p["publication_ok"].lower() != YES)
    if consented:
        n = sum(1 for p in consented if p["published_link"])
        e = _ratio(aid, EV_PRACTICES, n, len(consented), count=count)
    else:
        e = _Evidence(True, False, None, EV_PRACTICES_NO_CONSENT.format(id=aid, count=count))
    text = e.text
    if unconsented:
        text += "; " + EV_PUBLISHED_WITHOUT_CONSENT.format(n=unconsented)
    return _Evidence(True, e.done, e.progress, text)


def _long_term_mentors(aid: str, reg: _Registries) -> _Evidence:
    long_term = {m["id"] for m in reg.mentors if m["long_term"].lower() == YES}
    text = EV_LONG_TERM.format(id=aid, count=len(long_term))
    active = {m["id"] for m in reg.mentors}  # a mentor who left is not expected in the registry
    finished = sorted({p["mentor_id"] for p in reg.pairs if reg.pair_stage.get(p["id"]) == FINISHED} & active)
    progress, done = None, False
    if finished:
        n = sum(1 for m in finished if m in long_term)
        progress, done = _pct(n, len(finished)), n == len(finished)
        text += "; " + EV_LONG_TERM_FINISHED.format(n=n, total=len(finished), pct=progress)
    ready = {
        f["participant_id"]
        for f in reg.feedback
        if f["kind"] == FINAL and f["role"] == MENTEE_ROLE and f["ready_to_mentor"].lower() == YES
    }
    if ready:
        text += "; " + EV_READY_MENTEES.format(n=len(ready))
    return _Evidence(bool(long_term), done, progress, text)


RULES: dict[str, Callable[[str, _Registries], _Evidence]] = {
    "mentee_consents": _mentee_consents,
    "needs_analysis": _needs_analysis,
    "mentor_directions": _mentor_directions,
    "mentors_trained": _mentors_trained,
    "pairs_approved": _pairs_approved,
    "pair_plans": _pair_plans,
    "meetings_vs_plan": _meetings_vs_plan,
    "interim_feedback": _interim_feedback,
    "final_report": _final_report,
    "final_event_letters": _letters("letters_mentors", "letters_partners"),
    "encouragement_letters": _letters("letters_mentors", "letters_mentees"),
    "best_practices": _best_practices,
    "long_term_mentors": _long_term_mentors,
}


def _iso(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _ru(iso: str) -> str:
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}" if _iso(iso) else iso


# --- the roadmap sheet ------------------------------------------------------------------


def compute_roadmap(
    frames: Mapping[str, pd.DataFrame],
    today: date,
    settings: RoadmapSettings,
    documents: Iterable[str] = (),
) -> RoadmapStatus:
    """The desired «Дорожная карта» frame (index: activity id) and Russian problems.

    ``frames`` holds the registries by schema name («roadmap» is the sheet as it is now, if
    any); ``documents`` names the generated documents (``DOCUMENTS``) that exist. Staff-owned
    cells («Срок (даты)», «Статус вручную», «Ссылка на документ») are carried over unchanged;
    a new row gets the deadline read from the document's phrase.
    """
    pair_stage, mentee_stage = compute_pair_stages(frames)
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
