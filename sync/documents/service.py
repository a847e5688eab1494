"""The documents' entry points for the CLI and the job: templates, figures, sinks, the ИПР step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sync.config import Config
from sync.documents import figures as fig
from sync.documents import texts
from sync.documents.catalog import BY_CODE
from sync.documents.make import MadeReport, cycle, erase_documents, make_batch
from sync.documents.render import DocumentError, Template
from sync.documents.sinks import LocalSink, Sink
from sync.publication import case_publishable, publication_scopes
from sync.registry import Registries


def open_sink(config: Config, services: Any = None) -> Sink:
    """Google Docs in the programme's folder on the Google backend, else files in ``out/``."""
    if config.backend == "google" and services is not None:
        from sync.documents.google_sink import GoogleDocsSink

        return GoogleDocsSink(services, config.google.drive_folder_id, config.out_dir, cycle(config),
                              pdf=config.documents.pdf, tag=getattr(config.google, "tag", ""))
    return LocalSink(config.out_dir, cycle(config), pdf=config.documents.pdf)


def backend_sink(config: Config, backend: Any) -> Sink | None:
    """The job's sink for a backend: Google Docs with Google clients, else None (``out/``, the default)."""
    services = getattr(backend, "services", None)
    return open_sink(config, services) if services is not None else None


def load_template(code: str, config: Config, sink: Sink | None = None) -> Template:
    """The staff's template for a kind (a .docx path or a Google Doc id), else the shipped one.

    A Google Doc is exported to .docx once per run (the sink remembers it).
    """
    kind = BY_CODE[code]
    chosen = config.documents.templates.get(code, "")
    if not chosen:
        return Template.from_path(kind.shipped)
    if chosen.lower().endswith(".docx"):
        from pathlib import Path

        path = Path(chosen)
        if not path.is_file():
            raise DocumentError(texts.MSG_NO_TEMPLATE.format(path=path, kind=code, file=config.path.name))
        return Template.from_path(path)
    export = getattr(sink, "export_template", None)
    if export is None:
        raise DocumentError(f"шаблон {code} = «{chosen}» — это id Google Документа, а программа работает "
                            f"с локальными файлами; укажите путь к .docx в {config.path.name}")
    return Template(f"Google Документ {chosen}", export(chosen))


def figures_for(code: str, reg: Registries, config: Config, today: date) -> Callable[[], dict[str, object]]:
    """The report's numbers and charts, computed when the batch asks for them."""
    def compute() -> dict[str, object]:
        frames = {name: frame for name, frame in reg.frames().items()}
        if code == "report_needs":
            return fig.needs_figures(frames)
        out = {**fig.pairs_figures(frames), **fig.meetings_figures(frames, config.end, today)}
        if code == "report_interim":
            return {**out, **fig.interim_figures(frames)}
        scopes = publication_scopes(reg, today)
        final = {**out, **fig.final_figures(frames), **fig.practice_figures(
            frames, lambda key: case_publishable(reg["practices"][key], reg, scopes))}
        final["выводы"] = [*fig.interim_figures(frames)["выводы"][1:], *fig.change_conclusions(frames)]
        return final

    return compute


def make_kind(code: str, reg: Registries, config: Config, sink: Sink, now: datetime, only: list[str] | None = None,
              force: bool = False, progress: Callable[[int, int], None] | None = None) -> MadeReport:
    """One batch of a kind of document, on registries already read (the caller writes them back)."""
    today = now.astimezone(config.tz).date()
    template = load_template(code, config, sink)
    return make_batch(code, reg, config, template, sink, now, only, force, figures_for(code, reg, config, today),
                      progress)


def due_plans(reg: Registries) -> list[str]:
    """Approved pairs without their ИПР yet (the job makes these)."""
    made = {r["subject_id"] for r in reg["documents"].values() if r["id"].startswith("plan:") and r["link"]}
    return sorted(k for k, p in reg["pairs"].items()
                  if p["status"] in ("утверждена", "пробная встреча", "план развития", "работа") and k not in made)


def job_step(reg: Registries, config: Config, sink: Sink | None, now: datetime) -> tuple[str, list[str]]:
    """Step 5 and 7 of the job: the ИПР of newly approved pairs; erasing withdrawn people's documents.

    Returns the step's summary and warnings. A document problem (a field without data) is a
    warning and an open row in «Требует внимания», never a failed run.
    """
    due = due_plans(reg)
    warnings: list[str] = []
    if sink is None:
        return (f"документы: ИПР к созданию {len(due)}" if due else "документы: новых нет"), warnings
    erased = erase_documents(reg, sink)
    made = 0
    problem = ""
    if due:
        try:
            made = make_kind("plan", reg, config, sink, now, only=due).made
        except DocumentError as exc:
            problem = f"ИПР не созданы: {exc}"
            warnings.append(problem)
    from sync.registry import local_stamp

    reg.alert("документы: ИПР", bool(problem), local_stamp(now, config.tz), form="Документы",
              question="ИПР", reason=problem)
    parts = [f"ИПР создано {made}"] + ([f"удалено после отзыва согласия {erased}"] if erased else [])
    return "документы: " + ", ".join(parts), warnings
