"""Why a Google call failed, by cause, in Russian: the area's user-facing texts live here.

Google's error body is read for its machine-readable reason (``errors[0].reason`` of the
older APIs such as Drive v3, ``details[].reason`` of ``google.rpc.ErrorInfo`` in the newer
ones) and each cause a school meets first gets its own advice: an API not enabled in the
Cloud project, a service account that cannot own files, a login without the needed scopes,
a file not shared with the programme's account, sharing with an address that has no Google
account. Nothing here quotes a URL of the request, a token or a participant's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

API_NAMES = {
    "sheets": "Google Таблицы",
    "forms": "Google Формы",
    "drive": "Google Диск",
    "docs": "Google Документы",
    "oauth2": "вход в Google",
}
# The product names as Google Cloud Console lists them in «API и сервисы» → «Библиотека».
CONSOLE_NAMES = {
    "sheets": "Google Sheets API",
    "forms": "Google Forms API",
    "drive": "Google Drive API",
    "docs": "Google Docs API",
}
SERVICES = {
    "sheets.googleapis.com": "sheets",
    "forms.googleapis.com": "forms",
    "drive.googleapis.com": "drive",
    "docs.googleapis.com": "docs",
}

DISABLED_REASONS = frozenset({"SERVICE_DISABLED", "accessNotConfigured"})
STORAGE_REASONS = frozenset({"storageQuotaExceeded"})
SCOPE_REASONS = frozenset({"ACCESS_TOKEN_SCOPE_INSUFFICIENT", "insufficientPermissions"})
SHARING_REASONS = frozenset({"invalidSharingRequest"})
RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"})

THREE_WAYS = (
    "сервисный аккаунт не может владеть файлами: у него нет места на Google Диске (так Google "
    "работает с 2025 года). Выберите один из трех способов: "
    "1) общий диск организации — добавьте на него сервисный аккаунт участником с ролью "
    "«Менеджер контента», создайте на нем папку программы и впишите ее id в [google] "
    "drive_folder_id; "
    '2) вход под учетной записью сотрудника — auth = "oauth" в разделе [google], файлы будут '
    "принадлежать ему; "
    "3) сотрудник сам создает пустую таблицу и формы, открывает их сервисному аккаунту как "
    "редактору и выполняет «nastavnik init ПАПКА --google --spreadsheet ID --form КОД=ID …». "
    "Подробно — README, раздел «Работа с Google»"
)
RELOGIN = "удалите файл входа (token.json) и выполните «nastavnik init ПАПКА --google» заново"


@dataclass(frozen=True)
class Refusal:
    """What Google said, reduced to what explains it: status, reason, message, service."""

    status: int
    reason: str = ""
    message: str = ""
    service: str = ""  # the API a disabled-service error names («sheets»), if any
    activation_url: str = ""

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or self.status == 403 and self.reason in RATE_LIMIT_REASONS


def read_refusal(status: int, body: Any) -> Refusal:
    """The reason and message of a Google error body (either of Google's two shapes)."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return Refusal(status)
    reason = ""
    errors = error.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        reason = str(errors[0].get("reason", ""))
    service = url = ""
    for detail in error.get("details") or []:
        if not isinstance(detail, Mapping):
            continue
        if str(detail.get("@type", "")).endswith("google.rpc.ErrorInfo"):
            reason = str(detail.get("reason") or reason)
            metadata = detail.get("metadata") or {}
            service = SERVICES.get(str(metadata.get("service", "")), "")
            url = str(metadata.get("activationUrl", ""))
    return Refusal(status, reason, str(error.get("message", ""))[:300], service, url)


def explain(api: str, refusal: Refusal, account: str = "") -> str:
    """Russian advice for a refusal that retrying does not cure; ``account`` is the robot's address."""
    reason = refusal.reason
    if reason in DISABLED_REASONS:
        wanted = refusal.service or api
        where = f": {refusal.activation_url}" if refusal.activation_url.startswith("https://") else ""
        return (
            f"в проекте Google Cloud не включен {CONSOLE_NAMES.get(wanted, wanted)} — включите его "
            f"в Google Cloud Console («API и сервисы» → «Библиотека»){where} и повторите через "
            "несколько минут; программе нужны Google Sheets API, Google Forms API, Google Drive API "
            "и Google Docs API"
        )
    if reason in STORAGE_REASONS or refusal.status == 403 and "storage quota" in refusal.message:
        return THREE_WAYS
    if reason in SCOPE_REASONS or "insufficient authentication scopes" in refusal.message:
        return (
            "у входа в Google нет нужных разрешений (при входе отмечены не все пункты) — "
            f"{RELOGIN} и на экране согласия отметьте все пункты"
        )
    if reason in SHARING_REASONS:
        return (
            "у адреса нет аккаунта Google: открыть доступ можно только с уведомлением по почте "
            "(программа отправляет его таким адресам сама) — проверьте адрес в [google] share_with"
        )
    if refusal.status == 401:
        return (
            f"Google не принял вход (401): ключ отозван или вход устарел — {RELOGIN}; "
            "для сервисного аккаунта скачайте новый ключ"
        )
    if refusal.status == 403:
        who = f" «{account}»" if account else " программы"
        return (
            f"нет доступа: файл не открыт для учетной записи{who} — откройте его ей с ролью "
            "«Редактор» (Настройки доступа → добавить адрес) или проверьте id в nastavnik.toml"
        )
    if refusal.status == 404:
        return "не найдено — проверьте id в nastavnik.toml (файл удален или это id другого файла)"
    detail = f": {refusal.message[:200]}" if refusal.message else ""
    return f"Google ответил ошибкой {refusal.status}{detail}"


def explain_refresh(error: str, service_account: bool) -> str:
    """Russian advice for a token the token endpoint refused (``RefreshError``)."""
    text = error.lower()
    if "invalid_grant" in text and ("iat" in text or "timeframe" in text or "expired" in text and "jwt" in text):
        return (
            "Google отклонил вход: часы этого компьютера расходятся с точным временем — "
            "включите синхронизацию времени (timedatectl set-ntp true) и повторите"
        )
    if service_account and ("invalid_grant" in text or "invalid_client" in text or "unauthorized" in text):
        return (
            "Google отклонил ключ сервисного аккаунта: ключ удален или отозван, или сам аккаунт "
            "удален — создайте новый ключ (JSON) в Google Cloud Console («IAM и администрирование» → "
            "«Сервисные аккаунты» → «Ключи») и положите его вместо credentials.json"
        )
    if "invalid_grant" in text:
        return (
            "вход в Google больше не действует (отозван или истек). Если OAuth-приложение в Google "
            "Cloud в статусе «Тестирование», вход истекает через 7 дней — опубликуйте экран согласия "
            f"(README, «Работа с Google»). Затем {RELOGIN}"
        )
    if "deleted_client" in text or "invalid_client" in text:
        return "OAuth-клиент удален или отключен в Google Cloud — скачайте новый файл OAuth-клиента"
    return f"Google отклонил вход ({error[:120]}) — {RELOGIN}"


def missing_scopes(requested: list[str] | tuple[str, ...], granted: list[str] | tuple[str, ...]) -> str:
    """Russian names of the permissions a partial OAuth consent left out."""
    names = {
        "https://www.googleapis.com/auth/spreadsheets": "Google Таблицы",
        "https://www.googleapis.com/auth/forms.body": "Google Формы (изменение форм)",
        "https://www.googleapis.com/auth/forms.responses.readonly": "ответы Google Форм",
        "https://www.googleapis.com/auth/drive.file": "файлы программы на Google Диске",
        "https://www.googleapis.com/auth/documents": "Google Документы",
    }
    left = [names.get(s, s) for s in requested if s not in set(granted)]
    return ", ".join(f"«{n}»" for n in left)
