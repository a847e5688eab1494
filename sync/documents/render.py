"""One renderer: a .docx template with ``{{ поле }}`` fields (docxtpl) + a context -> .docx bytes.

Every field a template uses is checked against the context before anything is made: a field
the data cannot fill is an error naming the template, the field and what to do. Charts and QR
codes come as ``Picture`` values (PNG bytes) and go into the document as inline images, so the
same .docx works locally and, uploaded with conversion, as a Google Doc.
"""

from __future__ import annotations

import copy
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sync.documents import texts

if TYPE_CHECKING:
    from docxtpl import DocxTemplate

# python-docx, docxtpl and jinja2 are imported where a document is read or made: a run that
# makes none (every cron run without a new pair, the quiet one) does not pay their import.

SOFFICE_ENV = "NASTAVNIK_SOFFICE"  # path to LibreOffice's soffice, or "none" for no PDF


class DocumentError(Exception):
    """A document cannot be made; the Russian message names the template, field or setting."""


@dataclass(frozen=True)
class Picture:
    """An image for a field: PNG bytes and the width it takes on the page."""

    png: bytes
    width_mm: float = 160


@dataclass(frozen=True)
class Missing:
    """A value the data has not got, with the reason a person can act on."""

    why: str

    def __str__(self) -> str:  # never printed into a document: the check refuses it first
        return ""


class Template:
    """A .docx template read once per run; renders any number of documents."""

    def __init__(self, name: str, data: bytes) -> None:
        from docxtpl import DocxTemplate
        from jinja2 import TemplateError

        self.name = name
        self.data = data
        try:
            probe = DocxTemplate(io.BytesIO(data))
            self.fields = frozenset(probe.get_undeclared_template_variables())
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise DocumentError(texts.MSG_BAD_TEMPLATE.format(template=name, why=exc)) from exc
        except TemplateError as exc:
            raise DocumentError(texts.MSG_TEMPLATE_SYNTAX.format(template=name, why=exc)) from exc

    @classmethod
    def from_path(cls, path: Path, name: str | None = None) -> Template:
        return cls(name or path.name, path.read_bytes())

    def problems(self, context: Mapping[str, Any]) -> list[str]:
        """Russian messages for every field this template uses and ``context`` cannot fill."""
        out = []
        for field in sorted(self.fields):
            if field not in context:
                out.append(texts.MSG_UNFILLED.format(template=self.name, field=field, why=texts.MSG_UNKNOWN_FIELD))
            elif isinstance(context[field], Missing):
                out.append(texts.MSG_UNFILLED.format(template=self.name, field=field, why=context[field].why))
        return out

    def render(self, context: Mapping[str, Any]) -> bytes:
        """The filled document as .docx bytes (call ``problems`` first)."""
        from docxtpl import DocxTemplate
        from jinja2 import TemplateError

        doc = DocxTemplate(io.BytesIO(self.data))
        try:
            doc.render(_images(doc, dict(context)), autoescape=True)
        except TemplateError as exc:
            raise DocumentError(texts.MSG_TEMPLATE_SYNTAX.format(template=self.name, why=exc)) from exc
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def _images(doc: DocxTemplate, value: Any) -> Any:
    """Pictures (also inside lists and dicts) as docxtpl inline images of this document."""
    if isinstance(value, Picture):
        from docx.shared import Mm
        from docxtpl import InlineImage

        return InlineImage(doc, io.BytesIO(value.png), width=Mm(value.width_mm))
    if isinstance(value, dict):
        return {k: _images(doc, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_images(doc, v) for v in value]
    return value


def document_text(data: bytes) -> str:
    """All the text of a .docx (paragraphs and table cells), for checks and tests."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def combine(parts: Iterable[bytes]) -> bytes:
    """One .docx of several, each from a new page: the batch file for printing.

    Documents of one batch share their template, so their bodies can simply follow each other
    (ten times faster than a general merge); with pictures, whose parts must be copied over,
    docxcompose does the general merge.
    """
    from docx import Document

    parts = list(parts)
    if any(b"r:embed=" in _body_xml(p) for p in parts):
        return _compose(parts)
    master = Document(io.BytesIO(parts[0]))
    body = master.element.body
    tail = body[-1] if body[-1].tag.endswith("}sectPr") else None
    for data in parts[1:]:
        other = Document(io.BytesIO(data)).element.body
        page_break = copy.deepcopy(_page_break())
        (tail.addprevious if tail is not None else body.append)(page_break)
        for child in list(other):
            if not child.tag.endswith("}sectPr"):
                (tail.addprevious if tail is not None else body.append)(child)
    out = io.BytesIO()
    master.save(out)
    return out.getvalue()


@cache
def _page_break():
    """A paragraph holding a page break (copied before each document of a batch)."""
    from docx.oxml import parse_xml

    return parse_xml('<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                     '<w:r><w:br w:type="page"/></w:r></w:p>')


def _body_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml")


def _compose(parts: list[bytes]) -> bytes:
    from docx import Document
    from docxcompose.composer import Composer

    master = Document(io.BytesIO(parts[0]))
    composer = Composer(master)
    for data in parts[1:]:
        master.add_page_break()
        composer.append(Document(io.BytesIO(data)))
    out = io.BytesIO()
    composer.save(out)
    return out.getvalue()


def soffice() -> str | None:
    """LibreOffice's converter, if this machine has it (``NASTAVNIK_SOFFICE=none`` turns PDF off)."""
    chosen = os.environ.get(SOFFICE_ENV, "").strip()
    if chosen.lower() == "none":
        return None
    if chosen:
        return chosen if Path(chosen).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(paths: list[Path], timeout: float = 600) -> tuple[list[Path], str]:
    """PDF beside each .docx, in one LibreOffice run; (PDFs made, problem or "")."""
    program = soffice()
    if not paths or os.environ.get(SOFFICE_ENV, "").strip().lower() == "none":
        return [], ""  # nothing to convert, or PDF turned off on purpose
    if program is None:
        return [], texts.MSG_NO_PDF.strip()
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    made: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="nastavnik-lo-") as profile:
        for folder, files in by_folder.items():
            try:
                subprocess.run(
                    [program, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                     "--outdir", str(folder), *[str(f) for f in files]],
                    check=True, capture_output=True, timeout=timeout,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                return made, texts.MSG_PDF_FAILED.strip().format(why=type(exc).__name__)
            made += [f.with_suffix(".pdf") for f in files if f.with_suffix(".pdf").exists()]
    return made, ""
