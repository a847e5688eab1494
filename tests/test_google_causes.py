"""Google as it fails today: tokens, disabled APIs, storage quota, scopes, creates, quotas.

Real google-auth service-account credentials sign JWTs to the fake's token endpoint; the real
gspread and google-api-python-client call the fake through the project's transport.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from forms.questionnaires import MENTOR_APPLICATION
from forms.responses import SourceError
from sync.google.auth import GoogleAuthError, service_account_credentials, user_credentials
from sync.google.causes import THREE_WAYS
from sync.google.setup import GoogleServices, connect
from sync.google.transport import Endpoints, GoogleApiError, GoogleTransport, discovery_service, gspread_client
from tests.fake_google import FakeGoogle
from tests.fake_google.auth import Identity
from tests.fake_google.keys import ROBOT, service_account_key

pytest_plugins = ["tests.fake_google.fixtures"]


@pytest.fixture
def robot(tmp_path: Path, fake_google: FakeGoogle, private_key_pem: str, sleeps: list[float]) -> GoogleServices:
    """Clients logged in as a service account, through the fake's token endpoint."""
    key = service_account_key(tmp_path, fake_google, private_key_pem)
    creds = service_account_credentials(key)
    return connect(creds, Endpoints.single(fake_google.url), timeout=10.0, max_retries=3, sleep=sleeps.append)


def list_files(services: GoogleServices) -> dict[str, Any]:
    return services.drive.files().list(q="trashed = false").execute()


def test_a_service_account_gets_its_token_from_the_token_endpoint(
    robot: GoogleServices, fake_google: FakeGoogle
) -> None:
    list_files(robot)
    assert fake_google.names() == ["oauth2.token", "drive.files.list"]
    assert fake_google.calls[-1].caller == ROBOT


def test_a_lost_connection_while_fetching_the_token_is_retried(
    robot: GoogleServices, fake_google: FakeGoogle, sleeps: list[float]
) -> None:
    fake_google.drop("oauth2.token", times=2)
    list_files(robot)
    assert fake_google.names() == ["oauth2.token"] * 3 + ["drive.files.list"]
    assert len(sleeps) == 2


def test_a_token_endpoint_that_stays_unreachable_is_explained(
    robot: GoogleServices, fake_google: FakeGoogle
) -> None:
    fake_google.drop("oauth2.token", times=10)
    with pytest.raises(GoogleApiError, match="не удалось получить токен входа") as info:
        list_files(robot)
    assert "попыток: 4" in str(info.value)


def test_a_revoked_key_is_explained(robot: GoogleServices, fake_google: FakeGoogle) -> None:
    fake_google.auth.revoked.add(ROBOT)
    with pytest.raises(GoogleAuthError, match="ключ удален или отозван"):
        list_files(robot)
    assert fake_google.count("drive.files.list") == 0


def test_a_clock_off_by_hours_is_explained(robot: GoogleServices, fake_google: FakeGoogle) -> None:
    fake_google.auth.skew = 3 * 3600
    with pytest.raises(GoogleAuthError, match="часы этого компьютера"):
        list_files(robot)


@pytest.mark.parametrize(
    ("api", "call", "expected"),
    [
        ("drive", lambda s: list_files(s), "не включен Google Drive API"),
        ("sheets", lambda s: s.gspread.http_client.fetch_sheet_metadata("x"), "не включен Google Sheets API"),
        ("forms", lambda s: s.forms.forms().get(formId="x").execute(), "не включен Google Forms API"),
    ],
)
def test_an_api_not_enabled_names_it_and_where_to_enable_it(
    robot: GoogleServices, fake_google: FakeGoogle, api: str, call: Any, expected: str
) -> None:
    fake_google.auth.disabled.add(api)
    with pytest.raises(GoogleApiError, match=expected) as info:
        call(robot)
    assert "«API и сервисы» → «Библиотека»" in str(info.value)
    assert "console.developers.google.com/apis/api/" in str(info.value)  # Google's activation link


def test_a_service_account_creating_a_spreadsheet_gets_the_three_ways(
    robot: GoogleServices, fake_google: FakeGoogle
) -> None:
    with pytest.raises(GoogleApiError) as info:
        robot.gspread.http_client.request(
            "post", "https://sheets.googleapis.com/v4/spreadsheets", json={"properties": {"title": "П"}}
        )
    assert THREE_WAYS in str(info.value)
    assert "drive_folder_id" in str(info.value) and 'auth = "oauth"' in str(info.value)
    assert fake_google.count("sheets.create") == 1  # a 403 is not retried
    assert fake_google.sheets.spreadsheets == {}


def test_a_token_without_a_needed_scope_asks_to_tick_every_box(
    fake_google: FakeGoogle, sleeps: list[float]
) -> None:
    person = Identity("p@school.example", "user", frozenset({"https://www.googleapis.com/auth/spreadsheets"}))
    granted = fake_google.auth.issue(person)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {granted['access_token']}"
    transport = GoogleTransport(session, Endpoints.single(fake_google.url), sleep=sleeps.append)
    forms = discovery_service("forms", transport)
    form_id = fake_google.forms.create({"info": {"title": "А"}}, False)["formId"]
    with pytest.raises(GoogleApiError, match="отметьте все пункты"):
        forms.forms().responses().list(formId=form_id).execute()


def test_a_file_not_shared_with_the_robot_names_the_robot(robot: GoogleServices, fake_google: FakeGoogle) -> None:
    fake_google.fail("sheets.get", 403)
    with pytest.raises(GoogleApiError, match=f"нет доступа: файл не открыт для учетной записи «{ROBOT}»"):
        robot.gspread.http_client.fetch_sheet_metadata("x")


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("sheets.create", lambda s: s.gspread.http_client.request(
            "post", "https://sheets.googleapis.com/v4/spreadsheets", json={"properties": {"title": "П"}})),
        ("forms.create", lambda s: s.forms.forms().create(body={"info": {"title": "А"}}).execute()),
        ("drive.files.create", lambda s: s.drive.files().create(body={"name": "П"}).execute()),
    ],
)
def test_a_create_with_an_unknown_outcome_is_not_repeated(
    fake_google: FakeGoogle, transport: GoogleTransport, name: str, call: Any
) -> None:
    services = GoogleServices(transport)
    fake_google.fail(name, 503)
    with pytest.raises(GoogleApiError, match="неизвестно, успел ли Google") as info:
        call(services)
    assert "уже созданное будет найдено" in str(info.value)
    assert fake_google.count(name) == 1


def test_a_timed_out_form_batch_update_is_not_sent_twice(
    fake_google: FakeGoogle, transport: GoogleTransport
) -> None:
    transport.timeout = 1.0  # a short timeout of its own, so the stall below passes it
    services = GoogleServices(transport)
    form_id = services.forms.forms().create(body={"info": {"title": "А"}}).execute()["formId"]
    fake_google.stall("forms.batchUpdate", seconds=1.5)  # past the transport's 1 s timeout
    item = {"title": "Вопрос", "questionItem": {"question": {"textQuestion": {}}}}
    with pytest.raises(GoogleApiError, match="неизвестно"):
        services.forms.forms().batchUpdate(
            formId=form_id, body={"requests": [{"createItem": {"item": item, "location": {"index": 0}}}]}
        ).execute()
    assert fake_google.count("forms.batchUpdate") == 1


def test_a_create_refused_by_the_quota_is_retried(fake_google: FakeGoogle, transport: GoogleTransport) -> None:
    services = GoogleServices(transport)
    fake_google.fail("forms.create", 429, times=2)
    services.forms.forms().create(body={"info": {"title": "А"}}).execute()
    assert fake_google.count("forms.create") == 3
    assert len(fake_google.forms.forms) == 1


def test_a_429_is_waited_out_past_a_quota_minute(
    fake_google: FakeGoogle, sleeps: list[float]
) -> None:
    sid = fake_google.sheets.new_spreadsheet("П", ("Лист",))
    transport = GoogleTransport(
        requests.Session(), Endpoints.single(fake_google.url), max_retries=3, sleep=sleeps.append, rand=lambda: 0.5
    )
    fake_google.fail("sheets.values.batchGet", 429, times=7)
    gspread_client(transport).http_client.values_batch_get(sid, ["'Лист'"])
    assert len(sleeps) == 7  # more than max_retries: a quota minute is waited out
    assert sum(sleeps) > 60


def test_quota_wait_bounds_the_waiting(fake_google: FakeGoogle, sleeps: list[float]) -> None:
    sid = fake_google.sheets.new_spreadsheet("П", ("Лист",))
    transport = GoogleTransport(
        requests.Session(), Endpoints.single(fake_google.url), quota_wait=10, sleep=sleeps.append, rand=lambda: 0.5
    )
    fake_google.fail("sheets.values.batchGet", 429, times=100)
    with pytest.raises(GoogleApiError, match="превышена квота"):
        gspread_client(transport).http_client.values_batch_get(sid, ["'Лист'"])
    assert 10 <= sum(sleeps) < 10 + 32


def test_a_form_failing_after_retries_is_a_source_error_for_that_form(
    fake_google: FakeGoogle, forms_service: Any
) -> None:
    from forms.google_source import GoogleFormsSource

    fake_google.fail("forms.responses.list", 503, times=10)
    source = GoogleFormsSource(forms_service, {MENTOR_APPLICATION.code: "any"})
    with pytest.raises(SourceError, match=f"анкета «{MENTOR_APPLICATION.title}»: .*HTTP 503"):
        source.responses(MENTOR_APPLICATION, None)


def test_a_partial_oauth_consent_names_what_is_missing(tmp_path: Path) -> None:
    import json

    from sync.google.auth import SCOPES

    client = {"installed": {"client_id": "i", "client_secret": "s", "auth_uri": "https://a", "token_uri": "https://t"}}
    (tmp_path / "client.json").write_text(json.dumps(client))

    def partial(flow: Any) -> Any:
        # what oauthlib does when the person unticked a box: raise a Warning with the scopes
        warning = Warning('Scope has changed from "a" to "b".')
        warning.new_scope = [s for s in SCOPES if "forms" not in s]  # type: ignore[attr-defined]
        raise warning

    with pytest.raises(GoogleAuthError, match="не отмечены: «Google Формы \\(изменение форм\\)», «ответы Google Форм»"):
        user_credentials(tmp_path / "client.json", tmp_path / "token.json", interactive=True, run_flow=partial)
    assert not (tmp_path / "token.json").exists()


def test_a_cached_login_granted_fewer_scopes_than_asked_means_logging_in_again(tmp_path: Path) -> None:
    """«scopes» in token.json are the ones asked for; what was granted is checked, not them."""
    import json

    from sync.google.auth import SCOPES

    token = tmp_path / "token.json"
    token.write_text(json.dumps({
        "token": "t", "refresh_token": "r", "client_id": "c", "client_secret": "s",
        "scopes": list(SCOPES), "granted_scopes": [s for s in SCOPES if "forms" not in s],
        "expiry": "2999-01-01T00:00:00Z",
    }))
    with pytest.raises(GoogleAuthError, match="нет действующего входа"):
        user_credentials(tmp_path / "client.json", token)
