"""The curator's edits to «Пары», read as the curator means them.

A person approves pairs in Excel or Google Sheets: «Утверждена » with a capital and a trailing
space means «утверждена»; a mentor's name typed instead of the ID means that mentor; a mentor
typed over a proposal means the curator chose that mentor (the pair is then the curator's,
«утверждена»). Status, stage, dates and the mentee's status are kept consistent: an approved pair
gets its «Утверждена» date, a finished or terminated one its «Завершена» date, a pair whose
evidence says «завершена» gets that status. Names beside the IDs spare the curator looking people
up on three sheets.
"""

from __future__ import annotations

from forms.answers import split_list
from sheets.schema import PAIR_STATUSES
from sync.ingest import Context, fold_name
from sync.registry import Registries

ACTIVE = ("утверждена", "пробная встреча", "план развития", "работа")
OPEN = "предложена"
APPROVED = "утверждена"
FINISHED = "завершена"
TERMINATED = "расторгнута"
ENDED = (FINISHED, TERMINATED)

CHOSEN_BY_CURATOR = "наставник выбран куратором"
NO_ONE = "не найден"
SEVERAL = "несколько участников с таким ФИО: {ids}"


def canonical_status(text: str) -> str:
    """A pair status as typed (any case, spaces, ё) -> the registry's word, or the text as is."""
    folded = fold_name(text)
    for status in PAIR_STATUSES:
        if fold_name(status) == folded:
            return status
    return text


def tidy_statuses(reg: Registries) -> None:
    """«Утверждена » -> «утверждена» in the sheet, so every later step reads what was meant."""
    for key, pair in reg["pairs"].items():
        status = canonical_status(pair["status"])
        if status != pair["status"]:
            reg.set_staff("pairs", key, "status", status)


def _people_index(rows: dict[str, dict[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(folded id -> id, folded full name -> ids) of one registry."""
    ids = {fold_name(k): k for k in rows}
    names: dict[str, list[str]] = {}
    for key, row in rows.items():
        if row.get("full_name", "").strip():
            names.setdefault(fold_name(row["full_name"]), []).append(key)
    return ids, names


def resolve_person(text: str, ids: dict[str, str], names: dict[str, list[str]]) -> tuple[str, str]:
    """(id, problem) for what the curator typed: an ID in any case, or an exact full name."""
    folded = fold_name(text)
    if not folded:
        return "", ""
    if folded in ids:
        return ids[folded], ""
    found = names.get(folded, [])
    if len(found) == 1:
        return found[0], ""
    if found:
        return "", SEVERAL.format(ids=", ".join(sorted(found)))
    return "", NO_ONE


def resolve_people(reg: Registries) -> dict[str, list[str]]:
    """Replace names (and lower-case IDs) typed in «Наставник»/«Наставляемые» by the IDs.

    Returns pair key -> problems (Russian) for what could not be resolved; those cells are left
    as typed, and the pair is reported by the pairing step.
    """
    mentor_ids, mentor_names = _people_index(reg["mentors"])
    mentee_ids, mentee_names = _people_index(reg["mentees"])
    problems: dict[str, list[str]] = {}
    for key, pair in reg["pairs"].items():
        typed = pair["mentor_id"].strip()
        found, why = resolve_person(typed, mentor_ids, mentor_names)
        if found and found != pair["mentor_id"]:
            reg.set_staff("pairs", key, "mentor_id", found)
        elif why:
            problems.setdefault(key, []).append(f"наставник «{typed}» {why}")
        members = split_list(pair["mentee_ids"])
        resolved = []
        for typed in members:
            found, why = resolve_person(typed, mentee_ids, mentee_names)
            resolved.append(found or typed)
            if why:
                problems.setdefault(key, []).append(f"наставляемый «{typed}» {why}")
        if resolved != members and all(resolved):
            reg.set_staff("pairs", key, "mentee_ids", "; ".join(resolved))
    return problems


def retyped(pair: dict[str, str]) -> bool:
    """An open proposal whose mentor the curator replaced."""
    return (
        pair["status"] == OPEN
        and bool(pair["proposed_mentor"].strip())
        and pair["mentor_id"].strip() != pair["proposed_mentor"].strip()
    )


def take_retyped_mentors(reg: Registries, ctx: Context) -> list[str]:
    """A mentor typed over a proposal is the curator's choice: the pair becomes «утверждена».

    Returns the keys of those pairs (their explanation and alternatives are computed afresh).
    Only a known mentor counts: an unknown one leaves the proposal as it is, reported.
    """
    chosen = []
    for key, pair in reg["pairs"].items():
        if retyped(pair) and pair["mentor_id"].strip() in reg["mentors"]:
            reg.set_staff("pairs", key, "status", APPROVED)
            chosen.append(key)
    return chosen


def fill_dates(reg: Registries, ctx: Context) -> None:
    """«Утверждена» and «Завершена» dates, when the status got there and staff left them empty."""
    today = ctx.today.isoformat()
    for key, pair in reg["pairs"].items():
        status = pair["status"]
        if status in (*ACTIVE, FINISHED) and not pair.get("approved_on", "").strip():
            reg.set_staff("pairs", key, "approved_on", today)
        if status in ENDED and not pair.get("ended_on", "").strip():
            reg.set_staff("pairs", key, "ended_on", today)


def settle_finished(reg: Registries) -> list[str]:
    """A pair with final feedback («Итоговая анкета участника») is «завершена» in «Статус» too.

    Run before matching, so the mentor's freed place is offered in the same run.
    """
    finished = {f["pair_id"].strip() for f in reg["feedback"].values() if f["kind"] == "итоговая"}
    done = []
    for key in sorted(finished):
        pair = reg["pairs"].get(key)
        if pair is not None and pair["status"] in ACTIVE:
            reg.set_staff("pairs", key, "status", FINISHED)
            done.append(key)
    return done


def fill_names(reg: Registries) -> None:
    """«ФИО наставника» and «ФИО наставляемых» beside the IDs (job-owned, recomputed)."""
    mentors, mentees = reg["mentors"], reg["mentees"]
    for pair in reg["pairs"].values():
        mentor = mentors.get(pair["mentor_id"].strip())
        pair["mentor_name"] = mentor["full_name"] if mentor else ""
        names = [mentees[m]["full_name"] if m in mentees else "" for m in split_list(pair["mentee_ids"])]
        pair["mentee_names"] = "; ".join(names) if any(names) else ""
