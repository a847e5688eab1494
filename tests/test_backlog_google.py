"""A backlog larger than one write on Google: drained in one run, each write under the lease."""

from __future__ import annotations

from pathlib import Path

from sync.config import Config
from sync.google.setup import GoogleServices
from tests.fake_google import FakeGoogle
from tests.test_google_sync import programme, rows, seed_demo, services, sync  # noqa: F401 - fixtures

pytest_plugins = ["tests.fake_google.fixtures"]


def test_a_backlog_is_drained_in_one_run_in_several_leased_writes(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle, tmp_path: Path  # noqa: F811
) -> None:
    seeded = seed_demo(fake_google, programme, tmp_path)
    programme.max_responses = 20
    report = sync(programme, services)
    assert report.ok and report.plan.ingest.deferred == 0
    assert report.writes > 2 and report.plan.ingest.new_responses == seeded
    assert len(rows(fake_google, programme, "Обработанные ответы")) == seeded
    again = sync(programme, services)
    assert again.ok and again.written is None  # converged: nothing left for the next run
