"""Who is calling: the fake's OAuth 2.0 token endpoint, access tokens, scopes, disabled APIs.

Rules modelled, each as Google states it:

- Service accounts get a token by a signed JWT (grant type jwt-bearer); a deleted or revoked
  key gives ``400 invalid_grant: Invalid JWT Signature.``, a JWT whose ``iat``/``exp`` do not
  fit the server's clock gives ``invalid_grant: Invalid JWT: Token must be a short-lived token
  (60 minutes) and in a reasonable timeframe`` (clock skew)
  (https://developers.google.com/identity/protocols/oauth2/service-account#error-codes).
- A user's refresh token that was revoked, or expired — an app left in «Testing» on the OAuth
  consent screen gets refresh tokens that expire after 7 days — gives ``400 invalid_grant:
  Token has been expired or revoked.``
  (https://developers.google.com/identity/protocols/oauth2#expiration).
- A token missing the scope a method needs: ``403 PERMISSION_DENIED`` «Request had
  insufficient authentication scopes.», ErrorInfo reason ``ACCESS_TOKEN_SCOPE_INSUFFICIENT``.
- An unknown or expired access token: ``401 UNAUTHENTICATED``.
- An API not enabled in the caller's Cloud project: ``403`` «Google Sheets API has not been
  used in project N before or it is disabled. Enable it by visiting …», ErrorInfo reason
  ``SERVICE_DISABLED`` with ``metadata.service``; Drive v3 also carries the older
  ``errors[0].reason = accessNotConfigured`` (gogcli issue #415, grafana
  google-sheets-datasource issue #57 quote both shapes).

Requests without an ``Authorization`` header act as ``anonymous`` (a staff user by default),
so tests that do not care about auth need no credentials.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import FakeApiError

PROJECT = "100000000001"
SCOPE = "https://www.googleapis.com/auth/"
# Any one of these scopes lets a method of the API through (read-only ones for reads).
WRITE_SCOPES = {
    "sheets": {"spreadsheets", "drive", "drive.file"},
    "forms": {"forms.body", "drive", "drive.file"},
    "forms.responses": {"forms.responses.readonly", "drive", "drive.file"},
    "drive": {"drive", "drive.file"},
    "docs": {"documents", "drive", "drive.file"},
}
READ_SCOPES = {
    "sheets": {"spreadsheets.readonly", "drive.readonly"},
    "forms": {"forms.body.readonly", "drive.readonly"},
    "forms.responses": {"drive.readonly"},
    "drive": {"drive.readonly", "drive.metadata.readonly"},
    "docs": {"documents.readonly", "drive.readonly"},
}
SERVICE_NAMES = {
    "sheets": ("Google Sheets API", "sheets.googleapis.com"),
    "forms": ("Google Forms API", "forms.googleapis.com"),
    "drive": ("Google Drive API", "drive.googleapis.com"),
    "docs": ("Google Docs API", "docs.googleapis.com"),
}


@dataclass(frozen=True)
class Identity:
    """A caller: a person (``user``) or a robot (``service_account``), with granted scopes."""

    email: str
    kind: str = "user"
    scopes: frozenset[str] | None = None  # None: every scope (anonymous test requests)

    @property
    def is_service_account(self) -> bool:
        return self.kind == "service_account"


def service_account(email: str = "nastavnik@school-project.iam.gserviceaccount.com") -> Identity:
    """A service account identity with every scope."""
    return Identity(email, "service_account")


@dataclass
class FakeAuth:
    """The token endpoint's state: issued tokens, refresh tokens, revoked keys, clock skew."""

    anonymous: Identity = field(default_factory=lambda: Identity("curator@school.example"))
    tokens: dict[str, Identity] = field(default_factory=dict)
    refresh_tokens: dict[str, Identity] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)  # service-account emails or refresh tokens
    skew: float = 0.0  # seconds the server's clock is ahead of the client's
    disabled: set[str] = field(default_factory=set)  # APIs not enabled in the project

    def login(self, email: str, scopes: list[str] | tuple[str, ...]) -> str:
        """A person logged in (OAuth) granting ``scopes``; returns the refresh token."""
        token = "1//fake-refresh-" + secrets.token_hex(8)
        self.refresh_tokens[token] = Identity(email, "user", frozenset(scopes))
        return token

    def issue(self, identity: Identity) -> dict[str, Any]:
        token = "ya29.fake-" + secrets.token_hex(12)
        self.tokens[token] = identity
        body: dict[str, Any] = {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        if identity.scopes is not None:
            body["scope"] = " ".join(sorted(identity.scopes))
        return body

    # the endpoint ------------------------------------------------------------------------------

    def token_endpoint(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """POST /token: a JWT bearer grant (service account) or a refresh-token grant (user)."""
        grant = form.get("grant_type", "")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            claims = _jwt_claims(form.get("assertion", ""))
            if claims is None:
                return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: bad format"}
            email = str(claims.get("iss", ""))
            if email in self.revoked:
                return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
            now = time.time() + self.skew
            if not claims.get("iat", 0) - 300 <= now <= claims.get("exp", 0) + 300:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Invalid JWT: Token must be a short-lived token (60 minutes) "
                    "and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
                }
            scopes = frozenset(str(claims.get("scope", "")).split())
            return 200, self.issue(Identity(email, "service_account", scopes))
        if grant == "refresh_token":
            token = form.get("refresh_token", "")
            identity = self.refresh_tokens.get(token)
            if identity is None or token in self.revoked:
                return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
            return 200, self.issue(identity)
        return 400, {"error": "unsupported_grant_type", "error_description": f"Invalid grant_type: {grant}"}

    # checks on every API request ------------------------------------------------------------------

    def caller(self, authorization: str | None) -> Identity:
        """The identity of a request, from its bearer token; 401 for an unknown token."""
        if not authorization:
            return self.anonymous
        token = authorization.removeprefix("Bearer ").strip()
        identity = self.tokens.get(token)
        if identity is None:
            raise FakeApiError(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.",
            )
        return identity

    def check(self, identity: Identity, api: str, method_id: str, http_method: str) -> None:
        """403 for a disabled API or a token without a scope the method needs."""
        if api in self.disabled:
            raise disabled_api(api)
        if identity.scopes is None:
            return
        area = "forms.responses" if ".responses." in method_id else api
        granted = {s.removeprefix(SCOPE) for s in identity.scopes}
        allowed = set(WRITE_SCOPES[area])
        if http_method == "GET":
            allowed |= READ_SCOPES[area]
        if not granted & allowed:
            raise FakeApiError(
                403,
                "Request had insufficient authentication scopes.",
                details=[
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                        "domain": "googleapis.com",
                        "metadata": {"service": SERVICE_NAMES[api][1], "method": method_id},
                    }
                ],
            )


def disabled_api(api: str) -> FakeApiError:
    """Google's 403 for an API that is not enabled in the Cloud project."""
    title, service = SERVICE_NAMES[api]
    url = f"https://console.developers.google.com/apis/api/{service}/overview?project={PROJECT}"
    message = (
        f"{title} has not been used in project {PROJECT} before or it is disabled. Enable it by "
        f"visiting {url} then retry. If you enabled this API recently, wait a few minutes for the "
        "action to propagate to our systems and retry."
    )
    errors = None
    if api == "drive":  # Drive v3 still answers in the older shape as well
        errors = [{"message": message, "domain": "usageLimits", "reason": "accessNotConfigured", "extendedHelp": url}]
    return FakeApiError(
        403,
        message,
        errors=errors,
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [{"description": "Google developers console API activation", "url": url}],
            },
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {"service": service, "consumer": f"projects/{PROJECT}", "activationUrl": url},
            },
        ],
    )


def _jwt_claims(assertion: str) -> dict[str, Any] | None:
    # The fake reads the claims without checking the RS256 signature: the key is the test's own.
    parts = assertion.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None
