"""`nastavnik doctor`: a Russian checklist of everything a run needs, for either backend."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta

from forms.questionnaires import QUESTIONNAIRES
from forms.responses import SourceError, parse_export, read_csv_text
from sheets.store import StoreError, TableStore
from sync.config import Config
from sync.google import GoogleError


@dataclass(frozen=True)
class Check:
    """One line of the checklist: ok True (✓), False (✗) or None (· for information)."""

    ok: bool | None
    text: str

    def line(self) -> str:
        mark = {True: "✓", False: "✗", None: "·"}[self.ok]
        return f"{mark} {self.text}"


def check_local(config: Config) -> list[Check]:
    """The workbook, every form's CSV export and the output folder."""
    from sheets.xlsx import XlsxStore

    checks = [_store_check(XlsxStore(config.registry), config.registry.name)]
    for spec in QUESTIONNAIRES:
        name = config.form_files.get(spec.code, f"{spec.code}.csv")
        path = config.forms_dir / name
        if not path.exists():
            checks.append(Check(None, f"«{spec.title}»: выгрузки {name} пока нет"))
            continue
        try:
            header = read_csv_text(path).splitlines()[:1]
            parse_export(spec, "\n".join(header) + "\n", config.tz)
        except (SourceError, OSError, UnicodeDecodeError) as exc:
            checks.append(Check(False, f"«{spec.title}»: {exc}"))
        else:
            checks.append(Check(True, f"«{spec.title}»: выгрузка {name}, все вопросы на месте"))
    out = config.out_dir
    writable = out.is_dir() and os.access(out, os.W_OK)
    checks.append(Check(writable, f"папка документов {out}" + ("" if writable else " — нет или недоступна для записи")))
    return checks


def check_google(config: Config) -> list[Check]:
    """Credentials, who owns the files, the spreadsheet's sheets and headers, each form's
    questions and whether respondents can open it, the Drive folder."""
    from forms.google_setup import check_form
    from sheets.google import GoogleSheetsStore
    from sync.google.causes import THREE_WAYS
    from sync.google.drive import RESPONDERS, permissions
    from sync.google.provision import ownership
    from sync.google.wiring import google_services

    try:
        services = google_services(config)
    except GoogleError as exc:
        return [Check(False, f"учетные данные Google: {exc}")]
    checks = [Check(True, "учетные данные Google прочитаны")]
    g = config.google
    robot_alone = bool(services.transport.account) and not g.drive_folder_id
    if robot_alone and not (g.spreadsheet_id and len(g.form_ids) == len(QUESTIONNAIRES)):
        checks.append(Check(False, f"где хранить файлы: {THREE_WAYS}"))
    else:
        checks.append(Check(True, f"где файлы: {ownership(config, services)}"))
    if not config.google.spreadsheet_id:
        checks.append(Check(False, "нет id таблицы — выполните «nastavnik init ПАПКА --google»"))
    else:
        checks.append(_store_check(GoogleSheetsStore(services.gspread, config.google.spreadsheet_id), "таблица"))
    for spec in QUESTIONNAIRES:
        form_id = config.google.form_ids.get(spec.code)
        if not form_id:
            checks.append(Check(False, f"«{spec.title}»: нет id формы в [google.forms]"))
            continue
        try:
            problems = check_form(services.forms, spec, form_id)
            granted = permissions(services.drive, form_id)
        except GoogleError as exc:
            problems, granted = [str(exc)], None
        if granted is not None and not any(all(p.get(k) == v for k, v in RESPONDERS.items()) for p in granted):
            problems.append(
                f"«{spec.title}»: форма не открыта для ответов по ссылке (участникам придется входить "
                "в Google) — выполните «nastavnik init ПАПКА --google»"
            )
        link = g.links.get(spec.code)
        fine = Check(True, f"«{spec.title}»: форма доступна, вопросы на месте, ссылка для ответов: {link}")
        if not link:
            problems.append(
                f"«{spec.title}»: нет ссылки для ответов в [google.links] — выполните «nastavnik init ПАПКА --google»"
            )
        checks += [Check(False, p) for p in problems] or [fine]
    if g.drive_folder_id:
        try:
            services.drive.files().get(fileId=g.drive_folder_id, fields="id", supportsAllDrives=True).execute()
            checks.append(Check(True, "папка программы на Google Диске доступна"))
        except GoogleError as exc:
            checks.append(Check(False, f"папка программы на Google Диске: {exc}"))
        except Exception as exc:  # noqa: BLE001 — any refusal is reported, none is fatal here
            checks.append(Check(False, f"папка программы на Google Диске недоступна: {type(exc).__name__}"))
    return checks


def _store_check(store: TableStore, label: str) -> Check:
    try:
        snapshot = store.read_all()
    except (StoreError, GoogleError) as exc:
        return Check(False, str(exc))
    rows = sum(len(f) for f in snapshot.frames.values())
    return Check(True, f"{label}: все листы и заголовки на месте (строк: {rows})")


# When Google's client libraries stop releasing for a Python version (google-api-core's
# ``_python_version_support``: the version's end of life; it warns from 90 days before).
GOOGLE_PYTHON_EOL = {(3, 11): date(2027, 10, 24), (3, 12): date(2028, 10, 2), (3, 13): date(2029, 10, 7),
                     (3, 14): date(2030, 10, 7)}
PYTHON_WARN_BEFORE = timedelta(days=90)


def python_check(version: tuple[int, int], today: date) -> Check | None:
    """A line when Google's libraries are about to drop (or dropped) this Python, else None."""
    eol = GOOGLE_PYTHON_EOL.get(version)
    newer = next((f"{v[0]}.{v[1]}" for v, d in sorted(GOOGLE_PYTHON_EOL.items()) if d > today and v > version),
                 "новее")
    if eol is None or today < eol - PYTHON_WARN_BEFORE:
        return None
    when = "прекратил" if today >= eol else "прекращает"
    return Check(None, f"внимание: Google {when} выпускать обновления своих библиотек для Python "
                       f"{version[0]}.{version[1]} ({eol:%d.%m.%Y}) — обновите Python до {newer} или новее "
                       f"и переустановите nastavnik")


def cycle_check(config: Config, today: date) -> Check:
    """Where today is in the programme's cycle: before, in it, or after its end (matching stops)."""
    span = f"цикл программы {config.start:%d.%m.%Y}–{config.end:%d.%m.%Y}"
    if today > config.end:
        return Check(None, f"внимание: {span} завершен — новые пары не предлагаются; для следующего цикла "
                           f"укажите в {config.path.name} [programme] start, end и roadmap_year_shift")
    if today < config.start:
        return Check(True, f"{span} начнется через {(config.start - today).days} дн.")
    return Check(True, f"{span}: идет, до окончания {(config.end - today).days} дн.")


def run_checks(config: Config) -> list[Check]:
    """Every check for the config's backend, configuration first."""
    import sys

    from sync import clock

    head = [Check(True, f"настройки {config.path}"), cycle_check(config, clock.today(config.tz))]
    if config.backend == "google":
        notice = python_check(sys.version_info[:2], clock.today(config.tz))
        head += [notice] if notice else []
    return head + (check_google(config) if config.backend == "google" else check_local(config))
