"""Minimal Drive v3 and Docs v1: template files, copies, export; documents and replaceAllText."""

from __future__ import annotations

import copy
import itertools
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .errors import bad_request, not_found

DOC_MIME = "application/vnd.google-apps.document"
SHEET_MIME = "application/vnd.google-apps.spreadsheet"
FORM_MIME = "application/vnd.google-apps.form"
_CONDITION = re.compile(
    r"^\s*(?:(name|mimeType)\s*=\s*'((?:[^'\\]|\\.)*)'|'([^']+)'\s+in\s+parents|trashed\s*=\s*(true|false))\s*$"
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


@dataclass
class Document:
    document_id: str
    title: str
    text: str = "\n"  # the body; always ends with a newline, as in Docs
    revision: int = 1

    @property
    def paragraphs(self) -> list[str]:
        return self.text.splitlines(keepends=True)

    def resource(self) -> dict[str, Any]:
        content: list[dict[str, Any]] = [{"startIndex": 0, "endIndex": 1, "sectionBreak": {}}]
        index = 1
        for para in self.paragraphs:
            end = index + len(para)
            content.append(
                {
                    "startIndex": index,
                    "endIndex": end,
                    "paragraph": {
                        "elements": [{"startIndex": index, "endIndex": end, "textRun": {"content": para}}]
                    },
                }
            )
            index = end
        return {
            "documentId": self.document_id,
            "title": self.title,
            "body": {"content": content},
            "revisionId": f"rev-{self.revision}",
        }


class FakeDocs:
    """Docs v1: documents.create/get/batchUpdate (replaceAllText, insertText)."""

    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self.drive: FakeDrive | None = None

    def add_document(self, title: str, text: str) -> str:
        """A document (and its Drive file) with this text; returns its id."""
        doc_id = "fake-doc-" + uuid.uuid4().hex[:12]
        self.documents[doc_id] = Document(doc_id, title, text if text.endswith("\n") else text + "\n")
        if self.drive is not None:
            self.drive.add_file(title, DOC_MIME, file_id=doc_id)
        return doc_id

    def get(self, doc_id: str) -> Document:
        try:
            return self.documents[doc_id]
        except KeyError:
            raise not_found() from None

    def handle(self, method_id: str, path: dict[str, str], query: dict[str, Any], body: Any) -> Any:
        name = method_id.removeprefix("docs.documents.")
        if name == "create":
            return self.get(self.add_document((body or {}).get("title") or "Без названия", "")).resource()
        doc = self.get(path["documentId"])
        if name == "get":
            return doc.resource()
        if name == "batchUpdate":
            before = doc.text
            replies = []
            try:
                for i, request in enumerate((body or {}).get("requests") or []):
                    ((kind, spec),) = request.items()
                    if kind == "replaceAllText":
                        replies.append(self._replace_all(doc, spec))
                    elif kind == "insertText":
                        self._insert(doc, spec)
                        replies.append({})
                    else:
                        raise bad_request(f"Invalid requests[{i}]: fake Docs does not implement {kind}")
            except Exception:
                doc.text = before
                raise
            doc.revision += 1
            return {
                "documentId": doc.document_id,
                "replies": replies,
                "writeControl": {"requiredRevisionId": f"rev-{doc.revision}"},
            }
        raise bad_request(f"fake Docs: {method_id} is not implemented")

    def _replace_all(self, doc: Document, spec: dict[str, Any]) -> dict[str, Any]:
        contains = spec.get("containsText") or {}
        needle = contains.get("text") or ""
        if not needle:
            raise bad_request("containsText.text must not be empty")
        new = spec.get("replaceText", "")
        flags = 0 if contains.get("matchCase") else re.IGNORECASE
        pattern = re.compile(re.escape(needle), flags)
        count = len(pattern.findall(doc.text))
        doc.text = pattern.sub(lambda _m: new, doc.text)
        return {"replaceAllText": {"occurrencesChanged": count}} if count else {"replaceAllText": {}}

    def _insert(self, doc: Document, spec: dict[str, Any]) -> None:
        text = spec.get("text") or ""
        body = doc.text
        if "endOfSegmentLocation" in spec:
            index = len(body)
        else:
            index = int((spec.get("location") or {}).get("index", 1)) - 1
            if not 0 <= index <= len(body):
                raise bad_request("Invalid requests: index out of bounds")
        doc.text = body[:index] + text + body[index:]


class FakeDrive:
    """Drive v3: files.get/list/copy/export/delete and permissions.create, minimal."""

    def __init__(self, docs: FakeDocs) -> None:
        self.files: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.permissions: dict[str, list[dict[str, Any]]] = {}
        self.docs = docs
        docs.drive = self
        self._ids = itertools.count(1)

    def add_file(
        self,
        name: str,
        mime_type: str,
        file_id: str | None = None,
        parents: list[str] | None = None,
        content: bytes = b"",
    ) -> str:
        file_id = file_id or f"fake-file-{next(self._ids)}-{uuid.uuid4().hex[:6]}"
        now = _now()
        self.files[file_id] = {
            "kind": "drive#file",
            "id": file_id,
            "name": name,
            "mimeType": mime_type,
            "parents": parents or ["root"],
            "trashed": False,
            "createdTime": now,
            "modifiedTime": now,
            "webViewLink": f"https://drive.google.com/file/d/{file_id}/view",
        }
        self.contents[file_id] = content
        return file_id

    def get(self, file_id: str) -> dict[str, Any]:
        try:
            return self.files[file_id]
        except KeyError:
            raise not_found(f"File not found: {file_id}.") from None

    def handle(self, method_id: str, path: dict[str, str], query: dict[str, Any], body: Any) -> Any:
        name = method_id.removeprefix("drive.")
        if name == "files.list":
            return self._list(query)
        if name == "files.create":
            meta = body or {}
            file_id = self.add_file(
                meta.get("name") or "Untitled",
                meta.get("mimeType") or "application/octet-stream",
                parents=meta.get("parents"),
            )
            return copy.deepcopy(self.files[file_id])
        file = self.get(path["fileId"])
        if name == "files.get":
            if query.get("alt") == "media":
                return self.contents.get(file["id"], b"")
            return copy.deepcopy(file)
        if name == "files.copy":
            meta = body or {}
            new_id = self.add_file(
                meta.get("name") or f"Копия {file['name']}",
                file["mimeType"],
                parents=meta.get("parents") or file["parents"],
                content=self.contents.get(file["id"], b""),
            )
            if file["mimeType"] == DOC_MIME:
                source = self.docs.get(file["id"])
                self.docs.documents[new_id] = Document(new_id, self.files[new_id]["name"], source.text)
            return copy.deepcopy(self.files[new_id])
        if name == "files.export":
            mime = query.get("mimeType")
            if file["mimeType"] != DOC_MIME:
                raise bad_request("Export only supports Docs Editors files.")
            text = self.docs.get(file["id"]).text
            if mime == "application/pdf":
                return b"%PDF-1.4\n% fake pdf\n" + text.encode("utf-8")
            if mime == "text/plain":
                return text.encode("utf-8")
            raise bad_request(f"The requested conversion is not supported: {mime}")
        if name == "files.delete":
            del self.files[file["id"]]
            return None
        if name == "permissions.create":
            perm = dict(body or {})
            perm["id"] = uuid.uuid4().hex[:10]
            perm["kind"] = "drive#permission"
            self.permissions.setdefault(file["id"], []).append(perm)
            return perm
        raise bad_request(f"fake Drive: {method_id} is not implemented")

    def _list(self, query: dict[str, Any]) -> dict[str, Any]:
        chosen = [f for f in self.files.values()]
        q = query.get("q") or ""
        if q:
            for part in re.split(r"\s+and\s+", q):
                m = _CONDITION.match(part)
                if m is None:
                    raise bad_request("Invalid Value")
                field_name, value, parent, trashed = m.groups()
                if field_name:
                    value = value.replace("\\'", "'")
                    chosen = [f for f in chosen if f[field_name] == value]
                elif parent:
                    chosen = [f for f in chosen if parent in f["parents"]]
                else:
                    chosen = [f for f in chosen if f["trashed"] == (trashed == "true")]
        return {"kind": "drive#fileList", "files": copy.deepcopy(chosen)}
