"""The sync job: lock, read, compute a plan, apply it, journal, unlock.

Steps 3–7 only compute. The plan is every cell the run would change; ``--dry-run`` shows it,
otherwise it is written in batched writes. A run with nothing new writes nothing at all (not
even a journal row), so a cron every few minutes does not churn the file; when the workbook,
the exports and the day are those of the last complete run (digests of their bytes), nothing
else is done, not even parsing the workbook (``sync.quiet``).

A backlog larger than one write (a store whose writes are bounded by a request size, Google's)
is drained in the same run: answers are taken ``max_responses`` at a time, consents first,
and each part is written as soon as it is taken, so that every write stays within the limits
and leaves a state the next run converges from. Derived columns, matching and the roadmap are
computed once, on the complete data, and go with the last write.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forms.responses import Response, ResponseSource, SourceError
from sheets.changes import ChangeSet, RowAppend
from sheets.schema import BY_NAME, REGISTRIES, shown_in_plans
from sheets.store import Snapshot, StoreBusy, TableStore, WriteReport
from sync import clock, quiet
from sync.config import Config
from sync.ingest import FORM_ORDER, Context, IngestReport, ingest, watermark
from sync.long_values import (
    CELL_LIMITS,
    alert_long_values,
    fit_changes,
    folder_for,
    prune,
    referenced,
    spill,
    write_files,
)
from sync.registry import Registries, local_stamp

if TYPE_CHECKING:
    from sync.pairing import PairingReport

WATERMARK_OVERLAP = timedelta(minutes=30)
FULL_READ = "полное чтение"  # «Служебное»: the day a form was last read without the filter
LEASE_TTL = timedelta(minutes=15)  # a killed run's write lease blocks others at most this long
BACKEND_NAMES = {"local": "книга Excel и выгрузки CSV", "google": "Google Таблицы и Формы"}
MSG_ERASED = "отзыв согласия: персональные данные удалены ({ids})"


@dataclass
class Plan:
    """What a run would change, and what it found on the way."""

    changes: ChangeSet
    ingest: IngestReport
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    steps: dict[str, str] = field(default_factory=dict)  # step -> one-line Russian summary
    pairing: PairingReport | None = None
    registries: Registries | None = field(default=None, repr=False)  # the state after the plan
    files: dict[Path, str] = field(default_factory=dict, repr=False)  # values kept beside the book


@dataclass
class RunReport:
    """What a run did."""

    plan: Plan
    written: WriteReport | None
    started_at: datetime
    finished_at: datetime
    api_calls: dict[str, int] = field(default_factory=dict)
    site: object | None = None  # sync.site.build.SiteReport when [site] out is set
    writes: int = 0  # batched writes made (a backlog takes several)
    quiet: bool = False  # nothing changed since the last complete run: nothing was computed

    @property
    def ok(self) -> bool:
        return not self.plan.errors


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """An exclusive lock, so overlapping cron runs never both write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreBusy(
                "синхронизация уже идет (другой запуск держит блокировку "
                f"{path.name}); этот запуск ничего не сделал"
            ) from exc
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


def read_responses(
    sources: ResponseSource,
    reg: Registries,
    plan_errors: list[str],
    today: str = "",
    unchanged: Collection[str] = frozenset(),
) -> dict[str, list[Response]]:
    """Every form's responses since its watermark; a form that fails is reported, not fatal.

    The watermark is moved back by WATERMARK_OVERLAP: a response can show up in the API a little
    after its timestamp, and must not fall behind a watermark that already passed it. What the
    overlap brings back again is skipped by id before anything else is asked. A source that asks
    for it (``full_read_daily``: the Forms API, whose timestamp filter may match only a
    response's first submission, not its edits) is read unfiltered once a day. Forms in
    ``unchanged`` (an export that is the very file the last complete run read) are not read.
    """
    out: dict[str, list[Response]] = {}
    seen = reg["processed"].keys()
    daily = bool(getattr(sources, "full_read_daily", False)) and today
    for spec in FORM_ORDER:
        if spec.code in unchanged:
            out[spec.code] = []
            continue
        mark = watermark(reg, spec.code)
        since = mark - WATERMARK_OVERLAP if mark else None
        if daily and reg.service(f"{FULL_READ} {spec.code}") != today:
            since = None
            reg.set_service(f"{FULL_READ} {spec.code}", today)
        try:
            out[spec.code] = sources.responses(spec, since, seen)
        except SourceError as exc:
            plan_errors.append(str(exc))
    return out


def compute_plan(
    snapshot: Snapshot,
    sources: ResponseSource | None,
    config: Config,
    now: datetime,
    backend: str = "local",
    sink: Any = None,
    flush: Callable[[ChangeSet, dict], None] | None = None,
    unchanged: Collection[str] = frozenset(),
) -> Plan:
    """Steps 3–7: everything the run would change, computed without writing anything.

    Documents are the exception: with a ``sink`` (a real run, not --dry-run) the ИПР of newly
    approved pairs is made there, so that the plan's records and links point at it.

    With ``sources`` None the forms are not read (``nastavnik match``: matching alone).
    Values longer than the ``backend``'s cells are kept whole in files (``plan.files``). With
    ``flush``, answers are taken ``config.max_responses`` at a time and each part but the last
    is handed to ``flush`` (changes and files, which it writes) as soon as it is taken; the plan
    holds the rest. Without it every answer is taken at once (a dry run shows the whole backlog).
    """
    # the steps after ingestion import numpy, scipy and OR-Tools: only when they run, so that
    # a quiet cron run (which stops after the read) does not pay for them
    from sync.cells import check_cells
    from sync.dashboard.step import update_dashboard
    from sync.derive import derive
    from sync.documents.service import job_step as documents_step
    from sync.pairing import update_pairs
    from sync.progress import update_progress
    from sync.publication import mark_practices

    reg = Registries(snapshot)
    ctx = Context(now=now, tz=config.tz)
    errors: list[str] = []
    report = IngestReport()
    if sources is not None:
        batches = read_responses(sources, reg, errors, ctx.today.isoformat(), unchanged)
        _form_alerts(reg, ctx, errors)
        limit = config.max_responses if flush is not None else None
        while True:
            part = ingest(reg, batches, ctx, limit)
            report.merge(part)
            if not part.deferred:
                break
            # a part within the limits, consistent on its own
            flush(*fit_changes(reg, CELL_LIMITS[backend], long_values_folder(config, backend)))
            reg.commit()
    check_cells(reg, local_stamp(ctx.now, ctx.tz))
    erased = derive(reg, ctx)
    plan = Plan(ChangeSet(), report, errors, list(snapshot.warnings) + reg.warnings, registries=reg)
    if sources is not None:
        plan.steps["ingest"] = (
            f"новых ответов: {report.new_responses}, принято: {report.accepted}, "
            f"правок: {report.edited}, требуют внимания: {report.quarantined}"
        )
    if erased:
        plan.steps["erasure"] = MSG_ERASED.format(ids=", ".join(erased))
    plan.pairing = update_pairs(reg, ctx, config)
    plan.steps["pairs"] = plan.pairing.summary()
    plan.steps["documents"], document_warnings = documents_step(reg, config, sink, now)
    plan.warnings += document_warnings
    plan.steps["progress"] = update_progress(reg, ctx, config)
    alert_long_values(reg, local_stamp(ctx.now, ctx.tz), CELL_LIMITS[backend], long_values_folder(config, backend))
    mark_practices(reg, ctx.today)
    plan.steps["dashboard"] = update_dashboard(reg, ctx, config)
    plan.steps["attention"] = attention_summary(reg)
    plan.changes, plan.files = fit_changes(reg, CELL_LIMITS[backend], long_values_folder(config, backend))
    return plan


def _prune_long_values(plan: Plan, config: Config, backend: str) -> None:
    """After the registries were written: kept files no cell needs go (an erased person's text)."""
    folder = long_values_folder(config, backend)
    if not folder.is_dir():
        return
    keep = referenced(plan.registries.rows, CELL_LIMITS[backend], folder) | {p.name for p in plan.files}
    removed = prune(folder, keep)
    if removed:
        plan.steps["long_values"] = f"удалено файлов длинных значений, на которые больше нет ссылок: {len(removed)}"


def long_values_folder(config: Config, backend: str) -> Path:
    """Beside the workbook locally; beside nastavnik.toml with Google."""
    return folder_for(config.registry.parent if backend == "local" else config.root)


def attention_summary(reg: Registries) -> str:
    """What the run did to «Требует внимания»: rows added, closed, and how many stay open."""
    before, now = reg.before["attention"], reg["attention"]
    added = sum(1 for k, r in now.items() if k not in before and r["status"] == "открыто")
    closed = sum(1 for k, r in before.items() if r.get("status") == "открыто" and now[k]["status"] != "открыто")
    reopened = sum(1 for k, r in before.items() if r.get("status") != "открыто" and now[k]["status"] == "открыто")
    still = sum(1 for r in now.values() if r["status"] == "открыто")
    text = f"требует внимания: новых строк {added}, закрыто {closed}"
    if reopened:
        text += f", открыто снова {reopened}"
    return text + f", открытых всего {still}"


def _form_alerts(reg: Registries, ctx: Context, errors: list[str]) -> None:
    """A form that could not be read at all is shown in «Требует внимания» until it reads."""
    stamp = local_stamp(ctx.now, ctx.tz)
    for spec in FORM_ORDER:
        failing = next((e for e in errors if f"«{spec.title}»" in e), "")
        reg.alert(f"анкета {spec.code}", bool(failing), stamp, form=spec.title, reason=failing)


def run_sync(
    config: Config,
    store: TableStore,
    sources: ResponseSource | None,
    dry_run: bool = False,
    now: datetime | None = None,
    api_calls: Callable[[], dict[str, int]] | None = None,
    sink: Any = None,
) -> RunReport:
    """Run the job once under the lock; returns what it planned and wrote.

    ``sink`` is where documents go; on the local backend it defaults to ``out/``.
    """
    started = now or clock.now()
    if sink is None and not dry_run and store.backend == "local":
        from sync.documents.service import open_sink  # python-docx: only when a run may need it

        sink = open_sink(config)
    with run_lock(config.lock_path):
        record = quiet.state_path(config.lock_path)
        last = quiet.load(record)
        seen = _seen(config, store, sources, started)
        if sources is not None and not dry_run and seen.same_as(last):
            # the digest read every byte of the workbook and of each export: they are the very
            # files the last complete run left and read, so the read would find what it found
            plan = Plan(ChangeSet(), IngestReport(), steps={"quiet": QUIET})
            tidy = getattr(store, "tidy", None)  # a killed run's copies go even in a quiet run
            if tidy is not None:
                tidy()
            site = None
            if config.site.out is not None:  # built from the same registries: nothing to change
                from sync.site.build import SiteReport

                site = SiteReport(config.site.out)
            return RunReport(plan, None, started, clock.now(), dict(api_calls() if api_calls else {}),
                             site=site, quiet=True)
        snapshot = store.read_all()
        writes: list[WriteReport] = []

        def write(part: ChangeSet) -> WriteReport:
            # a shared store: two machines must not both write; each write releases the lease
            claim = getattr(store, "claim", None)
            if claim is not None:
                claim(lease_owner(), clock.now(), LEASE_TTL)
            quiet.forget(record)  # from here on the workbook is not what the record says
            report = store.write(part)
            writes.append(report)
            return report

        def flush(part: ChangeSet, files: dict) -> None:
            if part:
                write_files(files)  # before the cells that point to them
                write(part)

        bounded = getattr(store, "bounded_writes", True)
        plan = compute_plan(snapshot, sources, config, started, store.backend, None if dry_run else sink,
                            flush if bounded and not dry_run else None, seen.unchanged_forms(last))
        if not dry_run and (plan.changes or (plan.errors and _new_errors(snapshot, plan))):
            changes = ChangeSet(list(plan.changes.updates), list(plan.changes.appends), list(plan.changes.assigns))
            taken = set(snapshot.frames["journal"].index) if "journal" in snapshot.frames else set()
            changes.extend(journal_row(plan, store.backend, started, config, api_calls, taken))
            limit, folder = CELL_LIMITS[store.backend], long_values_folder(config, store.backend)
            changes, journal_files = spill(changes, limit, folder)
            write_files({**plan.files, **journal_files.files})  # before the cells that point to them
            write(changes)
            plan.files.update(journal_files.files)
        if not dry_run and plan.registries is not None and all(s.name in snapshot.frames for s in REGISTRIES):
            _prune_long_values(plan, config, store.backend)  # only when every sheet was read
        written = _total(writes) if writes else None
        site = None if dry_run or config.site.out is None else rebuild_site(plan, config, started)
        if sources is not None and not dry_run and not plan.errors:
            # the record of a complete run: what the workbook is now, and the exports it read
            seen.workbook = _fingerprint(store)
            quiet.save(record, seen)
        finished = clock.now()
    return RunReport(plan, written, started, finished, dict(api_calls() if api_calls else {}), site=site,
                     writes=len(writes))


def rebuild_site(plan: Plan, config: Config, now: datetime):
    """Rebuild the public section from the run's registries; only changed files are written.

    A failure (a page that would carry personal data, a folder that cannot be written) is the
    run's error, after the registries were written: the data are safe, the site waits.
    """
    from sync.site.build import SiteError, build_site

    try:
        report = build_site(plan.registries, config, now.astimezone(config.tz).date(), config.site.out)
    except SiteError as exc:
        plan.errors.append(f"раздел «Наставничество»: {exc}")
        return None
    plan.warnings.extend(report.held_back)
    return report


def lease_owner() -> str:
    """Who this run is, for the write lease: machine and process (no person's data)."""
    return f"{socket.gethostname()}:{os.getpid()}"


QUIET = "ничего нового: книга и выгрузки анкет те же, что при прошлом запуске"


def _seen(config: Config, store: TableStore, sources: ResponseSource | None, now: datetime) -> quiet.Seen:
    """Digests of the inputs of this run, as far as the store and the sources can tell them."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        code = version("nastavnik")
    except PackageNotFoundError:
        code = "?"
    code = f"{code}+{quiet.code_digest()}"
    today = now.astimezone(config.tz).date().isoformat()
    seen = quiet.Seen(quiet.context_digest(today, repr(config), code), _fingerprint(store))
    tell = getattr(sources, "fingerprint", None)
    for spec in FORM_ORDER:
        seen.forms[spec.code] = tell(spec) if tell is not None else ""
    return seen


def _fingerprint(store: TableStore) -> str:
    tell = getattr(store, "fingerprint", None)
    return tell() if tell is not None else ""


def _total(writes: list[WriteReport]) -> WriteReport:
    """One report for the writes of a run."""
    total = WriteReport()
    for w in writes:
        total.cells += w.cells
        total.rows += w.rows
        total.skipped += w.skipped
        total.added += w.added
    return total


def _new_errors(snapshot: Snapshot, plan: Plan) -> bool:
    """Whether this run's errors differ from the last journalled run's (no repeat every 5 min)."""
    journal = snapshot.frames.get("journal")
    if journal is None or not len(journal):
        return True
    last = journal.sort_values("started_at").iloc[-1]["errors"]
    return last != "; ".join(plan.errors)


def journal_row(
    plan: Plan,
    backend: str,
    started: datetime,
    config: Config,
    api_calls: Callable[[], dict[str, int]] | None = None,
    taken: set[str] | frozenset[str] = frozenset(),
) -> ChangeSet:
    """The run's row in «Журнал синхронизации», as a change in the same write."""
    stamp = local_stamp(started, config.tz)
    key, n = stamp, 1
    while key in taken:  # two runs in one second
        n += 1
        key = f"{stamp} ({n})"
    calls = api_calls() if api_calls else {}
    values = {
        "id": key,
        "started_at": stamp,
        "finished_at": local_stamp(clock.now(), config.tz),
        "backend": BACKEND_NAMES.get(backend, backend),
        "responses": str(plan.ingest.new_responses),
        "changes": "; ".join([describe_counts(plan.changes), *[v for k, v in plan.steps.items() if k == "erasure"]]),
        "api_calls": ", ".join(f"{k}: {v}" for k, v in sorted(calls.items())),
        "errors": "; ".join(plan.errors),
    }
    schema = BY_NAME["journal"]
    return ChangeSet(appends=[RowAppend("journal", tuple((n, values.get(n, "")) for n in schema.names))])


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian word form for a count: 1 строка, 2 строки, 5 строк, 21 строка, 11 строк."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def describe_counts(changes: ChangeSet) -> str:
    """«Наставники: +12 строк, 3 ячеек; …» for the journal and the CLI."""
    parts = []
    for sheet, (rows, cells) in changes.counts().items():
        bits = []
        if rows:
            bits.append(f"+{rows} {plural(rows, 'строка', 'строки', 'строк')}")
        if cells:
            bits.append(f"{cells} {plural(cells, 'ячейка', 'ячейки', 'ячеек')}")
        parts.append(f"{BY_NAME[sheet].title}: {', '.join(bits)}")
    return "; ".join(parts) or "без изменений"


def describe_plan(plan: Plan, limit: int = 200) -> list[str]:
    """The plan in Russian, line by line; personal data is never shown, only ids and columns."""
    lines = [f"План: {describe_counts(plan.changes)}"]
    lines += [f"  {summary}" for summary in plan.steps.values()]
    shown = 0
    for k in plan.changes.assigns:
        lines.append(f"  # «{BY_NAME[k.sheet].title}»: строке, внесенной вручную, присвоен номер {k.key}")
        shown += 1
    for a in plan.changes.appends:
        if shown >= limit:
            break
        lines.append(f"  + «{BY_NAME[a.sheet].title}»: новая строка {a.key}")
        shown += 1
    for u in plan.changes.updates:
        if shown >= limit:
            break
        schema = BY_NAME[u.sheet]
        hide = not shown_in_plans(schema.column(u.column))
        where = f"  ~ «{schema.title}» {u.key}, «{schema.header(u.column)}»"
        if hide:  # say what changed without the data itself
            what = "заполнено" if not u.old else "очищено" if not u.new else "изменено"
            lines.append(f"{where}: {what} (личные данные не показываются)")
        else:
            lines.append(f"{where}: «{u.old}» → «{u.new}»")
        shown += 1
    rest = len(plan.changes.appends) + len(plan.changes.updates) - shown
    if rest > 0:
        lines.append(f"  … и еще {rest} {plural(rest, 'изменение', 'изменения', 'изменений')}")
    lines += [f"  ошибка: {e}" for e in plan.errors]
    lines += [f"  предупреждение: {w}" for w in plan.warnings]
    return lines
