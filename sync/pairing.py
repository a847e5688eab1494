"""Step 4 of the job: proposals in «Пары» for the curator, who stays in charge.

The curator sets «утверждена» or «отклонена», or types another mentor into a proposal; the
next run honours it. Approved and manual pairs are fixed (they take up places), a rejected or
terminated pair is never proposed again, and open proposals stay as they are while they still
fit, so proposals do not churn between cron runs. A proposal that no longer fits is marked
«снята» with the reason, and its mentee is matched again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from forms.answers import split_list
from forms.questionnaires import COMPETENCIES
from sync.cells import reading
from sync.config import Config
from sync.curation import CHOSEN_BY_CURATOR, resolve_people, take_retyped_mentors, tidy_statuses
from sync.ingest import Context
from sync.matching import (
    MatchResult,
    MatchSettings,
    Mentee,
    Mentor,
    Proposal,
    explain,
    pair_violation,
    propose_pairs,
    score,
)
from sync.matching.propose import MENTOR_FULL
from sync.matching.rules import id_order, mentoring_form, normalise, pair_format
from sync.registry import Registries, local_stamp

ACTIVE = ("утверждена", "пробная встреча", "план развития", "работа")
REFUSED = ("отклонена", "расторгнута")
OPEN = "предложена"
WITHDRAWN = "снята"
FINISHED = "завершена"

MSG_WITHDRAWN = "предложение снято: {why}"
GROUP_PREFIX = "группа: "
METHOD_NAMES = {"optimal": "наилучший по сумме оценок", "stable": "устойчивый", "greedy": "жадный"}
MSG_RULE = "пара нарушает правило подбора: {why}"
MSG_UNKNOWN = "в паре указан неизвестный участник: {ids}"
MSG_LEFT = "наставляемый выбыл из программы"
MSG_DISPLACED = "место наставника {mentor} занял выбор куратора (пара {pair})"
MSG_REPLACES = "прежнее предложение {pair} снято: {why}"
CYCLE_ENDED_KEY = "программа: цикл завершен"
MSG_CYCLE_ENDED = (
    "цикл программы {start}–{end} завершен: новые пары не предлагаются, предложения и пары остаются как "
    "есть. Следующий цикл: укажите в {file} [programme] start и end нового цикла и roadmap_year_shift "
    "(год начала минус 2022) — тогда подбор и дорожная карта пойдут по нему; участники, пары, документы "
    "и реестр долгосрочных наставников прежнего цикла сохраняются"
)


@dataclass
class PairingReport:
    """What the matching step did, for the CLI and the journal."""

    result: MatchResult | None
    new: int = 0
    kept: int = 0
    withdrawn: int = 0
    ended: date | None = None  # the cycle's last day, when the run is after it: nothing proposed
    waiting: int = 0
    undecided: int = 0

    def summary(self) -> str:
        if self.ended is not None:
            return (f"подбор пар: цикл программы завершился {self.ended:%d.%m.%Y} — новые пары не предлагаются "
                    f"(ожидают пары: {self.waiting}; предложений без решения: {self.undecided})")
        if self.result is None:
            return "подбор пар: наставляемых, ожидающих пары, нет"
        r = self.result
        method = METHOD_NAMES.get(r.method, r.method)
        text = (
            f"подбор пар: новых предложений {self.new}, сохранено {self.kept}, снято {self.withdrawn}, "
            f"без пары {len(r.unmatched)} (подобрано {r.matched}, сумма оценок {r.total_score}, "
            f"подбор {method}"
        )
        if r.blocking_pairs and r.method != "stable":
            text += (f"; пар, где наставник и наставляемый предпочли бы друг друга своим нынешним "
                     f"парам: {r.blocking_pairs}")
        return text + ")"


def settings_of(config: Config) -> MatchSettings:
    """The curator's matching settings from nastavnik.toml."""
    m = config.matching
    return MatchSettings(
        weights=dict(m.weights),
        cross_direction=m.cross_direction,
        require_training=m.require_training,
        priority=m.priority,
        method=m.method,
        named_needs=frozenset(normalise(o) for o in COMPETENCIES),
    )


# Cells matching reads; one that cannot be read holds its row (see ``held_rows``).
MENTOR_CELLS = ("direction", "experience_years", "capacity", "group_ok", "formats", "days", "trained", "status")
MENTEE_CELLS = ("category", "birth_date", "direction", "experience_years", "format", "days")


def held_rows(reg: Registries, sheet: str, cells: tuple[str, ...]) -> set[str]:
    """Keys of rows with a cell matching needs that cannot be read: nothing new is done for them.

    The typed-cell sweep (``sync.cells``) has already reported each such cell; until it is fixed
    the participant gets no new proposal and their open proposals stay exactly as they are.
    """
    if reg.unreadable is not None:  # the sweep has read every typed cell already
        return {key for name, key, column in reg.unreadable if name == sheet and column in cells}
    return {key for key in reg[sheet] if any(not reading(reg, sheet, key, c).ok for c in cells)}


def _number(reg: Registries, sheet: str, key: str, column: str, default: int) -> int:
    got = reading(reg, sheet, key, column)
    return got.value if isinstance(got.value, int) else default


def mentor_of(reg: Registries, key: str, held: bool = False) -> Mentor:
    """A «Наставники» row as the engine sees it; a held mentor is offered no new mentee."""
    row = reg["mentors"][key]
    capacity = _number(reg, "mentors", key, "capacity", 1)  # an empty cell: one mentee
    return Mentor(
        id=row["id"],
        full_name=row["full_name"],
        direction=row["direction"],
        competencies=tuple(split_list(row["competencies"])),
        days=tuple(split_list(row["days"])),
        formats=tuple(split_list(row["formats"])),
        department=row["department"],
        experience_years=_number(reg, "mentors", key, "experience_years", 0),
        capacity=0 if held else capacity,
        group_ok=reading(reg, "mentors", key, "group_ok").value is True,
        active=reading(reg, "mentors", key, "status").value in (None, "активен"),
        trained=reading(reg, "mentors", key, "trained").value is True,
    )


def mentee_of(reg: Registries, key: str, waiting: bool = True) -> Mentee:
    """A «Наставляемые» row as the engine sees it."""
    row = reg["mentees"][key]
    return Mentee(
        id=row["id"],
        full_name=row["full_name"],
        category=row["category"],
        direction=row["direction"],
        needs=tuple(split_list(row["needs"])),
        days=tuple(split_list(row["days"])),
        format=row["format"],
        department=row["department"],
        experience_years=_number(reg, "mentees", key, "experience_years", 0),
        preferred_mentor=row["preferred_mentor"],
        consent_ok=bool(row["pd_consent"]),
        waiting=waiting,
    )


def is_manual(pair: dict[str, str]) -> bool:
    """A proposal row whose mentor the curator typed (or a row staff added by hand)."""
    return pair["status"] in (OPEN, "") and pair["mentor_id"] != pair["proposed_mentor"]


def _alternatives(items: list[tuple[str, int]]) -> str:
    return "; ".join(f"{mentor} ({points})" for mentor, points in items)


def row_values(proposals: list[Proposal]) -> dict[str, str]:
    """The job's columns of a «Пары» row: one mentee, or a group of one mentor's mentees."""
    proposals = sorted(proposals, key=lambda p: id_order(p.mentee_id))
    if len(proposals) == 1:
        p = proposals[0]
        return {"mentoring_form": p.mentoring_form, "format": p.format, "score": str(p.score),
                "explanation": p.explanation, "alternatives": _alternatives(p.alternatives)}
    formats = {p.format for p in proposals}
    return {
        "mentoring_form": proposals[0].mentoring_form,
        "format": formats.pop() if len(formats) == 1 else "смешанный",
        "score": str(round(sum(p.score for p in proposals) / len(proposals))),
        "explanation": GROUP_PREFIX + " | ".join(f"{p.mentee_id}: {p.explanation}" for p in proposals),
        "alternatives": " | ".join(f"{p.mentee_id}: {_alternatives(p.alternatives)}" for p in proposals),
    }


def update_pairs(reg: Registries, ctx: Context, config: Config) -> PairingReport:
    """Propose mentors to waiting mentees and keep «Пары» in step with the curator's decisions."""
    settings = settings_of(config)
    tidy_statuses(reg)
    typed_problems = resolve_people(reg)
    chosen = set(take_retyped_mentors(reg, ctx))
    held_mentors = held_rows(reg, "mentors", MENTOR_CELLS)
    held_mentees = held_rows(reg, "mentees", MENTEE_CELLS)
    mentors = {k: mentor_of(reg, k, k in held_mentors) for k in reg["mentors"]}
    pairs = reg["pairs"]
    report = PairingReport(None)
    for key, pair in pairs.items():  # a mentee who left the programme is not proposed to
        members = split_list(pair["mentee_ids"])
        if pair["status"] == OPEN and members and all(
            reg["mentees"].get(m, {}).get("status") == "выбыл" for m in members
        ):
            reg.set_staff("pairs", key, "status", WITHDRAWN)
            pair["explanation"] = MSG_WITHDRAWN.format(why=MSG_LEFT)
            report.withdrawn += 1
    fixed: list[tuple[str, str]] = []
    rejected: set[tuple[str, str]] = set()
    keep: list[tuple[str, str]] = []
    busy: set[str] = set()
    held: set[str] = set()  # pairs left exactly as they are this run
    for key, pair in pairs.items():
        members = [(pair["mentor_id"].strip(), m) for m in split_list(pair["mentee_ids"])]
        people = {pair["mentor_id"].strip(), *(m for _, m in members)}
        if not reading(reg, "pairs", key, "status").ok or (
            pair["status"] == OPEN and people & (held_mentors | held_mentees)
        ):
            held.add(key)  # an unreadable status, or a held participant: hold the pair
            fixed += members
            busy.update(m for _, m in members)
        elif pair["status"] in REFUSED:
            rejected.update(members)
        elif pair["status"] in ACTIVE or is_manual(pair):
            fixed += members
            busy.update(m for _, m in members)
        elif pair["status"] == OPEN:
            keep += members
        elif pair["status"] == FINISHED:
            busy.update(m for _, m in members)
    waiting = [
        mentee_of(reg, key)
        for key, row in reg["mentees"].items()
        if key not in busy and key not in held_mentees and row["status"] == "ожидает пары"
    ]
    _check_fixed(reg, ctx, settings, mentors, rejected, held | _involving(pairs, held_mentors | held_mentees),
                 chosen, typed_problems)
    ended = ctx.today > config.end
    reg.alert(CYCLE_ENDED_KEY, ended, local_stamp(ctx.now, ctx.tz), form="Программа", response="",
              question="[programme] end", reason=MSG_CYCLE_ENDED.format(
                  start=f"{config.start:%d.%m.%Y}", end=f"{config.end:%d.%m.%Y}", file=config.path.name))
    if ended:  # a proposal for a programme that is over helps nobody; the unmatched rows stay as they are
        report.ended, report.waiting = config.end, len(waiting)
        report.undecided = sum(1 for p in pairs.values() if p["status"] == OPEN)
        return report
    if not waiting and not keep:
        _unmatched_alerts(reg, ctx, {})
        return report
    result = propose_pairs(waiting, list(mentors.values()), settings, fixed, rejected, keep)
    report.result = result
    open_rows: dict[tuple[str, str], str] = {}  # (mentor, mentee) -> its open proposal's row
    for key, pair in pairs.items():
        if pair["status"] == OPEN and not is_manual(pair) and key not in held:
            for mentee_id in split_list(pair["mentee_ids"]):
                open_rows[(pair["mentor_id"].strip(), mentee_id)] = key
    kept: dict[str, list[Proposal]] = defaultdict(list)
    new: dict[str, list[Proposal]] = defaultdict(list)
    for proposal in result.proposals:
        key = open_rows.get((proposal.mentor_id, proposal.mentee_id))
        (kept[key] if key is not None else new[proposal.mentor_id]).append(proposal)
    gone: dict[str, list[str]] = defaultdict(list)
    chosen_by_mentor = {pairs[k]["mentor_id"].strip(): k for k in sorted(chosen)}
    displaced: dict[str, str] = {}  # mentee -> why their proposal went (for the new proposal)
    for mentor_id, mentee_id, why in result.withdrawn:
        key = open_rows.get((mentor_id, mentee_id))
        if key is not None:
            if why == MENTOR_FULL and mentor_id in chosen_by_mentor:
                why = MSG_DISPLACED.format(mentor=mentor_id, pair=chosen_by_mentor[mentor_id])
            displaced[mentee_id] = MSG_REPLACES.format(pair=key, why=why)
            gone[key].append(why if len(split_list(pairs[key]["mentee_ids"])) == 1 else f"{mentee_id}: {why}")
    for key, proposals in kept.items():
        if key in gone:  # a group lost members: the rest stay together
            reg.set_staff("pairs", key, "mentee_ids", "; ".join(p.mentee_id for p in proposals))
        values = row_values(proposals)
        note = pairs[key]["explanation"].find("; " + MSG_REPLACES.split("{")[0])
        if note >= 0:  # why this proposal replaced another stays with it
            values["explanation"] += pairs[key]["explanation"][note:]
        pairs[key].update(values)
        report.kept += 1
    for key, reasons in gone.items():
        if key not in kept:
            reg.set_staff("pairs", key, "status", WITHDRAWN)
            pairs[key]["explanation"] = MSG_WITHDRAWN.format(why="; ".join(reasons))
            report.withdrawn += 1
    for mentor_id in sorted(new, key=id_order):
        proposals = new[mentor_id]
        if mentors[mentor_id].group_ok:  # one group per form: pupils and teachers apart
            by_form: dict[str, list[Proposal]] = defaultdict(list)
            for p in proposals:
                by_form[p.mentoring_form].append(p)
            groups = [by_form[form] for form in sorted(by_form)]
        else:
            groups = [[p] for p in proposals]
        for members in groups:
            values = row_values(members)
            notes = [displaced[p.mentee_id] for p in members if p.mentee_id in displaced]
            if notes:
                values["explanation"] += "; " + "; ".join(notes)
            reg.add("pairs", {
                **values,
                "mentor_id": mentor_id,
                "mentee_ids": "; ".join(p.mentee_id for p in members),
                "proposed_mentor": mentor_id,
                "status": OPEN,
                "proposed_on": ctx.today.isoformat(),
            })
            report.new += 1
    _unmatched_alerts(reg, ctx, dict(result.unmatched))
    return report


def _involving(pairs: dict[str, dict[str, str]], people: set[str]) -> set[str]:
    """Keys of the pairs with any of these participants."""
    return {
        key for key, pair in pairs.items()
        if {pair["mentor_id"].strip(), *split_list(pair["mentee_ids"])} & people
    }


def _check_fixed(
    reg: Registries, ctx: Context, settings: MatchSettings, mentors: dict[str, Mentor], rejected: set,
    held: set[str] = frozenset(), chosen: set[str] = frozenset(), typed: dict[str, list[str]] | None = None,
) -> None:
    """Explain the curator's own pairs too, and flag those that break a hard rule.

    ``held`` pairs (an unreadable cell of theirs is reported) are left as they are. A pair whose
    mentor the curator just chose (``chosen``) gets fresh alternatives: the best other mentors
    for its mentee, never its own mentor.
    """
    typed = typed or {}
    for key, pair in reg["pairs"].items():
        if key in held or not (pair["status"] in ACTIVE or is_manual(pair)):
            continue
        mentor = mentors.get(pair["mentor_id"].strip())
        mentee_ids = split_list(pair["mentee_ids"])
        unknown = [i for i in [pair["mentor_id"], *mentee_ids] if i.strip() and not (
            i.strip() in mentors or i.strip() in reg["mentees"])]
        problem = ""
        if unknown or mentor is None:
            problem = MSG_UNKNOWN.format(ids="; ".join(typed.get(key) or unknown or ["наставник не указан"]))
        if mentor is not None and not unknown:
            mentees = [mentee_of(reg, m) for m in mentee_ids]
            texts, scores = [], []
            for mentee in mentees:
                texts.append(explain(mentee, mentor, settings))
                scores.append(score(mentee, mentor, settings))
                why = pair_violation(mentee, mentor, settings, rejected - {(mentor.id, mentee.id)})
                problem = problem or (MSG_RULE.format(why=why) if why else "")
            if mentees:
                pair["explanation"] = " | ".join(texts)
                if key in chosen or (pair["proposed_mentor"].strip()
                                     and pair["proposed_mentor"].strip() != mentor.id):
                    pair["explanation"] = f"{CHOSEN_BY_CURATOR}; {pair['explanation']}"
                if key in chosen and len(mentees) == 1:
                    pair["alternatives"] = _alternatives(
                        _best_others(mentees[0], mentor.id, mentors, settings, rejected))
                pair["score"] = str(round(sum(scores) / len(scores)))
                pair["mentoring_form"] = mentoring_form(mentor, mentees[0]) or ""
                pair["format"] = pair_format(mentees[0], mentor)
        reg.alert(f"{key}: правило", bool(problem) and pair["status"] in ACTIVE + (OPEN, ""),
                  local_stamp(ctx.now, ctx.tz), form="Пары", response=key, question="Пары", reason=problem)


def _best_others(
    mentee: Mentee, own: str, mentors: dict[str, Mentor], settings: MatchSettings, rejected: set
) -> list[tuple[str, int]]:
    """The best mentors for a mentee other than ``own`` that the rules allow, best first."""
    scored = [
        (-score(mentee, m, settings), id_order(m.id), m.id)
        for m in mentors.values()
        if m.id != own and m.active and not pair_violation(mentee, m, settings, rejected)
    ]
    return [(mid, -neg) for neg, _, mid in sorted(scored)[: settings.alternatives]]


def _unmatched_alerts(reg: Registries, ctx: Context, unmatched: dict[str, str]) -> None:
    """A mentee still without a mentor is shown with the reason; the row closes when matched."""
    for key in reg["mentees"]:
        why = unmatched.get(key, "")
        reg.alert(f"{key}: подбор", bool(why), local_stamp(ctx.now, ctx.tz), form="Пары", response=key,
                  question="Подбор пары", reason=f"нет пары: {why}" if why else "")
