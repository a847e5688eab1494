"""Step 3 of the job: form responses -> registry rows, by participant key; the rest quarantined.

Each response is applied at most once (its id goes to «Обработанные ответы»), a later response
of the same participant is an edit of the earlier one, and whatever cannot be taken goes to
«Требует внимания» with the response, the question and a Russian reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from forms.answers import ParsedResponse, Problem, normalise_email, parse_response
from forms.questionnaires import (
    CONSENT_WITHDRAWAL,
    FINAL_SURVEY,
    INTERIM_FEEDBACK,
    MEETING_REPORT,
    MENTEE_APPLICATION,
    MENTOR_APPLICATION,
    PD_CONSENT,
    PUBLICATION_CONSENT,
)
from forms.responses import Response
from forms.spec import FormSpec
from forms.text import MARK, clean_response
from sheets.schema import BY_NAME, Owner
from sync import crashlog
from sync.registry import Registries, local_stamp

# Consents first: a consent is kept as its own row and linked to its person later, so when a
# backlog is written in parts no person is ever written without the consents that cover them
# (no false «без согласия» in between). Applications before reports and feedback, which must
# find their author.
FORM_ORDER: tuple[FormSpec, ...] = (
    PD_CONSENT,
    PUBLICATION_CONSENT,
    MENTOR_APPLICATION,
    MENTEE_APPLICATION,
    MEETING_REPORT,
    INTERIM_FEEDBACK,
    FINAL_SURVEY,
    CONSENT_WITHDRAWAL,  # last: a withdrawal covers whatever the same run took of the person
)

ACCEPTED = "принят"
EDITED = "принят как правка"
STALE = "пропущен: есть более поздний ответ"
QUARANTINED = "требует внимания"

MSG_EMAIL_TAKEN = (
    "этот адрес уже указан у участника {id} с другим ФИО; "
    "если это исправление ФИО, внесите его в реестр вручную"
)
MSG_GUARDIAN = "участнику нет 18 лет: укажите родителя (законного представителя)"
MSG_BIRTH = "дата рождения вне разумных пределов"
MSG_UNKNOWN_AUTHOR = "автор ответа не найден среди участников программы (адрес не совпадает с анкетой)"
MSG_NOT_AGREED = "согласие не подтверждено"
MSG_REPLACED = (
    "в ответе {n} симв. не могут храниться в таблице (управляющие символы) — заменены на «{mark}»; "
    "ответ принят, сверьте его с оригиналом"
)
MSG_UNDECODED = (
    "в выгрузке здесь были байты не в кодировке UTF-8 — заменены на «{mark}»; ответ принят, "
    "сверьте его с формой"
)
MSG_NOT_WITHDRAWN = "отзыв согласия не подтвержден"
MSG_NO_SUBJECT = "участник с таким email и ФИО не найден в реестрах — проверьте и внесите дату в «Отозвано» вручную"
MSG_MINOR_SELF = "участнику нет 18 лет: согласие дает родитель или законный представитель"


def fold_name(name: str) -> str:
    """A name for comparison: case, ё/е and spacing do not matter."""
    return " ".join(name.replace("ё", "е").replace("Ё", "Е").split()).casefold()


def name_fits(typed: str, full_name: str) -> bool:
    """Whether a typed name means this person: the same words, or some of them («Зуева Арина»)."""
    words = fold_name(typed).split()
    return bool(words) and set(words) <= set(fold_name(full_name).split())


def people_with_email(reg: Registries, email: str) -> list[str]:
    """Ids of every mentor and mentee who use this email (a parent's may cover two children)."""
    email = normalise_email(email)
    if not email:
        return []
    return [
        key
        for sheet in ("mentors", "mentees")
        for key, row in reg[sheet].items()
        if normalise_email(row.get("email", "")) == email
    ]


def pick_author(reg: Registries, email: str, name: str) -> tuple[list[str], str]:
    """(the author's candidate ids, the one author or "") from the email and the typed name."""
    found = people_with_email(reg, email)
    if len(found) > 1 and name.strip():
        rows = {**reg["mentees"], **reg["mentors"]}
        found = [k for k in found if name_fits(name, rows[k].get("full_name", ""))] or found
    return found, found[0] if len(found) == 1 else ""


def age_on(birth: str, today: date) -> int | None:
    """Full years on ``today`` for an ISO birth date, or None."""
    try:
        b = date.fromisoformat(birth)
    except ValueError:
        return None
    return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


@dataclass
class Context:
    """What a run knows while ingesting."""

    now: datetime
    tz: ZoneInfo

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()


@dataclass
class IngestReport:
    """Counts for the journal and the CLI."""

    accepted: int = 0
    edited: int = 0
    quarantined: int = 0
    stale: int = 0
    deferred: int = 0  # left for the next part (see ``limit``)
    by_form: dict[str, int] = field(default_factory=dict)

    @property
    def new_responses(self) -> int:
        return self.accepted + self.edited + self.quarantined + self.stale

    def merge(self, part: IngestReport) -> None:
        """Add the counts of a later part of the same run (``deferred``: what is left now)."""
        self.accepted += part.accepted
        self.edited += part.edited
        self.quarantined += part.quarantined
        self.stale += part.stale
        self.deferred = part.deferred
        for code, count in part.by_form.items():
            self.by_form[code] = self.by_form.get(code, 0) + count


Outcome = tuple[str, str, list[Problem]]  # (participant id, result, problems)


def ingest(
    reg: Registries, batches: dict[str, list[Response]], ctx: Context, limit: int | None = None
) -> IngestReport:
    """Apply unprocessed responses of every form, in a fixed order, to the registries.

    At most ``limit`` responses are taken in one call, so that one write stays within what one
    request may carry; the rest are counted ``deferred`` (not marked processed, the form's
    watermark stops before them) and taken by the next call (see ``sync.job.compute_plan``).
    """
    report = IngestReport()
    processed = reg["processed"]
    for spec in FORM_ORDER:
        memo: dict = {}  # distinct answers parsed once per form (see parse_response)
        responses = sorted(
            batches.get(spec.code, []),
            key=lambda r: (r.submitted_at is None, r.submitted_at or ctx.now, r.row, r.response_id),
        )
        for response in responses:
            if response.response_id in processed:
                continue
            if limit is not None and report.new_responses >= limit:
                report.deferred += 1
                continue
            crashlog.CURRENT["ответ"] = f"{spec.code} {response.ref}"
            response, replaced = clean_response(response)
            parsed = parse_response(spec, response, memo)
            if parsed.ok:
                participant, result, problems = HANDLERS[spec.target](reg, spec, parsed, ctx)
            else:
                participant, result, problems = "", QUARANTINED, parsed.problems
            if problems:
                result = QUARANTINED
                quarantine(reg, spec, response, problems, ctx)
            elif result in (ACCEPTED, EDITED):
                close_corrected(reg, spec, response)
            repaired = repair_notes(response, replaced)
            if repaired:
                quarantine(reg, spec, response, repaired, ctx)
            reg.add(
                "processed",
                {
                    "id": response.response_id,
                    "form": spec.title,
                    "submitted_at": local_stamp(response.submitted_at, ctx.tz)
                    if response.submitted_at
                    else response.raw_timestamp,
                    "participant_id": participant,
                    "result": result,
                    "processed_at": local_stamp(ctx.now, ctx.tz),
                },
            )
            _advance_watermark(reg, spec, response)
            report.by_form[spec.code] = report.by_form.get(spec.code, 0) + 1
            if result == QUARANTINED:
                report.quarantined += 1
            elif result == EDITED:
                report.edited += 1
            elif result == STALE:
                report.stale += 1
            else:
                report.accepted += 1
    crashlog.CURRENT.pop("ответ", None)
    return report


def repair_notes(response: Response, replaced: dict[str, int]) -> list[Problem]:
    """What was replaced in a response so it could be stored, as attention rows (Russian)."""
    notes = [
        Problem(title, "", MSG_REPLACED.format(n=n, mark=MARK)) for title, n in replaced.items()
    ]
    notes += [Problem(title, "", MSG_UNDECODED.format(mark=MARK)) for title in response.damaged]
    return notes


def _advance_watermark(reg: Registries, spec: FormSpec, response: Response) -> None:
    if response.submitted_at is None:
        return
    name = f"отметка {spec.code}"
    stamp = response.submitted_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if stamp > reg.service(name):
        reg.set_service(name, stamp)


def watermark(reg: Registries, code: str) -> datetime | None:
    """The latest submission time already taken from a form (for the Forms API filter)."""
    text = reg.service(f"отметка {code}")
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def quarantine(
    reg: Registries, spec: FormSpec, response: Response, problems: list[Problem], ctx: Context
) -> None:
    """One «Требует внимания» row per problem, with the whole response kept beside it."""
    answers = json.dumps(
        {"Адрес электронной почты": response.email, **response.answers}, ensure_ascii=False
    )
    for p in problems:
        reg.add(
            "attention",
            {
                "found_at": local_stamp(ctx.now, ctx.tz),
                "form": spec.title,
                "response": response.ref,
                "submitted_at": local_stamp(response.submitted_at, ctx.tz)
                if response.submitted_at
                else response.raw_timestamp,
                "question": p.question,
                "value": p.value,
                "reason": p.reason,
                "status": "открыто",
                "answers": answers,  # whole: a store keeps what its cell cannot beside the book
            },
        )


def close_corrected(reg: Registries, spec: FormSpec, response: Response) -> None:
    """A corrected answer of the same person to the same form closes the rows of the bad one.

    The person is the email plus, where the form asks it, the name (a parent's email may cover
    two children, and one child's good answer must not close the other's).
    """
    email = normalise_email(response.email)
    if not email:
        return
    name_question = next((q.title for q in spec.questions if q.target in ("full_name", "subject_name")), None)
    name = fold_name(str(response.answers.get(name_question, ""))) if name_question else ""
    for row in reg["attention"].values():
        if row["status"] != "открыто" or row["form"] != spec.title or not row["answers"]:
            continue
        try:
            answers = json.loads(row["answers"])
        except ValueError:
            continue
        if not isinstance(answers, dict):
            continue
        same_name = bool(name) and fold_name(str(answers.get(name_question, ""))) == name
        same_email = normalise_email(str(answers.get("Адрес электронной почты", ""))) == email
        if same_email and (not name or name_question not in answers or same_name) or (
            not same_email and same_name
        ):  # a mistyped email corrected keeps the name
            row["status"] = "исправлено"


@cache
def _form_columns(sheet: str) -> tuple[str, ...]:
    return tuple(c.name for c in BY_NAME[sheet].columns if c.owner is Owner.FORM)


@cache
def _names(sheet: str) -> frozenset[str]:
    """The sheet's column names, made once (not once per answer)."""
    return frozenset(BY_NAME[sheet].names)


def _upsert(
    reg: Registries,
    sheet: str,
    existing: dict[str, str] | None,
    values: dict[str, str],
    response: Response,
    ctx: Context,
    defaults: dict[str, str],
) -> Outcome:
    stamp = local_stamp(response.submitted_at, ctx.tz)  # parsed responses have a time
    if existing is not None:
        if existing.get("updated_at", "") > stamp:
            return existing["id"], STALE, []
        for name in _form_columns(sheet):
            if name in values:
                existing[name] = values[name]
        existing["updated_at"] = stamp
        return existing["id"], EDITED, []
    row = reg.add(
        sheet,
        {
            **defaults,
            **{k: v for k, v in values.items() if k in _names(sheet)},
            "source": f"анкета {response.ref}",
            "added_on": ctx.today.isoformat(),
            "updated_at": stamp,
        },
    )
    return row["id"], ACCEPTED, []


def _by_email(reg: Registries, sheet: str, email: str, column: str = "email") -> list[dict[str, str]]:
    """Rows of ``sheet`` with this (normalised) email, by index: no scan per answer."""
    return reg.lookup(sheet, column, email, normalise_email)


def take_mentor(reg: Registries, spec: FormSpec, parsed: ParsedResponse, ctx: Context) -> Outcome:
    """A mentor application: one mentor per email."""
    v = parsed.values
    same = _by_email(reg, "mentors", v["email"])
    existing = None
    if same:
        existing = next((r for r in same if fold_name(r["full_name"]) == fold_name(v["full_name"])), None)
        if existing is None:
            msg = MSG_EMAIL_TAKEN.format(id=same[0]["id"])
            return "", QUARANTINED, [Problem("ФИО", v["full_name"], msg)]
    defaults = {"trained": "нет", "status": "активен", "long_term": "нет"}
    return _upsert(reg, "mentors", existing, v, parsed.response, ctx, defaults)


def take_mentee(reg: Registries, spec: FormSpec, parsed: ParsedResponse, ctx: Context) -> Outcome:
    """A mentee application: email plus name, since a parent may register several children."""
    v = parsed.values
    age = age_on(v["birth_date"], ctx.today)
    if age is None or age < 5 or age > 90:
        return "", QUARANTINED, [Problem("Дата рождения", v["birth_date"], MSG_BIRTH)]
    if age < 18 and not v.get("guardian"):
        return "", QUARANTINED, [Problem("ФИО родителя (законного представителя)", "", MSG_GUARDIAN)]
    same = _by_email(reg, "mentees", v["email"])
    existing = next((r for r in same if fold_name(r["full_name"]) == fold_name(v["full_name"])), None)
    if existing is None and same:
        siblings = v["category"] == "обучающийся" and all(
            r["category"] == "обучающийся" for r in same
        )
        if not siblings:
            msg = MSG_EMAIL_TAKEN.format(id=same[0]["id"])
            return "", QUARANTINED, [Problem("ФИО", v["full_name"], msg)]
    return _upsert(reg, "mentees", existing, v, parsed.response, ctx, {})


def take_consent(reg: Registries, spec: FormSpec, parsed: ParsedResponse, ctx: Context) -> Outcome:
    """A consent: kept as its own row (a separate document), linked to the participant later."""
    v = parsed.values
    if spec is CONSENT_WITHDRAWAL:
        return take_withdrawal(reg, spec, parsed, ctx)
    if spec is PD_CONSENT and not v.get("agreed"):
        return "", QUARANTINED, [Problem("Подтверждение", "", MSG_NOT_AGREED)]
    response = parsed.response
    row = reg.add(
        "consents",
        {
            "kind": "обработка ПД" if spec is PD_CONSENT else "распространение ПД",
            "subject_name": v["subject_name"],
            "subject_email": v["subject_email"],
            "given_by": v["given_by"],
            "giver_name": v["giver_name"],
            "scope": v.get("scope", ""),
            "given_on": response.submitted_at.astimezone(ctx.tz).date().isoformat(),
            "text_version": spec.text_version,
        },
    )
    return row["id"], ACCEPTED, []


def find_author(reg: Registries, email: str) -> tuple[str, str] | None:
    """(sheet, id) of the mentor or mentee who uses this email; mentors first."""
    for sheet in ("mentors", "mentees"):
        found = _by_email(reg, sheet, email)
        if found:
            return sheet, found[0]["id"]
    return None


def _take_authored(reg: Registries, sheet: str, parsed: ParsedResponse, extra: dict[str, str]) -> Outcome:
    """A meeting report or feedback: kept with its author, a known mentor or mentee."""
    v = parsed.values
    candidates, author = pick_author(reg, v["email"], v.get("author_name", ""))
    if not candidates:
        return "", QUARANTINED, [Problem("Адрес электронной почты", "", MSG_UNKNOWN_AUTHOR)]
    if sheet == "meetings" and not author:  # mentors first, as before: a parent does not report
        author = next((k for k in candidates if k in reg["mentors"]), candidates[0])
    names = BY_NAME[sheet].names
    row = reg.add(sheet, {**{k: v[k] for k in v if k in names}, **extra, "reporter_id": author,
                          "participant_id": author, "author_email": v["email"]})
    return row["id"], ACCEPTED, []


def take_meeting(reg: Registries, spec: FormSpec, parsed: ParsedResponse, ctx: Context) -> Outcome:
    """A meeting report from a mentor (or a mentee)."""
    return _take_authored(reg, "meetings", parsed, {"reporter_email": parsed.values["email"]})


def take_feedback(reg: Registries, spec: FormSpec, parsed: ParsedResponse, ctx: Context) -> Outcome:
    """Interim or final feedback of a participant."""
    answered = parsed.response.submitted_at.astimezone(ctx.tz).date().isoformat()
    kind = "итоговая" if spec is FINAL_SURVEY else "промежуточная"
    return _take_authored(reg, "feedback", parsed, {"kind": kind, "answered_on": answered})


def take_withdrawal(reg: Registries, spec: FormSpec, parsed: ParsedResponse, ctx: Context) -> Outcome:
    """A withdrawal of consent: the date goes to «Отозвано» of the person's consents.

    The erasure itself is the derive step's (``sync.erasure``), the same for a date typed by
    staff. A person without a recorded consent gets a withdrawn consent row, so it is found.
    """
    v = parsed.values
    if not v.get("agreed"):
        return "", QUARANTINED, [Problem("Подтверждение", "", MSG_NOT_WITHDRAWN)]
    candidates = people_with_email(reg, normalise_email(v["subject_email"]))
    rows = {**reg["mentees"], **reg["mentors"]}
    named = [k for k in candidates if fold_name(rows[k]["full_name"]) == fold_name(v["subject_name"])]
    found = named or (candidates if len(candidates) == 1 else [])
    if len(found) != 1:
        return "", QUARANTINED, [Problem("ФИО участника программы", v["subject_name"], MSG_NO_SUBJECT)]
    pid = found[0]
    on = parsed.response.submitted_at.astimezone(ctx.tz).date().isoformat()
    consents = [k for k, c in reg["consents"].items() if c["participant_id"].strip() == pid
                or (normalise_email(c["subject_email"]) == normalise_email(v["subject_email"])
                    and fold_name(c["subject_name"]) == fold_name(rows[pid]["full_name"]))]
    for key in consents:
        if not reg["consents"][key].get("withdrawn_on", "").strip():
            reg.set_staff("consents", key, "withdrawn_on", on)
    if not any(reg["consents"][k]["kind"] == "обработка ПД" for k in consents):
        reg.add("consents", {"kind": "обработка ПД", "participant_id": pid, "given_by": v["given_by"],
                             "given_on": on, "withdrawn_on": on, "text_version": "отзыв"})
    return pid, ACCEPTED, []


Handler = Callable[[Registries, FormSpec, ParsedResponse, Context], Outcome]
HANDLERS: dict[str, Handler] = {
    "mentors": take_mentor,
    "mentees": take_mentee,
    "consents": take_consent,
    "meetings": take_meeting,
    "feedback": take_feedback,
}
