"""The Google backend of a run: credentials -> one transport -> sheets store and forms source."""

from __future__ import annotations

from forms.google_source import GoogleFormsSource
from sheets.google import GoogleSheetsStore
from sync.backend import Backend
from sync.config import Config, ConfigError
from sync.google.auth import load_credentials
from sync.google.setup import GoogleServices, connect
from sync.google.transport import Endpoints


def google_services(config: Config, *, interactive: bool = False) -> GoogleServices:
    """Clients for the config's credentials (or none, for a configured test endpoint)."""
    g = config.google
    credentials = (
        None
        if g.auth == "none"
        else load_credentials(g.auth, g.credentials, g.token, interactive=interactive, port=g.oauth_port)
    )
    endpoints = Endpoints.single(g.endpoint) if g.endpoint else None
    return connect(
        credentials, endpoints, timeout=g.timeout, max_retries=g.max_retries, quota_wait=g.quota_wait
    )


def open_google_backend(config: Config, services: GoogleServices | None = None) -> Backend:
    """The store and the forms source over Google, sharing one transport and its call counter."""
    if not config.google.spreadsheet_id:
        raise ConfigError(
            f"{config.path}: [google] spreadsheet_id пуст — создайте таблицу и формы командой "
            "«nastavnik init ПАПКА --google»"
        )
    services = services or google_services(config)
    return Backend(
        store=GoogleSheetsStore(services.gspread, config.google.spreadsheet_id, sleep=services.transport.sleep),
        sources=GoogleFormsSource(services.forms, config.google.form_ids),
        api_calls=services.api_calls,
        services=services,
    )
