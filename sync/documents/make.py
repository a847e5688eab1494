"""Making a batch of documents: choose whom, check every field, render, store, record.

Nothing is made twice: each document is recorded in «Документы» by key (kind + person or pair
+ cycle) and a later run skips it unless ``force`` (then it is replaced where it was). Every
field of every document in the batch is checked before the first one is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sheets.schema import DOCUMENT_STATES
from sync.config import Config
from sync.documents import texts
from sync.documents.catalog import BATCH, BY_CODE, PROGRAMME, TEMPLATE_VERSION, DocumentKind, cycle_of, document_key
from sync.documents.contexts import (
    ACTIVE,
    FINISHED,
    common,
    head_position,
    held_by_pair,
    ids,
    memo_context,
    mentee_letter,
    mentor_letter,
    pairs_by_person,
    partner_letter,
    person_addressee,
    plan_context,
)
from sync.documents.render import DocumentError, Template
from sync.documents.sinks import Placed, Sink
from sync.erasure import documents_of, withdrawn_people
from sync.registry import Registries, local_stamp

# the last: a printing file one of whose documents was made again alone
CREATED, REPLACED, ERASED, OUTDATED = DOCUMENT_STATES


@dataclass
class Item:
    """One document to make: its subject (a person, pair or the programme) and its fields."""

    subject: str
    context: dict[str, object]
    unknown_gender: bool = False
    unsure_position: bool = False  # a partner's position the rule could not decline


@dataclass
class MadeReport:
    """What a batch did, for the CLI's summary and the job's step line."""

    kind: DocumentKind
    made: int = 0
    skipped: int = 0
    replaced: int = 0
    where: str = ""
    combined: str = ""
    pdfs: int = 0
    note: str = ""
    links: dict[str, str] = field(default_factory=dict)  # subject -> link

    def lines(self) -> list[str]:
        replaced = f", заменено {self.replaced}" if self.replaced else ""
        out = [texts.MSG_MADE.format(what=self.kind.title, made=self.made, skipped=self.skipped, replaced=replaced)]
        if self.made or self.replaced:
            out.append(texts.MSG_WHERE.format(where=self.where))
            if self.combined:
                out.append(f"  для печати одним файлом: {self.combined}")
            if self.pdfs:
                out.append(texts.MSG_PDF.format(n=self.pdfs))
            if self.note:
                out.append(f"  {self.note}")
        return out


def cycle(config: Config) -> str:
    return cycle_of(config.start.year, config.end.year)


def _finished_pairs(reg: Registries) -> list[dict[str, str]]:
    return [p for p in reg["pairs"].values() if p["status"] == FINISHED]


def _only(ids_wanted: list[str], known: dict[str, dict[str, str]]) -> list[str]:
    unknown = [i for i in ids_wanted if i not in known]
    if unknown:
        raise DocumentError("; ".join(texts.MSG_UNKNOWN_ID.format(id=i) for i in unknown))
    return list(dict.fromkeys(ids_wanted))


def items_for(code: str, reg: Registries, config: Config, today, only: list[str] | None = None,
              figures: Callable[[], dict[str, object]] | None = None) -> list[Item]:
    """Whom a kind of document is for, with each document's own fields."""
    if code in ("letter_mentor", "letter_mentee"):
        mine = pairs_by_person(list(reg["pairs"].values()))
        held = held_by_pair(list(reg["meetings"].values()), today)
    if code == "letter_mentor":
        chosen = _only(only, reg["mentors"]) if only else sorted(
            {p["mentor_id"].strip() for p in _finished_pairs(reg)} & set(reg["mentors"]))
        return [_person(m, reg["mentors"][m], mentor_letter(reg["mentors"][m], mine.get(m, []), held))
                for m in chosen]
    if code == "letter_mentee":
        chosen = _only(only, reg["mentees"]) if only else sorted(
            {m for p in _finished_pairs(reg) for m in ids(p["mentee_ids"])} & set(reg["mentees"]))
        return [_person(m, reg["mentees"][m], mentee_letter(reg["mentees"][m], mine.get(m, []), reg["mentors"], held))
                for m in chosen]
    if code == "letter_partner":
        chosen = _only(only, reg["partners"]) if only else sorted(reg["partners"])
        out = []
        for p in chosen:
            item = _person(p, reg["partners"][p], partner_letter(reg["partners"][p]), "head")
            gender = person_addressee(reg["partners"][p], "head").gender
            item.unsure_position = head_position(reg["partners"][p], gender)[1]
            out.append(item)
        return out
    if code == "plan":
        chosen = _only(only, reg["pairs"]) if only else sorted(
            k for k, p in reg["pairs"].items() if p["status"] in (*ACTIVE, FINISHED))
        out = []
        for key in chosen:
            pair = reg["pairs"][key]
            mentor = reg["mentors"].get(pair["mentor_id"].strip(), {})
            mentees = [reg["mentees"][m] for m in ids(pair["mentee_ids"]) if m in reg["mentees"]]
            out.append(Item(key, plan_context(pair, mentor, mentees, config, today)))
        return out
    if code in ("memo_mentee", "memo_mentor"):
        return [Item(PROGRAMME, memo_context(code, config))]
    return [Item(PROGRAMME, figures() if figures else {})]


def _person(key: str, row: dict[str, str], context: dict[str, object], name_column: str = "full_name") -> Item:
    return Item(key, context, unknown_gender=not person_addressee(row, name_column).gender_known)


def make_batch(code: str, reg: Registries, config: Config, template: Template, sink: Sink, now: datetime,
               only: list[str] | None = None, force: bool = False,
               figures: Callable[[], dict[str, object]] | None = None,
               progress: Callable[[int, int], None] | None = None) -> MadeReport:
    """Make the documents of one kind that are due (or asked for), record them in «Документы»."""
    kind = BY_CODE[code]
    today = now.astimezone(config.tz).date()
    report = MadeReport(kind, where=sink.where)
    items = items_for(code, reg, config, today, only, figures)
    base = common(config, today)
    todo: list[tuple[Item, str, dict[str, str] | None]] = []
    problems: list[str] = []
    for item in items:
        key = document_key(code, item.subject, cycle(config))
        record = reg["documents"].get(key)
        if record is not None and record["state"] in (CREATED, REPLACED) and record["link"] and not force:
            report.skipped += 1
            continue
        context = {**base, **item.context}
        problems += [f"{item.subject}: {p}" if item.subject != PROGRAMME else p for p in template.problems(context)]
        todo.append((item, key, record))
    if problems:
        shown = problems[:10] + ([f"… и еще {len(problems) - 10}"] if len(problems) > 10 else [])
        raise DocumentError("ничего не создано: " + "; ".join(shown))
    made: list[tuple[Placed, bytes]] = []
    keys: dict[str, str] = {}  # link -> key
    stamp = local_stamp(now, config.tz)
    for n, (item, key, record) in enumerate(todo, 1):
        data = template.render({**base, **item.context})
        name = item.subject if item.subject != PROGRAMME else kind.title
        title = f"{kind.title} — {item.subject}" if item.subject != PROGRAMME else kind.title
        old = record["link"] if record is not None else ""
        placed = sink.put(key, kind.folder, name, title, data, replaces=old)
        if record is not None and record.get("pdf") and record["pdf"] not in (placed.pdf, old):
            sink.remove(record["pdf"])  # the former PDF (the batch's end makes the new one locally)
        made.append((placed, data))
        keys[placed.link] = key
        report.links[item.subject] = placed.link
        if old:
            report.replaced += 1
        else:
            report.made += 1
        reg.add("documents", {"id": key, "kind": kind.title, "subject_id": item.subject, "cycle": cycle(config),
                              "title": title, "link": placed.link, "pdf": placed.pdf, "made_at": stamp,
                              "template": f"{template.name} ({TEMPLATE_VERSION})",
                              "state": REPLACED if old else CREATED})
        if code == "plan" and item.subject in reg["pairs"]:
            reg.set_staff("pairs", item.subject, "plan_link", placed.link)  # staff may type it too
        if progress:
            progress(n, len(todo))
    for item in items:  # a salutation the name could not settle stays open for staff
        if item.subject != PROGRAMME:
            reg.alert(f"{item.subject}: обращение", item.unknown_gender, stamp, form="Документы",
                      response=item.subject, question="Пол для писем", reason=texts.MSG_GENDER_UNKNOWN)
        if code == "letter_partner":
            reg.alert(f"{item.subject}: должность", item.unsure_position, stamp, form="Документы",
                      response=item.subject, question="Должность (кому)", reason=texts.MSG_POSITION_UNKNOWN)
    batch_title = kind.folder if kind.subject != "programme" else kind.title
    batch_key = document_key(code, BATCH, cycle(config))
    former = reg["documents"].get(batch_key)
    replaces = (former["link"], former["pdf"]) if former is not None and former["state"] != ERASED else ("", "")
    outcome = sink.finish(kind.folder, batch_title, made, batch_key, replaces)
    if outcome.combined:  # the batch's printing file, replaced by the next batch that makes several
        reg.add("documents", {"id": batch_key, "kind": kind.title, "subject_id": BATCH, "cycle": cycle(config),
                              "title": f"{batch_title} — все", "link": outcome.combined, "pdf": outcome.combined_pdf,
                              "made_at": stamp, "template": f"{template.name} ({TEMPLATE_VERSION})",
                              "state": REPLACED if replaces[0] else CREATED})
    for placed, _ in made:
        pdf = outcome.pdfs.get(placed.link) or placed.pdf
        if pdf:
            reg["documents"][keys[placed.link]]["pdf"] = pdf
            report.pdfs += 1
    report.combined, report.note = outcome.combined, outcome.note
    if former is not None and replaces[0] and not outcome.combined and report.replaced:
        # The former printing file still holds the old version of what was just made again:
        # printed and signed, it would be the wrong letter. It goes; the new one prints alone.
        for link in dict.fromkeys(replaces):
            if link:
                sink.remove(link)
        former.update({"link": "", "pdf": "", "state": OUTDATED, "made_at": stamp})
        again = ", ".join(s for s in report.links if s != PROGRAMME) or kind.title
        notes = [report.note, texts.MSG_PRINT_OUTDATED.format(title=former["title"], ids=again)]
        report.note = "; ".join(n for n in notes if n)
    return report


def erase_documents(reg: Registries, sink: Sink) -> int:
    """Delete the documents of everyone whose consent to processing was withdrawn; how many.

    Which people and which documents is ``sync.erasure``'s rule (``withdrawn_people``,
    ``documents_of``), the same the registry erasure lists in «Требует внимания»; the record
    stays in «Документы» with no link, marked erased, so nothing is made again for them. A
    batch's printing file of the same kind holds the document too, so it goes as well (only
    when one of the person's documents went in this run: a later batch's file is not theirs).
    """
    n = 0
    kinds: set[str] = set()  # kinds with an erased document: their printing files hold it too
    for person in sorted(withdrawn_people(reg)):
        for key in documents_of(reg, person):
            record = reg["documents"][key]
            if record["state"] == ERASED:
                continue
            kinds.add(key.split(":", 1)[0])
            for link in dict.fromkeys((record["link"], record["pdf"])):
                if link:
                    sink.remove(link)
            record.update({"link": "", "pdf": "", "state": ERASED})
            subject = record["subject_id"].strip()
            if subject in reg["pairs"] and reg["pairs"][subject].get("plan_link", "").strip():
                reg.set_staff("pairs", subject, "plan_link", "")
            n += 1
    if not kinds:
        return n
    for record in reg["documents"].values():
        if record["subject_id"] == BATCH and record["state"] != ERASED and record["id"].split(":", 1)[0] in kinds:
            for link in dict.fromkeys((record["link"], record["pdf"])):
                if link:
                    sink.remove(link)
            record.update({"link": "", "pdf": "", "state": ERASED})
    return n
