"""Drive uploads and Google Docs conversion in the fake: ``files.create`` with media, ``files.export``.

Rules modelled (each with the page it follows):

- Media goes to the upload URI, ``POST /upload/drive/v3/files?uploadType=multipart``, as a
  ``multipart/related`` body: the metadata (JSON) first, the media second
  (https://developers.google.com/workspace/drive/api/guides/manage-uploads, «Perform a multipart
  upload»). Another body is 400 «Bad Request»; ``uploadType=media`` carries no metadata; a
  media upload sent to the metadata URI is not an upload at all.
- Import: metadata ``mimeType`` of a Google type (``application/vnd.google-apps.document``)
  with convertible media makes Drive convert it; a .docx becomes a Google Doc with the text
  and the pictures of the file (same page, «Import to Google Docs types»; the convertible
  sources are ``about.importFormats``). Media Drive cannot import into that type is 400
  ``badRequest`` «…conversion is not supported». Without a Google target type the file is
  kept as uploaded.
- Export: a Google Doc exports to PDF, .docx or plain text; other types are 400; exported
  content is limited to 10 MB («Note that the exported content is limited to 10 MB»,
  https://developers.google.com/workspace/drive/api/reference/rest/v3/files/export). Past it a
  .docx or text export is 403 ``exportSizeLimitExceeded`` «This file is too large to be
  exported.» (nextcloud/integration_google issue #173 shows the body; googleapis/google-api-ruby-client
  issue #906); a PDF export past it answers 500 ``backendError`` instead, every time
  (googleapis/google-api-ruby-client issue #664: «I get a 500 server error if the generated pdf
  of the file is larger than about 10 MB», and the same file exports to RTF with the 403), so
  a client that retries 5xx spends its retries on it.

The converted document keeps its paragraphs as the fake Docs document's text (so a test can
read a letter from the fake) and the .docx itself, which is what a .docx export gives back.
"""

from __future__ import annotations

import io
import json
import zipfile
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from .errors import FakeApiError, bad_request

DOC_MIME = "application/vnd.google-apps.document"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMPORTS = {DOC_MIME: {DOCX, "application/msword", "text/plain", "text/html", "application/rtf",
                      "application/vnd.oasis.opendocument.text"}}
EXPORT_LIMIT = 10 * 1024 * 1024




class Upload:
    """The media of one upload request, handed from the server to the Drive handler."""

    def __init__(self, mime_type: str, data: bytes) -> None:
        self.mime_type = mime_type
        self.data = data


def split_upload(raw: bytes, content_type: str, upload_type: str) -> tuple[dict[str, Any], Upload]:
    """(metadata, media) of an upload request body."""
    if upload_type == "media":
        return {}, Upload(content_type.split(";")[0].strip(), raw)
    if upload_type != "multipart" or not content_type.lower().startswith("multipart/related"):
        raise bad_request("Bad Request")
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    parts = list(message.iter_parts()) if message.is_multipart() else []
    if len(parts) != 2:
        raise bad_request(f"Invalid multipart request with {len(parts)} mime parts.")
    try:
        meta = json.loads(parts[0].get_payload(decode=True) or b"{}")
    except ValueError:
        raise bad_request("Invalid JSON payload received.") from None
    media = parts[1].get_payload(decode=True) or b""
    return meta, Upload(parts[1].get_content_type(), media)


def docx_text(data: bytes) -> tuple[str, int]:
    """The paragraphs (and table rows) of a .docx as text, and how many pictures it holds."""
    from docx import Document

    try:
        doc = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise bad_request(f"The file could not be converted: {exc}") from None
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        lines += [" | ".join(c.text for c in row.cells) for row in table.rows]
    pictures = sum(1 for rel in doc.part.rels.values() if "image" in rel.reltype)
    return "\n".join(lines) + "\n", pictures


def create(drive: Any, meta: dict[str, Any], query: dict[str, Any], media: Upload) -> str:
    """``files.create`` with media: imported into a Google Doc when asked and possible."""
    from .drive_docs import Document

    target = meta.get("mimeType") or media.mime_type
    if target.startswith("application/vnd.google-apps."):
        if media.mime_type not in IMPORTS.get(target, set()):
            raise _error(400, f"The conversion of {media.mime_type} to {target} is not supported.", "badRequest")
        text, pictures = docx_text(media.data) if media.mime_type == DOCX else (media.data.decode("utf-8"), 0)
        file_id = drive._new({**meta, "mimeType": target}, query, target, content=media.data)
        doc = Document(file_id, drive.files[file_id]["name"], text)
        drive.docs.documents[file_id] = doc
        drive.imported[file_id] = {"docx": media.data if media.mime_type == DOCX else b"", "pictures": pictures}
        drive.files[file_id]["webViewLink"] = f"https://docs.google.com/document/d/{file_id}/edit"
        return file_id
    return drive._new({**meta, "mimeType": target}, query, target, content=media.data)


def export(drive: Any, item: dict[str, Any], mime: str) -> bytes:
    """A Google Doc's export: PDF, .docx or text, within the 10 MB limit."""
    if item["mimeType"] != DOC_MIME:
        raise bad_request("Export only supports Docs Editors files.")
    text = drive.docs.get(item["id"]).text
    if mime == "application/pdf":
        out = b"%PDF-1.4\n% fake pdf\n" + text.encode("utf-8")
    elif mime == "text/plain":
        out = text.encode("utf-8")
    elif mime == DOCX:
        out = drive.imported.get(item["id"], {}).get("docx") or _docx_of(text)
    else:
        raise bad_request(f"The requested conversion is not supported: {mime}")
    if len(out) > EXPORT_LIMIT:
        if mime == "application/pdf":
            raise _error(500, "Internal Error", "backendError")
        raise _error(403, "This file is too large to be exported.", "exportSizeLimitExceeded")
    return out


def _error(code: int, message: str, reason: str) -> FakeApiError:
    return FakeApiError(code, message, errors=[{"domain": "global", "reason": reason, "message": message}])


def _docx_of(text: str) -> bytes:
    """A document typed in Google Docs, exported as .docx: its paragraphs, nothing more."""
    from docx import Document as Docx

    doc = Docx()
    for line in text.rstrip("\n").split("\n"):
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


