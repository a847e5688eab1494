"""Naming a Google request after its discovery-document method («sheets.values.batchGet»).

The discovery documents shipped with google-api-python-client describe every REST method of
the four APIs; the transport counts calls by these names and the test fake routes by them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import googleapiclient

DISCOVERY = {"sheets": "sheets.v4", "forms": "forms.v1", "drive": "drive.v3", "docs": "docs.v1"}
# The main resource of an API is dropped from counter names: «sheets.values.batchGet» reads
# better in the journal than «sheets.spreadsheets.values.batchGet».
_MAIN_RESOURCE = {"sheets": "spreadsheets", "forms": "forms", "docs": "documents"}


@dataclass(frozen=True)
class Route:
    """One REST method of a discovery document, as a path pattern."""

    api: str
    method_id: str  # e.g. "sheets.spreadsheets.values.batchGet"
    http_method: str
    pattern: re.Pattern[str]
    literal: int  # characters of the path template outside {params}; more = more specific
    description: dict[str, Any]

    @property
    def name(self) -> str:
        """Short counter name: «sheets.values.batchGet», «forms.responses.list», «drive.files.copy»."""
        parts = self.method_id.split(".")
        if len(parts) > 2 and parts[1] == _MAIN_RESOURCE.get(self.api):
            parts = [parts[0], *parts[2:]]
        return ".".join(parts)


def discovery_path(api: str) -> Path:
    """The discovery document shipped with google-api-python-client for an API."""
    base = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
    return base / f"{DISCOVERY[api]}.json"


@cache
def discovery_document(api: str) -> dict[str, Any]:
    """The parsed discovery document of an API (cached: the files are large)."""
    return json.loads(discovery_path(api).read_text(encoding="utf-8"))


def _walk_methods(resources: Mapping[str, Any]):
    for resource in resources.values():
        yield from resource.get("methods", {}).values()
        yield from _walk_methods(resource.get("resources", {}))


@cache
def routes() -> tuple[Route, ...]:
    """Every method of the four APIs, most specific path first."""
    out: list[Route] = []
    for api in DISCOVERY:
        doc = discovery_document(api)
        for method in _walk_methods(doc["resources"]):
            template = doc["servicePath"] + method.get("flatPath", method["path"])
            regex, literal = "", 0
            for piece in re.split(r"(\{\+?[^}]+\})", template):
                if piece.startswith("{"):
                    name = piece.strip("{}+")
                    regex += f"(?P<{name}>.+)" if piece.startswith("{+") else f"(?P<{name}>[^/]+)"
                else:
                    regex += re.escape(piece)
                    literal += len(piece)
            out.append(
                Route(
                    api=api,
                    method_id=method["id"],
                    http_method=method["httpMethod"],
                    # Anchored at the end only: a configured base may add a path prefix.
                    pattern=re.compile(r"(?:^|/)" + regex + "$"),
                    literal=literal,
                    description=method,
                )
            )
    out.sort(key=lambda r: -r.literal)
    return tuple(out)


def match_route(http_method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The discovery method a request path belongs to, and its (still encoded) path params."""
    path = path.lstrip("/")
    for route in routes():
        if route.http_method != http_method.upper():
            continue
        m = route.pattern.search(path)
        if m:
            return route, m.groupdict()
    return None


def call_name(http_method: str, url: str) -> str:
    """The counter name of a request: its API method, or «google.other» for anything else."""
    found = match_route(http_method, urlsplit(url).path)
    return found[0].name if found else "google.other"


