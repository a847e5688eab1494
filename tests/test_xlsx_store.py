"""The local workbook store: by header and key, staff's work kept, nothing written on error."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Font

from sheets.changes import CellUpdate, ChangeSet, RowAppend
from sheets.store import SchemaMismatch, StoreBusy
from sheets.xlsx import XlsxStore


def mentor(key: str, name: str, **extra: str) -> RowAppend:
    return RowAppend("mentors", (("id", key), ("full_name", name), *extra.items()))


@pytest.fixture
def store(tmp_path: Path) -> XlsxStore:
    s = XlsxStore(tmp_path / "registry.xlsx")
    s.create()
    return s


def test_create_has_every_sheet_frozen_with_dropdowns(store: XlsxStore) -> None:
    wb = load_workbook(store.path)
    ws = wb["Наставники"]
    assert ws.freeze_panes == "B2"
    assert ws["A1"].value == "ID"
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert any("художественная" in f for f in formulas)
    assert any("активен" in f for f in formulas)
    assert wb["Обработанные ответы"].sheet_state == "hidden"


def test_create_again_duplicates_nothing(store: XlsxStore) -> None:
    before = load_workbook(store.path).sheetnames
    store.create()
    assert load_workbook(store.path).sheetnames == before


def test_formula_like_text_is_stored_as_text(store: XlsxStore) -> None:
    text = '=IMPORTXML("http://x","//a")'
    store.write(ChangeSet(appends=[mentor("НС-0001", text, position="+7", department="@x")]))
    with zipfile.ZipFile(store.path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    row = store.read_all()["mentors"].loc["НС-0001"]
    assert (row["full_name"], row["position"], row["department"]) == (text, "+7", "@x")


def test_staff_edits_survive_a_write(store: XlsxStore) -> None:
    store.write(ChangeSet(appends=[mentor("НС-0001", "А"), mentor("НС-0002", "Б"), mentor("НС-0003", "В")]))
    wb = load_workbook(store.path)
    ws = wb["Наставники"]
    # staff: move «ФИО» to the end, add a notes column, sort rows descending, fill a staff cell
    ws.move_range("B1:B4", rows=0, cols=ws.max_column)
    ws.delete_cols(2)
    notes_col = ws.max_column + 1
    ws.cell(1, notes_col, "Заметки куратора")
    rows = sorted(([c.value for c in r] for r in ws.iter_rows(min_row=2)), key=lambda r: r[0], reverse=True)
    for i, values in enumerate(rows, start=2):
        for j, v in enumerate(values, start=1):
            ws.cell(i, j, v)
    for r in range(2, 5):
        ws.cell(r, notes_col, f"заметка {ws.cell(r, 1).value}")
    status_col = [c.value for c in ws[1]].index("Статус") + 1
    ws.cell(2, status_col, "приостановлен")  # row of НС-0003
    ws.cell(2, 1).font = Font(bold=True)
    wb.save(store.path)

    store.write(ChangeSet(
        updates=[CellUpdate("mentors", "НС-0002", "full_name", "Б", "Борисова")],
        appends=[mentor("НС-0004", "Г")],
    ))
    wb = load_workbook(store.path)
    ws = wb["Наставники"]
    header = [c.value for c in ws[1]]
    assert header[-2:] == ["ФИО", "Заметки куратора"]
    keys = [ws.cell(r, 1).value for r in range(2, 6)]
    assert keys == ["НС-0003", "НС-0002", "НС-0001", "НС-0004"]
    name_col = header.index("ФИО") + 1
    assert ws.cell(3, name_col).value == "Борисова"
    assert ws.cell(2, status_col).value == "приостановлен"
    assert [ws.cell(r, notes_col).value for r in range(2, 5)] == [
        "заметка НС-0003", "заметка НС-0002", "заметка НС-0001"
    ]
    assert ws.cell(2, 1).font.bold


def test_missing_header_stops_the_write_and_names_it(store: XlsxStore) -> None:
    store.write(ChangeSet(appends=[mentor("НС-0001", "А")]))
    wb = load_workbook(store.path)
    ws = wb["Наставники"]
    col = [c.value for c in ws[1]].index("ФИО") + 1
    ws.cell(1, col, "Фамилия Имя")
    wb.save(store.path)
    before = store.path.read_bytes()
    with pytest.raises(SchemaMismatch, match="«Наставники».*«ФИО»"):
        store.write(ChangeSet(appends=[mentor("НС-0002", "Б")]))
    with pytest.raises(SchemaMismatch, match="«ФИО»"):
        store.read_all()
    assert store.path.read_bytes() == before


def test_row_deleted_by_staff_is_skipped_with_a_reason(store: XlsxStore) -> None:
    store.write(ChangeSet(appends=[mentor("НС-0001", "А")]))
    report = store.write(ChangeSet(updates=[CellUpdate("mentors", "НС-0009", "full_name", "x", "y")]))
    assert report.cells == 0 and "НС-0009" in report.skipped[0]


def test_rows_without_key_are_never_overwritten(store: XlsxStore) -> None:
    wb = load_workbook(store.path)
    ws = wb["Наставники"]
    ws.cell(2, 2, "Ввели вручную без ID")
    wb.save(store.path)
    store.write(ChangeSet(appends=[mentor("НС-0001", "А")]))
    ws = load_workbook(store.path)["Наставники"]
    assert ws.cell(2, 2).value == "Ввели вручную без ID"
    assert ws.cell(3, 1).value == "НС-0001"
    assert store.read_all().unkeyed["mentors"][0]["full_name"] == "Ввели вручную без ID"


@pytest.mark.parametrize("lock", ["~$registry.xlsx", ".~lock.registry.xlsx#"])
def test_workbook_open_in_excel_or_libreoffice(store: XlsxStore, lock: str) -> None:
    (store.path.parent / lock).write_text("x")
    with pytest.raises(StoreBusy, match="открыта в Excel или LibreOffice"):
        store.write(ChangeSet(appends=[mentor("НС-0001", "А")]))


def test_ints_are_numbers_and_read_back_as_text(store: XlsxStore) -> None:
    store.write(ChangeSet(appends=[mentor("НС-0001", "А", capacity="3")]))
    ws = load_workbook(store.path)["Наставники"]
    col = [c.value for c in ws[1]].index("Ёмкость") + 1
    assert ws.cell(2, col).value == 3
    assert store.read_all()["mentors"].loc["НС-0001", "capacity"] == "3"


def test_not_a_workbook_is_a_russian_message(tmp_path: Path) -> None:
    from sheets.store import StoreError

    path = tmp_path / "registry.xlsx"
    path.write_text("это не книга")
    with pytest.raises(StoreError, match="повреждена или не является .xlsx"):
        XlsxStore(path).read_all()
    with pytest.raises(StoreError, match="nastavnik init"):
        XlsxStore(tmp_path / "нет.xlsx").read_all()


def test_deleted_sheet_is_named_with_the_repair_command(store: XlsxStore) -> None:
    wb = load_workbook(store.path)
    del wb["Журнал синхронизации"]
    wb.save(store.path)
    with pytest.raises(SchemaMismatch, match="нет листа «Журнал синхронизации».*nastavnik init"):
        store.read_all()
    store.create()
    assert store.read_all().frames["journal"].empty


def test_saving_keeps_the_books_permissions(store: XlsxStore) -> None:
    import os
    import stat

    assert stat.S_IMODE(store.path.stat().st_mode) != 0o600  # a new book follows the umask
    os.chmod(store.path, 0o664)
    store.write(ChangeSet(appends=[mentor("НС-0001", "А")]))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o664
