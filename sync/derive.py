"""Columns the job recomputes on every run from the registries themselves.

Consents are separate documents: they are linked to participants here, and each participant's
consent columns and status follow from them. Meeting reports and feedback are linked to pairs.
Problems that fix themselves when data arrives (a minor still without a parent's consent) are
kept in «Требует внимания» as open or fixed rows keyed by what they are about.
"""

from __future__ import annotations

from datetime import date

from forms.answers import normalise_email, split_list
from sync.curation import settle_finished, tidy_statuses
from sync.erasure import erase_withdrawn
from sync.ingest import MSG_MINOR_SELF, Context, age_on, fold_name
from sync.linking import link_reports
from sync.registry import Registries, honour_resolutions, local_stamp

ACTIVE_PAIR = ("утверждена", "пробная встреча", "план развития", "работа")
ENDED_PAIR = ("завершена",)

MSG_NO_PARENT_CONSENT = (
    "несовершеннолетний без согласия родителя (законного представителя) на обработку ПД — "
    "в подборе пары не участвует"
)
MSG_UNLINKED = "согласие не удалось связать с участником: нет анкеты с таким email и ФИО"


def _ru(iso: str) -> str:
    try:
        return date.fromisoformat(iso).strftime("%d.%m.%Y")
    except ValueError:
        return iso


def link_consents(reg: Registries) -> None:
    """Set each consent's participant: same email and name, else the only one with that email."""
    index: dict[str, list[tuple[str, str]]] = {}
    for sheet in ("mentees", "mentors"):
        for row in reg[sheet].values():
            if row["email"].strip():
                index.setdefault(normalise_email(row["email"]), []).append((row["id"], row["full_name"]))
    for consent in reg["consents"].values():
        linked = consent["participant_id"].strip()
        if not consent["subject_email"].strip() and (linked in reg["mentees"] or linked in reg["mentors"]):
            continue  # erased after a withdrawal, or added by one: the link is all that is left
        found = index.get(normalise_email(consent["subject_email"]), [])
        named = [pid for pid, name in found if fold_name(name) == fold_name(consent["subject_name"])]
        if named:
            consent["participant_id"] = named[0]
        elif len(found) == 1:
            consent["participant_id"] = found[0][0]
        else:
            consent["participant_id"] = ""


def consent_valid(consent: dict[str, str], birth_date: str, today: date) -> bool:
    """A consent counts unless withdrawn, or given by a minor for themself.

    An unreadable «Дата» is taken as ``today`` (the run's date, from the one clock).
    """
    if consent.get("withdrawn_on", "").strip():
        return False
    if birth_date and consent["given_by"] == "сам участник":
        try:
            given = date.fromisoformat(consent["given_on"])
        except ValueError:
            given = today
        age = age_on(birth_date, given)
        if age is not None and age < 18:
            return False
    return True


def latest_consents(reg: Registries, today: date) -> dict[tuple[str, str], dict[str, str]]:
    """(participant id, kind) -> the consent in force: the latest one, if it is valid.

    A later withdrawn or invalid consent leaves none in force (it does not bring back an older one).
    """
    latest: dict[tuple[str, str], dict[str, str]] = {}
    births = {pid: r["birth_date"] for pid, r in reg["mentees"].items()}
    for consent in sorted(reg["consents"].values(), key=lambda c: (c["given_on"], c["id"])):
        pid = consent["participant_id"]
        if pid and consent_valid(consent, births.get(pid, ""), today):
            latest[(pid, consent["kind"])] = consent
        elif pid:
            latest.pop((pid, consent["kind"]), None)  # a later invalid one replaces nothing
    return latest


def consent_columns(reg: Registries, today: date) -> None:
    """Fill «Согласие на ПД» / «Согласие на публикацию» from the latest valid consents."""
    latest = latest_consents(reg, today)

    def text(pid: str, kind: str) -> str:
        c = latest.get((pid, kind))
        if c is None:
            return ""
        scope = f", {c['scope']}" if c.get("scope") else ""
        return f"{_ru(c['given_on'])}, {c['given_by']}{scope} ({c['text_version']})"

    for row in reg["mentees"].values():
        row["pd_consent"] = text(row["id"], "обработка ПД")
        row["publication_consent"] = text(row["id"], "распространение ПД")
    for row in reg["mentors"].values():
        row["pd_consent"] = text(row["id"], "обработка ПД")


def pairs_of(reg: Registries) -> dict[str, list[dict[str, str]]]:
    """Participant id -> the pairs they are in (as mentor or mentee), newest id last."""
    out: dict[str, list[dict[str, str]]] = {}
    for pair in sorted(reg["pairs"].values(), key=lambda p: p["id"]):
        for pid in [pair["mentor_id"], *split_list(pair["mentee_ids"])]:
            out.setdefault(pid.strip(), []).append(pair)
    return out


def mentee_statuses(reg: Registries) -> None:
    """«ожидает согласия» -> «ожидает пары» -> «в паре» -> «завершил»; «выбыл» stays."""
    by_person = pairs_of(reg)
    for row in reg["mentees"].values():
        if row["status"] == "выбыл":
            continue
        pairs = by_person.get(row["id"], [])
        if any(p["status"] in ACTIVE_PAIR for p in pairs):
            row["status"] = "в паре"
        elif any(p["status"] in ENDED_PAIR for p in pairs):
            row["status"] = "завершил"
        elif not row["pd_consent"]:
            row["status"] = "ожидает согласия"
        else:
            row["status"] = "ожидает пары"


def consent_alerts(reg: Registries, ctx: Context) -> None:
    """Minors without a parent's consent, consents a minor gave themself, unlinked consents."""
    stamp = local_stamp(ctx.now, ctx.tz)
    for row in reg["mentees"].values():
        age = age_on(row["birth_date"], ctx.today)
        minor = age is not None and age < 18
        reg.alert(
            f"{row['id']}: согласие",
            minor and not row["pd_consent"] and row["status"] != "выбыл",
            stamp,
            form="Согласие на обработку персональных данных",
            response=row["id"],
            question="Кем дано согласие",
            reason=MSG_NO_PARENT_CONSENT,
        )
    births = {pid: r["birth_date"] for pid, r in reg["mentees"].items()}
    for consent in reg["consents"].values():
        pid = consent["participant_id"]
        reg.alert(
            f"{consent['id']}: связь",
            not pid,
            stamp,
            form="Согласия",
            response=consent["id"],
            question="Email, указанный в анкете участника",
            reason=MSG_UNLINKED,
        )
        invalid_minor = bool(pid) and not consent.get("withdrawn_on") and not consent_valid(
            consent, births.get(pid, ""), ctx.today
        )
        reg.alert(
            f"{consent['id']}: кем дано",
            invalid_minor,
            stamp,
            form="Согласия",
            response=consent["id"],
            question="Кем дано согласие",
            value=consent["given_by"],
            reason=MSG_MINOR_SELF,
        )


def derive(reg: Registries, ctx: Context) -> list[str]:
    """Recompute every derived column; cheap, idempotent, run on every sync.

    Returns the ids of the people whose data was erased this run (a withdrawn consent).
    """
    link_consents(reg)
    consent_columns(reg, ctx.today)
    erased = erase_withdrawn(reg, ctx)
    mentee_statuses(reg)
    link_reports(reg, ctx)
    tidy_statuses(reg)
    if settle_finished(reg):
        mentee_statuses(reg)
    consent_alerts(reg, ctx)
    honour_resolutions(reg)
    return erased
