"""The transport choke point: retries, backoff, Retry-After, timeouts, exhaustion, counts.

The real gspread and google-api-python-client talk to the fake over HTTP; sleeps are recorded,
never slept.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from gspread.exceptions import APIError

from sync.google import GoogleError
from sync.google.transport import (
    Endpoints,
    GoogleApiError,
    GoogleTransport,
    call_name,
    discovery_service,
    gspread_client,
)
from tests.fake_google import FakeGoogle

pytest_plugins = ["tests.fake_google.fixtures"]


@pytest.fixture
def book(fake_google: FakeGoogle) -> str:
    sid = fake_google.sheets.new_spreadsheet("Проба", ("Лист",))
    fake_google.sheets.set_values(sid, "Лист", [["a", "b"], ["1", "2"]])
    return sid


def batch_get(client: Any, sid: str) -> dict[str, Any]:
    return client.http_client.values_batch_get(sid, ["'Лист'"])


def test_500_is_retried_after_backoff(
    fake_google: FakeGoogle, gspread_fake: Any, book: str, sleeps: list[float], transport: GoogleTransport
) -> None:
    fake_google.fail("sheets.values.batchGet", 500)
    reply = batch_get(gspread_fake, book)
    assert reply["valueRanges"][0]["values"][1] == ["1", "2"]
    assert sleeps == [1.5]  # 2**0 + jitter 0.5
    assert fake_google.count("sheets.values.batchGet") == 2
    assert transport.calls["sheets.values.batchGet"] == 1
    assert transport.retries["sheets.values.batchGet"] == 1


def test_backoff_grows_exponentially_and_is_truncated(
    fake_google: FakeGoogle, book: str, sleeps: list[float]
) -> None:
    transport = GoogleTransport(
        requests.Session(),
        Endpoints.single(fake_google.url),
        max_retries=5,
        max_backoff=5.0,
        sleep=sleeps.append,
        rand=lambda: 0.5,
    )
    fake_google.fail("sheets.values.batchGet", 503, times=5)
    batch_get(gspread_client(transport), book)
    assert sleeps == [1.5, 2.5, 4.5, 5.0, 5.0]


def test_429_honours_retry_after(
    fake_google: FakeGoogle, gspread_fake: Any, book: str, sleeps: list[float]
) -> None:
    fake_google.fail("sheets.values.batchGet", 429, retry_after=7)
    batch_get(gspread_fake, book)
    assert sleeps == [7.0]


def test_retry_after_is_capped_by_max_backoff(
    fake_google: FakeGoogle, book: str, sleeps: list[float]
) -> None:
    transport = GoogleTransport(
        requests.Session(), Endpoints.single(fake_google.url), max_backoff=4.0, sleep=sleeps.append
    )
    fake_google.fail("sheets.values.batchGet", 429, retry_after=600)
    batch_get(gspread_client(transport), book)
    assert sleeps == [4.0]


def test_408_and_failure_on_the_nth_call(
    fake_google: FakeGoogle, gspread_fake: Any, book: str, sleeps: list[float]
) -> None:
    fake_google.fail(None, 408, skip=2)  # the third request of any kind fails once
    for _ in range(3):
        batch_get(gspread_fake, book)
    assert fake_google.count() == 4
    assert [c.fault for c in fake_google.calls] == [False, False, True, False]
    assert len(sleeps) == 1


def test_exhausted_retries_raise_a_russian_error_without_secrets(
    fake_google: FakeGoogle, book: str, sleeps: list[float]
) -> None:
    session = requests.Session()
    session.headers["Authorization"] = "Bearer SECRET-TOKEN"
    transport = GoogleTransport(
        session, Endpoints.single(fake_google.url), max_retries=2, sleep=sleeps.append
    )
    fake_google.fail("sheets.values.batchGet", 503, times=10)
    with pytest.raises(GoogleApiError) as info:
        batch_get(gspread_client(transport), book)
    message = str(info.value)
    assert "sheets.values.batchGet" in message and "HTTP 503" in message
    assert "попыток: 3" in message
    assert "SECRET" not in message and "http" not in message and book not in message
    assert info.value.status == 503 and info.value.method == "sheets.values.batchGet"
    assert isinstance(info.value, GoogleError)
    assert fake_google.count("sheets.values.batchGet") == 3


def test_drive_rate_limit_403_is_retried_other_403_is_not(
    fake_google: FakeGoogle, drive_service: Any, sleeps: list[float]
) -> None:
    file_id = fake_google.drive.add_file("Шаблон", "application/pdf")
    fake_google.fail("drive.files.get", 403, reason="userRateLimitExceeded")
    assert drive_service.files().get(fileId=file_id).execute()["name"] == "Шаблон"
    assert len(sleeps) == 1
    fake_google.fail("drive.files.get", 403)  # a plain permission error
    with pytest.raises(GoogleApiError, match="нет доступа") as info:
        drive_service.files().get(fileId=file_id).execute()
    assert info.value.status == 403
    assert len(sleeps) == 1


def test_client_errors_are_not_retried(
    fake_google: FakeGoogle, gspread_fake: Any, book: str, sleeps: list[float]
) -> None:
    with pytest.raises(APIError) as info:
        gspread_fake.http_client.values_batch_get(book, ["'Нет такого'!A1"])
    assert info.value.code == 400
    assert "Unable to parse range" in str(info.value)
    assert sleeps == [] and fake_google.count() == 1


def test_a_stalled_call_times_out_and_is_retried(
    fake_google: FakeGoogle, book: str, sleeps: list[float]
) -> None:
    transport = GoogleTransport(
        requests.Session(),
        Endpoints.single(fake_google.url),
        timeout=0.2,
        sleep=sleeps.append,
        rand=lambda: 0.0,
    )
    fake_google.stall("sheets.values.batchGet", seconds=0.6)
    reply = batch_get(gspread_client(transport), book)
    assert reply["valueRanges"][0]["values"][0] == ["a", "b"]
    assert sleeps == [1.0]


def test_persistent_timeouts_end_in_a_russian_error(
    fake_google: FakeGoogle, book: str, sleeps: list[float]
) -> None:
    transport = GoogleTransport(
        requests.Session(), Endpoints.single(fake_google.url), timeout=0.1, max_retries=1, sleep=sleeps.append
    )
    fake_google.stall("sheets.values.batchGet", seconds=0.4, times=2)
    with pytest.raises(GoogleApiError, match="не ответил за 0.1 с") as info:
        batch_get(gspread_client(transport), book)
    assert info.value.status is None


def test_no_connection_is_a_russian_error(sleeps: list[float]) -> None:
    transport = GoogleTransport(
        requests.Session(), Endpoints.single("http://127.0.0.1:9"), max_retries=1, sleep=sleeps.append
    )
    with pytest.raises(GoogleApiError, match="нет соединения"):
        transport.request("GET", "https://sheets.googleapis.com/v4/spreadsheets/x")
    assert len(sleeps) == 1


class RecordingSession(requests.Session):
    """Remembers the keyword arguments of every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[dict[str, Any]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.seen.append({"url": url, **kwargs})
        return super().request(method, url, **kwargs)


def test_every_request_has_a_timeout_and_goes_to_the_configured_base(
    fake_google: FakeGoogle, book: str
) -> None:
    session = RecordingSession()
    transport = GoogleTransport(session, Endpoints.single(fake_google.url), timeout=3.0)
    client = gspread_client(transport)
    client.set_timeout(None)  # gspread's own default: no timeout at all
    batch_get(client, book)
    client.open_by_key(book)
    discovery_service("forms", transport).forms().create(body={"info": {"title": "А"}}).execute()
    assert len(session.seen) == 3
    assert all(s["timeout"] == 3.0 for s in session.seen)
    assert all(s["url"].startswith(fake_google.url) for s in session.seen)


def test_calls_are_counted_by_api_method(
    fake_google: FakeGoogle, transport: GoogleTransport, gspread_fake: Any, forms_service: Any, book: str
) -> None:
    form_id = forms_service.forms().create(body={"info": {"title": "Анкета"}}).execute()["formId"]
    batch_get(gspread_fake, book)
    forms_service.forms().responses().list(formId=form_id).execute()
    forms_service.forms().responses().list(formId=form_id).execute()
    assert dict(transport.calls) == {
        "forms.create": 1,
        "sheets.values.batchGet": 1,
        "forms.responses.list": 2,
    }
    assert transport.report() == ("forms.create: 1, forms.responses.list: 2, sheets.values.batchGet: 1")


def test_call_names_follow_the_discovery_documents() -> None:
    assert call_name("GET", "https://sheets.googleapis.com/v4/spreadsheets/x/values:batchGet") == (
        "sheets.values.batchGet"
    )
    assert call_name("POST", "https://sheets.googleapis.com/v4/spreadsheets/x:batchUpdate") == (
        "sheets.batchUpdate"
    )
    assert call_name("PUT", "http://h/v4/spreadsheets/x/values/%27%D0%9B%27%21A1") == "sheets.values.update"
    assert call_name("GET", "https://forms.googleapis.com/v1/forms/f/responses") == "forms.responses.list"
    assert call_name("POST", "https://www.googleapis.com/drive/v3/files/f/copy") == "drive.files.copy"
    assert call_name("POST", "https://docs.googleapis.com/v1/documents/d:batchUpdate") == "docs.batchUpdate"
    assert call_name("GET", "https://example.org/elsewhere") == "google.other"


def test_endpoints_rewrite_real_urls_only() -> None:
    local = Endpoints.single("http://127.0.0.1:5")
    assert local.rewrite("https://sheets.googleapis.com/v4/spreadsheets/x") == (
        "http://127.0.0.1:5/v4/spreadsheets/x"
    )
    assert local.rewrite("https://www.googleapis.com/drive/v3/files/x") == (
        "http://127.0.0.1:5/drive/v3/files/x"
    )
    assert local.drive == "http://127.0.0.1:5/drive/v3/"
    assert Endpoints().rewrite("https://sheets.googleapis.com/v4/x") == "https://sheets.googleapis.com/v4/x"
