"""The command line: thin commands that parse options, open the backend and call one function."""

from __future__ import annotations

import gc
import sys
from datetime import date
from pathlib import Path

import click

from forms.responses import SourceError
from sheets.store import StoreError
from sync import clock
from sync.cli_words import Failure, RussianCommand, RussianGroup, _usage_text
from sync.config import ConfigError, find_config, load_config, render_config, save_google_settings
from sync.google import GoogleError

EXPECTED = (StoreError, SourceError, ConfigError, GoogleError)

# Collection thresholds for a run of the job (the interpreter's are 700, 10, 10). A first load
# of a district keeps millions of objects alive (answers, rows, cells) and allocates them in one
# go: with the default thresholds the collector walked all of them thirteen times over, 2.6-3.3 s
# of a 14 s run at 12,000 participants (measured 01.12.2026). Cycles are still collected, only
# rarely; the peak memory stayed the same (548 MiB).
GC_THRESHOLDS = (100_000, 50, 100)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _load(config_path: str | None):
    try:
        return load_config(find_config(config_path))
    except ConfigError as exc:
        raise Failure(str(exc)) from exc


@click.group(cls=RussianGroup, context_settings=CONTEXT)
@click.version_option(package_name="nastavnik", message="nastavnik %(version)s", help="Показать версию и выйти.")
def main() -> None:
    """nastavnik — программа наставничества: анкеты, реестры, пары, дорожная карта.

    Начать: «nastavnik demo demo» создаст учебную программу, «nastavnik sync --config
    demo/nastavnik.toml» перенесет ответы анкет в реестры.
    """


def _echo_outcome(report, dry_run: bool) -> None:
    """What a run wrote, in one line, and what it had to skip."""
    from sync.job import describe_counts

    if dry_run:
        click.echo("Пробный запуск: ничего не записано.")
    elif report.written is None:
        click.echo("Изменений нет — ничего не записано.")
    else:
        click.echo(f"Записано: {describe_counts(report.plan.changes)}")
        for added in report.written.added:  # an older workbook lacked the column
            click.echo(f"Добавлен {added}")
        for skipped in report.written.skipped:
            click.echo(f"Пропущено: {skipped}", err=True)
    if report.site is not None and report.site.written:
        click.echo(report.site.line())


def create_programme(folder: Path, organisation: str, start: date, report=None) -> Path:
    """Create (or repair) a local programme in ``folder``; returns the config path.

    ``report`` (a callable) hears what was added to an existing workbook.
    """
    from sheets.xlsx import XlsxStore
    from sync.dashboard.step import install_dashboard

    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "nastavnik.toml"
    if not config_path.exists():
        end = date(start.year + 2, 6, 30)
        config_path.write_text(render_config(organisation, start=start, end=end), encoding="utf-8")
    config = load_config(config_path)
    for sub in (config.forms_dir, config.out_dir):
        sub.mkdir(parents=True, exist_ok=True)
    from sync.job import run_lock

    existed = config.registry.exists()
    store = XlsxStore(config.registry)
    with run_lock(config.lock_path):  # a sync running now must not lose what init adds
        added = store.create()
        dashboard = install_dashboard(store, config, store.add_charts)
    if existed and report is not None:
        for item in added:
            hint = " — если столбец был переименован, верните прежнее название" if item.startswith("столбец") else ""
            report(f"Добавлено в книгу: {item}{hint}")
    if existed and report is not None and dashboard:
        report(f"Сводка: добавлено — {', '.join(dashboard)}")
    return config_path


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--organisation", default="МБУ ДО «ЦВР» НГО", show_default=True,
              help="Название организации для писем и отчетов.")
@click.option("--start", "start", default=None,
              help="Дата начала цикла программы (ГГГГ-ММ-ДД); по умолчанию 1 сентября текущего учебного года.")
@click.option("--google", "use_google", is_flag=True,
              help="Создать Google Таблицу и Google Формы (ключ — [google] credentials в nastavnik.toml).")
@click.option("--spreadsheet", "spreadsheet_id", default=None, metavar="ID",
              help="С --google: взять готовую таблицу, созданную сотрудником и открытую программе.")
@click.option("--form", "forms", multiple=True, metavar="КОД=ID",
              help="С --google: взять готовую форму анкеты КОД (можно несколько раз); пустая форма будет заполнена.")
def init(folder: Path, organisation: str, start: str | None, use_google: bool,
         spreadsheet_id: str | None, forms: tuple[str, ...]) -> None:
    """Создать программу в папке: nastavnik.toml, registry.xlsx со всеми листами, forms/, out/.

    Повторный запуск ничего не перезаписывает: добавляет недостающие листы. С --google создает
    (или восстанавливает) Google Таблицу со всеми листами и Google Формы всех анкет, открывает
    формы для ответов по ссылке и сотрудникам из share_with, печатает ссылки для ответов и
    записывает идентификаторы в nastavnik.toml. Прерванный запуск можно повторить: уже
    созданное будет найдено, ничего не удвоится.

    Пример: nastavnik init programma, затем nastavnik init programma --google
    """
    try:
        begins = date.fromisoformat(start) if start else clock.school_year_start()
        path = create_programme(folder, organisation, begins, report=click.echo)
    except ValueError as exc:
        raise Failure(f"--start: нужна дата ГГГГ-ММ-ДД, указано «{start}»") from exc
    except (ConfigError, StoreError) as exc:
        raise Failure(str(exc)) from exc
    click.echo(f"Программа создана: {path}")
    if not use_google:
        click.echo(f"Выгрузки ответов Google Forms (CSV) кладите в {folder / 'forms'}")
        return
    from sync.google.provision import provision
    from sync.google.wiring import google_services

    try:
        adopted = _adopted_forms(forms)
        if spreadsheet_id or adopted:
            save_google_settings(path, spreadsheet_id=spreadsheet_id, form_ids=adopted)
        config = load_config(path)
        report = provision(config, google_services(config, interactive=True))
    except EXPECTED as exc:
        raise Failure(str(exc)) from exc
    for line in report.lines:
        click.echo(line)
    for problem in report.problems:
        click.echo(f"Требует внимания: {problem}", err=True)
    if report.problems:
        sys.exit(1)


def _adopted_forms(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--form КОД=ID`` options as a mapping; an unknown code or a bad pair is a usage error."""
    from forms.questionnaires import QUESTIONNAIRES

    codes = {q.code for q in QUESTIONNAIRES}
    out: dict[str, str] = {}
    for pair in pairs:
        code, sep, form_id = pair.partition("=")
        if not sep or not form_id.strip() or code.strip() not in codes:
            raise ConfigError(f"--form {pair}: нужно КОД=ID, где КОД — один из: {', '.join(sorted(codes))}")
        out[code.strip()] = form_id.strip()
    return out


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--mentors", default=40, show_default=True, type=click.IntRange(1, 100_000),
              help="Сколько наставников.")
@click.option("--mentees", default=120, show_default=True, type=click.IntRange(1, 500_000),
              help="Сколько наставляемых.")
@click.option("--seed", default=1, show_default=True, type=int,
              help="Зерно генератора: одно зерно — одни и те же данные.")
@click.option("--through", "through", default=None, metavar="ДАТА",
              help="Прожить программу до этой даты (ГГГГ-ММ-ДД): пары утверждены, встречи проведены, "
                   "обратная связь, лучшие практики, партнеры.")
@click.option("--force", is_flag=True,
              help="Заменить программу, которая уже есть в папке: реестр и выгрузки анкет будут удалены.")
def demo(folder: Path, mentors: int, mentees: int, seed: int, through: str | None, force: bool) -> None:
    """Создать учебную программу с правдоподобными ответами анкет (CSV, как из Google Forms).

    С --through программа «проживает» цикл до указанной даты: задание синхронизации запускается
    в те дни, когда его запустил бы cron, а между запусками куратор утверждает пары, наставники
    отчитываются о встречах, участники отвечают на анкеты обратной связи.

    Пример: nastavnik demo demo && nastavnik sync --config demo/nastavnik.toml

    Пример: nastavnik demo demo --through 2028-06-30

    В папке, где уже есть программа, команда ничего не меняет без --force.
    """
    from sync.demo import generate
    from sync.demo_life import fill_demo_settings

    _refuse_real_programme(folder, force)

    try:
        until = date.fromisoformat(through) if through else None
    except ValueError as exc:
        raise Failure(f"--through: нужна дата ГГГГ-ММ-ДД, указано «{through}»") from exc
    if until is not None:
        _lived_demo(folder, mentors, mentees, seed, until)
        return
    try:
        path = create_programme(folder, "МБУ ДО «ЦВР» НГО", clock.school_year_start())
        fill_demo_settings(path)
        config = load_config(path)
    except (ConfigError, StoreError) as exc:
        raise Failure(str(exc)) from exc
    counts = generate(config.forms_dir, mentors, mentees, seed, config.start, now=clock.now())
    click.echo(f"Учебная программа создана: {path}")
    for code, n in counts.items():
        click.echo(f"  {config.forms_dir.name}/{code}.csv: ответов {n}")
    click.echo(f"Дальше: nastavnik sync --config {path}")


def _refuse_real_programme(folder: Path, force: bool) -> None:
    """A demo never quietly replaces a programme's exports: with --force it starts afresh."""
    config_path = folder / "nastavnik.toml"
    if not config_path.exists():
        return
    if not force:
        raise Failure(
            f"в папке {folder} уже есть программа ({config_path.name}); учебная программа заменила бы "
            "выгрузки анкет выдуманными ответами. Выберите другую папку или добавьте --force, "
            "чтобы удалить эту программу и создать учебную заново"
        )
    config = _load(str(config_path))
    if config.registry.exists():
        config.registry.unlink()
    if config.forms_dir.is_dir():
        for export in config.forms_dir.glob("*.csv"):
            export.unlink()
    (folder / ".nastavnik.lock").unlink(missing_ok=True)


def _lived_demo(folder: Path, mentors: int, mentees: int, seed: int, until: date) -> None:
    """``demo --through``: a programme that went through its cycle up to ``until``."""
    from sync.demo_life import DemoError, lived_demo

    try:
        lived_demo(folder, mentors, mentees, seed, until, click.echo, create_programme)
    except (DemoError, *EXPECTED) as exc:
        raise Failure(str(exc)) from exc


@main.command(context_settings=CONTEXT)
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Файл настроек (иначе $NASTAVNIK_CONFIG или ./nastavnik.toml).")
@click.option("--dry-run", is_flag=True, help="Показать план изменений и ничего не записывать.")
@click.option("-v", "--verbose", is_flag=True, help="Подробно: план и предупреждения.")
def sync(config_path: Path | None, dry_run: bool, verbose: bool) -> None:
    """Синхронизация: ответы анкет -> реестры, согласия, статусы, пары, дорожная карта.

    Для cron: */5 * * * * nastavnik sync --config /путь/nastavnik.toml

    Пример: nastavnik sync --dry-run
    """
    from sync.bootstrap import open_backend
    from sync.documents.service import backend_sink
    from sync.job import describe_plan, run_sync

    config = _load(config_path)
    try:
        backend = open_backend(config)
        report = run_sync(config, backend.store, backend.sources, dry_run=dry_run,
                          api_calls=backend.api_calls, sink=backend_sink(config, backend))
    except EXPECTED as exc:
        raise Failure(str(exc)) from exc
    plan = report.plan
    if dry_run or verbose:
        for line in describe_plan(plan, limit=10_000 if verbose else 200):
            click.echo(line)
    else:
        for summary in plan.steps.values():
            click.echo(summary)
    _echo_outcome(report, dry_run)
    if plan.warnings and not (dry_run or verbose):
        click.echo(f"Предупреждений: {len(plan.warnings)} (подробно: -v)", err=True)
    if plan.errors:
        for error in plan.errors:
            click.echo(f"Ошибка: {error}", err=True)
        sys.exit(2)


@main.command(context_settings=CONTEXT)
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Файл настроек (иначе $NASTAVNIK_CONFIG или ./nastavnik.toml).")
@click.option("--dry-run", is_flag=True, help="Показать предложения и ничего не записывать.")
@click.option("--explain", "explain_id", metavar="ID",
              help="Объяснить подбор для наставляемого (НВ-…) или пары (П-…).")
def match(config_path: Path | None, dry_run: bool, explain_id: str | None) -> None:
    """Подбор пар без чтения анкет: предложения с объяснением в лист «Пары».

    Куратор ставит «утверждена» или «отклонена» либо вписывает другого наставника — следующий
    запуск это учитывает: утвержденные и ручные пары закреплены, отклоненная пара больше не
    предлагается, открытые предложения не меняются, пока остаются допустимыми.

    Пример: nastavnik match --explain НВ-0007
    """
    from sync.bootstrap import open_backend
    from sync.explain import describe_mentee_or_pair
    from sync.job import run_sync

    config = _load(config_path)
    try:
        backend = open_backend(config)
        report = run_sync(config, backend.store, None, dry_run=dry_run or bool(explain_id),
                          api_calls=backend.api_calls)
    except EXPECTED as exc:
        raise Failure(str(exc)) from exc
    plan = report.plan
    if explain_id:
        try:
            lines = describe_mentee_or_pair(plan.registries, plan.pairing, explain_id.strip())
        except KeyError as exc:
            raise Failure(f"нет наставляемого или пары с ID «{explain_id}»") from exc
        for line in lines:
            click.echo(line)
        return
    click.echo(plan.steps["pairs"])
    if plan.pairing and plan.pairing.result:
        for mentee_id, why in plan.pairing.result.unmatched:
            click.echo(f"  без пары {mentee_id}: {why}")
    _echo_outcome(report, dry_run)


@main.command(context_settings=CONTEXT)
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Файл настроек (иначе $NASTAVNIK_CONFIG или ./nastavnik.toml).")
@click.option("--json", "as_json", is_flag=True, help="Вывести в формате JSON.")
def status(config_path: Path | None, as_json: bool) -> None:
    """Дорожная карта: этап, мероприятие, срок, статус, прогресс и основание; «!» — просрочено.

    Статусы считаются по данным реестров (согласия, пары, встречи, обратная связь), ручной
    статус из столбца «Статус вручную» всегда главнее.

    Пример: nastavnik status --json
    """
    from sync.bootstrap import open_backend
    from sync.status import current_roadmap, render_json, render_table, stage_summaries

    config = _load(config_path)
    try:
        snapshot = open_backend(config).store.read_all()
    except EXPECTED as exc:
        raise Failure(str(exc)) from exc
    rows = current_roadmap(snapshot, config, clock.now())
    if as_json:
        click.echo(render_json(rows))
        return
    click.echo(render_table(rows))
    click.echo("")
    for line in stage_summaries(rows):
        click.echo(line)
    from sync.doctor import cycle_check

    click.echo(cycle_check(config, clock.today(config.tz)).line())


@main.command(context_settings=CONTEXT)
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Файл настроек (иначе $NASTAVNIK_CONFIG или ./nastavnik.toml).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              help="Папка раздела (иначе [site] out в nastavnik.toml, иначе site/ рядом с ним).")
def site(config_path: Path | None, out: Path | None) -> None:
    """Раздел «Наставничество» для сайта: О программе, Дорожная карта, Лучшие практики, Наставники.

    Статические страницы HTML и CSS без скриптов и без внешних запросов: откройте index.html
    из папки или выложите папку на любой веб-сервер. Публикуется только то, что разрешают
    согласия на распространение ПД: имена наставников долгосрочного реестра и кейсы пар, все
    участники которых согласились; ни адресов, ни телефонов, ни имен наставляемых.

    Пример: nastavnik site --out /var/www/nastavnichestvo
    """
    from sync.bootstrap import open_backend
    from sync.site.build import SiteError, build_site, public_registries

    config = _load(config_path)
    target = out or config.site.out or config.root / "site"
    now = clock.now()
    try:
        reg = public_registries(open_backend(config).store.read_all(), config, now)
        report = build_site(reg, config, now.astimezone(config.tz).date(), target)
    except (*EXPECTED, SiteError) as exc:
        raise Failure(str(exc)) from exc
    click.echo(report.line())
    for line in report.held_back:
        click.echo(f"Требует внимания: {line}", err=True)


@main.command(context_settings=CONTEXT)
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Файл настроек (иначе $NASTAVNIK_CONFIG или ./nastavnik.toml).")
def doctor(config_path: Path | None) -> None:
    """Проверить все, что нужно для запуска: настройки, доступ, листы и заголовки, вопросы анкет.

    Печатает список проверок (✓ — в порядке, ✗ — проблема); код выхода 1, если есть проблемы.

    Пример: nastavnik doctor --config programma/nastavnik.toml
    """
    from sync.doctor import run_checks

    checks = run_checks(_load(config_path))
    for check in checks:
        click.echo(check.line())
    if any(c.ok is False for c in checks):
        sys.exit(1)


def _register_documents() -> None:
    from sync.cli_documents import document_commands

    for command in document_commands(CONTEXT, Failure, _load, EXPECTED, RussianCommand):
        main.add_command(command)


_register_documents()


def entry() -> None:
    """The console script: ``main`` with click's own errors said in Russian."""
    from sync.crashlog import route_warnings

    route_warnings()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        main.main(standalone_mode=False)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "nastavnik"
        click.echo(f"Ошибка в команде: {_usage_text(exc).rstrip('.')}. Справка: {where} --help", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Прервано.", err=True)
        sys.exit(1)
