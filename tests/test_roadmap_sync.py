"""The roadmap on the demo programme: statuses follow the data, staff's cells survive, no churn."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner
from openpyxl import load_workbook

from forms.questionnaires import MEETING_REPORT
from sheets.xlsx import XlsxStore
from sync.cli import main
from tests.conftest import NOW, sync_once, write_export


def set_cells(path, title: str, key: str, values: dict[str, object]) -> None:
    """Edit cells as staff would: find the row by key, the column by header."""
    wb = load_workbook(path)
    ws = wb[title]
    header = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == key:
            for name, value in values.items():
                ws.cell(r, header.index(name) + 1, value)
            break
    else:
        raise AssertionError(f"{key} not found")
    wb.save(path)


def add_pair(path, key: str, mentor: str, mentee: str, status: str) -> None:
    wb = load_workbook(path)
    ws = wb["Пары"]
    header = [c.value for c in ws[1]]
    row = ws.max_row + 1
    for name, value in {"ID": key, "Наставник": mentor, "Наставляемые": mentee, "Статус": status}.items():
        ws.cell(row, header.index(name) + 1, value)
    wb.save(path)


def roadmap(config):
    return XlsxStore(config.registry).read_all()["roadmap"]


def test_sync_writes_the_roadmap_and_a_second_sync_writes_nothing(demo_programme) -> None:
    sync_once(demo_programme)
    rm = roadmap(demo_programme)
    assert len(rm) == 24
    assert rm.loc["2.2", "evidence"].startswith("2.2: согласия получены у")
    report = sync_once(demo_programme, now=NOW + timedelta(minutes=5))
    assert report.written is None


def test_withdrawn_consents_move_2_2(demo_programme) -> None:
    sync_once(demo_programme)
    before = int(roadmap(demo_programme).loc["2.2", "progress"])
    consents = XlsxStore(demo_programme.registry).read_all()["consents"]
    mentee_ids = set(XlsxStore(demo_programme.registry).read_all()["mentees"].index)
    for key in consents.index[consents["participant_id"].isin(mentee_ids)][:5]:
        set_cells(demo_programme.registry, "Согласия", key, {"Отозвано": "2026-11-20"})
    sync_once(demo_programme)
    after = int(roadmap(demo_programme).loc["2.2", "progress"])
    assert after < before


def test_approving_pairs_and_meeting_reports_move_5_x_and_stages(demo_programme) -> None:
    sync_once(demo_programme)
    snap = XlsxStore(demo_programme.registry).read_all()
    mentor = snap["mentors"].index[0]
    mentee = snap["mentees"].index[snap["mentees"]["status"] == "ожидает пары"][0]
    add_pair(demo_programme.registry, "П-0900", mentor, mentee, "утверждена")
    sync_once(demo_programme)
    snap = XlsxStore(demo_programme.registry).read_all()
    assert snap["pairs"].loc["П-0900", "stage"] == "утверждена"
    assert snap["mentees"].loc[mentee, "status"] == "в паре"
    assert "утверждена" in snap["mentees"].loc[mentee, "stage"]
    # the mentor reports a trial meeting
    answers = {"Дата встречи": "20.11.2026", "Вид встречи": "пробная встреча", "Тема": "Знакомство",
               "Формат": "очно", "Длительность, минут": "45"}
    email = snap["mentors"].loc[mentor, "email"]
    write_export(demo_programme, MEETING_REPORT, [("21.11.2026 10:00:00", email, answers)])
    sync_once(demo_programme)
    snap = XlsxStore(demo_programme.registry).read_all()
    assert snap["meetings"].iloc[0]["pair_id"] == "П-0900"
    assert snap["pairs"].loc["П-0900", "stage"] == "пробная встреча"
    assert "6.2" in snap["roadmap"].loc["6.2", "evidence"]


def test_manual_status_and_staff_deadline_survive_every_sync(demo_programme) -> None:
    sync_once(demo_programme)
    set_cells(demo_programme.registry, "Дорожная карта", "1.1",
              {"Статус вручную": "выполнено", "Ссылка на документ": "https://example.org/prikaz"})
    set_cells(demo_programme.registry, "Дорожная карта", "5.1", {"Срок (даты)": "01.09.2027–30.09.2027"})
    for _ in range(2):
        sync_once(demo_programme)
    rm = roadmap(demo_programme)
    assert rm.loc["1.1", "status"] == "выполнено"
    assert rm.loc["1.1", "document_link"] == "https://example.org/prikaz"
    assert rm.loc["5.1", "deadline"] == "01.09.2027–30.09.2027"
    assert rm.loc["5.1", "status"] != "просрочено"


def test_garbage_staff_deadline_goes_to_attention_not_a_crash(demo_programme) -> None:
    sync_once(demo_programme)
    set_cells(demo_programme.registry, "Дорожная карта", "2.1", {"Срок (даты)": "когда-нибудь"})
    assert sync_once(demo_programme).ok
    attention = XlsxStore(demo_programme.registry).read_all()["attention"]
    rows = attention[(attention["form"] == "Дорожная карта") & attention["reason"].str.contains("когда-нибудь")]
    assert len(rows)
    set_cells(demo_programme.registry, "Дорожная карта", "2.1", {"Срок (даты)": "сентябрь 2027 г."})
    sync_once(demo_programme)
    attention = XlsxStore(demo_programme.registry).read_all()["attention"]
    assert (attention.loc[rows.index, "status"] == "исправлено").all()


def test_status_command_table_and_json(demo_programme) -> None:
    sync_once(demo_programme)
    runner = CliRunner()
    result = runner.invoke(main, ["status", "--config", str(demo_programme.path)])
    assert result.exit_code == 0, result.output
    assert "2.2" in result.output and "Формирование базы наставляемых" in result.output
    assert "\n!" in result.output  # overdue rows are marked
    result = runner.invoke(main, ["status", "--config", str(demo_programme.path), "--json"])
    data = json.loads(result.output)
    assert len(data["activities"]) == 24 and len(data["stages"]) == 7
    assert "@" not in result.output


def test_interim_feedback_is_linked_to_the_pair_and_moves_6_3(demo_programme) -> None:
    from forms.questionnaires import FINAL_SURVEY, INTERIM_FEEDBACK

    sync_once(demo_programme)
    snap = XlsxStore(demo_programme.registry).read_all()
    mentor = snap["mentors"].index[0]
    mentee = snap["mentees"].index[snap["mentees"]["status"] == "ожидает пары"][0]
    add_pair(demo_programme.registry, "П-0900", mentor, mentee, "утверждена")
    before = roadmap(demo_programme)
    for spec, answers in (
        (INTERIM_FEEDBACK, {"Ваша роль": "наставник", "Насколько вы удовлетворены встречами": "8",
                            "Насколько полезна работа в паре": "9", "Продвижение к целям плана развития": "7"}),
        (FINAL_SURVEY, {"Ваша роль": "наставник", "Удовлетворенность участием в программе": "9",
                        "Польза программы для вас": "9", "Достижение целей плана развития": "8",
                        "Готовы ли вы стать наставником": "да"}),
    ):
        write_export(demo_programme, spec, [("21.11.2026 10:00:00", snap["mentors"].loc[mentor, "email"], answers)])
    sync_once(demo_programme)
    feedback = XlsxStore(demo_programme.registry).read_all()["feedback"]
    assert sorted(feedback["kind"]) == ["итоговая", "промежуточная"]
    assert set(feedback["pair_id"]) == {"П-0900"} and set(feedback["participant_id"]) == {mentor}
    after = roadmap(demo_programme)
    assert after.loc["6.3", "evidence"] != before.loc["6.3", "evidence"]
    assert XlsxStore(demo_programme.registry).read_all()["pairs"].loc["П-0900", "stage"] == "завершена"
