"""Drive v3 in the fake: files, folders, shared drives, ownership, permissions, appProperties.

Rules modelled (each with the page it follows):

- A service account cannot own files: creating a file (``files.create``, ``files.copy``,
  ``spreadsheets.create``, ``forms.create``) outside a shared drive answers ``403
  storageQuotaExceeded`` «Service Accounts do not have storage quota. Leverage shared drives
  (…), or use OAuth delegation (…) instead.» (https://developers.google.com/workspace/drive/api/guides/about-shareddrives;
  gspread issue #1592, n8n issue #26050). Files in a shared drive belong to the organisation
  (``owners`` absent, ``driveId`` set), so a member service account may create there.
- Shared-drive items are only seen by requests with ``supportsAllDrives=true`` (else 404
  «File not found»), and listed only with ``includeItemsFromAllDrives=true`` too
  (https://developers.google.com/workspace/drive/api/guides/enable-shareddrives).
- Access: owner, shared-drive membership, or a permission on the file or an ancestor folder;
  a file the caller cannot see is 404 «File not found: ID.», one it may see but not change
  403 ``insufficientFilePermissions`` (https://developers.google.com/workspace/drive/api/guides/handle-errors).
- ``permissions.create``: sharing with an address that has no Google account while
  ``sendNotificationEmail=false`` is 400 ``invalidSharingRequest`` («…you must check the
  'Notify people' box…»); ``sendNotificationEmail`` on an ``anyone`` permission is 403
  (GMGoogleDrive issue #28); ``view: "published"`` with ``type: anyone, role: reader`` is
  how a form is opened to respondents, only on forms (Forms API «Publish and manage
  responders», https://developers.google.com/workspace/forms/api/guides/publish-form, sample
  ``anyone_with_link_responder``; Permission.view in the Drive v3 discovery document).
- Without ``fields`` a file comes back as ``kind, id, name, mimeType`` only; ``fields``
  selects (https://developers.google.com/workspace/drive/api/guides/fields-parameter).
- ``appProperties`` are kept and searchable: ``appProperties has { key='k' and value='v' }``
  (https://developers.google.com/workspace/drive/api/guides/search-files).

Extending: a new Drive method is a ``_m_<name with _ for .>`` handler (``_m_files_export``).
"""

from __future__ import annotations

import copy
import itertools
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .auth import Identity
from .errors import FakeApiError, bad_request, forbidden, not_found

DOC_MIME = "application/vnd.google-apps.document"
SHEET_MIME = "application/vnd.google-apps.spreadsheet"
FORM_MIME = "application/vnd.google-apps.form"
FOLDER_MIME = "application/vnd.google-apps.folder"
DEFAULT_FIELDS = ("kind", "id", "name", "mimeType")
RANK = {"reader": 1, "commenter": 1, "writer": 2, "fileOrganizer": 3, "organizer": 4, "owner": 4}
# Addresses with a Google account: Workspace and Gmail domains of the tests, and robots.
GOOGLE_DOMAINS = ("gmail.com", "googlemail.com", "school.example", "gserviceaccount.com")
NO_STORAGE = (
    "Service Accounts do not have storage quota. Leverage shared drives "
    "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), or use OAuth "
    "delegation (http://support.google.com/a/answer/7281227) instead."
)
_CONDITION = re.compile(
    r"^\s*(?:(name|mimeType)\s*=\s*'((?:[^'\\]|\\.)*)'"
    r"|'([^']+)'\s+in\s+parents"
    r"|trashed\s*=\s*(true|false)"
    r"|appProperties\s+has\s+\{\s*key\s*=\s*'([^']*)'\s+and\s+value\s*=\s*'([^']*)'\s*\})\s*$"
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def no_storage() -> FakeApiError:
    """Google's 403 for a service account that would own a file."""
    return FakeApiError(
        403, NO_STORAGE, "PERMISSION_DENIED",
        errors=[{"message": NO_STORAGE, "domain": "usageLimits", "reason": "storageQuotaExceeded"}],
    )


def select_fields(resource: dict[str, Any], fields: str | None, default: tuple[str, ...] = DEFAULT_FIELDS) -> dict:
    """The resource cut to ``fields`` («id,name,appProperties», «*»), or to Drive's defaults."""
    if fields == "*":
        return copy.deepcopy(resource)
    wanted = [f.strip().split("(")[0].split("/")[0] for f in fields.split(",")] if fields else list(default)
    return {k: copy.deepcopy(resource[k]) for k in wanted if k in resource}


class FakeDrive:
    """Drive v3: files, folders, shared drives, permissions; the caller comes from the server."""

    def __init__(self, docs: Any) -> None:
        self.files: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.permissions: dict[str, list[dict[str, Any]]] = {}
        self.shared_drives: dict[str, dict[str, Any]] = {}  # id -> {"name", "members": {email: role}}
        self.google_accounts: set[str] = set()  # extra addresses that have a Google account
        self.docs = docs
        docs.drive = self
        self._ids = itertools.count(1)
        self.caller: Callable[[], Identity | None] = lambda: None
        # Google files made through Drive become real spreadsheets / forms (set by the server).
        self.on_create_google_file: Callable[[str, str, str], None] | None = None
        self.media: Any = None  # the media of the upload being handled (uploads.py)
        self.imported: dict[str, dict[str, Any]] = {}  # converted uploads: their .docx, picture count

    # state helpers for tests -----------------------------------------------------------------------

    def add_file(
        self,
        name: str,
        mime_type: str,
        file_id: str | None = None,
        parents: list[str] | None = None,
        content: bytes = b"",
        owner: str | None = None,
        app_properties: dict[str, str] | None = None,
    ) -> str:
        """A file as if made by ``owner`` (default: the current caller, or the anonymous user)."""
        file_id = file_id or f"fake-file-{next(self._ids)}-{uuid.uuid4().hex[:6]}"
        parents = parents or ["root"]
        drive_id = self._drive_of(parents[0])
        if owner is None:
            who = self.caller()
            owner = who.email if who is not None else "curator@school.example"
        now = _now()
        self.files[file_id] = {
            "kind": "drive#file",
            "id": file_id,
            "name": name,
            "mimeType": mime_type,
            "parents": parents,
            "trashed": False,
            "createdTime": now,
            "modifiedTime": now,
            "webViewLink": f"https://drive.google.com/file/d/{file_id}/view",
            **({"driveId": drive_id} if drive_id else {"owners": [{"emailAddress": owner, "kind": "drive#user"}]}),
            **({"appProperties": dict(app_properties)} if app_properties else {}),
        }
        self.contents[file_id] = content
        return file_id

    def add_shared_drive(self, name: str, members: dict[str, str]) -> str:
        """A shared drive with members (email -> organizer/fileOrganizer/writer/reader); its id is its root."""
        drive_id = "0A" + uuid.uuid4().hex[:16]
        self.shared_drives[drive_id] = {"name": name, "members": dict(members)}
        return drive_id

    def add_folder(self, name: str, parent: str = "root", owner: str | None = None) -> str:
        return self.add_file(name, FOLDER_MIME, parents=[parent], owner=owner)

    def share(self, file_id: str, email: str, role: str = "writer") -> None:
        """A person shares a file with someone (as staff do in the Drive UI)."""
        self.permissions.setdefault(file_id, []).append(
            {"kind": "drive#permission", "id": uuid.uuid4().hex[:10], "type": "user", "role": role,
             "emailAddress": email}
        )

    def has_google_account(self, email: str) -> bool:
        email = email.lower()
        return email in self.google_accounts or email.rpartition("@")[2].endswith(GOOGLE_DOMAINS)

    def owner(self, file_id: str) -> str | None:
        owners = self.files[file_id].get("owners") or []
        return owners[0]["emailAddress"] if owners else None

    def get(self, file_id: str) -> dict[str, Any]:
        try:
            return self.files[file_id]
        except KeyError:
            raise not_found(f"File not found: {file_id}.") from None

    # access ------------------------------------------------------------------------------------

    def _drive_of(self, folder_id: str) -> str | None:
        if folder_id in self.shared_drives:
            return folder_id
        folder = self.files.get(folder_id)
        return folder.get("driveId") if folder else None

    def role(self, who: Identity, file_id: str) -> int:
        """The caller's access rank on a file (0: none), inherited from folders and drives."""
        best, seen, todo = 0, set(), [file_id]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if current in self.shared_drives:
                best = max(best, RANK.get(self.shared_drives[current]["members"].get(who.email, ""), 0))
                continue
            item = self.files.get(current)
            if item is None:
                continue
            if self.owner(current) == who.email:
                best = max(best, RANK["owner"])
            for perm in self.permissions.get(current, []):
                if perm.get("type") == "user" and perm.get("emailAddress", "").lower() == who.email.lower():
                    best = max(best, RANK.get(perm["role"], 0))
                elif perm.get("type") == "anyone" and perm.get("view") != "published":
                    best = max(best, RANK.get(perm["role"], 0))
            if item.get("driveId"):
                todo.append(item["driveId"])
            todo += [p for p in item.get("parents", []) if p != "root"]
        return best

    def require(self, who: Identity, file_id: str, rank: int, api: str, all_drives: bool = True) -> None:
        """403/404 as Google answers when the caller may not see or change a file."""
        item = self.files.get(file_id)
        if item is None:
            return  # the API itself answers 404 for an unknown id
        have = self.role(who, file_id)
        hidden = item.get("driveId") and not all_drives
        if have == 0 or hidden:
            if api == "drive":
                raise not_found(f"File not found: {file_id}.")
            raise forbidden("The caller does not have permission", "forbidden")
        if have < rank:
            raise forbidden(
                "The user does not have sufficient permissions for this file.", "insufficientFilePermissions"
            )

    def check_create(self, who: Identity, method_id: str, query: dict[str, Any], body: Any) -> None:
        """A service account may create only inside a shared drive (Sheets and Forms: never)."""
        if not who.is_service_account:
            return
        if method_id in ("sheets.spreadsheets.create", "forms.forms.create"):
            raise no_storage()

    # handlers ---------------------------------------------------------------------------------

    def handle(self, method_id: str, path: dict[str, str], query: dict[str, Any], body: Any) -> Any:
        name = method_id.removeprefix("drive.").replace(".", "_")
        handler = getattr(self, f"_m_{name}", None)
        if handler is None:
            raise bad_request(f"fake Drive: {method_id} is not implemented")
        return handler(path, query, body or {})

    def _who(self) -> Identity:
        return self.caller() or Identity("curator@school.example")

    def _visible(self, file_id: str, query: dict[str, Any], rank: int = 1) -> dict[str, Any]:
        item = self.get(file_id)
        self.require(self._who(), file_id, rank, "drive", bool(query.get("supportsAllDrives")))
        return item

    def _new(self, meta: dict[str, Any], query: dict[str, Any], default_mime: str, content: bytes = b"") -> str:
        who = self._who()
        parents = meta.get("parents") or ["root"]
        if len(parents) > 1:
            raise bad_request("A shared drive item must have exactly one parent.")
        parent = parents[0]
        if parent != "root":
            if parent in self.shared_drives:
                if not query.get("supportsAllDrives"):
                    raise not_found(f"File not found: {parent}.")
                if self.role(who, parent) < RANK["writer"]:
                    raise forbidden("The user does not have sufficient permissions for this file.",
                                    "insufficientFilePermissions")
            else:
                self._visible(parent, query, RANK["writer"])
        if who.is_service_account and not self._drive_of(parent):
            raise no_storage()
        mime = meta.get("mimeType") or default_mime
        file_id = self.add_file(
            meta.get("name") or "Untitled", mime, parents=[parent], content=content, owner=who.email,
            app_properties=meta.get("appProperties"),
        )
        if mime in (SHEET_MIME, FORM_MIME) and self.on_create_google_file is not None:
            self.on_create_google_file(mime, file_id, self.files[file_id]["name"])
        return file_id

    def _m_files_create(self, path: dict[str, str], query: dict[str, Any], meta: dict[str, Any]) -> Any:
        if self.media is not None:
            from .uploads import create

            return select_fields(self.files[create(self, meta, query, self.media)], query.get("fields"))
        file_id = self._new(meta, query, "application/octet-stream")
        return select_fields(self.files[file_id], query.get("fields"))

    def _m_files_get(self, path: dict[str, str], query: dict[str, Any], body: Any) -> Any:
        item = self._visible(path["fileId"], query)
        if query.get("alt") == "media":
            return self.contents.get(item["id"], b"")
        return select_fields(item, query.get("fields"))

    def _m_files_update(self, path: dict[str, str], query: dict[str, Any], meta: dict[str, Any]) -> Any:
        item = self._visible(path["fileId"], query, RANK["writer"])
        for key in ("name", "description"):
            if key in meta:
                item[key] = meta[key]
        if "appProperties" in meta:
            props = item.setdefault("appProperties", {})
            for key, value in meta["appProperties"].items():
                if value is None:
                    props.pop(key, None)  # «Entries with null values are cleared»
                else:
                    props[key] = value
        if query.get("addParents"):
            item["parents"] = [p for p in item["parents"] if p not in str(query.get("removeParents", "")).split(",")]
            item["parents"].append(query["addParents"])
        return select_fields(item, query.get("fields"))

    def _m_files_copy(self, path: dict[str, str], query: dict[str, Any], meta: dict[str, Any]) -> Any:
        from .drive_docs import Document

        source = self._visible(path["fileId"], query)
        meta = {"name": f"Копия {source['name']}", "parents": source["parents"], **meta,
                "mimeType": source["mimeType"]}
        new_id = self._new(meta, query, source["mimeType"], self.contents.get(source["id"], b""))
        if source["mimeType"] == DOC_MIME:
            text = self.docs.get(source["id"]).text
            self.docs.documents[new_id] = Document(new_id, self.files[new_id]["name"], text)
        return select_fields(self.files[new_id], query.get("fields"))

    def _m_files_export(self, path: dict[str, str], query: dict[str, Any], body: Any) -> Any:
        from .uploads import export

        return export(self, self._visible(path["fileId"], query), str(query.get("mimeType")))

    def _m_files_delete(self, path: dict[str, str], query: dict[str, Any], body: Any) -> Any:
        item = self._visible(path["fileId"], query, RANK["owner"])
        del self.files[item["id"]]
        return None

    def _m_files_list(self, path: dict[str, str], query: dict[str, Any], body: Any) -> Any:
        who = self._who()
        all_drives = bool(query.get("supportsAllDrives") and query.get("includeItemsFromAllDrives"))
        chosen = [
            f for f in self.files.values()
            if self.role(who, f["id"]) and (all_drives or not f.get("driveId"))
        ]
        q = query.get("q") or ""
        if q:
            for part in re.split(r"\s+and\s+(?![^{]*\})", q):
                m = _CONDITION.match(part)
                if m is None:
                    raise bad_request("Invalid Value")
                field_name, value, parent, trashed, key, prop = m.groups()
                if field_name:
                    value = value.replace("\\'", "'")
                    chosen = [f for f in chosen if f[field_name] == value]
                elif parent:
                    chosen = [f for f in chosen if parent in f["parents"]]
                elif trashed:
                    chosen = [f for f in chosen if f["trashed"] == (trashed == "true")]
                else:
                    chosen = [f for f in chosen if (f.get("appProperties") or {}).get(key) == prop]
        fields = query.get("fields") or ""
        inner = re.search(r"files\(([^)]*)\)", fields)
        wanted = inner.group(1) if inner else None
        return {"kind": "drive#fileList", "files": [select_fields(f, wanted) for f in chosen]}

    def _m_permissions_list(self, path: dict[str, str], query: dict[str, Any], body: Any) -> Any:
        item = self._visible(path["fileId"], query)
        return {"kind": "drive#permissionList", "permissions": copy.deepcopy(self.permissions.get(item["id"], []))}

    def _m_permissions_create(self, path: dict[str, str], query: dict[str, Any], perm: dict[str, Any]) -> Any:
        item = self._visible(path["fileId"], query, RANK["writer"])
        kind, role = perm.get("type"), perm.get("role")
        if kind not in ("user", "group", "domain", "anyone") or role not in RANK:
            raise bad_request("Invalid permission type or role.")
        if kind in ("anyone", "domain") and "sendNotificationEmail" in query:
            message = ("The sendNotificationEmail parameter is only applicable for permissions of type "
                       "'user' or 'group', and must not be disabled for ownership transfers.")
            raise forbidden(message, "forbidden")
        if perm.get("view") is not None:
            if perm["view"] != "published" or kind != "anyone" or role != "reader":
                raise bad_request("The permission view is only supported for anyone/reader permissions.")
            if item["mimeType"] != FORM_MIME:
                raise bad_request("The published view is only supported for forms.")
        email = str(perm.get("emailAddress", ""))
        if kind in ("user", "group"):
            if not email:
                raise bad_request("The permission emailAddress field is required.")
            notify = query.get("sendNotificationEmail", True)
            if notify is False and not self.has_google_account(email):
                message = (f'Bad Request. User message: "You are trying to invite {email}. Since there is no '
                           "Google account associated with this email address, you must check the 'Notify "
                           "people' box to invite this recipient.\"")
                raise FakeApiError(400, message, errors=[
                    {"message": message, "domain": "global", "reason": "invalidSharingRequest"}])
        existing = self.permissions.setdefault(item["id"], [])
        for old in existing:  # the same grant again comes back as the one already there
            same_who = old.get("emailAddress", "").lower() == email.lower()
            if old.get("type") == kind and same_who and old.get("view") == perm.get("view"):
                old["role"] = role
                return select_fields(old, query.get("fields"), ("kind", "id", "type", "role"))
        added = {"kind": "drive#permission", "id": uuid.uuid4().hex[:10], **perm}
        existing.append(added)
        return select_fields(added, query.get("fields"), ("kind", "id", "type", "role"))
