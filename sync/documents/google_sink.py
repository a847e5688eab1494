"""Documents as Google Docs: the same .docx, uploaded with conversion; PDFs beside them in Drive.

One document is one ``files.create`` upload (multipart: metadata + the .docx) with the Google
Doc type as the target, so Drive converts it, pictures included — the Docs API's
``insertInlineImage`` needs a public image URL, so charts cannot go in by ``batchUpdate``
without publishing them (https://developers.google.com/workspace/drive/api/guides/manage-uploads,
«Import to Google Docs types»). Its PDF is one ``files.export`` of the Doc
(https://developers.google.com/workspace/drive/api/reference/rest/v3/files/export: «the
exported content is limited to 10 MB») and one ``files.create`` of that PDF into the same
folder. A batch of several documents also gets one combined Doc for printing (and its PDF),
as ``out/`` gets one combined .docx. A staff template kept as a Google Doc is exported to .docx
once per run.

An export past the limit is refused (403 ``exportSizeLimitExceeded``; a PDF export has been seen
to answer 500 instead, googleapis/google-api-ruby-client#664): that PDF is left out with a note,
the Doc stays. The combined PDF is not even asked for when the batch's own PDFs add up to more
than the limit (the combined one is about their sum), so no call is spent on a sure refusal.

Every upload is tagged (``appProperties``: the programme's tag and the document's key, «#pdf»
for its PDF), and each batch first lists what is tagged for its kind (one ``files.list``): a
create whose answer was lost is found there and adopted, never made twice. All calls go
through the project's one transport (``services.drive`` is built over it), with
``supportsAllDrives``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from googleapiclient.http import MediaIoBaseUpload

from sync.documents import texts
from sync.documents.render import combine
from sync.documents.sinks import BatchOutcome, Placed

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/vnd.google-apps.document"
PDF = "application/pdf"
EXPORT_LIMIT = 10 * 1024 * 1024  # files.export gives at most 10 MB
TAG_KEY = "nastavnik"  # the programme's tag, as sync.google.drive tags every file it makes
DOC_KEY = "nastavnik_doc"  # the document's key in «Документы»
KIND_KEY = "nastavnik_doc_kind"
PDF_SUFFIX = "#pdf"  # the PDF of a document is tagged with the document's key and this
_ID = re.compile(r"/d/([A-Za-z0-9_-]+)")


def file_id_of(link: str) -> str:
    """The Drive file id inside a Docs or Drive link (``…/d/<id>/edit``), or the link itself."""
    found = _ID.search(link)
    return found.group(1) if found else link


class GoogleDocsSink:
    """Google Docs and their PDFs in the programme's Drive folder."""

    def __init__(self, services: Any, folder_id: str, out_dir: Path, cycle: str, pdf: bool = True,
                 tag: str = "") -> None:
        self.drive = services.drive
        self.folder_id = folder_id
        self.out = out_dir / cycle.replace("–", "-")  # only for links made by older versions (PDFs in out/)
        self.pdf = pdf
        self.tag = tag
        self.where = f"Google Диск, папка {folder_id}" if folder_id else "Google Диск"
        self._tagged: dict[str, dict[str, str]] = {}  # kind -> key -> link, listed once per batch
        self._templates: dict[str, bytes] = {}
        self._pdf_bytes = 0  # the size of this batch's PDFs, to foresee the combined one's
        self._notes: list[str] = []

    def _found(self, kind: str) -> dict[str, str]:
        if kind not in self._tagged:
            found: dict[str, str] = {}
            token = None
            while True:
                reply = self.drive.files().list(
                    q=f"appProperties has {{ key='{KIND_KEY}' and value='{kind}' }} and trashed = false",
                    fields="nextPageToken,files(id,webViewLink,appProperties)", pageSize=1000,
                    supportsAllDrives=True, includeItemsFromAllDrives=True, corpora="allDrives",
                    **({"pageToken": token} if token else {}),
                ).execute()
                for item in reply.get("files", []):
                    key = (item.get("appProperties") or {}).get(DOC_KEY, "")
                    if key:
                        found[key] = item.get("webViewLink") or item["id"]
                token = reply.get("nextPageToken")
                if not token:
                    break
            self._tagged[kind] = found
        return self._tagged[kind]

    def _upload(self, key: str, kind: str, title: str, data: bytes, source: str, target: str) -> str:
        """One ``files.create``: the media (converted to ``target`` when it is a Google type); its link."""
        body: dict[str, Any] = {"name": title, "mimeType": target,
                                "appProperties": {DOC_KEY: key, KIND_KEY: kind,
                                                  **({TAG_KEY: self.tag} if self.tag else {})}}
        if self.folder_id:
            body["parents"] = [self.folder_id]
        media = MediaIoBaseUpload(io.BytesIO(data), mimetype=source, resumable=False)
        made = self.drive.files().create(body=body, media_body=media, fields="id,webViewLink",
                                         supportsAllDrives=True).execute()
        if target == DOC:
            return made.get("webViewLink") or f"https://docs.google.com/document/d/{made['id']}/edit"
        return made.get("webViewLink") or f"https://drive.google.com/file/d/{made['id']}/view"

    def _doc(self, key: str, title: str, data: bytes, replaces: str) -> str:
        kind = key.split(":", 1)[0]
        link = "" if replaces else self._found(kind).get(key, "")
        if not link:
            link = self._upload(key, kind, title, data, DOCX, DOC)
            if replaces:
                self.remove(replaces)
        return link

    def _pdf(self, key: str, title: str, link: str, replacing: bool) -> str:
        """The Doc's PDF in the folder (export + upload), adopted if already there; "" if too large."""
        from sync.google.transport import GoogleApiError

        kind = key.split(":", 1)[0]
        found = "" if replacing else self._found(kind).get(key + PDF_SUFFIX, "")
        if found:
            return found
        try:
            content = self.drive.files().export(fileId=file_id_of(link), mimeType=PDF).execute()
        except GoogleApiError as exc:
            too_large = exc.status == 403 and exc.reason == "exportSizeLimitExceeded" or (exc.status or 0) >= 500
            if not too_large:
                raise
            self._notes.append(texts.MSG_PDF_TOO_LARGE.format(title=title))
            return ""
        self._pdf_bytes += len(content)
        return self._upload(key + PDF_SUFFIX, kind, f"{title}.pdf", content, PDF, PDF)

    def put(self, key: str, folder: str, name: str, title: str, data: bytes, replaces: str = "") -> Placed:
        link = self._doc(key, title, data, replaces)
        return Placed(link, self._pdf(key, title, link, bool(replaces)) if self.pdf else "")

    def finish(self, folder: str, batch_title: str, made: list[tuple[Placed, bytes]], batch_key: str = "",
               replaces: tuple[str, str] = ("", "")) -> BatchOutcome:
        """The combined Doc for printing (and its PDF) when the batch made several documents."""
        outcome = BatchOutcome(note="; ".join(dict.fromkeys(self._notes)))
        pdf_bytes, self._pdf_bytes, self._notes = self._pdf_bytes, 0, []
        if len(made) < 2 or not batch_key:
            return outcome
        title = f"{batch_title} — все"
        old_doc, old_pdf = replaces
        outcome.combined = self._doc(batch_key, title, combine(data for _, data in made), old_doc)
        if self.pdf:
            if pdf_bytes > EXPORT_LIMIT:
                outcome.combined_pdf = ""
                notes = [outcome.note, texts.MSG_PDF_TOO_LARGE.format(title=title)]
                outcome.note = "; ".join(n for n in notes if n)
            else:
                outcome.combined_pdf = self._pdf(batch_key, title, outcome.combined, bool(old_doc))
                outcome.note = "; ".join(dict.fromkeys(n for n in (outcome.note, *self._notes) if n))
                self._notes = []
        if old_pdf and old_pdf != outcome.combined_pdf:
            self.remove(old_pdf)
        return outcome

    def remove(self, link: str) -> None:
        """Delete a document or its PDF (replaced, or a consent withdrawn); one already gone is fine."""
        from googleapiclient.errors import HttpError

        if link.startswith("http"):
            try:
                self.drive.files().delete(fileId=file_id_of(link), supportsAllDrives=True).execute()
            except HttpError as exc:
                if exc.resp.status != 404:
                    raise
        elif link:  # a PDF an older version kept in out/
            (self.out.parent / link).unlink(missing_ok=True)

    def export_template(self, doc_id: str) -> bytes:
        """A staff template kept as a Google Doc, as .docx (exported once per run)."""
        if doc_id not in self._templates:
            self._templates[doc_id] = self.drive.files().export(fileId=doc_id, mimeType=DOCX).execute()
        return self._templates[doc_id]
