"""One choke point for every Google call: retries, backoff, timeouts, errors by cause, counts.

gspread and google-api-python-client both send their requests through ``GoogleTransport``:
gspread through ``TransportHTTPClient`` (its ``HTTPClient`` with ``request`` overridden) and
google-api-python-client through ``TransportHttp`` (an httplib2 look-alike). So retries, the
timeout, the base URLs and the per-method counters live in one place, and neither library's
own retry logic is used (gspread's ``BackOffHTTPClient`` retries forever without a timeout,
and takes Drive's «storage quota exceeded» 403 for a rate limit: gspread issue #1592).

Retrying follows Google's guidance: per-minute Sheets quotas refill every minute, so a 429 is
retried until ``quota_wait`` seconds have been waited in total (more than a minute,
https://developers.google.com/workspace/sheets/api/limits); 5xx, timeouts and lost
connections up to ``max_retries`` times. A call that creates something (``NON_IDEMPOTENT``)
is retried only when Google surely did not apply it (a 429, or the request never left this
machine): otherwise a second attempt could make a second spreadsheet or double questions.
"""

from __future__ import annotations

import json as json_text
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import gspread
import httplib2
import requests
from google.auth.exceptions import RefreshError
from google.auth.exceptions import TransportError as TokenTransportError
from googleapiclient.errors import Error as GoogleClientError
from gspread.exceptions import APIError, GSpreadException
from gspread.http_client import HTTPClient

from sync.google import GoogleError
from sync.google.causes import API_NAMES, Refusal, explain, explain_refresh, read_refusal
from sync.google.routes import (  # noqa: F401 - re-exported: the fake and tests name them here
    DISCOVERY,
    Route,
    call_name,
    discovery_document,
    discovery_path,
    match_route,
    routes,
)

REAL_ROOTS = {
    "sheets": "https://sheets.googleapis.com/",
    "forms": "https://forms.googleapis.com/",
    "drive": "https://www.googleapis.com/drive/v3/",
    "docs": "https://docs.googleapis.com/",
}
# Media uploads (Drive files.create with a file) go to the upload URI, not the API root.
UPLOAD_ROOT = "https://www.googleapis.com/upload/drive/v3/"

RETRY_STATUSES = frozenset({408, 429})
# Calls that make something new: a second attempt after an unknown outcome could make it twice.
NON_IDEMPOTENT = frozenset(
    {
        "sheets.create",
        "sheets.batchUpdate",  # addSheet, addProtectedRange, addConditionalFormatRule ...
        "forms.create",
        "forms.batchUpdate",  # createItem
        "drive.files.create",
        "drive.files.copy",
        "drive.permissions.create",
        "docs.create",
    }
)
def pause(seconds: float) -> None:
    """Wait between attempts: the one real sleep of the Google path (tests replace it)."""
    time.sleep(seconds)


QUOTA_WAIT = 120.0  # seconds of waiting a 429 may cost in total: more than a quota minute


class GoogleApiError(GoogleError, GoogleClientError, GSpreadException):
    """A Google call failed for good: refused (401/403, with the cause), retries exhausted,
    timeout, no connection, or an unknown outcome of a create.

    It is also an error of both client libraries (``googleapiclient.errors.Error`` and
    ``gspread.exceptions.GSpreadException``), so the forms source and the sheets store,
    which may not import ``sync``, catch it with what they already know. The message is
    Russian, names the API method, and never carries the URL, headers or the request body
    (they may hold tokens or participants' data).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        status: int | None = None,
        refusal: Refusal | None = None,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.status = status
        self.refusal = refusal or Refusal(status or 0)

    @property
    def reason(self) -> str:
        return self.refusal.reason


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
        if url.startswith(UPLOAD_ROOT) and self.drive != REAL_ROOTS["drive"]:
            return _upload_base(self.drive) + url[len(UPLOAD_ROOT) :]
        parts, drive = urlsplit(url), urlsplit(self.drive)
        if parts.path.startswith("/upload/") and parts.netloc == drive.netloc and parts.scheme != drive.scheme:
            # google-api-python-client points media uploads at a configured endpoint by swapping
            # only the host (``_fix_up_media_path_base_url``), keeping https: take the scheme too
            return urlunsplit(parts._replace(scheme=drive.scheme))
        return url


def _upload_base(drive_root: str) -> str:
    """The upload URI for a configured Drive root: …/drive/v3/ -> …/upload/drive/v3/."""
    parts = urlsplit(drive_root)
    return urlunsplit(parts._replace(path="/upload" + parts.path))


# --- the transport --------------------------------------------------------------------------


class GoogleTransport:
    """Send a request to Google with a timeout, bounded retries, counting and errors by cause.

    Retries 408, 429, every 5xx and Drive's 403 rate-limit errors, timeouts, lost connections
    and a failed token fetch, waiting ``min(2**n + jitter, max_backoff)`` seconds or what
    ``Retry-After`` asks. Rate limits are retried until ``quota_wait`` seconds were waited,
    the rest ``max_retries`` times. 401 and 403 raise ``GoogleApiError`` with the cause
    explained; other errors (400, 404, 409) come back as responses for the caller to judge.
    """

    def __init__(
        self,
        session: requests.Session,
        endpoints: Endpoints | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 5,
        max_backoff: float = 32.0,
        quota_wait: float = QUOTA_WAIT,
        sleep: Callable[[float], None] | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.session = session
        self.endpoints = endpoints or Endpoints()
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_backoff = max_backoff
        self.quota_wait = quota_wait
        self.sleep = sleep or pause  # looked up now, so a test's replacement is the one used
        self.rand = rand
        self.calls: Counter[str] = Counter()  # logical calls by API method
        self.retries: Counter[str] = Counter()  # extra attempts by API method
        self.waited = 0.0  # seconds slept between attempts, all calls together

    @property
    def account(self) -> str:
        """The service account's address (a robot's, not a person's), or ""."""
        creds = getattr(self.session, "credentials", None)
        return str(getattr(creds, "service_account_email", "") or "")

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send one request (retrying as needed) and return the final response.

        Raises GoogleApiError when Google refuses for good (401/403), when retries are
        exhausted, on a timeout or lost connection that persists, and when a create's outcome
        is unknown; GoogleAuthError when the token endpoint refuses the credentials.
        """
        from sync.google.auth import GoogleAuthError

        url = self.endpoints.rewrite(url)
        name = call_name(method, url)
        self.calls[name] += 1
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        attempt = 0
        quota_waited = 0.0
        while True:
            response: requests.Response | None = None
            failure = ""
            try:
                response = self.session.request(method.upper(), url, **kwargs)
            except requests.ConnectTimeout:
                failure = "unsent"
            except requests.Timeout:
                failure = "timeout"
            except requests.ConnectionError as exc:
                failure = "unsent" if _never_sent(exc) else "connection"
            except TokenTransportError:
                failure = "token"  # the token could not be fetched: the call itself was not sent
            except RefreshError as exc:
                service_account = bool(self.account)
                raise GoogleAuthError(explain_refresh(str(exc), service_account)) from None
            refusal = _refusal(response) if response is not None else None
            if response is not None and not _retryable(response, refusal):
                if response.status_code in (401, 403):
                    raise _refused(name, response, refusal, self.account)
                return response
            rate_limited = refusal is not None and refusal.rate_limited
            if name in NON_IDEMPOTENT and not (rate_limited or failure in ("unsent", "token")):
                raise _unknown_outcome(name, response, failure)
            if rate_limited:
                exhausted = quota_waited >= self.quota_wait
            else:
                exhausted = attempt >= self.max_retries
            if exhausted:
                raise _final_error(name, attempt + 1, response, failure, kwargs["timeout"])
            self.retries[name] += 1
            delay = self._delay(attempt, response)
            if rate_limited:
                quota_waited += delay
            self.waited += delay
            self.sleep(delay)
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


def _never_sent(exc: requests.ConnectionError) -> bool:
    """Whether a connection error happened before the request left (refused, DNS): safe to retry."""
    text = repr(exc.args[0] if exc.args else exc)
    return "NewConnectionError" in text or "NameResolutionError" in text or "ConnectTimeout" in text


def _refusal(response: requests.Response) -> Refusal:
    try:
        body = response.json()
    except ValueError:
        body = None
    return read_refusal(response.status_code, body)


def _retryable(response: requests.Response, refusal: Refusal | None) -> bool:
    status = response.status_code
    if status in RETRY_STATUSES or status >= 500:
        return True
    return status == 403 and refusal is not None and refusal.rate_limited


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


def _where(name: str) -> str:
    return f"{API_NAMES.get(name.split('.')[0], 'Google API')}, метод {name}"


def _refused(name: str, response: requests.Response, refusal: Refusal | None, account: str) -> GoogleApiError:
    refusal = refusal or Refusal(response.status_code)
    why = explain(name.split(".")[0], refusal, account)
    return GoogleApiError(
        f"{_where(name)}: {why}", method=name, status=response.status_code, refusal=refusal
    )


def _unknown_outcome(name: str, response: requests.Response | None, failure: str) -> GoogleApiError:
    what = f"ошибка HTTP {response.status_code}" if response is not None else (
        "сервер не ответил вовремя" if failure == "timeout" else "соединение прервалось"
    )
    return GoogleApiError(
        f"{_where(name)}: {what}, и неизвестно, успел ли Google выполнить запрос — он не "
        "повторяется, чтобы не создать второй экземпляр; запустите команду еще раз: "
        "уже созданное будет найдено",
        method=name,
        status=response.status_code if response is not None else None,
    )


def _final_error(
    name: str, attempts: int, response: requests.Response | None, failure: str, timeout: Any
) -> GoogleApiError:
    where = _where(name)
    if response is None:
        if failure == "timeout":
            why = f"сервер не ответил за {timeout} с"
        elif failure == "token":
            why = "не удалось получить токен входа (нет связи с сервером входа Google)"
        else:
            why = "нет соединения с сервером"
        return GoogleApiError(
            f"{where}: {why} (попыток: {attempts}); проверьте сеть и повторите запуск позже",
            method=name,
        )
    refusal = _refusal(response)
    status = refusal.reason or (response.reason or "")
    detail = f" {status}" if status else ""
    advice = (
        "превышена квота запросов Google, повторите запуск позже"
        if refusal.rate_limited
        else "сервис Google временно недоступен, повторите запуск позже"
    )
    return GoogleApiError(
        f"{where}: ошибка HTTP {response.status_code}{detail} (попыток: {attempts}); {advice}",
        method=name,
        status=response.status_code,
        refusal=refusal,
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
        if json is not None and data is None and files is None:
            # UTF-8, not requests' ASCII escapes: Cyrillic text is a third of the bytes.
            data = json_text.dumps(json, ensure_ascii=False, allow_nan=False).encode("utf-8")
            headers = {**dict(headers or {}), "Content-Type": "application/json; charset=UTF-8"}
            json = None
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
