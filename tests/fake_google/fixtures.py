"""pytest fixtures: the fake server (one per session, reset per test) and clients pointed at it.

A test module opts in with ``pytest_plugins = ["tests.fake_google.fixtures"]`` (or the root
conftest.py can list it once for everyone).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sync.google.transport import Endpoints, GoogleTransport, discovery_service, gspread_client

from .server import FakeGoogle


@pytest.fixture(scope="session")
def fake_google_server() -> Iterator[FakeGoogle]:
    """The fake, started once for the test session on a random local port."""
    fake = FakeGoogle().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_google(fake_google_server: FakeGoogle) -> FakeGoogle:
    """The fake with fresh state, no faults and an empty call log."""
    fake_google_server.reset()
    return fake_google_server


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the transport asked for (it never really sleeps in tests)."""
    return []


@pytest.fixture
def transport(fake_google: FakeGoogle, sleeps: list[float]) -> GoogleTransport:
    """A transport to the fake: anonymous session, recorded sleeps, no jitter; the timeout leaves
    room for init's one large batchUpdate on a loaded machine (tests of timeouts set their own)."""
    return GoogleTransport(
        requests.Session(),
        Endpoints.single(fake_google.url),
        timeout=10.0,
        max_retries=3,
        sleep=sleeps.append,
        rand=lambda: 0.5,
    )


@pytest.fixture
def gspread_fake(transport: GoogleTransport) -> Any:
    """A real gspread.Client talking to the fake through ``transport``."""
    return gspread_client(transport)


@pytest.fixture
def forms_service(transport: GoogleTransport) -> Any:
    """A real google-api-python-client Forms v1 service talking to the fake."""
    return discovery_service("forms", transport)


@pytest.fixture
def drive_service(transport: GoogleTransport) -> Any:
    return discovery_service("drive", transport)


@pytest.fixture
def docs_service(transport: GoogleTransport) -> Any:
    return discovery_service("docs", transport)


@pytest.fixture(scope="session")
def private_key_pem() -> str:
    """A fresh RSA key (PEM) for service-account keys that sign real JWTs to the fake."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()

