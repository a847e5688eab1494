"""Build the section: registries -> content -> pages, scanned, then only changed files written."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from sheets.store import Snapshot
from sync.config import Config
from sync.derive import derive
from sync.ingest import Context
from sync.progress import update_progress
from sync.publication import mark_practices
from sync.registry import Registries
from sync.site import texts
from sync.site.content import site_content
from sync.site.pages import STYLESHEET, render_pages
from sync.site.privacy import find_personal_data, page_text


class SiteError(Exception):
    """The section cannot be built or written; the message is Russian and names no person."""


@dataclass
class SiteReport:
    """What a build made: the folder, its files, those that changed, cases held back."""

    out: Path
    files: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)

    def line(self) -> str:
        pages = sum(f.endswith(".html") for f in self.files)
        return texts.BUILT.format(path=self.out, pages=pages, written=len(self.written))


def public_registries(snapshot: Snapshot, config: Config, now: datetime) -> Registries:
    """The registries as the next sync would leave them, for a build outside the job."""
    reg = Registries(snapshot)
    ctx = Context(now=now, tz=config.tz)
    derive(reg, ctx)
    update_progress(reg, ctx, config)
    mark_practices(reg, ctx.today)
    return reg


def render_site(reg: Registries, config: Config, today: date) -> tuple[dict[str, bytes], list[str]]:
    """Every file of the section (name -> bytes) and the cases held back; SiteError on a leak."""
    content = site_content(reg, config, today)
    files: dict[str, bytes] = {}
    for name, markup in render_pages(content).items():
        kinds = find_personal_data(page_text(markup), content.forbidden)
        if kinds:
            found = ", ".join(texts.LEAK_KINDS[k] for k in kinds)
            raise SiteError(texts.LEAK.format(page=name, kinds=found))
        files[name] = markup.encode("utf-8")
    files[STYLESHEET] = resources.files("sync.site").joinpath(STYLESHEET).read_bytes()
    return files, list(content.held_back)


def write_files(out: Path, files: dict[str, bytes]) -> list[str]:
    """Write the files whose bytes differ from what is there (atomically); the names written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SiteError(f"не удалось создать папку {out}: {exc.strerror}") from exc
    written = []
    for name, data in sorted(files.items()):
        target = out / name
        if target.exists() and target.read_bytes() == data:
            continue
        fd, tmp = tempfile.mkstemp(prefix=".nastavnik-", dir=out)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)  # a web server reads these
            os.replace(tmp, target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise SiteError(f"не удалось записать {target}: {exc.strerror}") from exc
        written.append(name)
    return written


def build_site(reg: Registries, config: Config, today: date, out: Path) -> SiteReport:
    """Render the section from up-to-date registries and write what changed into ``out``."""
    files, held = render_site(reg, config, today)
    report = SiteReport(out, sorted(files), held_back=held)
    report.written = write_files(out, files)
    return report
