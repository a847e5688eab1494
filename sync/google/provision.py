"""`nastavnik init --google`: the programme's spreadsheet and forms, made, adopted or repaired.

A service account cannot own files (Google, since 2025), so the files are owned one of three
ways, and init says which in Russian:

- a shared drive: ``drive_folder_id`` is a folder on a shared drive the service account is a
  member of; every Drive call carries ``supportsAllDrives``;
- a staff member's OAuth login (``auth = "oauth"``): the files are theirs (in the folder, or
  in their My Drive);
- adopted files: staff made the spreadsheet and forms and shared them with the service
  account as editor (``init --google --spreadsheet ID --form CODE=ID``); an empty form is
  filled with the questionnaire.

Resumable: the programme's tag is saved first; every file is created tagged (Drive
``appProperties``) and its id written into nastavnik.toml the moment it exists. A re-run lists
the tagged files once and adopts them, so init stopped at any step and run again ends with
exactly one spreadsheet and one form per questionnaire, each open to respondents and shared
with staff. Only at the end does the config switch to ``kind = "google"``.

Hooks: ``SPREADSHEET_HOOKS`` are called once the spreadsheet exists and has its sheets (every
init run; a hook must itself skip what it already made), e.g. native charts on «Сводка».
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from forms.google_setup import fill_form, form_problems, has_questions, is_published, publish_form
from forms.questionnaires import QUESTIONNAIRES
from forms.spec import FormSpec
from sheets.google import GoogleSheetsStore
from sync.config import Config, save_google_settings
from sync.google.causes import THREE_WAYS
from sync.google.dashboard import ensure_dashboard
from sync.google.drive import (
    FORM_MIME,
    SHEET_MIME,
    Tagged,
    create_tagged,
    find_tagged,
    open_to_respondents,
    permissions,
    share_with_staff,
)
from sync.google.setup import GoogleServices, SetupError, ensure_spreadsheet
from sync.registry import Registries


@dataclass
class ProvisionReport:
    """What init --google did, in Russian lines, and the problems it could not fix."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # questionnaire code -> responder link
    spreadsheet_id: str = ""


SpreadsheetHook = Callable[[GoogleServices, Config, str, ProvisionReport], None]
# Called after the spreadsheet exists with every sheet: (services, config, spreadsheet id, report).
SPREADSHEET_HOOKS: list[SpreadsheetHook] = [ensure_dashboard]  # «Сводка»: its rows, then native charts


def ownership(config: Config, services: GoogleServices) -> str:
    """Which of the three ways owns the programme's files, in Russian."""
    g = config.google
    if g.auth == "oauth":
        return "файлы принадлежат сотруднику, выполнившему вход (OAuth)"
    robot = services.transport.account
    if g.drive_folder_id:
        return f"файлы на общем диске, в папке {g.drive_folder_id} (сервисный аккаунт {robot or 'программы'})"
    return f"файлы созданы сотрудниками и открыты сервисному аккаунту {robot or 'программы'} как редактору"


def provision(
    config: Config,
    services: GoogleServices,
    *,
    after_spreadsheet: Sequence[SpreadsheetHook] | None = None,
) -> ProvisionReport:
    """Create what is missing, adopt what exists, repair, share, open the forms; save every id."""
    g = config.google
    report = ProvisionReport()
    tag = g.tag or uuid.uuid4().hex
    if not g.tag:
        save_google_settings(config.path, tag=tag)  # first: every later create carries it
        g.tag = tag
    form_ids = dict(g.form_ids)
    missing = [s for s in QUESTIONNAIRES if not form_ids.get(s.code)]
    tagged: dict[str, Tagged] = {}
    if not g.spreadsheet_id or missing:
        tagged = find_tagged(services.drive, tag)
    needs_create = (not g.spreadsheet_id and "spreadsheet" not in tagged) or any(
        f"form:{s.code}" not in tagged for s in missing
    )
    if needs_create and services.transport.account and not g.drive_folder_id:
        raise SetupError(f"нельзя создать файлы программы: {THREE_WAYS}")
    report.lines.append(f"Где файлы: {ownership(config, services)}")

    report.spreadsheet_id = _spreadsheet(config, services, tagged, report)
    for hook in SPREADSHEET_HOOKS if after_spreadsheet is None else after_spreadsheet:
        hook(services, config, report.spreadsheet_id, report)
    for spec in QUESTIONNAIRES:
        form_ids[spec.code] = _form(config, services, spec, form_ids.get(spec.code, ""), tagged, report)
    if g.drive_folder_id and g.share_with:
        shared = share_with_staff(services.drive, g.drive_folder_id, g.share_with,
                                  permissions(services.drive, g.drive_folder_id))
        if shared:
            report.lines.append(f"Папка открыта сотрудникам: {len(shared)}")
    _links_in_sheet(services, report.spreadsheet_id, report.links)
    save_google_settings(config.path, spreadsheet_id=report.spreadsheet_id, form_ids=form_ids,
                         links=report.links, switch=True)
    g.spreadsheet_id, g.form_ids, g.links = report.spreadsheet_id, form_ids, dict(report.links)
    report.lines.append(f"Идентификаторы и ссылки записаны в {config.path.name}")
    return report


LINK_PREFIX = "ссылка для ответов "  # «Служебное»: a questionnaire's responder link, by its code


def _links_in_sheet(services: GoogleServices, spreadsheet_id: str, links: dict[str, str]) -> None:
    """The responder links in «Служебное» too, where staff find them beside the registries."""
    store = GoogleSheetsStore(services.gspread, spreadsheet_id, sleep=services.transport.sleep)
    reg = Registries(store.read_all())
    for code, link in links.items():
        if reg.service(LINK_PREFIX + code) != link:
            reg.set_service(LINK_PREFIX + code, link)
    changes = reg.changes()
    if changes:
        store.write(changes)


def _spreadsheet(config: Config, services: GoogleServices, tagged: dict[str, Tagged], report: ProvisionReport) -> str:
    g = config.google
    sid, ours, fresh = g.spreadsheet_id, False, False
    if not sid and "spreadsheet" in tagged:
        sid, ours = tagged["spreadsheet"].file_id, True
        save_google_settings(config.path, spreadsheet_id=sid)
        report.lines.append("Найдена таблица, созданная прошлым запуском")
    elif not sid:
        sid = create_tagged(services.drive, f"Наставничество — {config.organisation}", SHEET_MIME,
                            g.drive_folder_id, g.tag, "spreadsheet")
        ours = fresh = True
        save_google_settings(config.path, spreadsheet_id=sid)
    sheet = ensure_spreadsheet(services.gspread, sid, ours=ours, time_zone=config.timezone)
    if fresh:
        report.lines.append(f"Таблица создана: {sheet.url or sid}")
    else:
        repaired = sheet.added_sheets + sheet.repaired
        report.lines.append("Таблица на месте" + (f"; восстановлено: {', '.join(repaired)}" if repaired else ""))
    report.problems += sheet.problems
    existing = None if fresh else permissions(services.drive, sid)
    shared = share_with_staff(services.drive, sid, g.share_with, existing)
    if shared:
        report.lines.append(f"Таблица открыта сотрудникам: {len(shared)}")
    return sid


def _form(
    config: Config, services: GoogleServices, spec: FormSpec, form_id: str,
    tagged: dict[str, Tagged], report: ProvisionReport,
) -> str:
    g = config.google
    role = f"form:{spec.code}"
    fresh = False
    if not form_id and role in tagged:
        form_id = tagged[role].file_id
        save_google_settings(config.path, form_ids={spec.code: form_id})
    elif not form_id:
        form_id = create_tagged(services.drive, spec.title, FORM_MIME, g.drive_folder_id, g.tag, role)
        fresh = True
        save_google_settings(config.path, form_ids={spec.code: form_id})
    form = {} if fresh else services.forms.forms().get(formId=form_id).execute()
    if not has_questions(form):
        form = fill_form(services.forms, spec, form_id) or form
        report.lines.append(f"Форма {'создана' if fresh else 'заполнена'}: «{spec.title}»")
    else:
        report.problems += form_problems(spec, form)
    if not is_published(form):
        publish_form(services.forms, spec, form_id)
    existing = None if fresh else permissions(services.drive, form_id)
    open_to_respondents(services.drive, form_id, existing)
    share_with_staff(services.drive, form_id, g.share_with, existing)
    link = str(form.get("responderUri", ""))
    if link:
        report.links[spec.code] = link
        report.lines.append(f"Ссылка для ответов «{spec.title}»: {link}")
    return form_id


