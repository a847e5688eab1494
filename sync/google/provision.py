"""`nastavnik init --google`: the programme spreadsheet and the forms, created or repaired."""

from __future__ import annotations

from dataclasses import dataclass, field

from forms.google_setup import ensure_forms
from forms.questionnaires import QUESTIONNAIRES
from sync.config import Config, save_google_ids
from sync.google.setup import GoogleServices, create_spreadsheet, ensure_spreadsheet


@dataclass
class ProvisionReport:
    """What init --google did, in Russian lines, and the problems it could not fix."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def provision(config: Config, services: GoogleServices) -> ProvisionReport:
    """Create what is missing (spreadsheet, forms), check what exists, save the ids to the config."""
    report = ProvisionReport()
    g = config.google
    if g.spreadsheet_id:
        sheet = ensure_spreadsheet(services.gspread, g.spreadsheet_id)
        report.lines.append(
            "Таблица на месте" + (f"; восстановлено: {', '.join(sheet.added_sheets + sheet.repaired)}"
                                  if sheet.added_sheets or sheet.repaired else "")
        )
    else:
        sheet = create_spreadsheet(
            services.gspread, f"Наставничество — {config.organisation}",
            share_with=g.share_with, time_zone=config.timezone,
        )
        report.lines.append(f"Таблица создана: {sheet.url or sheet.spreadsheet_id}")
    report.problems += sheet.problems
    forms = ensure_forms(services.forms, QUESTIONNAIRES, g.form_ids)
    for code in forms.created:
        report.lines.append(f"Форма создана: «{next(f.title for f in QUESTIONNAIRES if f.code == code)}»")
    report.problems += forms.problems
    save_google_ids(config.path, sheet.spreadsheet_id, forms.form_ids)
    report.lines.append(f"Идентификаторы записаны в {config.path.name}")
    return report
