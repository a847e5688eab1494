"""A demo programme a curator has worked on: pairs approved, meetings, feedback, consents, cases.

Edits are made as staff make them: cells typed into the workbook by header (openpyxl), rows
without an ID (paper consents, best cases), and form answers as CSV exports.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from forms.questionnaires import FINAL_SURVEY, INTERIM_FEEDBACK, MEETING_REPORT
from sheets.xlsx import XlsxStore
from sync import clock
from sync.cli import create_programme
from sync.config import Config, load_config
from sync.demo import generate
from tests.conftest import NOW, sync_once, write_export


def set_cells(path, title: str, key: str, values: dict[str, object]) -> None:
    """Type into a row found by its key, columns found by header."""
    set_many(path, [(title, key, values)])


def set_many(path, edits: list[tuple[str, str, dict[str, object]]]) -> None:
    """Several ``set_cells`` with one open and one save of the workbook."""
    wb = load_workbook(path)
    for title, key, values in edits:
        ws = wb[title]
        header = [c.value for c in ws[1]]
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, 1).value == key:
                for name, value in values.items():
                    ws.cell(r, header.index(name) + 1, value)
                break
        else:
            raise AssertionError(f"{key} not found on {title}")
    wb.save(path)


def type_row(path, title: str, values: dict[str, object]) -> None:
    """Type a new row below the last one, by header (no ID: the job numbers it)."""
    wb = load_workbook(path)
    ws = wb[title]
    header = [c.value for c in ws[1]]
    row = ws.max_row + 1
    for name, value in values.items():
        ws.cell(row, header.index(name) + 1, value)
    wb.save(path)


@dataclass
class Lived:
    """Who is who in the lived programme, for assertions."""

    public_mentor: str = ""  # long-term, publication consent with «ФИО»
    hidden_mentor: str = ""  # long-term, no publication consent
    case_pair: str = ""  # both members consented to «описание кейса»
    private_pair: str = ""
    approved: list[str] = field(default_factory=list)


def live(config: Config) -> Lived:
    """Sync the demo, then do what a curator does in the first months; sync after each step."""
    sync_once(config)
    path = config.registry
    snap = XlsxStore(path).read_all()
    mentors, mentees, pairs = snap["mentors"], snap["mentees"], snap["pairs"]
    lived = Lived()
    proposed = sorted(pairs.index[pairs["status"] == "предложена"])
    set_many(path, [("Пары", key, {"Статус": "утверждена", "Утверждена": "2026-10-15"}) for key in proposed[:8]])
    lived.approved = proposed[:8]
    case_pair = lived.case_pair = proposed[0]
    lived.private_pair = proposed[1]
    case_mentor = pairs.loc[case_pair, "mentor_id"]
    lived.public_mentor = case_mentor
    lived.hidden_mentor = next(m for m in mentors.index if m != case_mentor and mentors.loc[m, "full_name"])
    set_many(path, [("Наставники", mentor, {"В долгосрочном реестре": "да", "Обучение пройдено": "да"})
                    for mentor in (lived.public_mentor, lived.hidden_mentor)])
    # paper publication consents of the case pair: the mentor's own, the mentee's from a parent
    m = mentors.loc[case_mentor]
    type_row(path, "Согласия", {
        "Вид согласия": "распространение ПД", "ФИО субъекта": m["full_name"], "Email участника": m["email"],
        "Кем дано": "сам участник", "ФИО давшего согласие": m["full_name"], "Объем": "ФИО; описание кейса",
        "Дата": "2026-10-20",
    })
    e = mentees.loc[pairs.loc[case_pair, "mentee_ids"]]
    adult = e["category"] != "обучающийся"
    type_row(path, "Согласия", {
        "Вид согласия": "распространение ПД", "ФИО субъекта": e["full_name"], "Email участника": e["email"],
        "Кем дано": "сам участник" if adult else "родитель",
        "ФИО давшего согласие": e["full_name"] if adult else e["guardian"], "Объем": "описание кейса",
        "Дата": "2026-10-20",
    })
    # two best cases typed by the curator: one publishable, one not
    type_row(path, "Лучшие практики", {
        "Пара": case_pair, "Название кейса": "Робототехника с нуля",
        "Описание": "Наставник и ученик собрали первого робота и выступили на городском фестивале.",
        "Результат": "Призовое место на фестивале «Инженерные каникулы»",
    })
    type_row(path, "Лучшие практики", {
        "Пара": lived.private_pair, "Название кейса": "Закрытый кейс",
        "Описание": "Этот кейс не опубликован: нет согласия на публикацию.",
    })
    sync_once(config)
    # meeting reports and feedback from the approved pairs' mentors
    snap = XlsxStore(path).read_all()
    meetings, interim, final = [], [], []
    for i, pair in enumerate(lived.approved):
        email = snap["mentors"].loc[snap["pairs"].loc[pair, "mentor_id"], "email"]
        meetings.append((f"2{i}.10.2026 10:00:00", email, {
            "Дата встречи": f"2{i}.10.2026", "Вид встречи": "пробная встреча", "Тема": "Знакомство",
            "Формат": "очно", "Длительность, минут": "45"}))
        if i < 4:
            interim.append((f"1{i}.11.2026 10:00:00", email, {
                "Ваша роль": "наставник", "Насколько вы удовлетворены встречами": str(6 + i),
                "Насколько полезна работа в паре": "8", "Продвижение к целям плана развития": "7"}))
        if i == 0:
            final.append(("20.11.2026 10:00:00", email, {
                "Ваша роль": "наставник", "Удовлетворенность участием в программе": "9",
                "Польза программы для вас": "9", "Достижение целей плана развития": "8",
                "Готовы ли вы стать наставником": "да"}))
    write_export(config, MEETING_REPORT, meetings)
    write_export(config, INTERIM_FEEDBACK, interim)
    write_export(config, FINAL_SURVEY, final)
    sync_once(config)
    # the curator plans meetings: dates in «Дата по плану» of the reported ones
    snap = XlsxStore(path).read_all()
    set_many(path, [("Встречи", key, {"Дата по плану": "2026-10-20" if n % 2 else "2026-12-20"})
                    for n, key in enumerate(sorted(snap["meetings"].index))])
    sync_once(config)
    return lived


@pytest.fixture(scope="session")
def lived_source(tmp_path_factory) -> tuple[Path, Lived]:
    """One lived programme per test session (it takes a few syncs); tests get copies."""
    clock.freeze(NOW)
    root = tmp_path_factory.mktemp("lived")
    config = load_config(create_programme(root / "prog", "Тестовая школа", date(2026, 9, 1)))
    generate(config.forms_dir, mentors=15, mentees=40, seed=7, start=config.start)
    return config.root, live(config)


@pytest.fixture
def lived_programme(lived_source, tmp_path) -> tuple[Config, Lived]:
    """A fresh copy of the lived programme, free to change."""
    source, lived = lived_source
    shutil.copytree(source, tmp_path / "lived")
    return load_config(tmp_path / "lived" / "nastavnik.toml"), lived
