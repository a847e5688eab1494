"""Google credentials: a service-account key file, or a user's OAuth login with a cached token.

Only the scopes the programme needs are asked for. Anything wrong with a key file becomes a
Russian message that says what is wrong and where (missing file, not JSON, not a
service-account key, a missing field), never a traceback and never the file's contents.

OAuth: the consent screen lets a person untick some permissions (granular consent); then
oauthlib raises its «Scope has changed» ``Warning`` — caught here and turned into a message
naming what is missing. The scopes actually granted are saved beside the token, so a cached
login with fewer permissions is noticed. A refresh that fails for the network is retried; a
refused one is explained by cause (revoked, clock, an app left in «Testing», whose refresh
tokens expire after 7 days: https://developers.google.com/identity/protocols/oauth2#expiration).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from google.auth.credentials import Credentials
from google.auth.exceptions import GoogleAuthError as _LibraryAuthError
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import service_account
from google.oauth2.credentials import Credentials as UserCredentials

from sync.google import GoogleError
from sync.google.causes import explain_refresh, missing_scopes

SCOPES: tuple[str, ...] = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/forms.body",
    "https://www.googleapis.com/auth/forms.responses.readonly",
    "https://www.googleapis.com/auth/drive.file",
    "https://www.googleapis.com/auth/documents",
)
ENV_VAR = "GOOGLE_APPLICATION_CREDENTIALS"
SERVICE_ACCOUNT_FIELDS = ("client_email", "private_key", "token_uri")
CLIENT_FIELDS = ("client_id", "client_secret", "auth_uri", "token_uri")
LOGIN_HINT = "выполните вход заново: nastavnik init --google"
REFRESH_ATTEMPTS = 3
LOGIN_PROMPT = (
    "Откройте в браузере ссылку и войдите под учетной записью сотрудника, отметив все пункты:\n{url}\n"
    "(на сервере без браузера: см. README, «Работа с Google» → «Первый вход на сервере»)"
)
LOGIN_DONE = "Вход выполнен, окно браузера можно закрыть."


class GoogleAuthError(GoogleError):
    """Credentials are missing or unusable; the message says what and where, in Russian."""


def service_account_credentials(
    path: str | Path | None = None, scopes: Sequence[str] = SCOPES
) -> service_account.Credentials:
    """Credentials from a service-account key file (``path``, else $GOOGLE_APPLICATION_CREDENTIALS)."""
    chosen = str(path or "") or os.environ.get(ENV_VAR, "")
    if not chosen:
        raise GoogleAuthError(
            "не указан файл ключа сервисного аккаунта: задайте credentials в разделе [google] "
            f"файла nastavnik.toml или переменную окружения {ENV_VAR}"
        )
    key_path = Path(chosen).expanduser()
    info = _read_json(key_path, "файл ключа сервисного аккаунта")
    kind = info.get("type")
    if kind != "service_account":
        raise GoogleAuthError(f"{key_path}: {_not_a_service_account(info)}")
    missing = [name for name in SERVICE_ACCOUNT_FIELDS if not info.get(name)]
    if missing:
        raise GoogleAuthError(
            f"{key_path}: в ключе сервисного аккаунта нет полей {', '.join(missing)} — "
            "скачайте ключ (JSON) заново в Google Cloud Console"
        )
    try:
        return service_account.Credentials.from_service_account_info(info, scopes=list(scopes))
    except (ValueError, _LibraryAuthError):
        # The library's message may quote the key; say only which field is broken.
        raise GoogleAuthError(
            f"{key_path}: поле private_key повреждено (это не закрытый ключ в формате PEM) — "
            "скачайте ключ (JSON) заново в Google Cloud Console"
        ) from None


def user_credentials(
    client_secrets: str | Path,
    token_path: str | Path,
    scopes: Sequence[str] = SCOPES,
    *,
    interactive: bool = False,
    run_flow: Callable[[Any], Credentials] | None = None,
    port: int = 0,
    token_uri: str = "",
) -> Credentials:
    """A user's OAuth credentials: the cached token if usable, else (interactively) a login.

    The token is refreshed when expired and saved with 0600 permissions. Without
    ``interactive`` (cron), a missing or revoked login is an error that says what to run.
    ``run_flow`` replaces the browser login (tests); ``port`` fixes the local port the login
    listens on (a headless server is reached through ``ssh -L PORT:localhost:PORT``);
    ``token_uri`` overrides the client file's (the test fake).
    """
    token_file = Path(token_path).expanduser()
    creds = _cached_token(token_file, scopes)
    if creds is not None and creds.valid:
        return creds
    if creds is not None and creds.expired and creds.refresh_token:
        try:
            _refresh(creds)
        except TransportError:
            raise GoogleAuthError(
                f"нет связи с сервером входа Google при обновлении входа (попыток: {REFRESH_ATTEMPTS}): "
                "проверьте сеть и повторите запуск позже"
            ) from None
        except RefreshError as exc:
            if not interactive:
                raise GoogleAuthError(f"{explain_refresh(str(exc), False)} ({token_file})") from None
            creds = None  # revoked or expired for good: log in again
        else:
            save_token(creds, token_file)
            return creds
    if not interactive:
        raise GoogleAuthError(f"нет действующего входа в Google ({token_file}): {LOGIN_HINT}")
    secrets_path = Path(client_secrets).expanduser()
    config = _client_config(secrets_path)
    if token_uri:
        section = "installed" if "installed" in config else "web"
        config[section]["token_uri"] = token_uri
    from google_auth_oauthlib.flow import InstalledAppFlow

    flow = InstalledAppFlow.from_client_config(config, scopes=list(scopes))
    try:
        if run_flow is not None:
            creds = run_flow(flow)
        else:
            creds = flow.run_local_server(
                port=port,
                open_browser=bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")),
                authorization_prompt_message=LOGIN_PROMPT,
                success_message=LOGIN_DONE,
            )
    except Warning as exc:  # oauthlib: «Scope has changed from … to …» on a partial consent
        granted = list(getattr(exc, "new_scope", None) or [])
        raise GoogleAuthError(_partial_consent(scopes, granted)) from None
    granted = list(getattr(creds, "granted_scopes", None) or scopes)
    if not set(scopes) <= set(granted):
        raise GoogleAuthError(_partial_consent(scopes, granted))
    save_token(creds, token_file, granted)
    return creds


def _partial_consent(scopes: Sequence[str], granted: Sequence[str]) -> str:
    return (
        "при входе в Google разрешены не все действия — не отмечены: "
        f"{missing_scopes(tuple(scopes), tuple(granted))}. Выполните вход заново и на экране "
        "согласия отметьте все пункты"
    )


def _refresh(creds: Credentials) -> None:
    """Refresh the access token; a network failure is retried a few times."""
    for attempt in range(REFRESH_ATTEMPTS):
        try:
            creds.refresh(Request())
            return
        except TransportError:
            if attempt == REFRESH_ATTEMPTS - 1:
                raise


def load_credentials(
    auth: str,
    credentials: str | Path,
    token: str | Path,
    *,
    interactive: bool = False,
    port: int = 0,
) -> Credentials:
    """Credentials as the config asks: ``auth`` is "service_account" or "oauth"."""
    if auth == "oauth":
        return user_credentials(credentials, token, interactive=interactive, port=port)
    if auth == "service_account":
        return service_account_credentials(credentials or None)
    raise GoogleAuthError(f"[google] auth — «service_account» или «oauth», указано «{str(auth)[:40]}»")


def authorized_session(credentials: Credentials, timeout: float = 60.0) -> AuthorizedSession:
    """A requests session that adds and refreshes the token (the refresh has a timeout too)."""
    return AuthorizedSession(credentials, refresh_timeout=timeout)


def save_token(creds: Credentials, token_file: Path, granted: Sequence[str] | None = None) -> None:
    """Write the token readable by its owner only (0600), atomically, with the granted scopes."""
    data = json.loads(creds.to_json())  # type: ignore[attr-defined]
    if granted is None:
        granted = _saved_granted(token_file) or list(getattr(creds, "granted_scopes", None) or [])
    if granted:
        data["granted_scopes"] = list(granted)
    token_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = token_file.with_name(token_file.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask may have been wider; the token is a secret
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(data))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, token_file)


# --- helpers ---------------------------------------------------------------------------------


def _read_json(path: Path, what: str) -> dict[str, Any]:
    if not path.exists():
        raise GoogleAuthError(f"{what} {path} не найден — проверьте путь в nastavnik.toml")
    if path.is_dir():
        raise GoogleAuthError(f"{path} — это папка, а нужен {what} (.json)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except PermissionError:
        raise GoogleAuthError(f"нет прав на чтение файла {path}") from None
    except UnicodeDecodeError:
        raise GoogleAuthError(f"{path}: это не текстовый файл JSON — нужен {what}") from None
    except OSError as exc:
        raise GoogleAuthError(f"не удалось прочитать {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # Position only: the message of the decoder could quote the key.
        raise GoogleAuthError(
            f"{path}: это не JSON (ошибка в строке {exc.lineno}, столбце {exc.colno}) — нужен {what}"
        ) from None
    if not isinstance(data, dict):
        raise GoogleAuthError(f"{path}: в файле не объект JSON — нужен {what}")
    return data


def _not_a_service_account(info: Mapping[str, Any]) -> str:
    if "installed" in info or "web" in info:
        return (
            'это файл OAuth-клиента, а не ключ сервисного аккаунта — укажите auth = "oauth" '
            "в разделе [google] или скачайте ключ сервисного аккаунта (JSON)"
        )
    if info.get("type") == "authorized_user":
        return "это сохраненный вход пользователя, а не ключ сервисного аккаунта"
    if "type" not in info:
        return "это не ключ сервисного аккаунта (нет поля type)"
    kind = str(info.get("type"))[:40]
    return f"это не ключ сервисного аккаунта (type = «{kind}», нужно «service_account»)"


def _client_config(path: Path) -> dict[str, Any]:
    info = _read_json(path, "файл OAuth-клиента")
    if info.get("type") == "service_account":
        raise GoogleAuthError(
            f"{path}: это ключ сервисного аккаунта, а не OAuth-клиент — укажите "
            'auth = "service_account" в разделе [google]'
        )
    section = next((k for k in ("installed", "web") if isinstance(info.get(k), dict)), None)
    if section is None:
        raise GoogleAuthError(
            f"{path}: это не файл OAuth-клиента (нет раздела installed) — скачайте его в Google "
            "Cloud Console: «Учетные данные» → «Идентификатор клиента OAuth» → «Приложение для ПК»"
        )
    missing = [name for name in CLIENT_FIELDS if not info[section].get(name)]
    if missing:
        raise GoogleAuthError(f"{path}: в файле OAuth-клиента нет полей {', '.join(missing)}")
    return info


def _cached_token(token_file: Path, scopes: Sequence[str]) -> UserCredentials | None:
    if not token_file.exists():
        return None
    try:
        info = json.loads(token_file.read_text(encoding="utf-8"))
        creds = UserCredentials.from_authorized_user_info(info, scopes=list(scopes))
    except (OSError, ValueError):
        return None  # unreadable or broken: treated as no login
    # «scopes» in the file are the ones asked for; what the person allowed is «granted_scopes».
    granted = info.get("granted_scopes") or info.get("scopes") or []
    if granted and not set(scopes) <= set(granted):
        return None  # logged in for fewer permissions than the programme needs
    return creds


def _saved_granted(token_file: Path) -> list[str]:
    try:
        return list(json.loads(token_file.read_text(encoding="utf-8")).get("granted_scopes") or [])
    except (OSError, ValueError, AttributeError):
        return []
