"""What fills the fields of letters, plans (ИПР) and memos, from the registries' rows.

Each function returns a context (field -> value) for one document; a value the data has not
got is a ``Missing`` with the reason, and the renderer refuses the document before it is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sync.config import Config
from sync.documents import texts
from sync.documents.charts import qr
from sync.documents.positions import position_dative
from sync.documents.render import Missing
from sync.documents.words import Addressee, addressee, count_words, date_words, month_year, signature_name

Row = dict[str, str]
FINISHED = "завершена"
ACTIVE = ("утверждена", "пробная встреча", "план развития", "работа")


def ids(text: str) -> list[str]:
    """The ids of a «Наставляемые» cell: «НВ-0001; НВ-0002» (also commas)."""
    return [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]


def common(config: Config, today: date) -> dict[str, object]:
    """Fields every document may use: organisation, programme, signatures, date, period."""
    file = config.path.name

    def need(value: str, key: str) -> object:
        return value.strip() or Missing(texts.MSG_CONFIG_EMPTY.format(key=key, file=file))

    return {
        "организация": need(config.organisation, "organisation"),
        "программа": need(config.programme, "name"),
        "директор": need(config.director, "director"),
        "директор_подпись": signature_name(config.director) if config.director.strip() else
        Missing(texts.MSG_CONFIG_EMPTY.format(key="director", file=file)),
        "должность_директора": config.documents.director_title or "Директор",
        "куратор": need(config.curator, "curator"),
        "куратор_подпись": signature_name(config.curator) if config.curator.strip() else
        Missing(texts.MSG_CONFIG_EMPTY.format(key="curator", file=file)),
        "дата": date_words(today),
        "период": f"{config.start.year}–{config.end.year} учебных годах",  # «в … учебных годах»
        "учебные_годы": f"{config.start.year}–{config.end.year} учебные годы",
    }


def person_addressee(row: Row, name_column: str = "full_name") -> Addressee:
    """How a letter names the person of a registry row, with staff's overrides."""
    return addressee(row.get(name_column, ""), row.get("letter_gender", ""), row.get("gender", ""),
                     row.get("name_dative", ""))


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def held_by_pair(meetings: list[Row], today: date) -> dict[str, int]:
    """Pair id -> meetings held by ``today`` (one pass over «Встречи» for a whole batch)."""
    out: dict[str, int] = {}
    for m in meetings:
        day = _date(m.get("held_on", ""))
        if day is not None and day <= today and m.get("pair_id"):
            out[m["pair_id"]] = out.get(m["pair_id"], 0) + 1
    return out


def pairs_by_person(pairs: list[Row]) -> dict[str, list[Row]]:
    """Participant id -> their approved, working or finished pairs (as mentor or mentee)."""
    out: dict[str, list[Row]] = {}
    for p in pairs:
        if p.get("status") in (FINISHED, *ACTIVE):
            for pid in {p.get("mentor_id", "").strip(), *ids(p.get("mentee_ids", ""))}:
                out.setdefault(pid, []).append(p)
    return out


def mentor_letter(mentor: Row, mine: list[Row], held_in: dict[str, int]) -> dict[str, object]:
    """The fields of a thank-you letter to a mentor, from their pairs and the meetings held."""
    a = person_addressee(mentor)
    mine = [p for p in mine if p.get("mentor_id", "").strip() == mentor["id"]]
    mentees = {m for p in mine for m in ids(p.get("mentee_ids", ""))}
    held = sum(held_in.get(p["id"], 0) for p in mine)
    if mentees and held:
        summary = (f"За время программы Вы провели {count_words(held, 'встречу', 'встречи', 'встреч')} "
                   f"с {count_words(len(mentees), 'наставляемым', 'наставляемыми', 'наставляемыми')}.")
    elif mentees:
        summary = f"Вы работали с {count_words(len(mentees), 'наставляемым', 'наставляемыми', 'наставляемыми')}."
    else:
        summary = "Вы щедро делились опытом с участниками программы."
    return {"кому": a.dative, "обращение": a.salutation, "итоги": summary}


def mentee_letter(mentee: Row, mine: list[Row], mentors: dict[str, Row], held_in: dict[str, int]) -> dict[str, object]:
    """The fields of a thank-you letter to a mentee: their mentor (genitive) and meetings."""
    a = person_addressee(mentee)
    mine = [p for p in mine if mentee["id"] in ids(p.get("mentee_ids", ""))]
    held = sum(held_in.get(p["id"], 0) for p in mine)
    names = [person_addressee(mentors[p["mentor_id"].strip()]).genitive for p in mine
             if p.get("mentor_id", "").strip() in mentors]
    if names:
        who = "наставника " + ", ".join(dict.fromkeys(names))
        summary = (f"Под руководством {who} Вы провели {count_words(held, 'встречу', 'встречи', 'встреч')} "
                   "и прошли программу до конца." if held else f"Вы прошли программу под руководством {who}.")
    else:
        summary = "Вы прошли программу до конца."
    return {"кому": a.dative, "обращение": a.salutation, "итоги": summary}


def head_position(partner: Row, gender: str | None) -> tuple[str, bool]:
    """The head's position in the dative for «Кому», and whether staff must settle it.

    Staff's «Должность (кому)» wins; else the rule of ``positions``; a position the rule cannot
    decline gives the neutral «Руководителю» and a flag, never a wrong form.
    """
    staff = " ".join(partner.get("position_dative", "").split())
    if staff:
        return staff[:1].upper() + staff[1:], False
    position = partner.get("position", "")
    if not position.strip():
        return texts.HEAD_DEFAULT, False
    declined = position_dative(position, gender)
    if declined is None:
        return texts.HEAD_DEFAULT, True
    return declined[:1].upper() + declined[1:], False


def partner_letter(partner: Row) -> dict[str, object]:
    """The fields of a thank-you letter to a partner organisation's head."""
    a = person_addressee(partner, "head")
    contribution = " ".join(partner.get("contribution", "").split()).rstrip(".")
    organisation = " ".join(partner.get("organisation", "").split())
    position, _ = head_position(partner, a.gender)
    return {
        "кому": a.dative if a.full_name else Missing("на листе «Партнеры» не указан руководитель"),
        "должность_кому": position,
        # the organisation's own line, unless the position already names it («Заведующей МБДОУ …»)
        "партнер_в_шапке": "" if organisation and organisation.casefold() in position.casefold() else organisation,
        "обращение": a.salutation,
        "партнер": organisation or Missing("на листе «Партнеры» не указана организация"),
        "вклад": contribution or Missing("на листе «Партнеры» не заполнено «Что сделано для программы»"),
    }


@dataclass(frozen=True)
class PlannedMeeting:
    """One line of a plan's meeting schedule; ``due`` is the last day it is planned for."""

    due: date
    kind: str
    topic: str


def schedule(approved: date, end: date, goals: list[str]) -> list[PlannedMeeting]:
    """The plan's meetings: trial, planning, then one a month (not in July and August), final in May."""
    out = [PlannedMeeting(approved + timedelta(days=14), *texts.SCHEDULE_TOPICS[0]),
           PlannedMeeting(approved + timedelta(days=28), *texts.SCHEDULE_TOPICS[1])]
    final = date(end.year, 5, 31) if end.month >= 5 else end
    month = date(out[-1].due.year, out[-1].due.month, 1)
    n = 0
    while True:
        month = (month + timedelta(days=32)).replace(day=1)
        last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if last >= final:
            break
        if month.month in (7, 8):
            continue
        goal = goals[n % len(goals)] if goals else texts.GOAL_DEFAULT
        out.append(PlannedMeeting(last, texts.REGULAR_KIND, texts.REGULAR_TOPIC.format(goal=goal)))
        n += 1
    out.append(PlannedMeeting(final, texts.FINAL_KIND, texts.FINAL_TOPIC))
    return out


def goals_of(needs: list[str], competencies: list[str], pupil: bool = False) -> list[str]:
    """The plan's goals: the mentee's requests the mentor can help with first, at most five."""
    ordered = [n for n in needs if n in competencies] + [n for n in needs if n not in competencies]
    wording = texts.GOALS_PUPIL if pupil else texts.GOALS
    goals = [wording.get(n) or texts.GOAL_OTHER.format(need=n) for n in dict.fromkeys(ordered)]
    return goals[:5] or [texts.GOAL_DEFAULT]


def items(text: str) -> list[str]:
    """The options of a registry list cell, joined by «; » (an option may hold a comma)."""
    return [p.strip() for p in text.split(";") if p.strip()]


def plan_context(pair: Row, mentor: Row, mentees: list[Row], config: Config, today: date) -> dict[str, object]:
    """The fields of a pair's ИПР: goals from needs and competencies, schedule, results, signatures."""
    approved = _date(pair.get("approved_on", "")) or _date(pair.get("proposed_on", "")) or today
    needs = [n for m in mentees for n in items(m.get("needs", ""))]
    pupils = [m for m in mentees if m.get("category") == "обучающийся"]
    goals = goals_of(needs, items(mentor.get("competencies", "")), pupil=bool(pupils))
    plan = schedule(approved, config.end, goals)
    guardians = ", ".join(dict.fromkeys(m["guardian"].strip() for m in pupils if m.get("guardian", "").strip()))
    return {
        "пара": pair["id"],
        "наставляемый": ", ".join(m["full_name"] for m in mentees) or Missing(f"в паре {pair['id']} нет наставляемых"),
        "категория": ", ".join(dict.fromkeys(m.get("category", "") for m in mentees)),
        "наставник": mentor.get("full_name", "") or Missing(f"в паре {pair['id']} не указан наставник"),
        "должность_наставника": mentor.get("position", ""),
        "направленность": ", ".join(dict.fromkeys(m.get("direction", "") for m in mentees)),
        "форма": pair.get("mentoring_form", ""),
        "формат": pair.get("format", ""),
        "срок": f"с {date_words(approved)} по {date_words(config.end)}",
        "цели": goals,
        "встречи": [{"номер": i, "срок": month_year(m.due), "вид": m.kind, "тема": m.topic}
                    for i, m in enumerate(plan, 1)],
        "результаты": list(texts.RESULTS_PUPIL if pupils else texts.RESULTS),
        "родитель": guardians,
    }


def form_link(code: str, config: Config) -> str:
    """The link respondents open for a form: [documents.links], else the Google form's own."""
    if code in config.documents.links:
        return config.documents.links[code]
    form_id = config.google.form_ids.get(code, "")
    return f"https://docs.google.com/forms/d/{form_id}/viewform" if form_id else ""


def memo_context(kind: str, config: Config) -> dict[str, object]:
    """The fields of a memo: its steps and the forms' links with QR codes."""
    forms = []
    missing = []
    for code in texts.MEMO_FORMS[kind]:
        link = form_link(code, config)
        if not link:
            missing.append(texts.MSG_NO_LINK.format(form=texts.FORM_LABELS[code], code=code, file=config.path.name))
            continue
        forms.append({"название": texts.FORM_LABELS[code], "ссылка": link, "код": qr(link)})
    steps = texts.MEMO_MENTEE_STEPS if kind == "memo_mentee" else texts.MEMO_MENTOR_STEPS
    return {"шаги": list(steps), "анкеты": Missing("; ".join(missing)) if missing else forms}
