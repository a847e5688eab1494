"""The Google Sheets store against the fake: one batched read, one batched RAW write, by key.

Staff sort, insert, delete rows and rename headers in the fake between the job's read and its
write; the test then looks at the fake's cells.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sheets.changes import CellUpdate, ChangeSet, KeyAssign, RowAppend
from sheets.google import GoogleSheetsStore
from sheets.schema import REGISTRIES
from sheets.store import SchemaMismatch, StoreError
from sheets.xlsx import XlsxStore
from sync.google.setup import create_spreadsheet
from tests.fake_google import FakeGoogle

pytest_plugins = ["tests.fake_google.fixtures"]
MENTORS = "Наставники"


def mentor(key: str, name: str, **extra: str) -> RowAppend:
    return RowAppend("mentors", (("id", key), ("full_name", name), *extra.items()))


def update(key: str, column: str, new: str, old: str = "") -> CellUpdate:
    return CellUpdate("mentors", key, column, old, new)


@pytest.fixture
def sid(gspread_fake: Any) -> str:
    return create_spreadsheet(gspread_fake, "Программа наставничества").spreadsheet_id


@pytest.fixture
def store(gspread_fake: Any, sid: str, fake_google: FakeGoogle) -> GoogleSheetsStore:
    fake_google.clear_calls()
    return GoogleSheetsStore(gspread_fake, sid)


def rows_by_id(fake: FakeGoogle, sid: str, title: str = MENTORS) -> dict[str, dict[str, str]]:
    grid = fake.sheets.grid(sid, title)
    head = grid[0]
    return {
        row[0]: dict(zip(head, row + [""] * (len(head) - len(row)), strict=True)) for row in grid[1:] if row
    }


def test_read_all_is_one_batch_get_of_every_sheet(store: GoogleSheetsStore, fake_google: FakeGoogle) -> None:
    snapshot = store.read_all()
    assert fake_google.names() == ["sheets.values.batchGet"]
    assert len(fake_google.calls[0].params["ranges"]) == len(REGISTRIES)
    assert fake_google.calls[0].params["valueRenderOption"] == "UNFORMATTED_VALUE"  # dates as serial numbers
    assert set(snapshot.frames) >= {"mentors", "mentees", "pairs", "journal"}
    assert len(snapshot["mentors"]) == 0


@pytest.mark.parametrize("n", [1, 25])
def test_write_is_one_reread_and_one_batch_update_whatever_the_size(
    store: GoogleSheetsStore, fake_google: FakeGoogle, n: int
) -> None:
    changes = ChangeSet(appends=[mentor(f"M{i:03}", f"Наставник {i}") for i in range(n)])
    report = store.write(changes)
    assert fake_google.names() == ["sheets.values.batchGet", "sheets.values.batchUpdate"]
    assert report.rows == n and report.cells == 2 * n
    body = fake_google.calls[1].body
    assert body["valueInputOption"] == "RAW"
    fake_google.clear_calls()
    store.write(ChangeSet(updates=[update(f"M{i:03}", "phone", "+79120000000") for i in range(n)]))
    assert fake_google.names() == ["sheets.values.batchGet", "sheets.values.batchUpdate"]
    assert len(rows_by_id(fake_google, store.spreadsheet_id)) == n


def test_nothing_to_write_costs_nothing(store: GoogleSheetsStore, fake_google: FakeGoogle) -> None:
    assert store.write(ChangeSet()).cells == 0
    assert fake_google.calls == []


def test_values_are_written_raw_and_read_as_text(store: GoogleSheetsStore, fake_google: FakeGoogle) -> None:
    formula = '=IMPORTXML("http://x","//a")'
    store.write(ChangeSet(appends=[mentor("007", formula, capacity="3", experience_years="05")]))
    cell = fake_google.sheets.cell(store.spreadsheet_id, MENTORS, "B2")
    assert cell is not None and not cell.is_formula and cell.value == formula
    assert fake_google.sheets.cell(store.spreadsheet_id, MENTORS, "A2").value == "007"
    row = store.read_all()["mentors"].loc["007"]
    assert row["full_name"] == formula
    assert row["id"] == "007"  # formatted text: leading zeros survive
    assert row["capacity"] == "3"
    assert row["experience_years"] == "05"  # «05» is not a plain whole number: kept as text


def test_user_entered_would_have_made_a_formula(fake_google: FakeGoogle, store: GoogleSheetsStore) -> None:
    """The fake honours valueInputOption, so the RAW test above proves something."""
    fake_google.sheets.set_values(store.spreadsheet_id, MENTORS, [["=1+1", "007"]], start="Y5")  # staff's columns
    assert fake_google.sheets.cell(store.spreadsheet_id, MENTORS, "Y5").is_formula
    assert fake_google.sheets.cell(store.spreadsheet_id, MENTORS, "Z5").value == 7.0
    # the registry's text columns are formatted as plain text: typed, «=1+1» stays text there
    fake_google.sheets.set_values(store.spreadsheet_id, MENTORS, [["=1+1", "007"]], start="A5")
    assert fake_google.sheets.cell(store.spreadsheet_id, MENTORS, "A5").value == "=1+1"
    assert fake_google.sheets.cell(store.spreadsheet_id, MENTORS, "B5").value == "007"


def test_rows_sorted_and_inserted_between_read_and_write_get_the_right_cells(
    store: GoogleSheetsStore, fake_google: FakeGoogle
) -> None:
    store.write(
        ChangeSet(
            appends=[mentor(k, n) for k, n in [("M1", "Яковлева"), ("M2", "Борисов"), ("M3", "Аксенова")]]
        )
    )
    snapshot = store.read_all()
    assert list(snapshot["mentors"].index) == ["M1", "M2", "M3"]
    # Staff sort by name and insert a row at the top while the job computes.
    fake_google.sheets.sort_rows(store.spreadsheet_id, MENTORS, "ФИО")
    fake_google.sheets.insert_rows(store.spreadsheet_id, MENTORS, at=2)
    fake_google.sheets.set_values(store.spreadsheet_id, MENTORS, [["", "заметка без ключа"]], start="A2")
    store.write(
        ChangeSet(
            updates=[update("M1", "pd_consent", "дано 01.09"), update("M3", "source", "анкета")],
            appends=[mentor("M4", "Новиков")],
        )
    )
    rows = rows_by_id(fake_google, store.spreadsheet_id)
    assert rows["M1"]["ФИО"] == "Яковлева" and rows["M1"]["Согласие на ПД"] == "дано 01.09"
    assert rows["M3"]["ФИО"] == "Аксенова" and rows["M3"]["Источник"] == "анкета"
    assert rows["M2"]["Согласие на ПД"] == "" and rows["M2"]["Источник"] == ""
    grid = fake_google.sheets.grid(store.spreadsheet_id, MENTORS)
    assert grid[1][:2] == ["", "заметка без ключа"]  # staff's keyless row is untouched
    assert grid[-1][:2] == ["M4", "Новиков"]  # appended below everything


def test_a_row_typed_without_a_key_gets_its_key_even_after_a_sort(
    store: GoogleSheetsStore, fake_google: FakeGoogle
) -> None:
    sid = store.spreadsheet_id
    store.write(ChangeSet(appends=[mentor("M1", "Яковлева"), mentor("M2", "Борисов")]))
    fake_google.sheets.set_values(sid, MENTORS, [["", "Аксенова", "ж"]], start="A4")
    snapshot = store.read_all()
    (typed,) = snapshot.unkeyed["mentors"]
    assert typed["full_name"] == "Аксенова"
    fake_google.sheets.sort_rows(sid, MENTORS, "ФИО")  # Аксенова moves to the top
    store.write(ChangeSet(assigns=[KeyAssign("mentors", "M3", tuple(typed.items()))]))
    rows = rows_by_id(fake_google, sid)
    assert rows["M3"]["ФИО"] == "Аксенова" and rows["M3"]["Пол"] == "ж"
    assert fake_google.sheets.grid(sid, MENTORS)[1][:2] == ["M3", "Аксенова"]


def test_a_row_deleted_before_the_write_is_skipped_with_a_reason(
    store: GoogleSheetsStore, fake_google: FakeGoogle
) -> None:
    store.write(ChangeSet(appends=[mentor("M1", "Иванова"), mentor("M2", "Петров")]))
    fake_google.sheets.delete_rows(store.spreadsheet_id, MENTORS, at=2)  # M1 goes
    report = store.write(
        ChangeSet(updates=[update("M1", "phone", "+79120000001"), update("M2", "phone", "+79120000002")])
    )
    assert any("M1" in s and "удалена" in s for s in report.skipped)
    rows = rows_by_id(fake_google, store.spreadsheet_id)
    assert set(rows) == {"M2"} and rows["M2"]["Телефон"] == "+79120000002"


def test_renamed_header_is_a_schema_mismatch_and_nothing_is_written(
    store: GoogleSheetsStore, fake_google: FakeGoogle
) -> None:
    store.write(ChangeSet(appends=[mentor("M1", "Иванова")]))
    fake_google.sheets.rename_header(store.spreadsheet_id, MENTORS, "Телефон", "Тел.")
    before = fake_google.sheets.grid(store.spreadsheet_id, MENTORS)
    fake_google.clear_calls()
    changes = ChangeSet(
        updates=[update("M1", "phone", "+79120000000")],
        appends=[RowAppend("mentees", (("id", "N1"), ("full_name", "Сидоров")))],
    )
    with pytest.raises(SchemaMismatch) as info:
        store.write(changes)
    assert "«Наставники»" in str(info.value) and "«Телефон»" in str(info.value)
    assert "ничего не записано" in str(info.value)
    assert fake_google.names() == ["sheets.values.batchGet"]
    assert fake_google.sheets.grid(store.spreadsheet_id, MENTORS) == before
    assert len(fake_google.sheets.grid(store.spreadsheet_id, "Наставляемые")) == 1
    with pytest.raises(SchemaMismatch, match="Телефон"):
        store.read_all()


def test_missing_sheet_is_named(store: GoogleSheetsStore, fake_google: FakeGoogle) -> None:
    fake_google.sheets.rename_sheet(store.spreadsheet_id, "Пары", "Пары (старые)")
    with pytest.raises(SchemaMismatch, match="«Пары»"):
        store.read_all()


def test_unknown_spreadsheet_is_a_russian_store_error(gspread_fake: Any) -> None:
    with pytest.raises(StoreError, match="таблица не найдена"):
        GoogleSheetsStore(gspread_fake, "no-such-id").read_all()


def test_staff_columns_and_extra_columns_are_kept(store: GoogleSheetsStore, fake_google: FakeGoogle) -> None:
    sid = store.spreadsheet_id
    store.write(ChangeSet(appends=[mentor("M1", "Иванова", status="активен")]))
    fake_google.sheets.set_values(sid, MENTORS, [["Заметки куратора"], ["позвонить в мае"]], start="Z1")
    store.write(ChangeSet(updates=[update("M1", "source", "анкета")]))
    grid = fake_google.sheets.grid(sid, MENTORS)
    assert grid[0][25] == "Заметки куратора" and grid[1][25] == "позвонить в мае"
    assert rows_by_id(fake_google, sid)["M1"]["Статус"] == "активен"


def test_appends_past_the_grid_grow_the_sheet_first(
    store: GoogleSheetsStore, fake_google: FakeGoogle
) -> None:
    sheet = fake_google.sheets.sheet(store.spreadsheet_id, MENTORS)
    sheet.properties["gridProperties"]["rowCount"] = 3
    store.write(ChangeSet(appends=[mentor(f"M{i}", f"Наставник {i}") for i in range(5)]))
    assert fake_google.names() == [
        "sheets.values.batchGet",
        "sheets.get",
        "sheets.batchUpdate",
        "sheets.values.batchUpdate",
    ]
    assert len(rows_by_id(fake_google, store.spreadsheet_id)) == 5


def test_behaves_like_the_xlsx_store(store: GoogleSheetsStore, tmp_path: Path) -> None:
    local = XlsxStore(tmp_path / "registry.xlsx")
    local.create()
    first = ChangeSet(
        appends=[
            mentor("M1", "Иванова", capacity="2", days="пн, ср"),
            mentor("M2", "Петров"),
            RowAppend("pairs", (("id", "P1"), ("mentor_id", "M1"), ("status", "предложена"))),
        ]
    )
    second = ChangeSet(updates=[update("M2", "capacity", "3"), update("M9", "phone", "+7")])
    for changes in (first, second):
        reports = [s.write(changes) for s in (local, store)]
        assert reports[0] == reports[1]
    ours, theirs = store.read_all(), local.read_all()
    for name in ours.frames:
        pd.testing.assert_frame_equal(ours[name], theirs[name])


def test_sheets_and_forms_never_import_sync() -> None:
    root = Path(__file__).resolve().parents[1]
    for path in ["sheets/google.py", "forms/google_source.py", "forms/google_setup.py"]:
        tree = ast.parse((root / path).read_text(encoding="utf-8"))
        modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in modules if m.split(".")[0] == "sync"], path
