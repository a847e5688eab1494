"""Errors the fake answers with, in Google's JSON shape."""

from __future__ import annotations

from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}


class FakeApiError(Exception):
    """Raised by a handler; the server turns it into {"error": {"code", "message", "status"}}."""

    def __init__(
        self,
        code: int,
        message: str,
        status: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.errors = errors
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.errors:
            error["errors"] = self.errors
        if self.details:
            error["details"] = self.details
        return {"error": error}


def bad_request(message: str) -> FakeApiError:
    return FakeApiError(400, message)


def forbidden(message: str, reason: str, status: str = "PERMISSION_DENIED") -> FakeApiError:
    """A 403 in both of Google's shapes: ``status`` and ``errors[0].reason``."""
    return FakeApiError(403, message, status, errors=[{"message": message, "domain": "global", "reason": reason}])


def not_found(message: str = "Requested entity was not found.") -> FakeApiError:
    return FakeApiError(404, message)
