"""The fake's HTTP server: routing by the discovery documents, validation, faults, a call log.

One threaded server on 127.0.0.1 (random port) serves all four APIs, distinguished by path
(/v4/spreadsheets, /v1/forms, /drive/v3/files, /v1/documents), so ``Endpoints.single(url)``
points every client at it. Requests are handled one at a time under a lock, so a test sees
the state a real, serialised server would leave.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from sync.google.transport import match_route

from .auth import FakeAuth, Identity
from .drive import FORM_MIME, SHEET_MIME, FakeDrive
from .drive_docs import FakeDocs
from .errors import FakeApiError
from .forms import FakeForms
from .quotas import Quotas
from .sheets import FakeSheets
from .uploads import split_upload
from .validate import check_body, check_query


@dataclass
class Call:
    """One request as the fake received it."""

    name: str  # «sheets.values.batchGet», as GoogleTransport counts it
    http_method: str
    path: str
    params: dict[str, Any]
    body: Any
    status: int = 0
    fault: bool = False
    size: int = 0  # bytes of the request body
    caller: str = ""  # the email of who called


@dataclass
class Fault:
    """A failure to inject: on matching calls, after ``skip`` of them, ``times`` times."""

    method: str | None = None  # a call name, or None for any call
    status: int = 500
    times: int = 1
    skip: int = 0
    retry_after: float | None = None
    delay: float = 0.0  # seconds to stall before answering (past the client's timeout)
    reason: str | None = None  # Drive-style errors[0].reason, e.g. "userRateLimitExceeded"
    drop: bool = False  # close the connection without answering (a network fault)
    applied: bool = False  # carry the request out, then answer with the error (the reply is lost)
    seen: int = field(default=0, init=False)

    def take(self, name: str) -> bool:
        if self.method is not None and self.method != name:
            return False
        self.seen += 1
        return self.skip < self.seen <= self.skip + self.times


# Google refuses larger requests outright («Request payload size exceeds the limit: 10485760
# bytes.»); it recommends at most 2 MB (https://developers.google.com/workspace/sheets/api/limits).
MAX_REQUEST_BYTES = 10 * 1024 * 1024
DROPPED = -1  # dispatch's status for «close the connection without an answer»


class FakeGoogle:
    """Sheets v4, Forms v1, Drive v3 and Docs v1, in process, over HTTP."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.caller: Identity | None = None  # who made the request being handled
        self.locale = "ru_RU"  # the account's language: names the first sheet of a new spreadsheet
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.quotas: Quotas | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # lifecycle --------------------------------------------------------------------------------

    def start(self) -> FakeGoogle:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "the fake is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def reset(self) -> None:
        """Forget all state, calls and faults (between tests)."""
        with self.lock:
            self.auth = FakeAuth()
            self.sheets = FakeSheets()
            self.forms = FakeForms()
            self.docs = FakeDocs()
            self.drive = FakeDrive(self.docs)
            self.drive.caller = lambda: self.caller
            # Spreadsheets and forms are Drive files too (sharing, listing, ownership) ...
            self.sheets.on_create = self._drive_file(SHEET_MIME)
            self.forms.on_create = self._drive_file(FORM_MIME)
            # ... and Google files made through Drive are real spreadsheets and forms.
            self.drive.on_create_google_file = self._google_file
            self.calls.clear()
            self.faults.clear()
            self.quotas = None

    # faults and calls -------------------------------------------------------------------------

    def enforce_quotas(self, clock: Callable[[], float]) -> Quotas:
        """Refuse requests over Google's per-minute, per-user quotas, timed by ``clock``."""
        self.quotas = Quotas(clock)
        return self.quotas

    def fail(
        self,
        method: str | None = None,
        status: int = 500,
        *,
        times: int = 1,
        skip: int = 0,
        retry_after: float | None = None,
        reason: str | None = None,
        applied: bool = False,
    ) -> Fault:
        """Answer matching calls with an error (after letting ``skip`` of them through).

        ``applied``: Google did the work, but the answer is an error (a 5xx or a timeout after
        the change was made) — what makes repeating a create dangerous.
        """
        fault = Fault(method, status, times, skip, retry_after, 0.0, reason, applied=applied)
        self.faults.append(fault)
        return fault

    def stall(
        self, method: str | None = None, seconds: float = 1.0, *, times: int = 1, skip: int = 0
    ) -> Fault:
        """Answer matching calls only after ``seconds`` (the request is then handled normally)."""
        fault = Fault(method, 0, times, skip, None, seconds)
        self.faults.append(fault)
        return fault

    def drop(self, method: str | None = None, *, times: int = 1, skip: int = 0) -> Fault:
        """Close the connection on matching calls without answering (``oauth2.token`` too)."""
        fault = Fault(method, 0, times, skip, drop=True)
        self.faults.append(fault)
        return fault

    def largest_body(self, name: str | None = None) -> int:
        """The largest request body received (bytes), of calls named ``name`` or of all."""
        return max((c.size for c in self.calls if name is None or c.name == name), default=0)

    def count(self, name: str | None = None, *, include_faults: bool = True) -> int:
        """How many requests (named like «sheets.values.batchGet», or all) reached the fake."""
        return sum(
            1 for c in self.calls if (name is None or c.name == name) and (include_faults or not c.fault)
        )

    def names(self) -> list[str]:
        """Names of the calls received, in order."""
        return [c.name for c in self.calls]

    def clear_calls(self) -> None:
        self.calls.clear()

    # dispatch ---------------------------------------------------------------------------------

    def dispatch(
        self,
        http_method: str,
        raw_path: str,
        query: dict[str, list[str]],
        raw_body: bytes,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, dict[str, str]]:
        """Handle one request; returns (status, JSON-able body or bytes, extra headers)."""
        headers = headers or {}
        if raw_path.rstrip("/").endswith("/token") and http_method == "POST":
            return self._token(raw_path, raw_body)
        found = match_route(http_method, raw_path)
        name = found[0].name if found else f"unknown {http_method} {raw_path}"
        body: Any = None
        media = None
        if raw_path.startswith("/upload/") and found is not None:  # media uploads: see uploads.py
            try:
                body, media = split_upload(raw_body, headers.get("content-type", ""),
                                           (query.get("uploadType") or [""])[0])
            except FakeApiError as exc:
                return exc.code, exc.body(), {}
        elif raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body = raw_body
        call = Call(
            name, http_method, raw_path, {k: v if len(v) > 1 else v[0] for k, v in query.items()}, body
        )
        call.size = len(raw_body)
        with self.lock:
            self.calls.append(call)
            fault = next((f for f in self.faults if f.take(name)), None)
        if fault is not None and fault.drop:
            call.fault, call.status = True, DROPPED
            return DROPPED, None, {}
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        elif fault is not None and not fault.applied:
            call.fault, call.status = True, fault.status
            return self._fault_response(fault)
        try:
            if found is None:
                raise FakeApiError(404, f"The requested URL {raw_path} was not found on this server.")
            route, path_params = found
            with self.lock:
                caller = self.auth.caller(headers.get("authorization"))
                call.caller = caller.email
                self.auth.check(caller, route.api, route.method_id, http_method)
                if self.quotas is not None:
                    self.quotas.charge(caller.email, route.api, route.method_id, http_method)
            if len(raw_body) > MAX_REQUEST_BYTES:
                raise FakeApiError(400, f"Request payload size exceeds the limit: {MAX_REQUEST_BYTES} bytes.")
            params = check_query(route, query)
            if isinstance(body, bytes):
                raise FakeApiError(400, "Invalid JSON payload received.")
            body = check_body(route, body)
            path_params = {k: unquote(v) for k, v in path_params.items()}
            with self.lock:
                self.caller = caller
                self.drive.media = media
                try:
                    self.drive.check_create(caller, route.method_id, params, body)
                    self._check_access(caller, route, path_params, http_method)
                    result = self._service(route.api).handle(route.method_id, path_params, params, body)
                finally:
                    self.caller = None
                    self.drive.media = None
            if fault is not None and fault.applied:
                call.fault, call.status = True, fault.status
                return self._fault_response(fault)
            if result is None and http_method == "DELETE":
                call.status = 204
                return 204, b"", {}  # «No Content», as Drive answers a delete
            call.status = 200
            return 200, result if result is not None else {}, {}
        except FakeApiError as exc:
            call.status = exc.code
            return exc.code, exc.body(), {}

    def _token(self, raw_path: str, raw_body: bytes) -> tuple[int, Any, dict[str, str]]:
        call = Call("oauth2.token", "POST", raw_path, {}, None, size=len(raw_body))
        with self.lock:
            self.calls.append(call)
            fault = next((f for f in self.faults if f.take("oauth2.token")), None)
        if fault is not None:
            call.fault = True
            call.status = DROPPED if fault.drop else fault.status
            return (DROPPED, None, {}) if fault.drop else self._fault_response(fault)
        form = dict(parse_qsl(raw_body.decode("utf-8", "replace")))
        with self.lock:
            call.status, body = self.auth.token_endpoint(form)
        return call.status, body, {}

    def _service(self, api: str) -> Any:
        return {"sheets": self.sheets, "forms": self.forms, "drive": self.drive, "docs": self.docs}[api]

    def _fault_response(self, fault: Fault) -> tuple[int, Any, dict[str, str]]:
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        error = FakeApiError(fault.status, "injected fault")
        if fault.reason:
            error.errors = [{"domain": "usageLimits", "reason": fault.reason, "message": "injected"}]
            error.message = "User Rate Limit Exceeded"
        return fault.status, error.body(), headers

    def _drive_file(self, mime_type: str) -> Callable[[str, str], str]:
        def register(file_id: str, title: str) -> str:
            if file_id in self.drive.files:
                return file_id  # made through Drive: already a file
            return self.drive.add_file(title, mime_type, file_id=file_id)

        return register

    def _google_file(self, mime_type: str, file_id: str, name: str) -> None:
        if mime_type == SHEET_MIME:
            # Drive makes a spreadsheet with one sheet (id 0), named in the owner's language.
            first = "Лист1" if self.locale == "ru_RU" else "Sheet1"
            self.sheets.create(
                {"properties": {"title": name, "locale": self.locale},
                 "sheets": [{"properties": {"title": first, "sheetId": 0}}]},
                spreadsheet_id=file_id,
            )
        else:
            # A form made after 2026-03-31 starts unpublished (Forms API release notes).
            self.forms.create({"info": {"title": name}}, True, form_id=file_id)

    _PATH_IDS = {"sheets": "spreadsheetId", "forms": "formId", "docs": "documentId"}

    def _check_access(self, caller: Identity, route: Any, path_params: dict[str, str], http_method: str) -> None:
        """Sheets, Forms and Docs see a file only as Drive lets the caller (403 otherwise)."""
        key = self._PATH_IDS.get(route.api)
        if key is None or key not in path_params:
            return
        editor_only = ".responses." in route.method_id  # a form's answers are its editors'
        rank = 1 if http_method == "GET" and not editor_only else 2
        self.drive.require(caller, path_params[key], rank, route.api)

    def respondent_can_open(self, form_id: str) -> bool:
        """Whether a parent without a Google account can open the form by its link.

        It must be published and accepting responses, and carry the published-view
        permission ``{type: anyone, role: reader, view: published}`` (Forms API guide
        «Publish and manage responders»).
        """
        state = self.forms.get(form_id).resource.get("publishSettings", {}).get("publishState", {})
        opened = any(
            p.get("type") == "anyone" and p.get("view") == "published" and p.get("role") == "reader"
            for p in self.drive.permissions.get(form_id, [])
        )
        return bool(state.get("isPublished") and state.get("isAcceptingResponses") and opened)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGoogle
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms stalls

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: tests read the call log instead."""

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        method = self.command
        query = parse_qs(parts.query, keep_blank_values=True)
        override = self.headers.get("X-HTTP-Method-Override")
        if override:  # google-api-python-client turns long GETs into POSTs with the query as body
            method = override.upper()
            query.update(parse_qs(raw.decode(), keep_blank_values=True))
            raw = b""
        asked = {k.lower(): v for k, v in self.headers.items()}
        status, body, headers = self.fake.dispatch(method, parts.path, query, raw, asked)
        if status == DROPPED:
            self.close_connection = True  # no answer at all: the client sees a dropped connection
            return
        if isinstance(body, bytes):
            payload, ctype = body, "application/octet-stream"
        else:
            payload, ctype = (
                json.dumps(body, ensure_ascii=False).encode("utf-8"),
                "application/json; charset=UTF-8",
            )
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a stalled call past its timeout)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle
