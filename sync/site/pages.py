"""The pages of the public section as HTML text: semantic, Russian, one shared stylesheet.

No JavaScript and nothing loaded from elsewhere: the favicon is an empty data: URL, so a
browser opening the files asks for nothing. Every value is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from html import escape

from sync.site import texts
from sync.site.content import SiteContent

STYLESHEET = "style.css"


def ru_date(day: date) -> str:
    """«25 ноября 2026 г.»"""
    return f"{day.day} {texts.MONTHS_GENITIVE[day.month - 1]} {day.year} г."


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _page(content: SiteContent, file: str, body: str) -> str:
    label, heading = next((m, h) for f, m, h in texts.PAGES if f == file)
    current = ' aria-current="page"'
    nav = "\n".join(
        f'      <li><a href="{f}"{current if f == file else ""}>{_e(m)}</a></li>' for f, m, _h in texts.PAGES
    )
    title = f"{label} — {texts.SECTION} — {content.organisation}"
    return f"""<!DOCTYPE html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{_e(title)}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{STYLESHEET}">
</head>
<body>
  <a class="skip" href="#main">{_e(texts.SKIP)}</a>
  <header class="site-header">
    <p class="org">{_e(content.organisation)}</p>
    <p class="section">{_e(texts.SECTION)}</p>
    <nav aria-label="{_e(texts.NAV_LABEL)}">
      <ul>
{nav}
      </ul>
    </nav>
  </header>
  <main id="main">
    <h1>{_e(heading)}</h1>
{body}
  </main>
  <footer class="site-footer">
    <p>{_e(texts.FOOTER.format(organisation=content.organisation, programme=content.programme))}</p>
    <p>{_e(texts.DATA_DATE.format(date=ru_date(content.today)))}</p>
  </footer>
</body>
</html>
"""


def _lines(items: Iterable[str], indent: int = 4) -> str:
    pad = " " * indent
    return "\n".join(pad + item for item in items)


def index_page(c: SiteContent) -> str:
    """О программе: what it is, the figures, how to join, the curator's contacts."""
    cycle = texts.CYCLE.format(start=ru_date(c.start), end=ru_date(c.end))
    figures = []
    for key, label in texts.FIGURES:
        figures.append(
            f'<li><span class="figure">{c.figures[key]}</span> {_e(label.format(total=c.roadmap_total))}</li>'
        )
    forms = [
        f'<li><a href="{_e(f.url)}">{_e(f.title)}</a> — {_e(f.who)}</li>' for f in c.forms
    ]
    join = (
        [f"<p>{_e(texts.JOIN_TEXT)}</p>", '<ul class="forms">', *forms, "</ul>"]
        if forms else [f"<p>{_e(texts.JOIN_NO_LINKS)}</p>"]
    )
    contacts = []
    if c.curator:
        contacts.append(f"<p>{_e(texts.CURATOR.format(name=c.curator))}</p>")
    if c.contacts:
        contacts.append(f'<p class="contacts">{_e(c.contacts)}</p>')
    if not contacts:
        contacts.append(f"<p>{_e(texts.NO_CONTACTS)}</p>")
    body = [
        f'<p class="lead">{_e(c.programme)}. {_e(cycle)}</p>',
        f"<p>{_e(c.about)}</p>",
        '<section aria-labelledby="figures">',
        f'  <h2 id="figures">{_e(texts.FIGURES_HEADING)}</h2>',
        '  <ul class="figures">',
        *[f"    {f}" for f in figures],
        "  </ul>",
        "</section>",
        '<section aria-labelledby="join">',
        f'  <h2 id="join">{_e(texts.JOIN_HEADING)}</h2>',
        *[f"  {j}" for j in join],
        "</section>",
        '<section aria-labelledby="contacts">',
        f'  <h2 id="contacts">{_e(texts.CONTACTS_HEADING)}</h2>',
        *[f"  {x}" for x in contacts],
        "</section>",
    ]
    return _page(c, "index.html", _lines(body))


def roadmap_page(c: SiteContent) -> str:
    """Дорожная карта: every stage's activities with their live status."""
    heads = "".join(f'<th scope="col">{_e(h)}</th>' for h in texts.ROADMAP_COLUMNS)
    body = [f"<p>{_e(texts.ROADMAP_INTRO)}</p>"]
    for n, stage in enumerate(c.stages, start=1):
        body += [
            f'<section aria-labelledby="stage-{n}">',
            f'  <h2 id="stage-{n}">{_e(stage.title)}</h2>',
            '  <table class="roadmap">',
            f"    <thead><tr>{heads}</tr></thead>",
            "    <tbody>",
        ]
        for a in stage.activities:
            cls = texts.STATUS_CLASS.get(a.status, "idle")
            progress = f"{a.progress} %" if a.progress else texts.PROGRESS_NONE
            cells = (
                f'<td data-label="{_e(texts.ROADMAP_COLUMNS[0])}">{_e(a.id)}</td>'
                f'<td data-label="{_e(texts.ROADMAP_COLUMNS[1])}">{_e(a.title)}</td>'
                f'<td data-label="{_e(texts.ROADMAP_COLUMNS[2])}">{_e(a.deadline)}</td>'
                f'<td data-label="{_e(texts.ROADMAP_COLUMNS[3])}"><span class="status {cls}">{_e(a.status)}</span></td>'
                f'<td data-label="{_e(texts.ROADMAP_COLUMNS[4])}">{_e(progress)}</td>'
            )
            body.append(f"      <tr>{cells}</tr>")
        body += ["    </tbody>", "  </table>", "</section>"]
    return _page(c, "roadmap.html", _lines(body))


def practices_page(c: SiteContent) -> str:
    """Лучшие практики: published cases, each an article."""
    body = [f"<p>{_e(texts.PRACTICES_INTRO)}</p>"]
    if not c.cases:
        body.append(f'<p class="empty">{_e(texts.PRACTICES_NONE)}</p>')
    for case in c.cases:
        facts = [(texts.CASE_FIELDS[0], case.direction), (texts.CASE_FIELDS[1], case.form),
                 (texts.CASE_FIELDS[2], case.result)]
        body += [
            '<article class="case">',
            f"  <h2>{_e(case.title)}</h2>",
            f"  <p>{_e(case.summary)}</p>" if case.summary else "",
            "  <dl>",
            *[f"    <dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts if v],
            "  </dl>",
            "</article>",
        ]
    return _page(c, "practices.html", _lines(b for b in body if b))


def mentors_page(c: SiteContent) -> str:
    """Наставники: the long-term registry, name and direction only."""
    body = [f"<p>{_e(texts.MENTORS_INTRO)}</p>"]
    if not c.mentors:
        body.append(f'<p class="empty">{_e(texts.MENTORS_NONE)}</p>')
    else:
        heads = "".join(f'<th scope="col">{_e(h)}</th>' for h in texts.MENTORS_COLUMNS)
        body += ['<table class="mentors">', f"  <thead><tr>{heads}</tr></thead>", "  <tbody>"]
        body += [
            f'    <tr><td data-label="{_e(texts.MENTORS_COLUMNS[0])}">{_e(m.name)}</td>'
            f'<td data-label="{_e(texts.MENTORS_COLUMNS[1])}">{_e(m.direction)}</td></tr>'
            for m in c.mentors
        ]
        body += ["  </tbody>", "</table>"]
    return _page(c, "mentors.html", _lines(body))


def render_pages(c: SiteContent) -> dict[str, str]:
    """File name -> HTML of every page."""
    return {
        "index.html": index_page(c),
        "roadmap.html": roadmap_page(c),
        "practices.html": practices_page(c),
        "mentors.html": mentors_page(c),
    }
