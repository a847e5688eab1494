"""The programme's settings: ``nastavnik.toml``, found by --config, NASTAVNIK_CONFIG or ./."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forms.questionnaires import QUESTIONNAIRES

CONFIG_NAME = "nastavnik.toml"
ENV_VAR = "NASTAVNIK_CONFIG"
WEIGHT_NAMES = ("needs", "days", "format", "department", "experience", "preferred", "direction")


class ConfigError(Exception):
    """The configuration cannot be used; the message is Russian and names file and setting."""


@dataclass
class MatchingConfig:
    method: str = "optimal"
    priority: str = "count"
    cross_direction: bool = False
    require_training: bool = False
    weights: dict[str, int] = field(
        default_factory=lambda: {
            "needs": 8,
            "days": 5,
            "format": 4,
            "department": 3,
            "experience": 3,
            "preferred": 6,
            "direction": 6,
        }
    )


@dataclass
class GoogleConfig:
    spreadsheet_id: str = ""
    credentials: str = ""
    auth: str = "service_account"  # or "oauth"
    token: str = "token.json"
    drive_folder_id: str = ""
    form_ids: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    endpoint: str = ""  # one base URL for every API (a test server or a proxy); empty: Google
    share_with: list[str] = field(default_factory=list)
    max_retries: int = 5  # repeats of a call that got 5xx or no answer, with growing pauses
    timeout: float = 60.0  # seconds to wait for one answer
    quota_wait: float = 120.0  # seconds a run may wait out Google's per-minute quota (429)
    oauth_port: int = 0  # local port of the OAuth login (fixed: reachable by ssh -L on a server)
    tag: str = ""  # marks the programme's files on Drive (appProperties), set by init
    links: dict[str, str] = field(default_factory=dict)  # questionnaire -> responder link


@dataclass
class SiteConfig:
    """The public web section («Наставничество» on the organisation's site)."""

    out: Path | None = None  # set: the sync job rebuilds the section there when its content changes
    contacts: str = ""  # the curator's public contacts, as the organisation publishes them
    about: str = ""  # a paragraph about the programme; empty: a standard one
    forms: dict[str, str] = field(default_factory=dict)  # questionnaire -> link for new participants


@dataclass
class DocumentsConfig:
    """Letters, plans, memos and reports: staff templates, the forms' links, signatures."""

    templates: dict[str, str] = field(default_factory=dict)  # kind -> .docx path or Google Doc id
    links: dict[str, str] = field(default_factory=dict)  # form code -> the link respondents open
    director_title: str = "Директор"
    pdf: bool = True  # PDF beside each .docx when LibreOffice is present


@dataclass
class Config:
    """Everything a run needs to know, with paths resolved against the config's folder."""

    path: Path
    organisation: str = "МБУ ДО «ЦВР» НГО"
    programme: str = "Программа наставничества"
    director: str = ""
    curator: str = ""
    timezone: str = "Europe/Moscow"
    start: date = date(2026, 9, 1)
    end: date = date(2028, 6, 30)
    roadmap_year_shift: int = 4
    backend: str = "local"
    registry: Path = Path("registry.xlsx")
    forms_dir: Path = Path("forms")
    out_dir: Path = Path("out")
    form_files: dict[str, str] = field(default_factory=dict)
    max_responses: int = 2000  # responses taken in one run; the rest wait for the next
    matching: MatchingConfig = field(default_factory=MatchingConfig)
    google: GoogleConfig = field(default_factory=GoogleConfig)
    site: SiteConfig = field(default_factory=SiteConfig)
    documents: DocumentsConfig = field(default_factory=DocumentsConfig)

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def lock_path(self) -> Path:
        return self.root / ".nastavnik.lock"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def find_config(explicit: str | Path | None = None) -> Path:
    """The config file: --config, then $NASTAVNIK_CONFIG, then ./nastavnik.toml."""
    path = Path(explicit or os.environ.get(ENV_VAR) or CONFIG_NAME).expanduser()
    return path / CONFIG_NAME if path.is_dir() else path


def _date(value: object, where: str, path: Path) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"{path}: {where} — нужна дата ГГГГ-ММ-ДД, указано «{value}»") from exc


def load_config(path: Path) -> Config:
    """Read and check ``nastavnik.toml``; every problem names the file and the setting."""
    if not path.exists():
        raise ConfigError(
            f"не найден файл настроек {path}; создайте программу командой "
            "«nastavnik init ПАПКА» или укажите --config"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: ошибка в файле настроек: {exc}") from exc
    root = path.resolve().parent
    prog = data.get("programme", {})
    back = data.get("backend", {})
    cfg = Config(path=path.resolve())
    cfg.organisation = prog.get("organisation", cfg.organisation)
    cfg.programme = prog.get("name", cfg.programme)
    cfg.director = prog.get("director", "")
    cfg.curator = prog.get("curator", "")
    cfg.timezone = prog.get("timezone", cfg.timezone)
    try:
        ZoneInfo(cfg.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{path}: [programme] timezone — неизвестный часовой пояс «{cfg.timezone}»") from exc
    cfg.start = _date(prog.get("start", cfg.start), "[programme] start", path)
    cfg.end = _date(prog.get("end", cfg.end), "[programme] end", path)
    if cfg.end <= cfg.start:
        raise ConfigError(f"{path}: [programme] — дата окончания раньше даты начала")
    cfg.roadmap_year_shift = int(prog.get("roadmap_year_shift", cfg.start.year - 2022))
    cfg.backend = back.get("kind", "local")
    if cfg.backend not in ("local", "google"):
        raise ConfigError(f"{path}: [backend] kind — «local» или «google», указано «{cfg.backend}»")
    cfg.registry = root / back.get("registry", "registry.xlsx")
    cfg.forms_dir = root / back.get("forms_dir", "forms")
    cfg.out_dir = root / back.get("out_dir", "out")
    cfg.max_responses = back.get("max_responses", cfg.max_responses)
    if not isinstance(cfg.max_responses, int) or cfg.max_responses < 1:
        raise ConfigError(f"{path}: [backend] max_responses — нужно целое число больше 0")
    known = {f.code for f in QUESTIONNAIRES}
    files = data.get("forms", {})
    unknown = sorted(set(files) - known)
    if unknown:
        raise ConfigError(
            f"{path}: [forms] — неизвестные анкеты: {', '.join(unknown)}; "
            f"известны: {', '.join(sorted(known))}"
        )
    cfg.form_files = {k: str(v) for k, v in files.items()}
    m = data.get("matching", {})
    mc = MatchingConfig()
    mc.method = m.get("method", mc.method)
    if mc.method not in ("optimal", "stable"):
        raise ConfigError(f"{path}: [matching] method — «optimal» или «stable», указано «{mc.method}»")
    mc.priority = m.get("priority", mc.priority)
    if mc.priority not in ("count", "score"):
        raise ConfigError(f"{path}: [matching] priority — «count» или «score», указано «{mc.priority}»")
    mc.cross_direction = bool(m.get("cross_direction", False))
    mc.require_training = bool(m.get("require_training", False))
    for name, value in m.get("weights", {}).items():
        if name not in WEIGHT_NAMES:
            raise ConfigError(f"{path}: [matching.weights] — неизвестный критерий «{name}»")
        if not isinstance(value, int) or not 0 <= value <= 10:
            raise ConfigError(f"{path}: [matching.weights] {name} — нужно целое от 0 до 10")
        mc.weights[name] = value
    cfg.matching = mc
    g = data.get("google", {})
    cfg.google = GoogleConfig(
        spreadsheet_id=g.get("spreadsheet_id", ""),
        credentials=str(root / g["credentials"]) if g.get("credentials") else "",
        auth=g.get("auth", "service_account"),
        token=str(root / g.get("token", "token.json")),
        drive_folder_id=g.get("drive_folder_id", ""),
        form_ids={k: str(v) for k, v in g.get("forms", {}).items() if v},
        templates=dict(g.get("templates", {})),
        endpoint=str(g.get("endpoint", "")),
        share_with=[str(x) for x in g.get("share_with", [])],
        max_retries=int(g.get("max_retries", 5)),
        timeout=float(g.get("timeout", 60.0)),
        quota_wait=float(g.get("quota_wait", 120.0)),
        oauth_port=int(g.get("oauth_port", 0)),
        tag=str(g.get("tag", "")),
        links={k: str(v) for k, v in g.get("links", {}).items() if v},
    )
    if not 0 <= cfg.google.quota_wait <= 3600 or not 0 <= cfg.google.oauth_port <= 65535:
        raise ConfigError(f"{path}: [google] — quota_wait от 0 до 3600 секунд, oauth_port от 0 до 65535")
    if not 0 <= cfg.google.max_retries <= 10 or not 1 <= cfg.google.timeout <= 600:
        raise ConfigError(f"{path}: [google] — max_retries от 0 до 10, timeout от 1 до 600 секунд")
    if cfg.google.auth not in ("service_account", "oauth", "none"):
        raise ConfigError(f"{path}: [google] auth — «service_account» или «oauth», указано «{cfg.google.auth}»")
    if cfg.google.auth == "none" and not cfg.google.endpoint:
        raise ConfigError(f"{path}: [google] auth = «none» допустим только с endpoint (тестовый сервер)")
    cfg.documents = _documents(data.get("documents", {}), root, known, path)
    unknown_forms = sorted(set(cfg.google.form_ids) - known)
    if unknown_forms:
        raise ConfigError(f"{path}: [google.forms] — неизвестные анкеты: {', '.join(unknown_forms)}")
    cfg.site = _site(data.get("site", {}), root, known, path)
    return cfg


def _site(s: dict, root: Path, known: set[str], path: Path) -> SiteConfig:
    """The [site] section: where the public section goes, contacts, links to the forms."""
    site = SiteConfig(
        out=root / str(s["out"]) if str(s.get("out", "")).strip() else None,
        contacts=str(s.get("contacts", "")).strip(),
        about=str(s.get("about", "")).strip(),
        forms={k: str(v).strip() for k, v in s.get("forms", {}).items() if str(v).strip()},
    )
    unknown = sorted(set(site.forms) - known)
    if unknown:
        raise ConfigError(f"{path}: [site.forms] — неизвестные анкеты: {', '.join(unknown)}")
    bad = sorted(k for k, v in site.forms.items() if not v.startswith(("https://", "http://")))
    if bad:
        raise ConfigError(f"{path}: [site.forms] {bad[0]} — нужна ссылка, начинающаяся с https://")
    return site


def _documents(d: dict, root: Path, known: set[str], path: Path) -> DocumentsConfig:
    """The [documents] section: template paths resolved against the config's folder."""
    from sync.documents.catalog import BY_CODE

    templates = {str(k): str(v) for k, v in d.get("templates", {}).items() if str(v).strip()}
    unknown = sorted(set(templates) - set(BY_CODE))
    if unknown:
        raise ConfigError(f"{path}: [documents.templates] — неизвестные документы: {', '.join(unknown)}; "
                          f"известны: {', '.join(BY_CODE)}")
    for kind, value in templates.items():
        if value.lower().endswith(".docx"):
            templates[kind] = str(root / value)
    links = {str(k): str(v).strip() for k, v in d.get("links", {}).items() if str(v).strip()}
    bad = sorted(set(links) - known)
    if bad:
        raise ConfigError(f"{path}: [documents.links] — неизвестные анкеты: {', '.join(bad)}")
    return DocumentsConfig(templates, links, str(d.get("director_title", "Директор")), bool(d.get("pdf", True)))


CONFIG_TEMPLATE = """\
# Настройки программы наставничества (nastavnik).
# Строки, начинающиеся с «#», — комментарии. Даты — в формате ГГГГ-ММ-ДД.

[programme]
organisation = "{organisation}"
name = "Программа наставничества педагогических работников и обучающихся"
director = ""            # ФИО директора — для подписи писем
curator = ""             # ФИО куратора программы наставничества
timezone = "{timezone}"  # часовой пояс отметок времени в выгрузках Google Forms
start = "{start}"        # начало цикла программы
end = "{end}"            # окончание цикла программы
# Сдвиг лет дорожной карты 2022–2024 на текущий цикл (4 — это 2026–2028).
roadmap_year_shift = {shift}

[backend]
kind = "local"           # "local" — книга .xlsx и выгрузки CSV; "google" — Google Таблицы и Формы
registry = "registry.xlsx"
forms_dir = "forms"      # сюда кладите выгрузки ответов Google Forms (CSV)
out_dir = "out"          # сюда пишутся письма и отчеты
# Сколько ответов анкет принимать за один запуск (остальные — в следующий): так одна запись
# в Google Таблицу остается в пределах размера запроса.
max_responses = 2000

# Файлы выгрузок ответов по анкетам (по умолчанию <код анкеты>.csv в папке forms_dir).
[forms]
{form_lines}

[matching]
method = "optimal"       # "optimal" — наибольшее число пар и суммарное совпадение; "stable" — устойчивое
priority = "count"       # "count" — сначала число пар; "score" — сначала суммарная оценка
cross_direction = false  # разрешить пары разных направленностей
require_training = false # подбирать только наставников, прошедших обучение

# Веса критериев подбора: 0 — не учитывать, 1–9 — важность, 10 — обязательное условие.
[matching.weights]
needs = 8        # запросы наставляемого закрыты компетенциями наставника
days = 5         # есть общие удобные дни
format = 4       # подходит формат встреч
department = 3   # один отдел / площадка
experience = 3   # стаж наставника больше
preferred = 6    # наставляемый назвал этого наставника
direction = 6    # та же направленность (учитывается, только если cross_direction = true)

# Раздел «Наставничество» для сайта организации (nastavnik site). Если указана папка out,
# задание синхронизации само обновляет раздел, когда меняется его содержание.
[site]
out = ""                 # например "site"; пусто — раздел строится только командой nastavnik site
contacts = ""            # контакты куратора для сайта (телефон кабинета, адрес почты)
about = ""               # абзац о программе; пусто — стандартный текст
# Ссылки на анкеты для новых участников (для Google берутся из [google.links]).
# [site.forms]
# mentor_application = "https://..."

# Для работы с Google (kind = "google"): заполняется командой «nastavnik init --google».
[google]
spreadsheet_id = ""
credentials = "credentials.json"  # ключ сервисного аккаунта (см. credentials.example.json)
auth = "service_account"          # или "oauth" (вход под учетной записью сотрудника)
drive_folder_id = ""              # папка программы на общем диске (нужна сервисному аккаунту)
share_with = []                   # адреса сотрудников: им откроются таблица, формы и папка
quota_wait = 120                  # сколько секунд пережидать квоту Google (ответ 429)
oauth_port = 0                    # порт входа OAuth; на сервере без браузера — постоянный (README)

[google.forms]

# Письма, планы (ИПР), памятки и отчеты.
[documents]
director_title = "Директор"  # должность подписывающего письма
pdf = true                   # PDF рядом с .docx, если установлен LibreOffice

# Свои шаблоны вместо встроенных: путь к .docx (от папки этого файла) или id Google Документа.
# Виды: letter_mentor, letter_mentee, letter_partner, plan, memo_mentee, memo_mentor,
# report_needs, report_interim, report_final.
[documents.templates]

# Ссылки на анкеты для памяток (QR-коды); с Google берутся из [google.forms] сами.
[documents.links]
"""


def render_config(
    organisation: str = "МБУ ДО «ЦВР» НГО",
    timezone: str = "Europe/Moscow",
    start: date = date(2026, 9, 1),
    end: date = date(2028, 6, 30),
) -> str:
    """The text of a fresh, commented ``nastavnik.toml``."""
    lines = "\n".join(f'{f.code} = "{f.code}.csv"  # {f.title}' for f in QUESTIONNAIRES)
    return CONFIG_TEMPLATE.format(
        organisation=organisation.replace('"', '\\"'),
        timezone=timezone,
        start=start.isoformat(),
        end=end.isoformat(),
        shift=start.year - 2022,
        form_lines=lines,
    )


def save_google_ids(path: Path, spreadsheet_id: str, form_ids: dict[str, str]) -> None:
    """Write the spreadsheet and form ids into ``nastavnik.toml``, switching it to Google."""
    save_google_settings(path, spreadsheet_id=spreadsheet_id, form_ids=form_ids, switch=True)


def save_google_settings(
    path: Path,
    *,
    spreadsheet_id: str | None = None,
    tag: str | None = None,
    form_ids: dict[str, str] | None = None,
    links: dict[str, str] | None = None,
    switch: bool = False,
) -> None:
    """Write Google ids into ``nastavnik.toml`` (``switch``: also set kind = "google").

    Edits only those lines, so the curator's comments and settings stay as they are; called
    the moment each object exists, so an interrupted init loses no id.
    """
    scalars = {k: v for k, v in (("spreadsheet_id", spreadsheet_id), ("tag", tag)) if v is not None}
    tables = {"[google.forms]": form_ids or {}, "[google.links]": links or {}}
    lines = path.read_text(encoding="utf-8").splitlines()
    section = ""
    out: list[str] = []
    pending = dict(scalars)
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            if section == "[google]" and pending:
                blank = 0
                while out and not out[-1].strip():
                    out.pop()
                    blank += 1
                out += [f'{k} = "{_toml_text(v)}"' for k, v in pending.items()] + [""] * blank
                pending.clear()
            section = stripped
        key = stripped.split("=", 1)[0].strip().strip('"') if "=" in stripped and not stripped.startswith("#") else ""
        if switch and section == "[backend]" and key == "kind":
            line = 'kind = "google"          # "local" — книга .xlsx и выгрузки CSV; "google" — Google Таблицы и Формы'
        elif section == "[google]" and key in pending:
            line = f'{key} = "{_toml_text(pending.pop(key))}"'
        elif section in tables and key in tables[section]:
            continue  # rewritten below
        out.append(line)
        if stripped in tables:
            out += [f'{code} = "{_toml_text(v)}"' for code, v in tables[stripped].items()]
    if section == "[google]":
        out += [f'{k} = "{_toml_text(v)}"' for k, v in pending.items()]
    present = {x.strip() for x in lines}
    for name, values in tables.items():
        if values and name not in present:
            out += ["", name, *[f'{code} = "{_toml_text(v)}"' for code, v in values.items()]]
    text = "\n".join(out) + "\n"
    tomllib.loads(text)  # never leave a file that does not parse
    path.write_text(text, encoding="utf-8")


def _toml_text(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"')
