"""Evidence rules: what the registries say about each roadmap activity (``rule`` in roadmap.toml)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sync.roadmap.stages import _rank
from sync.roadmap.texts import (
    ACTIVE_STAGES,
    APPROVED_LADDER,
    EV_CONSENTS,
    EV_DIRECTIONS,
    EV_DIRECTIONS_MISSING,
    EV_DIRECTIONS_UNKNOWN,
    EV_FINAL,
    EV_FINAL_NO_PAIRS,
    EV_FINAL_REPORT,
    EV_INTERIM,
    EV_LETTER_PART,
    EV_LETTER_STATE,
    EV_LETTERS,
    EV_LONG_TERM,
    EV_LONG_TERM_FINISHED,
    EV_LONG_TERM_PAIRED,
    EV_MEETINGS,
    EV_MEMO,
    EV_MENTORS,
    EV_NEEDS,
    EV_NEEDS_REPORT,
    EV_NO_APPROVED,
    EV_NO_MEETINGS,
    EV_NO_MENTEES,
    EV_NO_MENTORS,
    EV_NO_PLAN,
    EV_PAIRS,
    EV_PAIRS_NO_ELIGIBLE,
    EV_PAIRS_NONE,
    EV_PLAN_AHEAD,
    EV_PLANS,
    EV_PRACTICES,
    EV_PRACTICES_NO_CONSENT,
    EV_PRACTICES_NONE,
    EV_PUBLISHED_WITHOUT_CONSENT,
    EV_READY_MENTEES,
    EV_REQUESTS,
    EV_TRAINED,
    FINAL,
    FINAL_REPORT,
    FINISHED,
    INTERIM,
    LETTERS_TO,
    MEMOS_FOR,
    MENTEE_ROLE,
    NEEDS_REPORT,
    PAIRS_ANY,
    PAIRS_APPROVED,
    PLAN,
    PROPOSED,
    TRIAL,
    WHAT_DIRECTIONS,
    WHOM_MENTEES,
    WHOM_MENTORS,
    YES,
)

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


def _requests(aid: str, reg: _Registries) -> _Evidence:
    """1.3: the preliminary requests are the needs the applications carry, and the mentors' forms."""
    total = len(reg.mentees)
    if not total:
        return _Evidence(bool(reg.mentors), False, None, EV_NO_MENTEES.format(id=aid))
    n = sum(1 for m in reg.mentees if m["needs"])
    pct = _pct(n, total)
    text = EV_REQUESTS.format(id=aid, n=n, total=total, whom=_of(total, WHOM_MENTEES), pct=pct,
                              mentors=len(reg.mentors))
    return _Evidence(n > 0 or bool(reg.mentors), n == total and bool(reg.mentors), pct, text)


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
    today = reg.today.isoformat()
    held = sum(1 for m in reg.meetings if m["held_on"] and m["held_on"] <= today)
    planned = [m for m in reg.meetings if m["planned_on"]]
    if not planned:
        if not held:
            return _Evidence(False, False, None, EV_NO_MEETINGS.format(id=aid))
        return _Evidence(True, False, None, EV_NO_PLAN.format(id=aid, held=held))
    due = [m for m in planned if _iso(m["planned_on"]) and m["planned_on"] <= today]
    all_held = all(m["held_on"] for m in planned)
    done = all_held and reg.all_pairs_finished
    if not due:
        first = min((m["planned_on"] for m in planned if _iso(m["planned_on"])), default="")
        text = EV_PLAN_AHEAD.format(id=aid, planned=len(planned), first=_ru(first), held=held)
        return _Evidence(held > 0, done, None, text)
    n = sum(1 for m in due if m["held_on"] and m["held_on"] <= today)
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


def _memo(kind: str) -> Callable[[str, _Registries], _Evidence]:
    def rule(aid: str, reg: _Registries) -> _Evidence:
        made = kind in reg.documents
        text = EV_MEMO[0 if made else 1].format(id=aid, whom=MEMOS_FOR[kind])
        return _Evidence(made, made, 100 if made else 0, text)

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
    """7.4: of the mentors who worked in a pair, how many are in the long-term registry.

    The base is every mentor with an approved pair, not only the finished ones, so the figure
    grows as pairs finish and never drops because more pairs came to an end.
    """
    long_term = {m["id"] for m in reg.mentors if m["long_term"].lower() == YES}
    text = EV_LONG_TERM.format(id=aid, count=len(long_term))
    active = {m["id"] for m in reg.mentors}  # a mentor who left is not expected in the registry
    stages = {p["id"]: reg.pair_stage.get(p["id"]) for p in reg.pairs}
    paired = sorted({p["mentor_id"] for p in reg.pairs if stages[p["id"]] in APPROVED_LADDER} & active)
    finished = sorted({p["mentor_id"] for p in reg.pairs if stages[p["id"]] == FINISHED} & active)
    progress, done = None, False
    if paired:
        n = sum(1 for m in paired if m in long_term)
        progress = _pct(n, len(paired))
        done = n == len(paired) and reg.all_pairs_finished
        text += "; " + EV_LONG_TERM_PAIRED.format(n=n, total=len(paired), pct=progress)
    if finished:
        n = sum(1 for m in finished if m in long_term)
        text += "; " + EV_LONG_TERM_FINISHED.format(n=n, total=len(finished), pct=_pct(n, len(finished)))
    ready = {
        f["participant_id"]
        for f in reg.feedback
        if f["kind"] == FINAL and f["role"] == MENTEE_ROLE and f["ready_to_mentor"].lower() == YES
    }
    if ready:
        text += "; " + EV_READY_MENTEES.format(n=len(ready))
    return _Evidence(bool(long_term), done, progress, text)


RULES: dict[str, Callable[[str, _Registries], _Evidence]] = {
    "requests": _requests,
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
    "memo_mentees": _memo("memo_mentees"),
    "memo_mentors": _memo("memo_mentors"),
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
