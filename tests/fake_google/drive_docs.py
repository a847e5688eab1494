"""Docs v1 in the fake: documents, replaceAllText, insertText (Drive lives in ``drive``)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .errors import bad_request, not_found

DOC_MIME = "application/vnd.google-apps.document"


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
        self.drive: Any = None  # the FakeDrive, set by it

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
