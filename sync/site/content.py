"""What the public section shows, picked from the registries: only what consents cover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from forms.questionnaires import QUESTIONNAIRES
from sheets.schema import ROADMAP_STATUSES
from sync.config import Config
from sync.publication import case_publishable, name_publishable, publication_scopes
from sync.registry import Registries
from sync.site import texts
from sync.site.privacy import Forbidden, find_personal_data, forbidden_values

APPROVED_LADDER = ("утверждена", "пробная встреча", "план развития", "работа", "завершена")
JOIN_FORMS = ("mentor_application", "mentee_application", "pd_consent", "publication_consent")
YES, LEFT, DONE = "да", "выбыл", "выполнено"


@dataclass(frozen=True)
class Activity:
    id: str
    title: str
    deadline: str
    status: str
    progress: str  # «60» or «» when the rules cannot tell


@dataclass(frozen=True)
class Stage:
    title: str
    activities: tuple[Activity, ...]


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    direction: str
    form: str
    summary: str
    result: str


@dataclass(frozen=True)
class PublicMentor:
    name: str
    direction: str


@dataclass(frozen=True)
class FormLink:
    code: str
    title: str
    url: str
    who: str


@dataclass(frozen=True)
class SiteContent:
    """Everything the pages show; nothing else from the registries reaches them."""

    organisation: str
    programme: str
    start: date
    end: date
    today: date
    about: str
    figures: dict[str, int]
    roadmap_total: int
    stages: tuple[Stage, ...]
    cases: tuple[Case, ...]
    mentors: tuple[PublicMentor, ...]
    curator: str
    contacts: str
    forms: tuple[FormLink, ...]
    held_back: tuple[str, ...]  # Russian lines for the curator: cases left out, by id
    forbidden: Forbidden


def _sort_id(text: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdecimal() else 0 for p in text.split("."))


def _stages(reg: Registries) -> tuple[Stage, ...]:
    by_stage: dict[str, list[Activity]] = {}
    for row in sorted(reg["roadmap"].values(), key=lambda r: _sort_id(r["id"])):
        status = row["status"] if row["status"] in ROADMAP_STATUSES else "не начато"
        by_stage.setdefault(row["stage"], []).append(
            Activity(row["id"], row["activity"], row["deadline"] or row["deadline_text"], status,
                     row["progress"] if row["progress"].isdigit() else "")
        )
    return tuple(Stage(title, tuple(items)) for title, items in by_stage.items())


def _public_mentors(reg: Registries, scopes: dict[str, frozenset[str]]) -> tuple[PublicMentor, ...]:
    out = [
        PublicMentor(" ".join(m["full_name"].split()), m["direction"])
        for pid, m in reg["mentors"].items()
        if m["long_term"].strip().lower() == YES and m["status"].strip().lower() != LEFT
        and m["full_name"].strip() and name_publishable(pid, scopes)
    ]
    return tuple(sorted(out, key=lambda p: (p.name.casefold().replace("ё", "е"), p.direction)))


def _cases(reg: Registries, scopes, forbidden: Forbidden) -> tuple[tuple[Case, ...], tuple[str, ...]]:
    cases, held = [], []
    for key in sorted(reg["practices"]):
        p = reg["practices"][key]
        if not p["title"].strip() or not case_publishable(p, reg, scopes):
            continue
        pair = reg["pairs"].get(p["pair_id"].strip(), {})
        mentor = reg["mentors"].get(pair.get("mentor_id", "").strip(), {})
        case = Case(key, p["title"].strip(), p.get("direction", "") or mentor.get("direction", ""),
                    p.get("mentoring_form", "") or pair.get("mentoring_form", ""),
                    p["summary"].strip(), p.get("result", "").strip())
        if find_personal_data(" \n ".join([case.title, case.summary, case.result]), forbidden):
            held.append(texts.HELD_BACK.format(id=key))
            continue
        cases.append(case)
    return tuple(cases), tuple(held)


def _forms(config: Config) -> tuple[FormLink, ...]:
    titles = {q.code: q.title for q in QUESTIONNAIRES}
    links = {**config.google.links, **config.site.forms}
    return tuple(
        FormLink(code, titles[code], links[code], texts.FORM_FOR[code]) for code in JOIN_FORMS if links.get(code)
    )


def site_content(reg: Registries, config: Config, today: date) -> SiteContent:
    """The public content, from registries that the job's steps have brought up to date."""
    scopes = publication_scopes(reg, today)
    mentors = _public_mentors(reg, scopes)
    # the curator publishes their own name in [programme] curator
    forbidden = forbidden_values(reg, [m.name for m in mentors] + [config.curator], config.site.contacts)
    cases, held = _cases(reg, scopes, forbidden)
    pairs = list(reg["pairs"].values())
    roadmap = list(reg["roadmap"].values())
    figures = {
        "mentors": sum(m["status"].strip().lower() != LEFT for m in reg["mentors"].values()),
        "pairs": sum(p.get("stage", "").strip().lower() in APPROVED_LADDER for p in pairs),
        "mentees": sum(m.get("stage", "").strip().lower() in APPROVED_LADDER for m in reg["mentees"].values()),
        "roadmap": sum(r["status"] == DONE for r in roadmap),
    }
    return SiteContent(
        organisation=config.organisation, programme=config.programme, start=config.start, end=config.end,
        today=today, about=config.site.about or texts.ABOUT_DEFAULT, figures=figures,
        roadmap_total=len(roadmap), stages=_stages(reg), cases=cases, mentors=mentors,
        curator=config.curator, contacts=config.site.contacts, forms=_forms(config), held_back=held,
        forbidden=forbidden,
    )
