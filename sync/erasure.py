"""A withdrawn consent (152-ФЗ, ст. 9 ч. 2): the person's pairs end and their data is erased.

A consent is withdrawn by the form «Отзыв согласия на обработку персональных данных» or by
staff typing the date into «Отозвано» on «Согласия». On the next sync the person's active pairs
become «расторгнута» (open proposals «снята») with the reason, and their personal data — name,
email, phone, birth date, guardian, every free-text answer — is erased from every sheet,
«Требует внимания» and the hidden sheets included. An anonymised row (ID, category, direction,
dates) stays, so the programme's counts stay right. The journal says whose data was erased (the
ID only). Generated documents about the person are found by ``documents_of`` (one rule, also
used by the documents step that deletes them, locally or on Google Drive); the form's own
copy of the answers (Google Forms, CSV exports) is for staff to delete, and an attention row
says so.
"""

from __future__ import annotations

import hashlib
import json

from forms.answers import normalise_email, split_list
from sheets.typed import parse_date_text
from sync.ingest import Context, fold_name
from sync.registry import Registries, local_stamp

ERASED = "удалено (отзыв согласия)"
PD = "обработка ПД"
ACTIVE = ("утверждена", "пробная встреча", "план развития", "работа")

REASON = "отозвано согласие на обработку ПД {date}"
MSG_TERMINATED = "расторгнута: {reason}"
MSG_WITHDRAWN = "предложение снято: {reason}"
MSG_FORMS = (
    "согласие отозвано {date}: персональные данные участника удалены из реестров; удалите его "
    "ответы в Google Формах (или в выгрузках CSV){documents}, затем выберите «Решение куратора»"
)
MSG_DOCUMENTS = " и документы: {keys}"

# Columns that stay in an erased person's row: what counts need, nothing that names anyone.
KEEP = {
    "mentors": {"id", "direction", "capacity", "group_ok", "formats", "days", "experience_years", "trained",
                "status", "long_term", "pd_consent", "source", "added_on", "updated_at"},
    "mentees": {"id", "category", "direction", "needs", "format", "days", "experience_years", "pd_consent",
                "publication_consent", "status", "stage", "source", "added_on", "updated_at"},
}
CONSENT_PII = ("subject_name", "subject_email", "giver_name")
MEETING_PII = ("reporter_email", "mentee_name", "topic", "outcome")
FEEDBACK_PII = ("author_email", "author_name", "partner_name", "comment")
ATTENTION_PII = ("value", "answers")


def withdrawn_people(reg: Registries) -> dict[str, str]:
    """Participant id -> ISO date of withdrawal, for everyone whose consent to processing is withdrawn.

    A consent given after the withdrawal (the person came back) counts again.
    """
    by_person: dict[str, list[dict[str, str]]] = {}
    for consent in reg["consents"].values():
        if consent["kind"] == PD and consent["participant_id"].strip():
            by_person.setdefault(consent["participant_id"].strip(), []).append(consent)
    out = {}
    for pid, consents in by_person.items():
        # only a readable date withdraws: erasure cannot be undone, and a word typed into
        # «Отозвано» («скоро») is reported as an unreadable cell, not taken for a withdrawal
        withdrawn = sorted(d for c in consents if (d := _iso(c.get("withdrawn_on", ""))))
        if not withdrawn:
            continue
        last = withdrawn[-1]
        if any(not c.get("withdrawn_on", "").strip() and c["given_on"] > last for c in consents):
            continue
        out[pid] = last
    return out


def _iso(text: str) -> str:
    """A date cell as ISO text ("" if unreadable): staff type 05.03.2027 or 2027-03-05."""
    parsed = parse_date_text(text)
    return parsed.isoformat() if parsed else ""


def pairs_of(reg: Registries, person: str) -> set[str]:
    """Keys of every pair the person is in, as mentor or as one of the mentees."""
    return {key for key, pair in reg["pairs"].items()
            if person in (pair["mentor_id"].strip(), *split_list(pair["mentee_ids"]))}


def documents_of(reg: Registries, person: str) -> list[str]:
    """Keys of the generated documents that belong to a person, by «Документы»: made for them
    (a letter) or for a pair they are in (its ИПР names every member).

    The one rule for both: erasure lists these in its attention row, and the documents step
    (``sync.documents.make.erase_documents``) deletes them, locally or on Google Drive.
    """
    if "documents" not in reg.rows:
        return []
    mine = {person, *pairs_of(reg, person)}
    return sorted(key for key, doc in reg["documents"].items() if doc.get("subject_id", "").strip() in mine)


def _ru(iso: str) -> str:
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}" if len(iso) == 10 else iso


def erase_withdrawn(reg: Registries, ctx: Context) -> list[str]:
    """End the pairs and erase the data of everyone who withdrew; returns their ids (sorted)."""
    people = withdrawn_people(reg)
    erased = []
    for pid in sorted(people):
        sheet = "mentors" if pid in reg["mentors"] else "mentees" if pid in reg["mentees"] else ""
        if not sheet:
            continue
        reason = REASON.format(date=_ru(people[pid]))
        _end_pairs(reg, pid, reason, people[pid])
        if _erase_person(reg, sheet, pid, _marks(reg, sheet, pid)):
            erased.append(pid)
        documents = documents_of(reg, pid)
        reg.alert(
            f"{pid}: отзыв согласия", True, local_stamp(ctx.now, ctx.tz), form="Отзыв согласия",
            response=pid, reason=MSG_FORMS.format(
                date=_ru(people[pid]),
                documents=MSG_DOCUMENTS.format(keys=", ".join(documents)) if documents else ""),
        )
    return erased


def _end_pairs(reg: Registries, pid: str, reason: str, on: str) -> None:
    """Active pairs -> «расторгнута», open proposals -> «снята»."""
    for key in sorted(pairs_of(reg, pid)):
        pair = reg["pairs"][key]
        if pair["status"] in ACTIVE:
            reg.set_staff("pairs", key, "status", "расторгнута")
            if not pair.get("ended_on", "").strip():
                reg.set_staff("pairs", key, "ended_on", on)
            pair["explanation"] = MSG_TERMINATED.format(reason=reason)
        elif pair["status"] in ("предложена", ""):
            reg.set_staff("pairs", key, "status", "снята")
            pair["explanation"] = MSG_WITHDRAWN.format(reason=reason)


def _blank(reg: Registries, sheet: str, key: str, columns) -> bool:
    """Erase these cells of a row (staff's too); whether anything was still there."""
    row = reg[sheet][key]
    changed = False
    for column in columns:
        if column in row and row[column] not in ("", ERASED):
            new = ERASED if column == "full_name" else ""
            reg.set_staff(sheet, key, column, new)
            changed = True
    return changed


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _name_forms(name: str) -> set[str]:
    """The ways a name is typed that erasure recognises: in full, or the first two words."""
    words = fold_name(name).split()
    return {" ".join(words), " ".join(words[:2])} - {""}


def _marks(reg: Registries, sheet: str, pid: str) -> set[str]:
    """Digests of the person's name and email, kept in «Служебное» after the data is gone.

    Answers still arrive from forms after the erasure (staff delete the form's copy later);
    these digests let each run erase a new answer naming the person without keeping the name.
    """
    key = f"стерто {pid}"
    kept = reg.service(key)
    if kept:
        return set(kept.split(","))
    row = reg[sheet][pid]
    marks = {_digest(f) for f in _name_forms(row.get("full_name", ""))}
    if normalise_email(row.get("email", "")):
        marks.add(_digest(normalise_email(row["email"])))
    reg.set_service(key, ",".join(sorted(marks)))
    return marks


def _erase_person(reg: Registries, sheet: str, pid: str, marks: set[str]) -> bool:
    """Every sheet's personal data of one person; whether anything was erased this run."""
    row = reg[sheet][pid]
    changed = _blank(reg, sheet, pid, [c for c in row if c not in KEEP[sheet]])
    if sheet == "mentees":
        row["status"] = "выбыл"
    else:
        for column, value in (("status", "выбыл"), ("long_term", "нет")):
            if row[column] != value:
                reg.set_staff(sheet, pid, column, value)
    for key, consent in reg["consents"].items():
        if consent["participant_id"].strip() == pid:
            changed |= _blank(reg, "consents", key, CONSENT_PII)
    for key, meeting in reg["meetings"].items():
        if meeting["reporter_id"].strip() == pid or _names(marks, meeting.get("mentee_name", "")):
            changed |= _blank(reg, "meetings", key, MEETING_PII)
    for key, answer in reg["feedback"].items():
        if answer["participant_id"].strip() == pid:
            changed |= _blank(reg, "feedback", key, FEEDBACK_PII)
        elif _names(marks, answer.get("partner_name", "")):
            changed |= _blank(reg, "feedback", key, ("partner_name",))
    for key, other in reg["mentees"].items():
        if _names(marks, other.get("preferred_mentor", "")):
            changed |= _blank(reg, "mentees", key, ("preferred_mentor",))
    for key, item in reg["attention"].items():
        if item.get("response", "").strip() == pid or _mentions(item, marks):
            changed |= _blank(reg, "attention", key, ATTENTION_PII)
    return changed


def _names(marks: set[str], typed: str) -> bool:
    """Whether a typed name is this person's (in full, or its first two words)."""
    return any(_digest(f) in marks for f in _name_forms(typed))


def _mentions(item: dict[str, str], marks: set[str]) -> bool:
    """Whether a «Требует внимания» row holds this person's answer (by email or name)."""
    text = item.get("answers", "")
    try:
        answers = json.loads(text) if text else {}
    except ValueError:
        answers = {}
    values = [str(v) for v in (answers.values() if isinstance(answers, dict) else [])]
    values.append(item.get("value", ""))
    return any(_digest(normalise_email(v)) in marks or _names(marks, v) for v in values if v.strip())
