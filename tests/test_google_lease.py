"""Every cron run after init: two machines on one spreadsheet, edits the filter may miss,
responses listed without formId."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from forms.questionnaires import MENTOR_APPLICATION
from sheets.google import LEASE_KEY, VERSION_KEY, GoogleSheetsStore, parse_lease
from sheets.store import StoreBusy
from sync.config import Config
from sync.google.setup import GoogleServices
from sync.google.wiring import open_google_backend
from sync.job import LEASE_TTL, run_sync
from tests.conftest import NOW
from tests.fake_google import FakeGoogle
from tests.test_google_sync import mentor_answers, programme, rows, services, sync  # noqa: F401 - fixtures

pytest_plugins = ["tests.fake_google.fixtures"]


def machine(config: Config, clients: GoogleServices):
    """What one machine's run talks to (its own store: its own view of the lease)."""
    return open_google_backend(config, clients)


def add_mentor(fake: FakeGoogle, config: Config, name: str, email: str, when=NOW) -> str:
    form = config.google.form_ids[MENTOR_APPLICATION.code]
    return fake.forms.seed_response(form, mentor_answers(**{"ФИО": name}), when, email)


def lease_row(fake: FakeGoogle, config: Config) -> tuple[str, object, int]:
    """(holder, expiry, version) as «Служебное» holds them."""
    grid = fake.sheets.grid(config.google.spreadsheet_id, "Служебное")
    value = next((r[1] if len(r) > 1 else "" for r in grid[1:] if r and r[0] == LEASE_KEY), "")
    version = next((r[1] for r in grid[1:] if r and r[0] == VERSION_KEY), "0")
    return (*parse_lease(value), int(version))


def test_a_machine_holding_the_lease_keeps_the_other_from_writing(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle  # noqa: F811
) -> None:
    add_mentor(fake_google, programme, "Новиков Пётр Семёнович", "a@school.example")
    a, b = machine(programme, services), machine(programme, services)
    a.store.read_all()
    a.store.claim("server-a:1", NOW, LEASE_TTL)
    b.store.read_all()
    with pytest.raises(StoreBusy, match="другой запуск \\(server-a:1\\) до"):
        b.store.claim("server-b:2", NOW + timedelta(minutes=1), LEASE_TTL)
    assert lease_row(fake_google, programme)[0] == "server-a:1"


def test_two_claims_at_once_the_later_wins_and_the_other_writes_nothing(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle  # noqa: F811
) -> None:
    add_mentor(fake_google, programme, "Новиков Пётр Семёнович", "a@school.example")
    written = lease_row(fake_google, programme)[2]  # init's own writes («Сводка» rows) count too
    a, b = machine(programme, services), machine(programme, services)
    snapshot_a, _ = a.store.read_all(), b.store.read_all()  # both see the lease free
    a.store.claim("server-a:1", NOW, LEASE_TTL)
    b.store.claim("server-b:2", NOW, LEASE_TTL)  # b read before a's claim landed: it claims too
    before = fake_google.sheets.grid(programme.google.spreadsheet_id, "Наставники")
    from sheets.changes import ChangeSet, RowAppend

    change = ChangeSet(appends=[RowAppend("mentors", (("id", "НС-0099"), ("full_name", "Тест")))])
    with pytest.raises(StoreBusy, match="уступил"):
        a.store.write(change)
    assert fake_google.sheets.grid(programme.google.spreadsheet_id, "Наставники") == before
    b.store.write(change)
    holder, _until, version = lease_row(fake_google, programme)
    assert holder == "" and version == written + 1  # released, and the write counted
    assert snapshot_a is not None


def test_a_run_that_read_before_another_machine_wrote_steps_back(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle  # noqa: F811
) -> None:
    add_mentor(fake_google, programme, "Новиков Пётр Семёнович", "a@school.example")
    slow = machine(programme, services)
    slow_snapshot = slow.store.read_all()
    report = sync(programme, services)  # the other machine: reads, claims, writes, releases
    assert report.written is not None
    slow.store.claim("server-b:2", NOW, LEASE_TTL)
    from sync.job import compute_plan

    plan = compute_plan(slow_snapshot, None, programme, NOW)
    with pytest.raises(StoreBusy, match="пока этот запуск считал"):
        slow.store.write(plan.changes if plan.changes else _any_change())
    assert len(rows(fake_google, programme, "Наставники")) == 1


def _any_change():
    from sheets.changes import ChangeSet, RowAppend

    return ChangeSet(appends=[RowAppend("mentors", (("id", "НС-0099"), ("full_name", "Тест")))])


def test_a_killed_runs_lease_expires(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle  # noqa: F811
) -> None:
    killed = machine(programme, services)
    killed.store.read_all()
    killed.store.claim("server-a:1", NOW, LEASE_TTL)  # and then the machine went down
    add_mentor(fake_google, programme, "Новиков Пётр Семёнович", "a@school.example")
    backend = machine(programme, services)
    with pytest.raises(StoreBusy):
        run_sync(programme, backend.store, backend.sources, now=NOW + timedelta(minutes=5))
    assert rows(fake_google, programme, "Наставники") == {}
    later = NOW + LEASE_TTL + timedelta(minutes=1)
    from sync import clock

    clock.freeze(later)
    backend = machine(programme, services)
    report = run_sync(programme, backend.store, backend.sources, now=later)
    assert report.written is not None and len(rows(fake_google, programme, "Наставники")) == 1
    assert lease_row(fake_google, programme)[0] == ""


def test_a_quiet_run_claims_nothing(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle  # noqa: F811
) -> None:
    sync(programme, services)
    fake_google.clear_calls()
    assert sync(programme, services).written is None
    assert fake_google.count("sheets.values.batchUpdate") == 0


def test_an_edit_the_timestamp_filter_misses_is_caught_by_the_daily_full_read(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle  # noqa: F811
) -> None:
    fake_google.forms.filter_on = "createTime"  # the filter Google may really have
    form = programme.google.form_ids[MENTOR_APPLICATION.code]
    rid = add_mentor(fake_google, programme, "Новиков Пётр Семёнович", "a@school.example", NOW - timedelta(days=3))
    add_mentor(fake_google, programme, "Зуев Пётр Ильич", "b@school.example", NOW - timedelta(hours=1))
    sync(programme, services)  # the watermark is now an hour ago, past the first one's creation
    fake_google.forms.edit_response(form, rid, {"Должность": "заместитель директора"}, NOW + timedelta(hours=1))
    same_day = sync(programme, services, now=NOW + timedelta(hours=2))
    assert same_day.plan.ingest.edited == 0  # the filtered read does not see the edit
    next_day = NOW + timedelta(days=1)
    from sync import clock

    clock.freeze(next_day)
    report = sync(programme, services, now=next_day)
    assert report.plan.ingest.edited == 1
    mentors = {r["Email"]: r for r in rows(fake_google, programme, "Наставники").values()}
    assert mentors["a@school.example"]["Должность"] == "заместитель директора"
    listed = [c for c in fake_google.calls if c.name == "forms.responses.list"]
    assert any("filter" not in c.params for c in listed)


def test_listed_responses_carry_no_form_id(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle  # noqa: F811
) -> None:
    add_mentor(fake_google, programme, "Новиков Пётр Семёнович", "a@school.example")
    form = programme.google.form_ids[MENTOR_APPLICATION.code]
    listed = services.forms.forms().responses().list(formId=form).execute()["responses"]
    assert "formId" not in listed[0] and listed[0]["responseId"]
    assert sync(programme, services).plan.ingest.accepted == 1


def test_the_store_settle_wait_goes_through_the_injected_sleep(
    programme: Config, services: GoogleServices, fake_google: FakeGoogle, sleeps: list[float]  # noqa: F811
) -> None:
    store = GoogleSheetsStore(services.gspread, programme.google.spreadsheet_id, settle=2.5, sleep=sleeps.append)
    store.read_all()
    store.claim("m:1", NOW, LEASE_TTL)
    assert sleeps[-1] == 2.5
    assert Path  # imported for fixtures' annotations
