"""Nothing is cut: a value longer than a cell is kept whole beside the book, the cell says where."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from forms.questionnaires import MENTOR_APPLICATION
from sheets.xlsx import XlsxStore
from sync.long_values import FOLDER, spill
from tests.conftest import NOW, sync_once, write_export
from tests.test_bad_input import mentor_answers, stamp

LENGTHS = [32_768, 40_000, 50_001, 100_000]


def whole(config, cell: str) -> str:
    """The full value a cell points to."""
    m = re.search(rf"в файле {FOLDER}/(.+?)\]$", cell)
    assert m, cell[-200:]
    return (config.registry.parent / FOLDER / m.group(1)).read_text(encoding="utf-8")


@pytest.mark.parametrize("length", LENGTHS)
def test_a_long_answer_is_taken_whole_and_the_cell_says_where(programme, length: int) -> None:
    essay = ("Опыт работы наставником. " * (length // 25 + 1))[:length].strip() + "!"
    write_export(programme, MENTOR_APPLICATION, [(stamp(1), "a@school.ru", mentor_answers(1, **{"Должность": essay}))])
    report = sync_once(programme)
    assert report.plan.ingest.accepted == 1
    snap = XlsxStore(programme.registry).read_all()
    cell = snap["mentors"].iloc[0]["position"]
    assert len(cell) <= 32_767 and essay.startswith(cell.split(" … [")[0])
    assert whole(programme, cell) == essay
    attention = snap["attention"]
    note = attention[attention["question"] == "Должность"]
    assert len(note) == 1 and "полностью — в файле" in note.iloc[0]["reason"]
    again = sync_once(programme, now=NOW + timedelta(minutes=5))
    assert again.written is None  # the same cell, the same file: no churn


def test_a_quarantined_long_response_is_kept_whole_as_json(programme) -> None:
    essay = "ё" * 60_000
    write_export(programme, MENTOR_APPLICATION, [(stamp(1), "not-an-email", mentor_answers(1, **{"Должность": essay}))])
    sync_once(programme)
    rows = XlsxStore(programme.registry).read_all()["attention"]
    cell = rows[rows["question"] == "Адрес электронной почты"].iloc[0]["answers"]
    assert len(cell) <= 32_767
    kept = json.loads(whole(programme, cell))
    assert kept["Должность"] == essay and kept["Адрес электронной почты"] == "not-an-email"


def test_spilling_is_the_same_every_time(tmp_path) -> None:
    from sheets.changes import CellUpdate, ChangeSet

    text = "x" * 40_000
    first, kept = spill(ChangeSet(updates=[CellUpdate("mentors", "НС-0001", "position", "", text)]), 32_767, tmp_path)
    [update] = first.updates
    second, _ = spill(ChangeSet(updates=[CellUpdate("mentors", "НС-0001", "position", update.new, text)]),
                      32_767, tmp_path)
    assert not second.updates  # the cell already holds exactly this
    assert list(kept.files.values()) == [text]


def test_a_withdrawn_persons_long_value_file_is_deleted_with_their_data(programme) -> None:
    """152-ФЗ: the erasure reaches the text kept beside the book; another person's file stays."""
    from forms.questionnaires import CONSENT_WITHDRAWAL
    from tests.test_curator_consent import withdrawal

    hers, theirs = "Её опыт. " * 4_000, "Другой опыт. " * 3_000
    write_export(programme, MENTOR_APPLICATION, [
        (stamp(1), "a@school.ru", mentor_answers(1, **{"Должность": hers})),
        (stamp(2), "b@school.ru", mentor_answers(2, **{"Должность": theirs})),
    ])
    sync_once(programme)
    folder = programme.registry.parent / FOLDER
    assert len(list(folder.iterdir())) == 2
    write_export(programme, CONSENT_WITHDRAWAL, [
        (stamp(3), "a@school.ru", withdrawal("Петрова Анна Ивановна 1", "a@school.ru")),
    ])
    report = sync_once(programme, now=NOW + timedelta(minutes=5))
    assert report.plan.steps.get("erasure"), report.plan.steps
    left = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    assert len(left) == 1 and "Другой опыт" in next(iter(left.values()))
    assert "удалено файлов длинных значений" in report.plan.steps.get("long_values", "")
    # the other person's cell still points to a file that is there
    snap = XlsxStore(programme.registry).read_all()
    cells = [c for c in snap["mentors"]["position"] if " … [" in c]
    assert len(cells) == 1 and "Другой опыт" in whole(programme, cells[0])
    assert sync_once(programme, now=NOW + timedelta(minutes=10)).written is None
