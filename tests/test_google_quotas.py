"""Google's per-minute quotas (Sheets 60 reads and 60 writes per user, Forms 180 response
lists, …) as the fake enforces them: a refusal is waited out, and a programme's init and first
runs stay within them with room to spare.

Time here is a clock the test owns: the transport's sleeps move it, nothing else does, so
every request of a run arrives in the same instant — the hardest case for a per-minute quota.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.config import load_config
from sync.google.provision import provision
from sync.google.setup import connect
from sync.google.transport import Endpoints, GoogleApiError, GoogleTransport, gspread_client
from tests.fake_google import FakeGoogle
from tests.fake_google.quotas import QUOTAS
from tests.test_google_sync import google_config, rows, seed_demo, sync

pytest_plugins = ["tests.fake_google.fixtures"]


class Clock:
    """Seconds that pass only when the code under test sleeps."""

    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def test_the_61st_read_in_a_minute_is_refused_as_google_does_and_waited_out(fake_google: FakeGoogle) -> None:
    import requests

    clock = Clock()
    quotas = fake_google.enforce_quotas(clock.now)
    sid = fake_google.sheets.new_spreadsheet("Проба", ("Лист",))
    transport = GoogleTransport(requests.Session(), Endpoints.single(fake_google.url), sleep=clock.sleep,
                                rand=lambda: 0.5)
    client = gspread_client(transport)
    for _ in range(60):
        client.http_client.values_batch_get(sid, ["'Лист'"])
    assert clock.t == 0 and quotas.refused == 0
    # the 61st: Google's 429, backed off until the minute has passed, then answered
    client.http_client.values_batch_get(sid, ["'Лист'"])
    assert quotas.refused > 0 and clock.t >= 60
    assert transport.retries["sheets.values.batchGet"] == quotas.refused
    refusal = next(c for c in fake_google.calls if c.status == 429)
    assert refusal.name == "sheets.values.batchGet"


def test_a_quota_that_does_not_refill_in_time_is_a_russian_error(fake_google: FakeGoogle) -> None:
    import requests

    clock = Clock()
    fake_google.enforce_quotas(lambda: 0.0)  # the minute never passes
    sid = fake_google.sheets.new_spreadsheet("Проба", ("Лист",))
    transport = GoogleTransport(requests.Session(), Endpoints.single(fake_google.url), sleep=clock.sleep,
                                quota_wait=120)
    client = gspread_client(transport)
    for _ in range(60):
        client.http_client.values_batch_get(sid, ["'Лист'"])
    with pytest.raises(GoogleApiError) as info:
        client.http_client.values_batch_get(sid, ["'Лист'"])
    assert "HTTP 429" in str(info.value) and "sheets.values.batchGet" in str(info.value)
    assert sum(clock.slept) >= 120  # waited out the quota's time, not a few quick retries


def test_init_and_a_first_big_load_stay_within_the_quotas(tmp_path: Path, fake_google: FakeGoogle) -> None:
    clock = Clock()
    quotas = fake_google.enforce_quotas(clock.now)
    services = connect(None, Endpoints.single(fake_google.url), timeout=10.0, max_retries=3, sleep=clock.sleep)
    path = google_config(tmp_path / "g", fake_google.url)
    report = provision(load_config(path), services)
    assert not report.problems
    config = load_config(path)
    again = provision(config, services)  # a second init: reads what is there
    assert not again.problems
    seeded = seed_demo(fake_google, config, tmp_path, mentors=60, mentees=200)
    config.max_responses = 100  # a backlog drained in several writes in one run
    first = sync(config, services)
    assert first.ok and first.plan.ingest.new_responses == seeded
    assert len(rows(fake_google, config, "Обработанные ответы")) == seeded
    quiet = sync(config, services)
    assert quiet.ok and quiet.written is None
    # nothing was refused, and no quota was more than half spent in any minute (measured 01.12.2026:
    # Sheets 20 reads and 20 writes, Forms 16 writes, 12 reads, 16 response lists, all four runs together)
    assert quotas.refused == 0, dict(quotas.peak)
    for key, peak in quotas.peak.items():
        assert peak <= QUOTAS[key].per_minute // 2, (key, peak)
