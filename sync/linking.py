"""Meeting reports and feedback, each linked to exactly one pair or shown to a person.

A mentor may have several pairs and a parent's email may cover two children, so the author's
email alone does not say which pair an answer is about: the names asked in the form do («ФИО
наставляемого», «Ваше ФИО», «ФИО … с кем вы работаете»; a part of the name is enough when it
fits one person only). Only an approved (or finished) pair takes reports, and an ended one
those about its own time. A «Пара» typed by
staff always wins, and a link once made never changes unless the answer or that cell changes,
so later edits elsewhere in «Пары» cannot move a meeting to another pair. What cannot be linked
is a «Требует внимания» row listing the candidate pairs; it closes once «Пара» is filled.
"""

from __future__ import annotations

from forms.answers import split_list
from sheets.typed import fold
from sync.ingest import Context, name_fits, people_with_email, pick_author
from sync.registry import Registries, local_stamp

LINKABLE = ("утверждена", "пробная встреча", "план развития", "работа", "завершена")
ENDED = "расторгнута"

MSG_LINK = "{what} не связан с парой: {why}; впишите ID пары в столбец «Пара»"
WHAT = {"meetings": "отчет о встрече", "feedback": "ответ обратной связи"}
FORM = {"meetings": "Отчет о встрече", "feedback": "Анкета обратной связи"}
NO_AUTHOR = "автор не найден среди участников"
SEVERAL_AUTHORS = "по адресу автора записаны несколько участников ({ids}), а ФИО в ответе не указано или не совпадает"
NO_PAIR = "у автора нет пары"
NOT_APPROVED = "пара автора еще не утверждена или уже закрыта ({pairs})"
SEVERAL = "у автора несколько пар ({pairs}), а ФИО второго участника не указано"
NO_NAME_MATCH = "ФИО второго участника не совпадает ни с одной парой автора ({pairs})"
NAME_MATCHES_SEVERAL = "ФИО второго участника подходит к нескольким парам ({pairs})"
UNKNOWN_PAIR = "пара «{pair}» не найдена на листе «Пары»"


def _person(reg: Registries, key: str) -> dict[str, str]:
    return reg["mentors"].get(key) or reg["mentees"].get(key) or {}


def _others(reg: Registries, pair: dict[str, str], author: str) -> list[str]:
    """The names of the pair's people other than the author."""
    people = [pair["mentor_id"].strip(), *split_list(pair["mentee_ids"])]
    return [_person(reg, p).get("full_name", "") for p in people if p != author]


def takes_reports(pair: dict[str, str], on: str = "") -> bool:
    """Whether a pair takes an answer about day ``on`` (ISO): approved or finished pairs do, and
    an ended one («расторгнута») those about its own time, up to «Завершена» — a meeting held
    before the pair ended but taken in after is still that pair's."""
    if pair["status"] in LINKABLE:
        return True
    ended = pair.get("ended_on", "").strip()
    return pair["status"] == ENDED and bool(on) and bool(ended) and on <= ended


def find_pair(reg: Registries, authors: list[str], partner: str, on: str = "") -> tuple[str, str]:
    """(pair id, "") when the answer fits exactly one pair, else ("", why in Russian).

    ``on`` is the day the answer is about (the meeting's date, the day feedback was given).
    """
    if not authors:
        return "", NO_AUTHOR
    mine = [
        (author, pair)
        for pair in sorted(reg["pairs"].values(), key=lambda p: p["id"])
        for author in authors
        if author in (pair["mentor_id"].strip(), *split_list(pair["mentee_ids"]))
    ]
    if not mine:
        return "", NO_PAIR
    linkable = [(a, p) for a, p in mine if takes_reports(p, on)]
    if not linkable:
        listed = ", ".join(f"{p['id']} — {p['status'] or 'без статуса'}" for _, p in mine)
        return "", NOT_APPROVED.format(pairs=listed)
    if partner.strip():
        fitting = [(a, p) for a, p in linkable if any(name_fits(partner, n) for n in _others(reg, p, a))]
        ids = ", ".join(sorted({p["id"] for _, p in linkable}))
        if not fitting:
            return "", NO_NAME_MATCH.format(pairs=ids)
        linkable = fitting
    ids = sorted({p["id"] for _, p in linkable})
    if len(ids) == 1:
        return ids[0], ""
    if len({a for a, _ in linkable}) > 1 and not partner.strip():
        return "", SEVERAL_AUTHORS.format(ids=", ".join(sorted(authors)))
    return "", (NAME_MATCHES_SEVERAL if partner.strip() else SEVERAL).format(pairs=", ".join(ids))


def _authors(reg: Registries, sheet: str, row: dict[str, str]) -> list[str]:
    if sheet == "meetings":
        known = row.get("reporter_id", "").strip()
        return [known] if known else people_with_email(reg, row.get("reporter_email", ""))
    known = row.get("participant_id", "").strip()
    if known:
        return [known]
    return pick_author(reg, row.get("author_email", ""), row.get("author_name", ""))[0]


def known_pair(reg: Registries, typed: str) -> str:
    """The pair staff meant by a typed «Пара»: «п-0001 » is П-0001 (case and spaces do not
    matter, as in statuses); "" when there is none."""
    text = typed.strip()
    if text in reg["pairs"]:
        return text
    folded = fold(text)
    return next((key for key in reg["pairs"] if fold(key) == folded), "")


def _typed_pair(reg: Registries, sheet: str, key: str, typed: str) -> str:
    """Why a typed «Пара» names no pair ("" when it does); a sloppy one is written as its ID."""
    found = known_pair(reg, typed)
    if found and found != reg[sheet][key]["pair_id"]:
        reg.set_staff(sheet, key, "pair_id", found)
    return "" if found else UNKNOWN_PAIR.format(pair=typed.strip())


def link_practices(reg: Registries, ctx: Context) -> None:
    """A best case's «Пара», typed by staff, tidied to the pair's ID or shown as unknown."""
    stamp = local_stamp(ctx.now, ctx.tz)
    for key, row in reg["practices"].items():
        typed = row.get("pair_id", "")
        why = _typed_pair(reg, "practices", key, typed) if typed.strip() else ""
        reg.alert(f"{key}: пара", bool(why), stamp, form="Лучшие практики", response=key, question="Пара",
                  reason=f"кейс не связан с парой: {why}; впишите ID пары в столбец «Пара»" if why else "")


def link_reports(reg: Registries, ctx: Context) -> None:
    """Fill an empty «Пара» of every report and feedback answer, or show why it cannot be."""
    stamp = local_stamp(ctx.now, ctx.tz)
    link_practices(reg, ctx)
    for sheet in ("meetings", "feedback"):
        for key, row in reg[sheet].items():
            typed = row["pair_id"].strip()
            if typed:
                why = _typed_pair(reg, sheet, key, typed)
                partner = ""
            else:
                partner = row.get("mentee_name" if sheet == "meetings" else "partner_name", "")
                on = row.get("held_on" if sheet == "meetings" else "answered_on", "").strip()
                found, why = find_pair(reg, _authors(reg, sheet, row), partner, on)
                if found:
                    reg.set_staff(sheet, key, "pair_id", found)
            form = FORM[sheet] if row.get("kind") != "итоговая" else "Итоговая анкета участника"
            reg.alert(
                f"{key}: пара", bool(why), stamp, form=form, response=key, question="Пара",
                value=partner, reason=MSG_LINK.format(what=WHAT[sheet], why=why) if why else "",
            )
