"""A «Пара» typed sloppily on «Лучшие практики» and «Встречи» is the pair staff meant (seen
playing the curator: «п-0001 » left a best case unlinked, with no word)."""

from __future__ import annotations

from datetime import timedelta

from openpyxl import load_workbook

from tests.conftest import NOW, sync_once
from tests.curator_helpers import Forms, single_proposals, snapshot
from tests.test_roadmap_sync import set_cells


def add_practice(path, pair: str) -> None:
    wb = load_workbook(path)
    ws = wb["Лучшие практики"]
    header = [c.value for c in ws[1]]
    row = ws.max_row + 1
    for name, value in {"Пара": pair, "Название кейса": "Проект", "Описание": "Как мы работали"}.items():
        ws.cell(row, header.index(name) + 1, value)
    wb.save(path)


def test_a_sloppy_pair_id_is_tidied_and_an_unknown_one_shown(demo_programme) -> None:
    sync_once(demo_programme)
    key = single_proposals(demo_programme).index[0]
    set_cells(demo_programme.registry, "Пары", key, {"Статус": "утверждена"})
    mentor = snapshot(demo_programme)["pairs"].loc[key, "mentor_id"]
    email = snapshot(demo_programme)["mentors"].loc[mentor, "email"]
    Forms(demo_programme).meeting("20.11.2026 10:00:00", email, held_on="19.11.2026")
    add_practice(demo_programme.registry, f" {key.lower()} ")
    add_practice(demo_programme.registry, "П-9999")
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    practices = snap["practices"].sort_index()
    assert list(practices["pair_id"]) == [key, "П-9999"]
    unknown = snap["attention"].loc[f"{practices.index[1]}: пара"]
    assert unknown["status"] == "открыто" and "П-9999" in unknown["reason"]
    assert f"{practices.index[0]}: пара" not in snap["attention"].index
    meeting = snap["meetings"].index[0]
    set_cells(demo_programme.registry, "Встречи", meeting, {"Пара": key.lower() + "  "})
    later = NOW + timedelta(minutes=5)
    sync_once(demo_programme, now=later)
    assert snapshot(demo_programme)["meetings"].loc[meeting, "pair_id"] == key
    assert sync_once(demo_programme, now=later + timedelta(minutes=5)).written is None
