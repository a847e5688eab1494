"""One choke point for every Google call: retries, backoff, timeouts and call counts.

gspread and google-api-python-client both send their requests through ``GoogleTransport``:
gspread through ``TransportHTTPClient`` (its ``HTTPClient`` with ``request`` overridden) and
google-api-python-client through ``TransportHttp`` (an httplib2 look-alike). So retries, the
timeout, the base URLs and the per-method counters live in one place, and neither library's
own retry logic is used (gspread's ``BackOffHTTPClient`` retries forever without a timeout).
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import googleapiclient
import gspread
import httplib2
import requests
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from sync.google import GoogleError

REAL_ROOTS = {
    "sheets": "https://sheets.googleapis.com/",
    "forms": "https://forms.googleapis.com/",
    "drive": "https://www.googleapis.com/drive/v3/",
    "docs": "https://docs.googleapis.com/",
}
DISCOVERY = {"sheets": "sheets.v4", "forms": "forms.v1", "drive": "drive.v3", "docs": "docs.v1"}
# The main resource of an API is dropped from counter names: «sheets.values.batchGet» reads
# better in the journal than «sheets.spreadsheets.values.batchGet».
_MAIN_RESOURCE = {"sheets": "spreadsheets", "forms": "forms", "docs": "documents"}

RETRY_STATUSES = frozenset({408, 429})
RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})

API_NAMES = {
    "sheets": "Google Таблицы",
    "forms": "Google Формы",
    "drive": "Google Диск",
    "docs": "Google Документы",
}


class GoogleApiError(GoogleError):
    """A Google call failed for good (retries exhausted, timeout, no connection).

    The message names the API method and the HTTP status; it never carries the URL, headers
    or the request body (they may hold tokens or participants' data).
    """

    def __init__(self, message: str, *, method: str, status: int | None = None) -> None:
        super().__init__(message)
        self.method = method
        self.status = status


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of the four APIs; the real Google by default, the test fake in tests."""

    sheets: str = REAL_ROOTS["sheets"]
    forms: str = REAL_ROOTS["forms"]
    drive: str = REAL_ROOTS["drive"]
    docs: str = REAL_ROOTS["docs"]

    @classmethod
    def single(cls, base: str) -> Endpoints:
        """Every API served from one base URL (as the test fake does), Drive under drive/v3/."""
        base = base.rstrip("/") + "/"
        return cls(sheets=base, forms=base, drive=base + "drive/v3/", docs=base)

    def root(self, api: str) -> str:
        """The base URL of an API ("sheets", "forms", "drive", "docs")."""
        return getattr(self, api)

    def rewrite(self, url: str) -> str:
        """Point a URL built by a library for the real Google at the configured base.

        gspread hard-codes https://sheets.googleapis.com and https://www.googleapis.com; this is
        how it is redirected without touching its module constants.
        """
        for api, real in REAL_ROOTS.items():
            if url.startswith(real):
                base = self.root(api)
                return url if base == real else base + url[len(real) :]
        return url


# --- naming calls after the discovery documents -----------------------------------------------


@dataclass(frozen=True)
class Route:
    """One REST method of a discovery document, as a path pattern."""

    api: str
    method_id: str  # e.g. "sheets.spreadsheets.values.batchGet"
    http_method: str
    pattern: re.Pattern[str]
    literal: int  # characters of the path template outside {params}; more = more specific
    description: dict[str, Any]

    @property
    def name(self) -> str:
        """Short counter name: «sheets.values.batchGet», «forms.responses.list», «drive.files.copy»."""
        parts = self.method_id.split(".")
        if len(parts) > 2 and parts[1] == _MAIN_RESOURCE.get(self.api):
            parts = [parts[0], *parts[2:]]
        return ".".join(parts)


def discovery_path(api: str) -> Path:
    """The discovery document shipped with google-api-python-client for an API."""
    base = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
    return base / f"{DISCOVERY[api]}.json"


@cache
def discovery_document(api: str) -> dict[str, Any]:
    """The parsed discovery document of an API (cached: the files are large)."""
    return json.loads(discovery_path(api).read_text(encoding="utf-8"))


def _walk_methods(resources: Mapping[str, Any]):
    for resource in resources.values():
        yield from resource.get("methods", {}).values()
        yield from _walk_methods(resource.get("resources", {}))


@cache
def routes() -> tuple[Route, ...]:
    """Every method of the four APIs, most specific path first."""
    out: list[Route] = []
    for api in DISCOVERY:
        doc = discovery_document(api)
        for method in _walk_methods(doc["resources"]):
            template = doc["servicePath"] + method.get("flatPath", method["path"])
            regex, literal = "", 0
            for piece in re.split(r"(\{\+?[^}]+\})", template):
                if piece.startswith("{"):
                    name = piece.strip("{}+")
                    regex += f"(?P<{name}>.+)" if piece.startswith("{+") else f"(?P<{name}>[^/]+)"
                else:
                    regex += re.escape(piece)
                    literal += len(piece)
            out.append(
                Route(
                    api=api,
                    method_id=method["id"],
                    http_method=method["httpMethod"],
                    # Anchored at the end only: a configured base may add a path prefix.
                    pattern=re.compile(r"(?:^|/)" + regex + "$"),
                    literal=literal,
                    description=method,
                )
            )
    out.sort(key=lambda r: -r.literal)
    return tuple(out)


def match_route(http_method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The discovery method a request path belongs to, and its (still encoded) path params."""
    path = path.lstrip("/")
    for route in routes():
        if route.http_method != http_method.upper():
            continue
        m = route.pattern.search(path)
        if m:
            return route, m.groupdict()
    return None


def call_name(http_method: str, url: str) -> str:
    """The counter name of a request: its API method, or «google.other» for anything else."""
    found = match_route(http_method, urlsplit(url).path)
    return found[0].name if found else "google.other"


# --- the transport --------------------------------------------------------------------------


class GoogleTransport:
    """Send a request to Google with a timeout, bounded retries and counting.

    Retries 408, 429, every 5xx and Drive's 403 rate-limit errors, and also timeouts and lost
    connections, waiting ``min(2**n + jitter, max_backoff)`` seconds, or what ``Retry-After``
    asks. Other errors (400, 401, 403, 404) come back as responses for the caller to judge.
    Retrying a POST is safe for what the project sends: value writes go to fixed cells, and
    setup checks what exists before it creates anything.
    """

    def __init__(
        self,
        session: requests.Session,
        endpoints: Endpoints | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 5,
        max_backoff: float = 32.0,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.session = session
        self.endpoints = endpoints or Endpoints()
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.rand = rand
        self.calls: Counter[str] = Counter()  # logical calls by API method
        self.retries: Counter[str] = Counter()  # extra attempts by API method

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send one request (retrying as needed) and return the final response.

        Raises GoogleApiError when retries are exhausted, on a timeout or lost connection that
        persists, never with the URL or headers in the message.
        """
        url = self.endpoints.rewrite(url)
        name = call_name(method, url)
        self.calls[name] += 1
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        attempt = 0
        while True:
            response: requests.Response | None = None
            failure = ""
            try:
                response = self.session.request(method.upper(), url, **kwargs)
            except requests.Timeout:
                failure = "timeout"
            except requests.ConnectionError:
                failure = "connection"
            if response is not None and not _retryable(response):
                return response
            if attempt >= self.max_retries:
                raise _final_error(name, attempt + 1, response, failure, kwargs["timeout"])
            self.retries[name] += 1
            self.sleep(self._delay(attempt, response))
            attempt += 1

    def _delay(self, attempt: int, response: requests.Response | None) -> float:
        asked = _retry_after(response) if response is not None else None
        if asked is not None:
            return min(asked, self.max_backoff)
        return min(2**attempt + self.rand(), self.max_backoff)

    def report(self) -> str:
        """The calls made, for the run journal: «sheets.values.batchGet: 1, ...; повторов: 2»."""
        text = ", ".join(f"{name}: {n}" for name, n in sorted(self.calls.items()))
        retried = sum(self.retries.values())
        if retried:
            text += f"; повторов: {retried}"
        return text or "нет"


def _retryable(response: requests.Response) -> bool:
    status = response.status_code
    if status in RETRY_STATUSES or status >= 500:
        return True
    if status == 403:
        return _error_reason(response) in RATE_LIMIT_REASONS
    return False


def _error_body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _error_reason(response: requests.Response) -> str:
    errors = _error_body(response).get("errors") or []
    if errors and isinstance(errors[0], dict):
        return str(errors[0].get("reason", ""))
    return ""


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _final_error(
    name: str, attempts: int, response: requests.Response | None, failure: str, timeout: Any
) -> GoogleApiError:
    api = API_NAMES.get(name.split(".")[0], "Google API")
    where = f"{api}, метод {name}"
    if response is None:
        if failure == "timeout":
            why = f"сервер не ответил за {timeout} с"
        else:
            why = "нет соединения с сервером"
        return GoogleApiError(
            f"{where}: {why} (попыток: {attempts}); проверьте сеть и повторите запуск позже",
            method=name,
        )
    error = _error_body(response)
    status = str(error.get("status") or _error_reason(response) or response.reason or "")
    detail = f" {status}" if status else ""
    return GoogleApiError(
        f"{where}: ошибка HTTP {response.status_code}{detail} (попыток: {attempts}); "
        "превышена квота или сервис временно недоступен, повторите запуск позже",
        method=name,
        status=response.status_code,
    )


# --- gspread ---------------------------------------------------------------------------------


class TransportHTTPClient(HTTPClient):
    """gspread's HTTP client, sending everything through a GoogleTransport.

    Non-retryable errors are raised as gspread's ``APIError``, as gspread expects.
    """

    def __init__(self, transport: GoogleTransport) -> None:
        self.transport = transport
        self.session = transport.session
        self.auth = getattr(transport.session, "credentials", None)
        self.timeout = None

    def request(
        self,
        method: str,
        endpoint: str,
        params: Any = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Any = None,
    ) -> requests.Response:
        response = self.transport.request(
            method,
            endpoint,
            params=params,
            data=data,
            json=json,
            files=files,
            headers=headers,
            timeout=self.timeout,
        )
        if response.ok:
            return response
        raise APIError(response)


def gspread_client(transport: GoogleTransport) -> gspread.Client:
    """A gspread client whose every request goes through ``transport``."""
    return gspread.Client(None, http_client=lambda auth, session: TransportHTTPClient(transport))


# --- google-api-python-client ----------------------------------------------------------------

# Headers that describe the wire encoding; requests has already decoded the body.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class TransportHttp:
    """An ``httplib2.Http`` look-alike for google-api-python-client, over a GoogleTransport.

    Authentication is the session's (an AuthorizedSession adds and refreshes the token), so
    no ``credentials`` attribute is exposed and the library does not apply its own.
    """

    def __init__(self, transport: GoogleTransport) -> None:
        self.transport = transport

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        redirections: int = 5,
        connection_type: Any = None,
    ) -> tuple[httplib2.Response, bytes]:
        if isinstance(body, str):
            body = body.encode("utf-8")
        response = self.transport.request(method, uri, data=body, headers=dict(headers or {}))
        info = {k.lower(): v for k, v in response.headers.items() if k.lower() not in _WIRE_HEADERS}
        info["status"] = str(response.status_code)
        resp = httplib2.Response(info)
        resp.reason = response.reason or ""
        return resp, response.content

    def close(self) -> None:
        """Nothing to close: the session belongs to the transport."""


def discovery_service(api: str, transport: GoogleTransport) -> Any:
    """A google-api-python-client service ("forms", "drive", "docs") over ``transport``.

    Uses the discovery document shipped with the library (no network at build time).
    """
    from googleapiclient.discovery import build

    name, version = DISCOVERY[api].split(".")
    return build(
        name,
        version,
        http=TransportHttp(transport),
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": transport.endpoints.root(api)},
    )
