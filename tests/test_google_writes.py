"""Writes Google recommends: requests under 2 MB, in an order that converges when a run stops
between them, bodies in UTF-8 rather than ASCII escapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sheets.google import WRITE_LAST
from sheets.schema import BY_NAME
from sheets.store import StoreError
from sync.config import Config, load_config
from sync.google.provision import provision
from sync.google.setup import GoogleServices, connect
from sync.google.transport import Endpoints
from tests.fake_google import FakeGoogle
from tests.test_google_sync import google_config, rows, seed_demo, sync

pytest_plugins = ["tests.fake_google.fixtures"]

LIMIT = 40_000  # small, so a demo's first run takes several requests


@pytest.fixture
def services(fake_google: FakeGoogle, sleeps: list[float]) -> GoogleServices:
    return connect(None, Endpoints.single(fake_google.url), timeout=5.0, max_retries=2, sleep=sleeps.append)


def new_programme(folder: Path, fake: FakeGoogle, services: GoogleServices) -> Config:
    path = google_config(folder, fake.url)
    provision(load_config(path), services)
    return load_config(path)


def writes(fake: FakeGoogle) -> list:
    return [c for c in fake.calls if c.name == "sheets.values.batchUpdate"]


def test_a_large_write_is_split_under_the_limit_and_marks_work_done_last(
    fake_google: FakeGoogle, services: GoogleServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sheets.google.MAX_WRITE_BYTES", LIMIT)
    config = new_programme(tmp_path / "g", fake_google, services)
    seed_demo(fake_google, config, tmp_path)
    fake_google.clear_calls()
    assert sync(config, services).ok
    lease, *sent = writes(fake_google)
    assert {vr["range"].partition("!")[0] for vr in lease.body["data"]} == {"'Служебное'"}
    assert len(sent) > 2 and all(c.size < LIMIT for c in sent)
    sheets = [[vr["range"].rpartition("!")[0].strip("'") for vr in c.body["data"]] for c in sent]
    flat = [s for chunk in sheets for s in chunk]
    final = {BY_NAME[n].title for n in WRITE_LAST}
    last = [s for s in flat if s in final]
    assert flat[-len(last):] == last  # events and the marks of work done come after the registries
    assert flat[-1] == "Журнал синхронизации"
    first_final = next(i for i, chunk in enumerate(sheets) if set(chunk) & final)
    assert set(sheets[first_final]) <= final  # and start a request of their own


def test_a_run_stopped_between_two_writes_converges_to_the_same_registries(
    fake_google: FakeGoogle, services: GoogleServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sheets.google.MAX_WRITE_BYTES", LIMIT)
    whole = new_programme(tmp_path / "whole", fake_google, services)
    stopped = new_programme(tmp_path / "stopped", fake_google, services)
    for config in (whole, stopped):
        seed_demo(fake_google, config, tmp_path / config.root.name)
    assert sync(whole, services).ok
    fake_google.clear_calls()
    fake_google.fail("sheets.values.batchUpdate", 503, skip=1, times=10)  # the 2nd request never lands
    with pytest.raises(StoreError, match="HTTP 503"):
        sync(stopped, services)
    assert len(writes(fake_google)) > 1
    fake_google.faults.clear()
    assert sync(stopped, services).ok
    for title in ("Наставники", "Наставляемые", "Согласия"):
        a, b = rows(fake_google, whole, title), rows(fake_google, stopped, title)
        assert a.keys() == b.keys(), title
        strip = {"Источник"}  # names the response by its id, random in each fake form
        for key in a:
            assert {k: v for k, v in a[key].items() if k not in strip} == {
                k: v for k, v in b[key].items() if k not in strip
            }, (title, key)
    for title in ("Обработанные ответы", "Требует внимания"):
        assert len(rows(fake_google, whole, title)) == len(rows(fake_google, stopped, title)), title
    assert sync(stopped, services).written is None  # and then nothing more to do


def test_bodies_are_utf8_not_ascii_escapes(
    fake_google: FakeGoogle, services: GoogleServices, tmp_path: Path
) -> None:
    config = new_programme(tmp_path / "g", fake_google, services)
    seed_demo(fake_google, config, tmp_path, mentors=3, mentees=5)
    fake_google.clear_calls()
    sync(config, services)
    _lease, call = writes(fake_google)
    assert call.size == len(json.dumps(call.body, ensure_ascii=False, separators=(", ", ": ")).encode("utf-8"))
    assert call.size < len(json.dumps(call.body).encode("ascii")) * 0.7
