"""Documents as Google Docs: the same .docx, uploaded with conversion, PDF by export.

One document is one ``files.create`` upload (multipart: metadata + the .docx) with the Google
Doc type as the target, so Drive converts it, pictures included — the Docs API's
``insertInlineImage`` needs a public image URL, so charts cannot go in by ``batchUpdate``
without publishing them (https://developers.google.com/workspace/drive/api/guides/manage-uploads,
«Import to Google Docs types»). Its PDF is one ``files.export`` (at most 10 MB of output;
https://developers.google.com/workspace/drive/api/reference/rest/v3/files/export), kept in
``out/`` for printing. A staff template kept as a Google Doc is exported to .docx once per run.

Every upload is tagged (``appProperties``: the programme's tag and the document's key), and
each batch first lists what is tagged for its kind (one ``files.list``): a create whose answer
was lost is found there and adopted, never made twice. All calls go through the project's one
transport (``services.drive`` is built over it), with ``supportsAllDrives``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from googleapiclient.http import MediaIoBaseUpload

from sync.documents.sinks import BatchOutcome, Placed

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/vnd.google-apps.document"
PDF = "application/pdf"
TAG_KEY = "nastavnik"  # the programme's tag, as sync.google.drive tags every file it makes
DOC_KEY = "nastavnik_doc"  # the document's key in «Документы»
KIND_KEY = "nastavnik_doc_kind"
_ID = re.compile(r"/d/([A-Za-z0-9_-]+)")


def file_id_of(link: str) -> str:
    """The Drive file id inside a Docs link (``…/document/d/<id>/edit``), or the link itself."""
    found = _ID.search(link)
    return found.group(1) if found else link


class GoogleDocsSink:
    """Google Docs in the programme's Drive folder; PDFs in ``out/``."""

    def __init__(self, services: Any, folder_id: str, out_dir: Path, cycle: str, pdf: bool = True,
                 tag: str = "") -> None:
        self.drive = services.drive
        self.folder_id = folder_id
        self.out = out_dir / cycle.replace("–", "-")
        self.pdf = pdf
        self.tag = tag
        self.where = f"Google Диск, папка {folder_id}" if folder_id else "Google Диск"
        self._tagged: dict[str, dict[str, str]] = {}  # kind -> key -> link, listed once per batch
        self._templates: dict[str, bytes] = {}

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

    def put(self, key: str, folder: str, name: str, title: str, data: bytes, replaces: str = "") -> Placed:
        kind = key.split(":", 1)[0]
        link = "" if replaces else self._found(kind).get(key, "")
        if not link:
            body: dict[str, Any] = {"name": title, "mimeType": DOC,
                                    "appProperties": {DOC_KEY: key, KIND_KEY: kind, **({TAG_KEY: self.tag}
                                                                                       if self.tag else {})}}
            if self.folder_id:
                body["parents"] = [self.folder_id]
            media = MediaIoBaseUpload(io.BytesIO(data), mimetype=DOCX, resumable=False)
            made = self.drive.files().create(body=body, media_body=media, fields="id,webViewLink",
                                             supportsAllDrives=True).execute()
            link = made.get("webViewLink") or f"https://docs.google.com/document/d/{made['id']}/edit"
            if replaces:
                self.remove(replaces)
        pdf = ""
        if self.pdf:
            content = self.drive.files().export(fileId=file_id_of(link), mimeType=PDF).execute()
            path = self.out / folder / f"{name}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            pdf = str(path.relative_to(self.out.parent))
        return Placed(link, pdf)

    def finish(self, folder: str, batch_title: str, made: list[tuple[Placed, bytes]]) -> BatchOutcome:
        """Nothing more on Google: each document is its own Google Doc (and PDF)."""
        return BatchOutcome()

    def remove(self, link: str) -> None:
        """Delete a document (replaced, or a consent withdrawn); one already gone is fine."""
        from googleapiclient.errors import HttpError

        if link.startswith("http"):
            try:
                self.drive.files().delete(fileId=file_id_of(link), supportsAllDrives=True).execute()
            except HttpError as exc:
                if exc.resp.status != 404:
                    raise
        elif link:
            for path in (self.out.parent / link,):
                path.unlink(missing_ok=True)

    def export_template(self, doc_id: str) -> bytes:
        """A staff template kept as a Google Doc, as .docx (exported once per run)."""
        if doc_id not in self._templates:
            self._templates[doc_id] = self.drive.files().export(fileId=doc_id, mimeType=DOCX).execute()
        return self._templates[doc_id]
