"""Where made documents go: ``out/`` on this machine, or Google Docs in the programme's folder.

A sink takes one rendered .docx at a time and says where it went (a path or a link); at the
end of a batch it may add what a batch gets (the combined file for printing, PDFs). Both sinks
put the same .docx; only the place differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sync.documents.render import combine, to_pdf


@dataclass(frozen=True)
class Placed:
    """Where a document went: its file or link, and its PDF if one was made."""

    link: str
    pdf: str = ""


@dataclass
class BatchOutcome:
    """What the end of a batch added: the combined file (and its PDF), PDFs, and a note if PDF failed."""

    combined: str = ""
    combined_pdf: str = ""
    pdfs: dict[str, str] = field(default_factory=dict)  # document link -> its PDF
    note: str = ""


class Sink(Protocol):
    """A place for documents."""

    where: str  # for the summary: «out/2026–2028», «папка Google Диска …»

    def put(self, key: str, folder: str, name: str, title: str, data: bytes, replaces: str = "") -> Placed:
        """Store one document (replacing the one at ``replaces``, a former link); where it went."""
        ...

    def finish(self, folder: str, batch_title: str, made: list[tuple[Placed, bytes]], batch_key: str = "",
               replaces: tuple[str, str] = ("", "")) -> BatchOutcome:
        """After a batch: the combined printing file (recorded as ``batch_key``, replacing the former
        file and PDF ``replaces``) and PDFs, where this sink makes them."""
        ...

    def remove(self, link: str) -> None:
        """Delete a document (a consent was withdrawn)."""
        ...


class LocalSink:
    """Documents as files under the programme's ``out/`` folder, one folder per cycle and kind."""

    def __init__(self, out_dir: Path, cycle: str, pdf: bool = True) -> None:
        self.root = out_dir / cycle.replace("–", "-")
        self.pdf = pdf
        self.where = str(self.root)

    def _path(self, link: str) -> Path:
        return self.root.parent / link

    def put(self, key: str, folder: str, name: str, title: str, data: bytes, replaces: str = "") -> Placed:
        path = self.root / folder / f"{name}.docx"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)  # never a half-written letter under the real name
        if replaces and self._path(replaces) != path:
            self.remove(replaces)
        return Placed(str(path.relative_to(self.root.parent)))

    def finish(self, folder: str, batch_title: str, made: list[tuple[Placed, bytes]], batch_key: str = "",
               replaces: tuple[str, str] = ("", "")) -> BatchOutcome:
        outcome = BatchOutcome()
        if not made:
            return outcome
        files = [self._path(p.link) for p, _ in made]
        if len(made) > 1:
            combined = self.root / f"{batch_title} — все.docx"
            combined.write_bytes(combine(data for _, data in made))
            outcome.combined = str(combined.relative_to(self.root.parent))
            files.append(combined)
        if self.pdf:
            pdfs, outcome.note = to_pdf(files)
            done = {p.with_suffix(".docx") for p in pdfs}
            if outcome.combined and combined in done:
                outcome.combined_pdf = str(combined.with_suffix(".pdf").relative_to(self.root.parent))
            for placed, _ in made:
                path = self._path(placed.link)
                if path in done:
                    outcome.pdfs[placed.link] = str(path.with_suffix(".pdf").relative_to(self.root.parent))
        return outcome

    def remove(self, link: str) -> None:
        for path in (self._path(link), self._path(link).with_suffix(".pdf")):
            if path.is_file() and self.root.parent.resolve() in path.resolve().parents:
                path.unlink()
