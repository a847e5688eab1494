"""Creating and repairing the programme spreadsheet: everything in place, nothing twice."""

from __future__ import annotations

from typing import Any

import pytest

from sheets.schema import BY_NAME, REGISTRIES, Owner, dropdown_message, has_dropdown
from sync.google.setup import SetupError, connect, create_spreadsheet, ensure_spreadsheet
from sync.google.transport import Endpoints
from tests.fake_google import FakeGoogle
from tests.fake_google.grid import Sheet

pytest_plugins = ["tests.fake_google.fixtures"]


def rule_state(sheet: Sheet) -> tuple[int, int, int]:
    return len(sheet.validations), len(sheet.conditional_formats), len(sheet.protected_ranges)


def test_create_makes_every_registry_in_two_calls(gspread_fake: Any, fake_google: FakeGoogle) -> None:
    report = create_spreadsheet(gspread_fake, "Программа наставничества")
    assert fake_google.names() == ["sheets.create", "sheets.batchUpdate"]
    assert report.created and report.requests > 0
    book = fake_google.sheets.get(report.spreadsheet_id)
    assert [s.title for s in book.sheets] == ["Как заполнять", *[s.title for s in REGISTRIES]]  # the guide first
    for schema in REGISTRIES:
        sheet = book.sheet_by_title(schema.title)
        assert sheet is not None
        assert fake_google.sheets.grid(report.spreadsheet_id, schema.title) == [
            [c.header for c in schema.columns]
        ]
        assert sheet.properties["gridProperties"]["frozenRowCount"] == 1
        assert bool(sheet.properties.get("hidden")) == schema.hidden
        job_columns = sum(c.owner is Owner.JOB for c in schema.columns)
        assert len(sheet.protected_ranges) == job_columns + 1  # and the header row
        assert all(p["warningOnly"] for p in sheet.protected_ranges)


def test_dropdowns_colours_and_header_style(gspread_fake: Any, fake_google: FakeGoogle) -> None:
    sid = create_spreadsheet(gspread_fake, "П").spreadsheet_id
    pairs = fake_google.sheets.sheet(sid, "Пары")
    status = [c.name for c in BY_NAME["pairs"].columns].index("status")
    rule = pairs.validation_at(10, status)
    assert rule is not None and rule["condition"]["type"] == "ONE_OF_LIST"
    assert [v["userEnteredValue"] for v in rule["condition"]["values"]][:2] == ["предложена", "утверждена"]
    assert pairs.validation_at(0, status) is None  # not on the header
    colours = {
        r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in pairs.conditional_formats
    }
    assert colours == {"предложена", "утверждена", "отклонена"}
    assert pairs.formats[(0, 0)]["textFormat"]["bold"] is True
    choice_columns = [
        i for i, c in enumerate(BY_NAME["pairs"].columns) if has_dropdown(c)
    ]
    assert not any(pairs.validation_at(1, i) for i, c in enumerate(BY_NAME["pairs"].columns)
                   if c.owner is Owner.JOB)  # job-owned columns invite no typing
    assert all(pairs.validation_at(1, i) for i in choice_columns)


def test_ensure_on_a_complete_spreadsheet_changes_nothing(gspread_fake: Any, fake_google: FakeGoogle) -> None:
    sid = create_spreadsheet(gspread_fake, "П").spreadsheet_id
    before = {s.title: rule_state(s) for s in fake_google.sheets.get(sid).sheets}
    fake_google.clear_calls()
    report = ensure_spreadsheet(gspread_fake, sid)
    assert report.requests == 0 and report.repaired == [] and report.problems == []
    assert fake_google.names() == ["sheets.get", "sheets.get"]
    assert {s.title: rule_state(s) for s in fake_google.sheets.get(sid).sheets} == before


def test_ensure_repairs_only_what_is_missing(gspread_fake: Any, fake_google: FakeGoogle) -> None:
    sid = create_spreadsheet(gspread_fake, "П").spreadsheet_id
    book = fake_google.sheets.get(sid)
    complete = {s.title: rule_state(s) for s in book.sheets}
    book.sheets.remove(book.sheet_by_title("Встречи"))
    mentors = book.sheet_by_title("Наставники")
    mentors.properties["gridProperties"]["frozenRowCount"] = 0
    mentors.protected_ranges.pop()
    mentors.validations.clear()
    book.sheet_by_title("Служебное").properties["hidden"] = False
    fake_google.clear_calls()
    report = ensure_spreadsheet(gspread_fake, sid)
    assert fake_google.names() == ["sheets.get", "sheets.get", "sheets.batchUpdate"]
    assert report.added_sheets == ["Встречи"]
    assert any("закреплена" in n for n in report.repaired)
    assert any("«Служебное» скрыт" in n for n in report.repaired)
    book = fake_google.sheets.get(sid)
    assert {s.title: rule_state(s) for s in book.sheets} == complete
    assert fake_google.sheets.grid(sid, "Встречи")[0][0] == "ID"
    assert book.sheet_by_title("Наставники").properties["gridProperties"]["frozenRowCount"] == 1
    assert ensure_spreadsheet(gspread_fake, sid).requests == 0


def test_ensure_reports_a_renamed_header_instead_of_adding_a_column(
    gspread_fake: Any, fake_google: FakeGoogle
) -> None:
    sid = create_spreadsheet(gspread_fake, "П").spreadsheet_id
    fake_google.sheets.rename_header(sid, "Наставники", "ФИО", "Ф.И.О.")
    report = ensure_spreadsheet(gspread_fake, sid)
    assert report.requests == 0
    assert report.problems == ["на листе «Наставники» нет столбца «ФИО» (переименован или удален?)"]
    assert len(fake_google.sheets.grid(sid, "Наставники")[0]) == len(BY_NAME["mentors"].columns)


def test_ensure_fills_a_spreadsheet_made_by_hand(gspread_fake: Any, fake_google: FakeGoogle) -> None:
    sid = fake_google.sheets.new_spreadsheet("Своя таблица", ("Лист1",))
    report = ensure_spreadsheet(gspread_fake, sid)
    assert report.added_sheets == [s.title for s in REGISTRIES]
    titles = [s.title for s in fake_google.sheets.get(sid).sheets]
    assert titles == ["Как заполнять", "Лист1", *[s.title for s in REGISTRIES]]
    assert ensure_spreadsheet(gspread_fake, sid).requests == 0


def test_ensure_writes_headers_into_an_empty_registry_sheet(
    gspread_fake: Any, fake_google: FakeGoogle
) -> None:
    sid = fake_google.sheets.new_spreadsheet("Своя", ("Наставники",))
    report = ensure_spreadsheet(gspread_fake, sid)
    assert "на листе «Наставники» записаны заголовки" in report.repaired
    assert fake_google.sheets.grid(sid, "Наставники")[0][:2] == ["ID", "ФИО"]


def test_create_shares_with_staff(gspread_fake: Any, fake_google: FakeGoogle) -> None:
    report = create_spreadsheet(gspread_fake, "П", share_with=["curator@school.example"])
    permissions = fake_google.drive.permissions[report.spreadsheet_id]
    assert permissions[0]["role"] == "writer" and permissions[0]["type"] == "user"


def test_errors_are_russian(gspread_fake: Any) -> None:
    with pytest.raises(SetupError, match="таблица не найдена"):
        ensure_spreadsheet(gspread_fake, "nope")


def test_connect_builds_every_client_over_one_transport(fake_google: FakeGoogle) -> None:
    services = connect(None, Endpoints.single(fake_google.url), timeout=10.0, sleep=lambda s: None)
    create_spreadsheet(services.gspread, "П")
    services.forms.forms().create(body={"info": {"title": "А"}}).execute()
    services.drive.files().list(q="trashed = false").execute()
    assert services.api_calls() == {
        "sheets.create": 1,
        "sheets.batchUpdate": 1,
        "forms.create": 1,
        "drive.files.list": 1,
    }


def test_dropdowns_refuse_values_outside_the_list_and_old_lenient_ones_are_made_strict(
    gspread_fake: Any, fake_google: FakeGoogle
) -> None:
    """Issue 8: Google strict validation with the workbook's Russian message; init upgrades old lists."""
    sid = create_spreadsheet(gspread_fake, "П").spreadsheet_id
    pairs = fake_google.sheets.sheet(sid, "Пары")
    status = [c.name for c in BY_NAME["pairs"].columns].index("status")
    rule = pairs.validation_at(1, status)
    assert rule["strict"] is True
    assert rule["inputMessage"] == dropdown_message(BY_NAME["pairs"].column("status"))
    for _range, cell_rule in pairs.validations:  # what an older init left: the same list, lenient
        cell_rule["strict"] = False
        cell_rule.pop("inputMessage", None)
    report = ensure_spreadsheet(gspread_fake, sid)
    assert report.requests > 0
    assert fake_google.sheets.sheet(sid, "Пары").validation_at(1, status)["strict"] is True
    assert ensure_spreadsheet(gspread_fake, sid).requests == 0
