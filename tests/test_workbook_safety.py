"""The workbook is written safely: staff saves, half-saved files, merged cells, permissions,
symlinks, temp copies a killed run left, and init during a sync."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sheets.store import StoreBusy
from sheets.xlsx import XlsxStore
from sync.cli import main
from sync.job import run_lock
from tests.conftest import NOW, sync_once


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def staff_note(path, text: str) -> None:
    """A staff member types into their own column and saves (as Excel would: a new file)."""
    wb = load_workbook(path)
    ws = wb["Наставники"]
    ws.cell(1, ws.max_column + 1, "Заметки")
    ws.cell(2, ws.max_column, text)
    wb.save(path)


def notes(path) -> list:
    ws = load_workbook(path)["Наставники"]
    head = [c.value for c in ws[1]]
    if "Заметки" not in head:
        return []
    col = head.index("Заметки") + 1
    return [ws.cell(r, col).value for r in range(2, ws.max_row + 1) if ws.cell(r, col).value]


def test_a_staff_save_between_read_and_write_is_kept_and_the_next_run_takes_both(demo_programme, monkeypatch) -> None:
    sync_once(demo_programme)
    from forms.questionnaires import MENTOR_APPLICATION
    from tests.test_bad_input import mentor_answers
    from tests.test_sync_local import append_response

    append_response(demo_programme, MENTOR_APPLICATION, "24.11.2026 10:00:00", "new@school.ru", mentor_answers(9))
    import sync.job as job

    real = job.compute_plan

    def plan_while_staff_saves(*args, **kwargs):
        plan = real(*args, **kwargs)
        staff_note(demo_programme.registry, "позвонить в среду")
        return plan

    monkeypatch.setattr(job, "compute_plan", plan_while_staff_saves)
    result = cli("sync", "--config", str(demo_programme.path))
    assert result.exit_code == 1 and "сохранили, пока шел запуск" in result.output
    assert notes(demo_programme.registry) == ["позвонить в среду"]
    monkeypatch.setattr(job, "compute_plan", real)
    sync_once(demo_programme, now=NOW + timedelta(minutes=5))
    assert notes(demo_programme.registry) == ["позвонить в среду"]
    mentors = XlsxStore(demo_programme.registry).read_all()["mentors"]
    assert (mentors["email"] == "new@school.ru").any()


def test_a_staff_save_during_the_jobs_own_save_is_kept(demo_programme, monkeypatch) -> None:
    from sheets.xlsx_file import WorkbookFile

    real = WorkbookFile.save

    def save_then_staff(self, write_to):
        def writing(tmp):  # the job's temp copy is written (openpyxl, the new rows), then staff save
            write_to(tmp)
            staff_note(demo_programme.registry, "сохранено во время записи")

        real(self, writing)

    monkeypatch.setattr(WorkbookFile, "save", save_then_staff)
    with pytest.raises(StoreBusy, match="сохранили, пока шел запуск"):
        sync_once(demo_programme)
    assert notes(demo_programme.registry) == ["сохранено во время записи"]
    assert not list(demo_programme.registry.parent.glob(".nastavnik-*"))


def test_a_half_saved_workbook_is_being_saved_not_broken(demo_programme) -> None:
    sync_once(demo_programme)
    data = demo_programme.registry.read_bytes()
    demo_programme.registry.write_bytes(data[: len(data) // 2])
    result = cli("sync", "--config", str(demo_programme.path))
    assert result.exit_code == 1
    assert "сейчас сохраняется" in result.output and "Прервано" not in result.output
    assert "Traceback" not in result.output
    # an old broken file is called broken, in Russian, without the library's words
    old = demo_programme.registry.stat().st_mtime - 3600  # the file system's clock, as the job reads it
    os.utime(demo_programme.registry, (old, old))
    result = cli("sync", "--config", str(demo_programme.path))
    assert "повреждена" in result.output and "EOCD" not in result.output


def test_merged_cells_where_the_job_writes_are_named(programme) -> None:
    from forms.questionnaires import MENTOR_APPLICATION
    from tests.conftest import write_export
    from tests.test_bad_input import mentor_answers, stamp

    write_export(programme, MENTOR_APPLICATION, [(stamp(1), "a@school.ru", mentor_answers(1))])
    wb = load_workbook(programme.registry)
    wb["Наставники"].merge_cells("B2:C3")
    wb.save(programme.registry)
    before = programme.registry.read_bytes()
    result = cli("sync", "--config", str(programme.path))
    assert result.exit_code == 1, result.output
    assert "на листе «Наставники»" in result.output and "C2" in result.output and "B2:C3" in result.output
    assert "Traceback" not in result.output and "MergedCell" not in result.output
    assert programme.registry.read_bytes() == before
    wb = load_workbook(programme.registry)
    wb["Наставники"].unmerge_cells("B2:C3")
    wb.save(programme.registry)
    assert cli("sync", "--config", str(programme.path)).exit_code == 0


@pytest.mark.parametrize("what", ["file", "folder", "mkstemp", "replace", "no-space"])
def test_refusals_of_the_file_system_are_russian_and_write_nothing(demo_programme, monkeypatch, what) -> None:
    import sheets.xlsx_file as xf

    book = demo_programme.registry
    before = book.read_bytes()
    if what in ("file", "folder"):  # the tests run as root, who may write anything: ask os.access
        real_access = os.access
        denied = book.resolve() if what == "file" else book.resolve().parent
        monkeypatch.setattr(xf.os, "access", lambda p, mode: False if os.path.realpath(p) == str(denied)
                            else real_access(p, mode))
    elif what == "mkstemp":
        monkeypatch.setattr(xf.tempfile, "mkstemp", lambda **_k: (_ for _ in ()).throw(PermissionError(13, "x")))
    elif what == "replace":
        monkeypatch.setattr(xf.os, "replace", lambda *_a: (_ for _ in ()).throw(PermissionError(13, "x")))
    else:
        monkeypatch.setattr(xf.os, "replace", lambda *_a: (_ for _ in ()).throw(OSError(28, "No space")))
    result = cli("sync", "--config", str(demo_programme.path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "Errno" not in result.output and "Permission" not in result.output
    expected = {"file": "только для чтения", "folder": "нет прав на запись в папку",
                "mkstemp": "нет прав на запись в папку", "replace": "нет прав на запись в папку",
                "no-space": "нет места"}[what]
    assert expected in result.output
    assert book.read_bytes() == before
    assert not list(book.parent.glob(".nastavnik-*"))


def test_a_symlinked_workbook_is_written_through(demo_programme) -> None:
    real = demo_programme.registry.parent / "shared" / "книга.xlsx"
    real.parent.mkdir()
    demo_programme.registry.rename(real)
    demo_programme.registry.symlink_to(real)
    sync_once(demo_programme)
    assert demo_programme.registry.is_symlink()
    assert len(XlsxStore(real).read_all()["mentors"]) > 0
    assert not list(real.parent.glob(".nastavnik-*")) and not list(demo_programme.registry.parent.glob(".nastavnik-*"))


def test_temp_copies_a_killed_run_left_are_removed(demo_programme) -> None:
    folder = demo_programme.registry.parent
    ours = folder / ".nastavnik-registry-k1ll3d.xlsx"
    legacy = folder / ".nastavnik-abcd1234.xlsx"
    fresh_legacy = folder / ".nastavnik-efgh5678.xlsx"
    other = folder / ".nastavnik-other-k1ll3d.xlsx"
    for path in (ours, legacy, fresh_legacy, other):
        path.write_bytes(b"personal data")
    old = legacy.stat().st_mtime - 7200  # the file system's clock, as the job reads it
    os.utime(legacy, (old, old))
    sync_once(demo_programme)
    assert not ours.exists() and not legacy.exists()
    assert fresh_legacy.exists() and other.exists()  # maybe another book's save in progress


def test_a_killed_runs_copy_goes_even_when_nothing_is_written(demo_programme) -> None:
    sync_once(demo_programme)
    stale = demo_programme.registry.parent / ".nastavnik-registry-k1ll3d.xlsx"
    stale.write_bytes(b"personal data")
    old = stale.stat().st_mtime - 3600
    os.utime(stale, (old, old))
    assert sync_once(demo_programme, now=NOW + timedelta(minutes=5)).written is None
    assert not stale.exists()


def test_init_waits_for_no_one_and_changes_nothing_while_a_sync_holds_the_lock(programme) -> None:
    wb = load_workbook(programme.registry)
    del wb["Встречи"]
    wb.save(programme.registry)
    before = programme.registry.read_bytes()
    with run_lock(programme.lock_path):
        result = cli("init", str(programme.path.parent))
    assert result.exit_code == 1 and "синхронизация уже идет" in result.output
    assert programme.registry.read_bytes() == before
    assert cli("init", str(programme.path.parent)).exit_code == 0
    assert "Встречи" in load_workbook(programme.registry).sheetnames



def test_file_ages_are_judged_on_the_file_systems_clock(tmp_path, monkeypatch) -> None:
    """A process clock moved a year ahead (faketime, a skewed container) does not age fresh files."""
    from sheets.xlsx_file import WorkbookFile

    book = tmp_path / "registry.xlsx"
    book.write_bytes(b"PK\x03\x04")
    fresh_legacy = tmp_path / ".nastavnik-abcd1234.xlsx"
    fresh_legacy.write_bytes(b"personal data")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 400 * 86400)
    assert WorkbookFile(book).remove_stale_temps(min_age=600) == []
    assert fresh_legacy.exists()


def _damaged(path, member: str, how: str) -> None:
    """The book with one part damaged: its XML cut in half, or its compressed bytes flipped."""
    import zipfile

    with zipfile.ZipFile(path) as book:
        parts = [(info, book.read(info)) for info in book.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            out.writestr(info, data[: len(data) // 2] if info.filename == member and how == "cut" else data)
    if how == "flipped":
        raw = bytearray(path.read_bytes())
        info = zipfile.ZipFile(path).getinfo(member)
        raw[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 5] ^= 0xFF
        path.write_bytes(bytes(raw))
    old = path.stat().st_mtime - 3600  # an old file: broken, not being saved
    os.utime(path, (old, old))


@pytest.mark.parametrize("how", ["cut", "flipped"])
@pytest.mark.parametrize("member", ["xl/worksheets/sheet2.xml", "xl/styles.xml"])
def test_a_damaged_part_is_a_broken_book_in_russian(demo_programme, member: str, how: str) -> None:
    """Hostile bytes inside the archive (a sheet or the styles cut short or not inflating): the
    run says the book is broken, writes nothing, and never writes a short sheet for a cut one."""
    from sheets.changes import ChangeSet, RowAppend
    from sheets.store import StoreError
    from sheets.xlsx import XlsxStore

    sync_once(demo_programme)
    _damaged(demo_programme.registry, member, how)
    before = demo_programme.registry.read_bytes()
    result = cli("sync", "--config", str(demo_programme.path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "повреждена" in result.output, result.output
    store = XlsxStore(demo_programme.registry)  # the write alone, as after a read that passed
    with pytest.raises(StoreError, match="повреждена"):
        store.write(ChangeSet(appends=[RowAppend("mentors", (("id", "НС-9999"), ("full_name", "А")))]))
    assert demo_programme.registry.read_bytes() == before
