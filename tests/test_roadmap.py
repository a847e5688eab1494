"""The roadmap as data, its statuses computed from registries, and the stage of every pair."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sheets.changes import diff_frames, frame_from_records
from sheets.schema import BY_NAME, DIRECTIONS, ROADMAP, ROADMAP_STATUSES
from sync.roadmap import (
    DOCUMENTS,
    RULES,
    RoadmapSettings,
    compute_pair_stages,
    compute_roadmap,
    load_roadmap,
)

SETTINGS = RoadmapSettings(date(2022, 9, 1), date(2024, 6, 30))
EARLY = date(2022, 9, 5)  # before any deadline but 4.x (September 2022) ends
MID = date(2023, 9, 5)  # inside «первая декада сентября 2023 г.»
SOURCE = Path(__file__).resolve().parents[2] / "shared" / "roadmap-2022-2024.txt"


def make(**records: list[dict[str, str]]) -> dict[str, pd.DataFrame]:
    """Registry frames from records, by schema name."""
    return {name: frame_from_records(BY_NAME[name], rows) for name, rows in records.items()}


def mentees(n: int, consented: int = 0, needs: int = 0, **extra: str) -> list[dict[str, str]]:
    return [
        {
            "id": f"Н-{i:03d}",
            "pd_consent": "01.09.2023, родитель" if i < consented else "",
            "needs": "проектная деятельность" if i < needs else "",
            **extra,
        }
        for i in range(n)
    ]


def roadmap(registries: dict[str, pd.DataFrame], today: date = MID, **kw: object) -> pd.DataFrame:
    return compute_roadmap(registries, today, SETTINGS, **kw).frame  # type: ignore[arg-type]


def row(frame: pd.DataFrame, aid: str) -> dict[str, str]:
    return frame.loc[aid].to_dict()


def evidence(frame: pd.DataFrame, aid: str) -> str:
    """The evidence without the overdue note (stage 5's document deadlines are in 2021)."""
    return row(frame, aid)["evidence"].split("; срок истек")[0]


# --- the roadmap as data ------------------------------------------------------------------


def test_roadmap_has_the_documents_stages_and_activities() -> None:
    activities = load_roadmap()
    assert len(activities) == 24
    assert [a.id for a in activities][:7] == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1"]
    assert [a.id for a in activities][-5:] == ["7.1", "7.2", "7.3", "7.4", "7.5"]
    titles = {a.stage_no: a.stage_title for a in activities}
    assert titles == {
        1: "Подготовка условий для запуска программы наставничества",
        2: "Формирование базы наставляемых",
        3: "Формирование базы наставников",
        4: "Методическое сопровождение /обучение наставников",
        5: "Формирование наставнических пар/групп",
        6: "Организация работы наставнических пар-групп (Реализация программы наставничества)",
        7: "Завершение наставничества",
    }
    by_id = {a.id: a for a in activities}
    assert by_id["1.3"].deadline_text == "октябрь 2022 г.."
    assert by_id["1.4"].deadline_text == "Сентябрь- октябрь 2022 г."
    assert by_id["1.1"].responsible == "Директор  Куратор программы наставничества"
    assert by_id["1.6"].responsible == ""
    assert by_id["2.2"].rule == "mentee_consents" and by_id["1.1"].rule is None
    assert {a.rule for a in activities} - {None} == set(RULES)


@pytest.mark.skipif(not SOURCE.exists(), reason="the institution's roadmap text is not beside us")
def test_roadmap_matches_the_institutions_text() -> None:
    written = []
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) == 5 and cells[0].rstrip(".").isdigit():
            written.append(tuple(cells[1:]))
    ours = [(a.activity, a.documents, a.responsible, a.deadline_text) for a in load_roadmap()]
    assert ours == written


# --- a new sheet --------------------------------------------------------------------------


def test_new_sheet_has_every_activity_and_deadlines_as_dates() -> None:
    status = compute_roadmap({}, EARLY, SETTINGS)
    frame = status.frame
    assert list(frame.columns) == ROADMAP.names
    assert list(frame.index) == [a.id for a in load_roadmap()]
    assert all(isinstance(v, str) for v in frame.to_numpy().ravel())
    assert set(frame["status"]) <= set(ROADMAP_STATUSES)
    assert row(frame, "1.1")["deadline"] == "01.10.2022–31.10.2022"
    assert row(frame, "3.2")["deadline"] == "01.10.2022–31.10.2022"
    assert row(frame, "6.2")["deadline"] == "01.09.2022–30.06.2024"
    assert row(frame, "1.1")["stage"] == "1. Подготовка условий для запуска программы наставничества"
    assert row(frame, "1.1")["status"] == "не начато"
    assert row(frame, "1.1")["evidence"] == "1.1: данных в реестрах нет — укажите статус вручную"
    assert row(frame, "4.1")["status"] == "не начато"
    # the document's 5.1 and 5.2 («сентябрь 2021-2022») fall before the programme: checked, not overdue
    assert [p.split(":")[0] for p in status.problems] == ["Дорожная карта, 5.1", "Дорожная карта, 5.2"]
    assert all("раньше начала программы" in p for p in status.problems)


def test_a_new_cycle_moves_every_deadline() -> None:
    settings = RoadmapSettings(date(2026, 9, 1), date(2028, 6, 30), shift_years=4)
    frame = compute_roadmap({}, date(2026, 9, 5), settings).frame
    assert row(frame, "1.1")["deadline"] == "01.10.2026–31.10.2026"
    assert row(frame, "2.2")["deadline"] == "01.09.2027–10.09.2027"
    assert row(frame, "6.1")["deadline"] == "01.09.2026–30.06.2028"
    assert row(frame, "1.1")["status"] == "не начато"


def test_an_activity_without_evidence_is_overdue_after_its_deadline() -> None:
    frame = roadmap({}, today=date(2022, 11, 1))
    assert row(frame, "1.1")["status"] == "просрочено"
    assert row(frame, "1.1")["evidence"].endswith("срок истек 31.10.2022")
    assert row(frame, "1.5")["status"] == "не начато"


# --- evidence rules -----------------------------------------------------------------------


def test_consents_move_the_mentee_base_activity() -> None:
    frame = roadmap(make(mentees=mentees(120, consented=112)))
    assert row(frame, "2.2")["evidence"] == "2.2: согласия получены у 112 из 120 наставляемых (93%)"
    assert (row(frame, "2.2")["status"], row(frame, "2.2")["progress"]) == ("в работе", "93")

    withdrawn = mentees(120, consented=100)
    frame = roadmap(make(mentees=withdrawn))
    assert row(frame, "2.2")["evidence"] == "2.2: согласия получены у 100 из 120 наставляемых (83%)"

    frame = roadmap(make(mentees=mentees(121, consented=121)))
    assert row(frame, "2.2")["evidence"] == "2.2: согласия получены у 121 из 121 наставляемого (100%)"
    assert (row(frame, "2.2")["status"], row(frame, "2.2")["progress"]) == ("выполнено", "100")


def test_consents_short_of_all_after_the_deadline_are_overdue() -> None:
    frame = roadmap(make(mentees=mentees(10, consented=9)), today=date(2023, 9, 11))
    assert row(frame, "2.2")["status"] == "просрочено"
    assert row(frame, "2.2")["evidence"].endswith("; срок истек 10.09.2023")
    frame = roadmap(make(mentees=mentees(10, consented=10)), today=date(2023, 9, 11))
    assert row(frame, "2.2")["status"] == "выполнено"


def test_mentees_who_left_do_not_count() -> None:
    base = mentees(3, consented=3) + [{"id": "Н-900", "status": "выбыл"}]
    assert row(roadmap(make(mentees=base)), "2.2")["status"] == "выполнено"


def test_needs_analysis_needs_answers_and_the_report() -> None:
    registries = make(mentees=mentees(8, consented=8, needs=6))
    frame = roadmap(registries)
    assert row(frame, "2.3")["evidence"] == (
        "2.3: анкеты о потребностях заполнили 6 из 8 наставляемых (75%); отчета по анализу потребностей нет"
    )
    registries = make(mentees=mentees(8, consented=8, needs=8))
    assert row(roadmap(registries), "2.3")["status"] == "в работе"
    frame = roadmap(registries, documents={"needs_report"})
    assert row(frame, "2.3")["status"] == "выполнено"
    assert row(frame, "2.3")["evidence"].endswith("отчет по анализу потребностей сформирован")


def test_mentor_registry_must_cover_the_directions_mentees_need() -> None:
    people = mentees(2, consented=2, direction=DIRECTIONS[0]) + [
        {"id": "Н-100", "pd_consent": "да", "direction": DIRECTIONS[3]}
    ]
    mentors = [
        {"id": "М-1", "direction": DIRECTIONS[0], "status": "активен"},
        {"id": "М-2", "direction": DIRECTIONS[3], "status": "выбыл"},
    ]
    frame = roadmap(make(mentees=people, mentors=mentors), today=date(2022, 10, 5))
    assert row(frame, "3.2")["evidence"] == (
        "3.2: наставников в реестре: 1; наставники есть по 1 из 2 направленностей, "
        "нужных наставляемым (50%); нет наставника: художественная"
    )
    mentors[1]["status"] = "активен"
    frame = roadmap(make(mentees=people, mentors=mentors), today=date(2022, 10, 5))
    assert (row(frame, "3.2")["status"], row(frame, "3.2")["progress"]) == ("выполнено", "100")


def test_mentors_trained() -> None:
    mentors = [{"id": f"М-{i}", "trained": "да" if i < 3 else ""} for i in range(4)]
    frame = roadmap(make(mentors=mentors))
    assert row(frame, "4.2")["evidence"].startswith("4.2: обучение прошли 3 из 4 наставников (75%)")
    assert row(frame, "4.2")["status"] == "просрочено"  # September 2022 is long gone
    # 6.1 (events for mentors) is not the training column again: staff mark it
    assert row(frame, "6.1")["evidence"] == "6.1: данных в реестрах нет — укажите статус вручную"
    mentors[3]["trained"] = "Да"
    frame = roadmap(make(mentors=mentors))
    assert row(frame, "4.2")["status"] == "выполнено"


def _pairs_world(approved: int, proposed: int = 0, plans: int = 0, trial: int = 0) -> dict[str, list[dict[str, str]]]:
    """Four consenting mentees, one mentor; the first pairs approved, the next proposed."""
    pairs, meetings = [], []
    for i in range(approved + proposed):
        pairs.append(
            {
                "id": f"П-{i}",
                "mentor_id": "М-1",
                "mentee_ids": f"Н-{i:03d}",
                "status": "утверждена" if i < approved else "предложена",
                "plan_link": "https://docs/ipr" if i < plans else "",
            }
        )
        if i < trial:
            meetings.append({"id": f"В-{i}", "pair_id": f"П-{i}", "held_on": "2022-09-01", "kind": "пробная"})
    return {
        "mentees": mentees(4, consented=4),
        "mentors": [{"id": "М-1", "capacity": "4"}],
        "pairs": pairs,
        "meetings": meetings,
    }


def test_approving_pairs_moves_pair_formation() -> None:
    frame = roadmap(make(**_pairs_world(approved=0, proposed=4)), today=EARLY)
    assert evidence(frame, "5.1") == (
        "5.1: утверждено пар: 0, ждут утверждения: 4; в утвержденных парах 0 из 4 наставляемых с согласием (0%)"
    )
    assert row(frame, "5.1")["status"] == "в работе"  # «сентябрь 2021-2022» is before the programme: not overdue
    frame = roadmap(make(**_pairs_world(approved=3, proposed=1)), today=EARLY)
    assert row(frame, "5.1")["progress"] == "75"
    frame = roadmap(make(**_pairs_world(approved=4)), today=EARLY)
    assert row(frame, "5.1")["status"] == "выполнено"


def test_trial_meetings_and_plans_move_pair_planning() -> None:
    frame = roadmap(make(**_pairs_world(approved=4, plans=4)), today=EARLY)
    assert evidence(frame, "5.2") == (
        "5.2: из 4 утвержденных пар пробная встреча проведена в 0, план развития (ИПР) составлен в 0 (0%)"
    )
    frame = roadmap(make(**_pairs_world(approved=4, plans=2, trial=3)), today=EARLY)
    assert evidence(frame, "5.2") == (
        "5.2: из 4 утвержденных пар пробная встреча проведена в 3, план развития (ИПР) составлен в 2 (50%)"
    )
    frame = roadmap(make(**_pairs_world(approved=4, plans=4, trial=4)), today=EARLY)
    assert row(frame, "5.2")["status"] == "выполнено"
    frame = roadmap(make(**_pairs_world(approved=1, proposed=3, plans=1, trial=1)), today=EARLY)
    assert row(frame, "5.2")["status"] != "выполнено"  # three pairs still to approve and plan


def test_meetings_are_held_against_the_plan() -> None:
    world = _pairs_world(approved=1, plans=1, trial=1)
    world["meetings"] += [
        {"id": "В-10", "pair_id": "П-0", "planned_on": "2023-10-01", "held_on": "2023-10-02"},
        {"id": "В-11", "pair_id": "П-0", "planned_on": "2023-11-01"},
        {"id": "В-12", "pair_id": "П-0", "planned_on": "2024-01-10"},
    ]
    frame = roadmap(make(**world), today=date(2023, 11, 5))
    assert row(frame, "6.2")["evidence"] == (
        "6.2: встреч по плану на 05.11.2023: 2, из них проведено 1 (50%); всего проведено встреч: 2"
    )
    assert row(frame, "6.2")["status"] == "в работе"
    world["meetings"][-2]["held_on"] = "2023-11-03"
    frame = roadmap(make(**world), today=date(2023, 11, 5))
    assert row(frame, "6.2")["progress"] == "100"
    assert row(frame, "6.2")["status"] == "в работе"  # the pair still works, a meeting is ahead
    frame = roadmap(make(**world), today=date(2024, 7, 1))
    assert row(frame, "6.2")["status"] == "просрочено"
    world["meetings"][-1]["held_on"] = "2024-01-10"
    world["pairs"][0]["status"] = "завершена"
    frame = roadmap(make(**world), today=date(2024, 7, 1))
    assert row(frame, "6.2")["status"] == "выполнено"


def test_interim_feedback_per_pair() -> None:
    world = _pairs_world(approved=3, plans=3, trial=3)
    world["feedback"] = [
        {"id": "О-1", "kind": "промежуточная", "pair_id": "П-0"},
        {"id": "О-2", "kind": "промежуточная", "pair_id": "П-0"},
        {"id": "О-3", "kind": "итоговая", "pair_id": "П-1"},
    ]
    frame = roadmap(make(**world))
    assert row(frame, "6.3")["evidence"] == ("6.3: промежуточная обратная связь получена от 1 из 3 пар (33%)")


def test_final_report_letters_practices_and_long_term_registry() -> None:
    world = _pairs_world(approved=2, plans=2, trial=2)
    world["pairs"][0]["status"] = "завершена"
    world["pairs"][1].update(status="завершена", mentor_id="М-2")  # М-2 has left: not expected
    world["mentors"] = [{"id": "М-1", "long_term": "да"}, {"id": "М-2", "status": "выбыл"}]
    world["feedback"] = [
        {
            "id": "О-1",
            "kind": "итоговая",
            "pair_id": "П-0",
            "participant_id": "Н-000",
            "role": "наставляемый",
            "ready_to_mentor": "да",
        },
    ]
    world["practices"] = [
        {"id": "Л-1", "publication_ok": "да", "published_link": "https://site/1"},
        {"id": "Л-2", "publication_ok": "да"},
        {"id": "Л-3", "publication_ok": "нет", "published_link": "https://site/3"},
    ]
    status = compute_roadmap(make(**world), date(2024, 5, 20), SETTINGS, documents={"letters_mentors"})
    frame = status.frame
    assert row(frame, "7.1")["evidence"] == (
        "7.1: итоговая обратная связь получена от 1 из 2 пар (50%); итогового отчета нет"
    )
    assert row(frame, "7.2")["evidence"] == (
        "7.2: благодарственные письма: наставникам — сформированы; партнерам — нет"
    )
    assert row(frame, "7.2")["progress"] == "50"
    assert row(frame, "7.3")["evidence"] == (
        "7.3: кейсов в базе: 3; опубликовано на сайте 1 из 2 с согласием на публикацию (50%); "
        "опубликовано без согласия на публикацию: 1"
    )
    assert status.problems[-1:] == ["Лучшие практики, Л-3: кейс опубликован без согласия на публикацию"]
    assert row(frame, "7.4")["evidence"] == (
        "7.4: в долгосрочном реестре наставников: 1; внесены 1 из 1 наставников, работавших в паре (100%); "
        "из завершивших пару наставников внесены 1 из 1 (100%); наставляемых, готовых стать наставниками: 1"
    )
    assert row(frame, "7.4")["status"] == "выполнено"
    done = compute_roadmap(make(**world), date(2024, 5, 20), SETTINGS, documents=DOCUMENTS).frame
    assert row(done, "7.1")["status"] == row(done, "7.2")["status"] == "выполнено"
    assert row(done, "7.5")["status"] == "выполнено"


# --- staff-owned columns ------------------------------------------------------------------


def _existing(cells: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The sheet as a previous run left it, with staff edits per activity id."""
    frame = compute_roadmap({}, MID, SETTINGS).frame
    for aid, values in cells.items():
        for column, value in values.items():
            frame.loc[aid, column] = value
    return frame


def test_manual_status_always_wins() -> None:
    registries = make(mentees=mentees(10, consented=10))
    registries["roadmap"] = _existing(
        {
            "1.1": {"manual_status": "Выполнено"},
            "2.2": {"manual_status": "в работе"},
            "4.1": {"manual_status": "не начато"},
        }
    )
    frame = roadmap(registries, today=date(2023, 12, 1))
    assert row(frame, "1.1")["status"] == "выполнено"
    assert row(frame, "1.1")["evidence"] == "1.1: статус указан вручную"
    assert row(frame, "1.1")["progress"] == "100"
    assert row(frame, "2.2")["status"] == "в работе"  # over the rule's «выполнено»
    assert row(frame, "2.2")["evidence"].endswith("(100%); статус указан вручную")
    assert row(frame, "4.1")["status"] == "не начато"  # over «просрочено»
    assert row(frame, "1.1")["manual_status"] == "Выполнено"  # staff's cell, as typed


def test_unknown_manual_status_is_a_problem_and_ignored() -> None:
    registries = {"roadmap": _existing({"1.1": {"manual_status": "готово"}})}
    status = compute_roadmap(registries, date(2022, 11, 1), SETTINGS)
    assert row(status.frame, "1.1")["status"] == "просрочено"
    assert [p for p in status.problems if "раньше начала программы" not in p] == [
        "Дорожная карта, 1.1: неизвестный статус «готово» в столбце «Статус вручную»; "
        "допустимо: не начато, в работе, выполнено, просрочено"
    ]


def test_staff_deadline_wins_over_the_documents_phrase() -> None:
    registries = make(mentees=mentees(10, consented=9))
    registries["roadmap"] = _existing({"2.2": {"deadline": "01.12.2023"}})
    frame = roadmap(registries, today=date(2023, 11, 1))
    assert row(frame, "2.2")["status"] == "в работе"  # the document's 10.09.2023 has passed
    assert row(frame, "2.2")["deadline"] == "01.12.2023"
    frame = roadmap(registries, today=date(2023, 12, 2))
    assert row(frame, "2.2")["status"] == "просрочено"
    assert row(frame, "2.2")["evidence"].endswith("срок истек 01.12.2023")
    registries["roadmap"] = _existing({"2.2": {"deadline": "сентябрь — декабрь 2023 г."}})
    assert row(roadmap(registries, today=date(2023, 11, 1)), "2.2")["status"] == "в работе"


def test_garbage_staff_deadline_is_a_russian_problem_not_a_crash() -> None:
    registries = make(mentees=mentees(10, consented=9))
    registries["roadmap"] = _existing({"2.2": {"deadline": "  к началу года  "}})
    status = compute_roadmap(registries, date(2023, 11, 1), SETTINGS)
    assert [p for p in status.problems if "раньше начала программы" not in p] == [
        "Дорожная карта, 2.2: срок «  к началу года  » в столбце «Срок (даты)» не разобран "
        "(непонятно «к»); действует срок из документа: 01.09.2023–10.09.2023"
    ]
    assert row(status.frame, "2.2")["deadline"] == "  к началу года  "  # left as staff typed it
    assert row(status.frame, "2.2")["status"] == "просрочено"  # by the document's deadline


def test_staff_columns_are_carried_over_unchanged() -> None:
    existing = _existing(
        {
            "1.1": {"document_link": "https://docs/prikaz", "deadline": ""},
            "3.2": {"deadline": "01.11.2022 - 30.11.2022"},
        }
    )
    frame = roadmap({"roadmap": existing})
    for column in ("deadline", "manual_status", "document_link"):
        assert frame[column].tolist() == existing[column].tolist()


def test_a_second_run_changes_nothing() -> None:
    world = make(**_pairs_world(approved=2, proposed=1, plans=1, trial=2))
    first = roadmap(world)
    again = roadmap({**world, "roadmap": first})
    pd.testing.assert_frame_equal(first, again)
    assert not diff_frames(ROADMAP, first, again)


def test_output_does_not_depend_on_row_order() -> None:
    world = _pairs_world(approved=3, proposed=1, plans=2, trial=3)
    world["mentees"] += mentees(6)[4:]
    shuffled = {name: list(reversed(rows)) for name, rows in world.items()}
    pd.testing.assert_frame_equal(roadmap(make(**world)), roadmap(make(**shuffled)))
    assert compute_pair_stages(make(**world)) == compute_pair_stages(make(**shuffled))


# --- pair and mentee stages ---------------------------------------------------------------


def test_pair_stages_climb_with_evidence() -> None:
    pairs = [
        {"id": "П-1", "mentee_ids": "Н-1", "status": "предложена"},
        {"id": "П-2", "mentee_ids": "Н-2", "status": "утверждена"},
        {"id": "П-3", "mentee_ids": "Н-3", "status": "утверждена"},
        {"id": "П-4", "mentee_ids": "Н-4", "status": "утверждена", "plan_link": "ipr"},
        {"id": "П-5", "mentee_ids": "Н-5; Н-6", "status": "утверждена", "plan_link": "ipr"},
        {"id": "П-6", "mentee_ids": "Н-7", "status": "утверждена", "plan_link": "ipr"},
        {"id": "П-7", "mentee_ids": "Н-8", "status": "отклонена"},
        {"id": "П-8", "mentee_ids": "Н-9", "status": "расторгнута", "plan_link": "ipr"},
        {"id": "П-9", "mentee_ids": "Н-10", "status": "работа"},
        {"id": "П-10", "mentee_ids": "Н-11", "status": ""},
    ]
    meetings = [
        {"id": "В-1", "pair_id": "П-1", "held_on": "2023-09-20", "kind": "пробная встреча"},
        {"id": "В-2", "pair_id": "П-3", "held_on": "2023-09-20", "kind": "плановая встреча"},
        {"id": "В-3", "pair_id": "П-4", "held_on": "2023-09-20", "kind": "пробная встреча"},
        {"id": "В-4", "pair_id": "П-4", "held_on": "2023-09-27", "kind": "встреча планирования"},
        {"id": "В-5", "pair_id": "П-5", "held_on": "2023-09-20", "kind": "пробная встреча"},
        {"id": "В-6", "pair_id": "П-5", "held_on": "2023-10-04", "kind": "плановая встреча"},
        {"id": "В-7", "pair_id": "П-6", "held_on": "2023-09-20", "kind": "пробная встреча"},
        {"id": "В-8", "pair_id": "П-2", "planned_on": "2023-09-20"},  # planned, not held
        {"id": "В-9", "pair_id": "П-8", "held_on": "2023-09-20"},
    ]
    feedback = [{"id": "О-1", "pair_id": "П-6", "kind": "итоговая"}]
    people = [{"id": f"Н-{i}", "pd_consent": "да"} for i in range(1, 13)]
    people.append({"id": "Н-13"})
    pair_stage, mentee_stage = compute_pair_stages(
        make(pairs=pairs, meetings=meetings, feedback=feedback, mentees=people)
    )
    assert pair_stage == {
        "П-1": "предложена",  # a meeting does not approve a pair
        "П-2": "утверждена",
        "П-3": "пробная встреча",
        "П-4": "план развития",  # a planning meeting is not yet regular work
        "П-5": "работа",
        "П-6": "завершена",
        "П-7": "отклонена",
        "П-8": "расторгнута",
        "П-9": "работа",  # the curator's later status stands while evidence lags
        "П-10": "предложена",
    }
    assert mentee_stage["Н-5"] == mentee_stage["Н-6"] == "работа"
    assert mentee_stage["Н-7"] == "завершена"
    assert mentee_stage["Н-8"] == mentee_stage["Н-9"] == "ожидает пары"
    assert mentee_stage["Н-12"] == "ожидает пары"
    assert mentee_stage["Н-13"] == "ожидает согласия"


def test_a_mentee_is_at_the_stage_of_their_current_pair() -> None:
    pairs = [
        {"id": "П-1", "mentee_ids": "Н-1", "status": "завершена"},
        {"id": "П-2", "mentee_ids": "Н-1", "status": "предложена"},
        {"id": "П-3", "mentee_ids": "Н-2", "status": "расторгнута"},
        {"id": "П-4", "mentee_ids": "Н-2", "status": "утверждена"},
    ]
    people = [{"id": "Н-1", "pd_consent": "да"}, {"id": "Н-2", "pd_consent": "да"}]
    _, mentee_stage = compute_pair_stages(make(pairs=pairs, mentees=people))
    assert mentee_stage == {"Н-1": "предложена", "Н-2": "утверждена"}


def test_stages_feed_the_roadmap() -> None:
    world = _pairs_world(approved=1)
    world["pairs"][0]["status"] = "Работа"
    frame = roadmap(make(**world), today=EARLY)
    assert row(frame, "5.2")["evidence"].startswith("5.2: из 1 утвержденной пары пробная встреча")
    assert row(frame, "5.2")["progress"] == "100"
