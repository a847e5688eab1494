"""Service-account key files for tests: real keys whose token endpoint is the fake's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROBOT = "nastavnik@school-project.iam.gserviceaccount.com"


def service_account_key(folder: Path, fake: Any, pem: str, email: str = ROBOT) -> Path:
    """A service-account key file whose token endpoint is the fake's (/token)."""
    path = folder / "credentials.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "school-project",
                "private_key_id": "k1",
                "private_key": pem,
                "client_email": email,
                "client_id": "1",
                "token_uri": fake.url + "token",
            }
        ),
        encoding="utf-8",
    )
    return path
