"""Credentials: every broken key file gives a Russian message naming what and where, no secrets."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.oauth2.credentials import Credentials as UserCredentials

from sync.google import GoogleError
from sync.google.auth import (
    ENV_VAR,
    SCOPES,
    GoogleAuthError,
    load_credentials,
    service_account_credentials,
    user_credentials,
)

SECRET = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-NOT-A-REAL-KEY"


@pytest.fixture(scope="module")
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def key_info(private_key: str) -> dict[str, Any]:
    return {
        "type": "service_account",
        "project_id": "school",
        "private_key_id": "abc",
        "private_key": private_key,
        "client_email": "nastavnik@school.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def problem(path: Any) -> str:
    with pytest.raises(GoogleAuthError) as info:
        service_account_credentials(path)
    assert isinstance(info.value, GoogleError)
    error = info.value
    assert error.__cause__ is None  # no chained traceback behind the message
    assert error.__context__ is None or error.__suppress_context__
    return str(info.value)


def test_a_valid_key_gives_scoped_credentials(tmp_path: Path, pem: str) -> None:
    path = write(tmp_path, "key.json", json.dumps(key_info(pem)))
    creds = service_account_credentials(path)
    assert creds.service_account_email == "nastavnik@school.iam.gserviceaccount.com"
    assert tuple(creds.scopes) == SCOPES
    assert "https://www.googleapis.com/auth/drive" not in creds.scopes  # drive.file only


def test_the_environment_variable_is_used_when_no_path_is_configured(
    tmp_path: Path, pem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "env.json", json.dumps(key_info(pem)))
    monkeypatch.setenv(ENV_VAR, str(path))
    assert service_account_credentials(None).service_account_email.startswith("nastavnik@")


def test_no_key_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    message = problem(None)
    assert "не указан файл ключа" in message and ENV_VAR in message and "nastavnik.toml" in message


def test_missing_file(tmp_path: Path) -> None:
    message = problem(tmp_path / "нет.json")
    assert "не найден" in message and "нет.json" in message


def test_a_folder_instead_of_a_file(tmp_path: Path) -> None:
    assert "это папка" in problem(tmp_path)


def test_not_json_says_where_and_keeps_the_contents_secret(tmp_path: Path) -> None:
    path = write(tmp_path, "key.json", '{\n  "private_key": "' + SECRET + '",\n  oops\n}')
    message = problem(path)
    assert "это не JSON" in message and "строке 3" in message and str(path) in message
    assert SECRET not in message and "oops" not in message


def test_json_that_is_not_an_object(tmp_path: Path) -> None:
    assert "не объект JSON" in problem(write(tmp_path, "key.json", "[1, 2]"))


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "key.p12"
    path.write_bytes(b"\x30\x82\xff\xfe\x00")
    assert "не текстовый файл JSON" in problem(path)


def test_an_oauth_client_file_is_not_a_service_account_key(tmp_path: Path) -> None:
    path = write(
        tmp_path, "client.json", json.dumps({"installed": {"client_id": "x", "client_secret": SECRET}})
    )
    message = problem(path)
    assert "OAuth-клиента" in message and 'auth = "oauth"' in message and SECRET not in message


def test_another_kind_of_credentials(tmp_path: Path) -> None:
    assert "type = «external_account»" in problem(write(tmp_path, "k.json", '{"type": "external_account"}'))
    assert "нет поля type" in problem(write(tmp_path, "k2.json", '{"a": 1}'))


def test_missing_fields_are_named(tmp_path: Path) -> None:
    info = key_info(SECRET)
    del info["client_email"], info["token_uri"]
    message = problem(write(tmp_path, "key.json", json.dumps(info)))
    assert "нет полей client_email, token_uri" in message and SECRET not in message


def test_a_broken_private_key_is_named_not_shown(tmp_path: Path) -> None:
    broken = "-----BEGIN PRIVATE KEY-----\n" + SECRET + "\n-----END PRIVATE KEY-----\n"
    message = problem(write(tmp_path, "key.json", json.dumps(key_info(broken))))
    assert "private_key повреждено" in message and SECRET not in message


# --- user OAuth ------------------------------------------------------------------------------

CLIENT = {
    "installed": {
        "client_id": "id.apps.googleusercontent.com",
        "client_secret": "client-secret",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": ["http://localhost"],
    }
}


def fake_login(calls: list[Any]) -> Any:
    def run(flow: Any) -> UserCredentials:
        calls.append(flow)
        return UserCredentials(
            token="access-token",
            refresh_token="refresh-token",
            token_uri=CLIENT["installed"]["token_uri"],
            client_id=CLIENT["installed"]["client_id"],
            client_secret=CLIENT["installed"]["client_secret"],
            scopes=list(SCOPES),
            expiry=datetime.now(UTC).replace(tzinfo=None)
            + timedelta(hours=1),  # naive UTC, as google-auth keeps it
        )

    return run


def test_oauth_login_is_cached_with_owner_only_permissions(tmp_path: Path) -> None:
    secrets = write(tmp_path, "client.json", json.dumps(CLIENT))
    token = tmp_path / "state" / "token.json"
    logins: list[Any] = []
    creds = user_credentials(secrets, token, interactive=True, run_flow=fake_login(logins))
    assert creds.token == "access-token" and len(logins) == 1
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert logins[0].oauth2session.scope == list(SCOPES)
    again = user_credentials(secrets, token, run_flow=fake_login(logins))
    assert again.refresh_token == "refresh-token" and len(logins) == 1  # from the cache


def test_oauth_without_a_login_in_cron_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(GoogleAuthError, match="nastavnik init --google"):
        user_credentials(tmp_path / "client.json", tmp_path / "token.json")


def test_a_broken_token_cache_means_logging_in_again(tmp_path: Path) -> None:
    secrets = write(tmp_path, "client.json", json.dumps(CLIENT))
    token = write(tmp_path, "token.json", "{broken")
    logins: list[Any] = []
    user_credentials(secrets, token, interactive=True, run_flow=fake_login(logins))
    assert len(logins) == 1 and json.loads(token.read_text())["token"] == "access-token"


def test_a_token_with_fewer_scopes_means_logging_in_again(tmp_path: Path) -> None:
    secrets = write(tmp_path, "client.json", json.dumps(CLIENT))
    token = write(
        tmp_path,
        "token.json",
        json.dumps(
            {
                "token": "old",
                "refresh_token": "r",
                "client_id": "c",
                "client_secret": "s",
                "scopes": ["https://www.googleapis.com/auth/spreadsheets"],
            }
        ),
    )
    logins: list[Any] = []
    user_credentials(secrets, token, interactive=True, run_flow=fake_login(logins))
    assert len(logins) == 1


class TokenEndpoint:
    """Stands in for google.auth's Request: answers the token refresh without a network."""

    status = 200

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: Any = None,
        **kwargs: Any,
    ) -> Any:
        data = (
            {"access_token": "fresh-token", "expires_in": 3600}
            if self.status == 200
            else {"error": "invalid_grant", "error_description": "Token has been revoked."}
        )
        response = type("Response", (), {})()
        response.status, response.headers = self.status, {}
        response.data = json.dumps(data).encode()
        return response


def expired_token(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        "token.json",
        json.dumps(
            {
                "token": "old",
                "refresh_token": "r",
                "client_id": "c",
                "client_secret": "s",
                "scopes": list(SCOPES),
                "expiry": "2020-01-01T00:00:00Z",
            }
        ),
    )


def test_an_expired_token_is_refreshed_and_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sync.google.auth.Request", TokenEndpoint)
    token = expired_token(tmp_path)
    creds = user_credentials(tmp_path / "client.json", token)
    assert creds.token == "fresh-token"
    assert json.loads(token.read_text())["token"] == "fresh-token"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600


def test_a_revoked_token_in_cron_says_what_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = type("Revoked", (TokenEndpoint,), {"status": 400})
    monkeypatch.setattr("sync.google.auth.Request", endpoint)
    with pytest.raises(GoogleAuthError, match="nastavnik init ПАПКА --google") as info:
        user_credentials(tmp_path / "client.json", expired_token(tmp_path))
    assert "«Тестирование», вход истекает через 7 дней" in str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (json.dumps({"type": "service_account"}), "это ключ сервисного аккаунта"),
        (json.dumps({"other": {}}), "нет раздела installed"),
        (json.dumps({"installed": {"client_id": "x"}}), "нет полей client_secret, auth_uri, token_uri"),
        ("not json", "это не JSON"),
    ],
)
def test_bad_oauth_client_files(tmp_path: Path, content: str, expected: str) -> None:
    secrets = write(tmp_path, "client.json", content)
    with pytest.raises(GoogleAuthError, match=expected):
        user_credentials(secrets, tmp_path / "token.json", interactive=True, run_flow=fake_login([]))


def test_unknown_auth_kind(tmp_path: Path) -> None:
    with pytest.raises(GoogleAuthError, match="«service_account» или «oauth»"):
        load_credentials("password", tmp_path / "k.json", tmp_path / "t.json")
