"""Drive calls of setting up: tagged creates that a re-run finds, sharing, opening forms.

Every file the programme makes is created by Drive ``files.create`` with ``appProperties``
{``nastavnik``: the programme's tag, ``nastavnik_role``: «spreadsheet» or «form:<code>»}, in
the configured folder, with ``supportsAllDrives=true`` (a shared drive's items are invisible
without it: https://developers.google.com/workspace/drive/api/guides/enable-shareddrives).
So when a create's outcome is unknown, or init stopped halfway, the next init lists the
tagged files (one ``files.list``) and adopts them instead of making copies.

Sharing: staff get ``writer`` without a notification e-mail; an address with no Google
account cannot be invited silently (Drive answers 400 ``invalidSharingRequest``), so it is
invited again with the notification. Forms are opened to respondents by the published-view
permission ``{type: anyone, role: reader, view: published}`` (Forms API guide «Publish and
manage responders», https://developers.google.com/workspace/forms/api/guides/publish-form).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from googleapiclient.errors import HttpError

from sync.google import GoogleError

TAG_KEY = "nastavnik"
ROLE_KEY = "nastavnik_role"
SHEET_MIME = "application/vnd.google-apps.spreadsheet"
FORM_MIME = "application/vnd.google-apps.form"
RESPONDERS = {"type": "anyone", "role": "reader", "view": "published"}
INVITE = "Вам открыт доступ к файлам программы наставничества (nastavnik)."


class DriveSetupError(GoogleError):
    """A Drive step of setting up failed; the message is Russian."""


@dataclass(frozen=True)
class Tagged:
    """A file the programme made, found by its tag."""

    file_id: str
    role: str  # «spreadsheet», «form:mentor_application»
    name: str


def find_tagged(drive: Any, tag: str) -> dict[str, Tagged]:
    """The programme's files by role (one files.list over My Drive and shared drives)."""
    reply = drive.files().list(
        q=f"appProperties has {{ key='{TAG_KEY}' and value='{tag}' }} and trashed = false",
        fields="files(id,name,appProperties)",
        supportsAllDrives=True,
        includeItemsFromAllDrives=True,
        corpora="allDrives",
        pageSize=100,
    ).execute()
    found: dict[str, Tagged] = {}
    for item in reply.get("files", []):
        role = (item.get("appProperties") or {}).get(ROLE_KEY, "")
        if role and role not in found:
            found[role] = Tagged(item["id"], role, item.get("name", ""))
    return found


def create_tagged(drive: Any, name: str, mime_type: str, folder: str, tag: str, role: str) -> str:
    """Create an empty Google file (spreadsheet, form) in ``folder``, tagged; returns its id."""
    body: dict[str, Any] = {
        "name": name,
        "mimeType": mime_type,
        "appProperties": {TAG_KEY: tag, ROLE_KEY: role},
    }
    if folder:
        body["parents"] = [folder]
    created = drive.files().create(body=body, fields="id", supportsAllDrives=True).execute()
    return str(created["id"])


def permissions(drive: Any, file_id: str) -> list[dict[str, Any]]:
    """The file's permissions (type, role, emailAddress, view)."""
    reply = drive.permissions().list(
        fileId=file_id, fields="permissions(id,type,role,emailAddress,view)", supportsAllDrives=True
    ).execute()
    return list(reply.get("permissions", []))


def open_to_respondents(drive: Any, form_id: str, existing: Sequence[dict[str, Any]] | None = None) -> bool:
    """Let anyone with the link respond (no Google sign-in); False if it already was so."""
    if existing is not None and any(_same(p, RESPONDERS) for p in existing):
        return False
    # No sendNotificationEmail: Drive refuses that parameter on «anyone» permissions.
    drive.permissions().create(fileId=form_id, body=dict(RESPONDERS), supportsAllDrives=True).execute()
    return True


def share_with_staff(
    drive: Any, file_id: str, emails: Iterable[str], existing: Sequence[dict[str, Any]] | None = None
) -> list[str]:
    """Give each address editor access (writer); returns the ones newly shared (never logged)."""
    have = {str(p.get("emailAddress", "")).lower() for p in existing or [] if p.get("type") == "user"}
    added: list[str] = []
    for email in emails:
        if email.lower() in have:
            continue
        body = {"type": "user", "role": "writer", "emailAddress": email}
        try:
            drive.permissions().create(
                fileId=file_id, body=body, sendNotificationEmail=False, supportsAllDrives=True
            ).execute()
        except HttpError as exc:
            if exc.resp.status != 400 or "invalidSharingRequest" not in _reasons(exc):
                raise DriveSetupError(f"не удалось открыть доступ сотруднику: ошибка {exc.resp.status}") from None
            # No Google account behind the address: Drive only invites it with an e-mail.
            drive.permissions().create(
                fileId=file_id, body=body, sendNotificationEmail=True, emailMessage=INVITE, supportsAllDrives=True
            ).execute()
        added.append(email)
    return added


def _same(perm: dict[str, Any], wanted: dict[str, str]) -> bool:
    return all(perm.get(k) == v for k, v in wanted.items())


def _reasons(exc: HttpError) -> str:
    try:
        return str(exc.error_details) + exc.content.decode("utf-8", "replace")
    except (AttributeError, UnicodeDecodeError):
        return ""
