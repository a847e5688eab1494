"""The Forms v1 part of the fake: forms with items, responses, the timestamp filter and paging.

``responses.list`` leaves ``formId`` out of each response, as Google documents («Note: The
formId field is not returned in the FormResponse object for list requests»,
https://developers.google.com/workspace/forms/api/reference/rest/v1/forms.responses/list).
Google does not say whether ``timestamp > N`` looks at ``lastSubmittedTime`` (so edits come
back) or ``createTime``; ``filter_on`` lets a test choose, and the job must not lose an edit
either way.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import bad_request, not_found

_FILTER = re.compile(r"^\s*timestamp\s*(>=|>)\s*(\S+)\s*$")
_ZULU = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
DEFAULT_PAGE = 5000


def rfc3339(when: datetime) -> str:
    """A UTC timestamp the way Forms writes it: «2025-09-01T10:00:00.123456Z»."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_rfc3339(text: str) -> datetime:
    """Parse a Zulu timestamp with up to nanoseconds (kept to microseconds)."""
    if not _ZULU.match(text):
        raise ValueError(text)
    main, _, frac = text[:-1].partition(".")
    when = datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return when.replace(microsecond=int((frac + "000000")[:6]) if frac else 0)


@dataclass
class StoredResponse:
    response_id: str
    created: datetime
    submitted: datetime
    email: str | None
    answers: dict[str, list[str]]  # questionId -> values

    def resource(self, form_id: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "formId": form_id,
            "responseId": self.response_id,
            "createTime": rfc3339(self.created),
            "lastSubmittedTime": rfc3339(self.submitted),
            "answers": {
                qid: {"questionId": qid, "textAnswers": {"answers": [{"value": v} for v in values]}}
                for qid, values in self.answers.items()
                if values
            },
        }
        if self.email:
            out["respondentEmail"] = self.email
        return out


@dataclass
class Form:
    resource: dict[str, Any]
    responses: list[StoredResponse] = field(default_factory=list)

    @property
    def form_id(self) -> str:
        return self.resource["formId"]

    @property
    def items(self) -> list[dict[str, Any]]:
        return self.resource.setdefault("items", [])

    def question_id(self, title: str) -> str:
        for item in self.items:
            if item.get("title") == title and "questionItem" in item:
                return item["questionItem"]["question"]["questionId"]
        raise KeyError(title)


class FakeForms:
    """State and handlers of the Forms v1 fake."""

    def __init__(self) -> None:
        self.forms: dict[str, Form] = {}
        self._ids = itertools.count(1)
        self.on_create = None  # set by the server: registers the form as a Drive file
        self.filter_on = "lastSubmittedTime"  # or "createTime": what the timestamp filter compares

    # helpers for tests ------------------------------------------------------------------------

    def get(self, form_id: str) -> Form:
        try:
            return self.forms[form_id]
        except KeyError:
            raise not_found() from None

    def seed_response(
        self,
        form_id: str,
        answers: dict[str, str | list[str]],
        submitted: datetime,
        email: str | None = None,
    ) -> str:
        """Add a response, answers keyed by question title; returns its responseId."""
        form = self.get(form_id)
        response = StoredResponse(
            response_id="ACYDBN" + uuid.uuid4().hex[:18],
            created=submitted,
            submitted=submitted,
            email=email,
            answers={form.question_id(t): _as_list(v) for t, v in answers.items()},
        )
        form.responses.append(response)
        return response.response_id

    def edit_response(
        self, form_id: str, response_id: str, answers: dict[str, str | list[str]], submitted: datetime
    ) -> None:
        """A respondent edits a submitted response: same id, new answers and lastSubmittedTime."""
        form = self.get(form_id)
        response = next(r for r in form.responses if r.response_id == response_id)
        response.answers.update({form.question_id(t): _as_list(v) for t, v in answers.items()})
        response.submitted = submitted

    def rename_question(self, form_id: str, old: str, new: str) -> None:
        form = self.get(form_id)
        item = next(i for i in form.items if i.get("title") == old)
        item["title"] = new

    def delete_question(self, form_id: str, title: str) -> None:
        form = self.get(form_id)
        form.resource["items"] = [i for i in form.items if i.get("title") != title]

    # handlers ---------------------------------------------------------------------------------

    def handle(self, method_id: str, path: dict[str, str], query: dict[str, Any], body: Any) -> Any:
        name = method_id.removeprefix("forms.forms.")
        if name == "create":
            return self.create(body or {}, bool(query.get("unpublished")))
        form = self.get(path["formId"])
        if name == "get":
            return copy.deepcopy(form.resource)
        if name == "batchUpdate":
            return self.batch_update(form, body or {})
        if name == "setPublishSettings":
            settings = (body or {}).get("publishSettings") or {}
            state = form.resource.setdefault("publishSettings", {}).setdefault("publishState", {})
            state.update(settings.get("publishState") or {})
            return {
                "formId": form.form_id,
                "publishSettings": copy.deepcopy(form.resource["publishSettings"]),
            }
        if name == "responses.list":
            return self.list_responses(form, query)
        if name == "responses.get":
            found = next((r for r in form.responses if r.response_id == path["responseId"]), None)
            if found is None:
                raise not_found()
            return found.resource(form.form_id)
        raise bad_request(f"fake Forms: {method_id} is not implemented")

    def create(self, body: dict[str, Any], unpublished: bool, form_id: str | None = None) -> dict[str, Any]:
        info = body.get("info") or {}
        if set(body) - {"info"} or set(info) - {"title", "documentTitle"}:
            raise bad_request(
                "Only info.title and info.document_title may be set when creating a form; "
                "add items with batchUpdate"
            )
        if not info.get("title"):
            raise bad_request("info.title is required")
        form_id = form_id or f"fake-form-{next(self._ids)}-{uuid.uuid4().hex[:8]}"
        resource = {
            "formId": form_id,
            "info": {"title": info["title"], "documentTitle": info.get("documentTitle") or info["title"]},
            "settings": {"emailCollectionType": "DO_NOT_COLLECT"},
            "revisionId": "00000001",
            "responderUri": f"https://docs.google.com/forms/d/e/{form_id}/viewform",
            "publishSettings": {
                "publishState": {"isPublished": not unpublished, "isAcceptingResponses": not unpublished}
            },
        }
        self.forms[form_id] = Form(resource)
        if self.on_create is not None:
            self.on_create(form_id, resource["info"]["documentTitle"])
        return copy.deepcopy(resource)

    def batch_update(self, form: Form, body: dict[str, Any]) -> dict[str, Any]:
        before = copy.deepcopy(form.resource)
        replies = []
        try:
            for i, request in enumerate(body.get("requests") or []):
                ((kind, spec),) = request.items()
                handler = getattr(self, f"_req_{kind}", None)
                if handler is None:
                    raise bad_request(f"fake Forms: request {kind} is not implemented")
                try:
                    replies.append(handler(form, spec) or {})
                except Exception as exc:
                    raise bad_request(f"Invalid requests[{i}].{kind}: {exc}") from None
        except Exception:
            form.resource = before  # all requests apply, or none
            raise
        revision = int(form.resource.get("revisionId", "0")) + 1
        form.resource["revisionId"] = f"{revision:08d}"
        out: dict[str, Any] = {
            "replies": replies,
            "writeControl": {"requiredRevisionId": form.resource["revisionId"]},
        }
        if body.get("includeFormInResponse"):
            out["form"] = copy.deepcopy(form.resource)
        return out

    def _req_createItem(self, form: Form, spec: dict[str, Any]) -> dict[str, Any]:
        item = copy.deepcopy(spec.get("item") or {})
        location = spec.get("location")
        if location is None or "index" not in location:
            raise ValueError("location.index is required")
        index = int(location["index"])
        if index > len(form.items):
            raise ValueError(f"index {index} is out of range (form has {len(form.items)} items)")
        item["itemId"] = uuid.uuid4().hex[:8]
        reply: dict[str, Any] = {"itemId": item["itemId"]}
        if "questionItem" in item:
            question = item["questionItem"].setdefault("question", {})
            _check_question(question)
            question["questionId"] = uuid.uuid4().hex[:8]
            reply["questionId"] = [question["questionId"]]
        form.items.insert(index, item)
        return {"createItem": reply}

    def _req_updateFormInfo(self, form: Form, spec: dict[str, Any]) -> None:
        mask = spec.get("updateMask")
        if not mask:
            raise ValueError("updateMask is required")
        info = spec.get("info") or {}
        for key in mask.split(","):
            key = key.strip()
            if key not in ("title", "description"):
                raise ValueError(f"field {key} cannot be updated")
            form.resource["info"][key] = info.get(key, "")

    def _req_updateSettings(self, form: Form, spec: dict[str, Any]) -> None:
        mask = spec.get("updateMask")
        if not mask:
            raise ValueError("updateMask is required")
        settings = spec.get("settings") or {}
        for key in mask.split(","):
            form.resource.setdefault("settings", {})[key.strip()] = settings.get(key.strip())

    def _req_deleteItem(self, form: Form, spec: dict[str, Any]) -> None:
        index = int((spec.get("location") or {}).get("index", -1))
        if not 0 <= index < len(form.items):
            raise ValueError("location.index is out of range")
        del form.items[index]

    def list_responses(self, form: Form, query: dict[str, Any]) -> dict[str, Any]:
        text = query.get("filter") or ""
        chosen = list(form.responses)
        if text:
            m = _FILTER.match(text)
            try:
                since = parse_rfc3339(m.group(2)) if m else None
            except ValueError:
                since = None
            if m is None or since is None:
                raise bad_request(f"Invalid filter: {text}")
            inclusive = m.group(1) == ">="

            def stamp(r: StoredResponse) -> datetime:
                return r.created if self.filter_on == "createTime" else r.submitted

            chosen = [r for r in chosen if stamp(r) > since or inclusive and stamp(r) == since]
        # Google promises no order; the fake sorts by id so callers must sort themselves.
        chosen.sort(key=lambda r: r.response_id)
        offset = 0
        token = query.get("pageToken")
        if token:
            try:
                state = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
            except ValueError:
                raise bad_request("Invalid page token") from None
            if state.get("filter") != text or state.get("form") != form.form_id:
                raise bad_request("The page token does not match the request (form or filter changed)")
            offset = int(state["offset"])
        size = int(query.get("pageSize") or 0) or DEFAULT_PAGE
        page = chosen[offset : offset + size]
        out: dict[str, Any] = {}
        if page:
            out["responses"] = [{k: v for k, v in r.resource(form.form_id).items() if k != "formId"} for r in page]
        if offset + size < len(chosen):
            state = {"form": form.form_id, "filter": text, "offset": offset + size}
            out["nextPageToken"] = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
        return out


def _as_list(value: str | list[str]) -> list[str]:
    return list(value) if isinstance(value, list | tuple) else [value] if value != "" else []


def _check_question(question: dict[str, Any]) -> None:
    kinds = [k for k in question if k.endswith("Question")]
    if len(kinds) != 1:
        raise ValueError("a question must have exactly one kind")
    kind = kinds[0]
    spec = question[kind] or {}
    if kind == "choiceQuestion":
        if spec.get("type") not in ("RADIO", "CHECKBOX", "DROP_DOWN"):
            raise ValueError("choiceQuestion.type is required")
        options = spec.get("options") or []
        if not options:
            raise ValueError("a choice question needs options")
        values = [o.get("value") for o in options if not o.get("isOther")]
        if len(set(values)) != len(values):
            raise ValueError("option values must be unique")
        if any(o.get("isOther") for o in options) and spec["type"] == "DROP_DOWN":
            raise ValueError("a drop-down cannot have an «other» option")
    if kind == "scaleQuestion":
        low, high = spec.get("low", 0), spec.get("high", 0)
        if low not in (0, 1) or not 2 <= high <= 10:
            raise ValueError("scale low must be 0 or 1 and high between 2 and 10")
