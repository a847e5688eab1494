"""A whole programme year played as a curator would, every sheet checked after each sync (issue 9).

September: applications and consents arrive. The curator approves pairs typing carelessly,
retypes a mentor by name, rejects one; a corrected application is resubmitted. Autumn: meeting
reports with partial and missing names, staff type a «Пара» and the ИПР links. Winter: interim
feedback, a parent withdraws a consent. Spring: final surveys finish the pairs.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pandas as pd

from forms.answers import split_list
from forms.questionnaires import CONSENT_WITHDRAWAL, MENTEE_APPLICATION
from sheets.schema import ATTENTION_STATUSES, MENTEE_STATUSES, PAIR_STATUSES, ROADMAP_STATUSES
from tests.conftest import NOW, sync_once
from tests.curator_helpers import Forms, mentor_with_two, single_proposals, snapshot
from tests.test_curator_consent import _csv_row, withdrawal, workbook_text
from tests.test_roadmap_sync import set_cells

ACTIVE = ("утверждена", "пробная встреча", "план развития", "работа")


def check_every_sheet(config, erased_names: tuple[str, ...] = ()) -> dict[str, pd.DataFrame]:
    """What must hold after any sync, on every sheet the curator reads."""
    snap = snapshot(config)
    pairs, mentees, mentors = snap["pairs"], snap["mentees"], snap["mentors"]
    attention = snap["attention"]
    open_attention = set(attention.index[attention["status"] == "открыто"])
    assert set(pairs["status"]) <= set(PAIR_STATUSES)
    for key, pair in pairs.iterrows():
        status, stage = pair["status"], pair["stage"]
        if status in ("отклонена", "расторгнута", "снята", "предложена"):
            assert stage == status, key
        if status in (*ACTIVE, "завершена"):
            assert pair["approved_on"], key
        if status in ("завершена", "расторгнута"):
            assert pair["ended_on"], key
        if pair["mentor_id"] in mentors.index:
            assert pair["mentor_name"] == mentors.loc[pair["mentor_id"], "full_name"], key
    busy: dict[str, list[str]] = {}
    for key, pair in pairs[pairs["status"].isin((*ACTIVE, "предложена"))].iterrows():
        for m in split_list(pair["mentee_ids"]):
            busy.setdefault(m, []).append(key)
    assert all(len(v) == 1 for v in busy.values()), busy  # one pair per mentee
    assert set(mentees["status"]) <= set(MENTEE_STATUSES)
    for key, mentee in mentees.iterrows():
        active = [p for p in busy.get(key, []) if pairs.loc[p, "status"] in ACTIVE]
        if mentee["status"] != "выбыл":
            assert (mentee["status"] == "в паре") == bool(active), key
    for sheet in ("meetings", "feedback"):
        for key, row in snap[sheet].iterrows():
            assert row["pair_id"] in pairs.index or f"{key}: пара" in open_attention, (sheet, key)
    assert set(attention["status"]) <= set(ATTENTION_STATUSES)
    assert set(snap["roadmap"]["status"]) <= set(ROADMAP_STATUSES)
    assert snap["roadmap"].loc["5.1", "status"] != "просрочено"
    text = workbook_text(config.registry)
    for name in erased_names:
        assert name not in text
    return snap


def step(config, when: datetime, erased: tuple[str, ...] = ()) -> dict[str, pd.DataFrame]:
    """One cron run, the state checked, and a second run that writes nothing."""
    assert sync_once(config, now=when).ok
    snap = check_every_sheet(config, erased)
    assert sync_once(config, now=when + timedelta(minutes=5)).written is None
    return snap


def test_a_programme_year_as_a_curator_plays_it(demo_programme) -> None:
    config = demo_programme
    september = NOW - timedelta(days=60)
    snap = step(config, september)
    assert len(snap["mentors"]) and len(snap["mentees"]) and len(single_proposals(config)) > 6

    # approvals with sloppy typing, a mentor retyped by name, a rejection
    mentor, (first, second) = mentor_with_two(config)
    others = [k for k in single_proposals(config).index if k not in (first, second)]
    careless = {first: "Утверждена ", second: " УТВЕРЖДЕНА", others[0]: "утверждёна"}
    for key, typed in careless.items():
        set_cells(config.registry, "Пары", key, {"Статус": typed})
    set_cells(config.registry, "Пары", others[1], {"Статус": "Отклонена"})
    proposals = single_proposals(config)

    def candidates_for(key: str) -> pd.DataFrame:
        direction = snap["mentees"].loc[proposals.loc[key, "mentee_ids"], "direction"]
        mentors = snap["mentors"]
        return mentors[(mentors["direction"] == direction) & (mentors.index != proposals.loc[key, "mentor_id"])
                       & (mentors.index != mentor)]

    retyped = next(k for k in others[2:] if len(candidates_for(k)))
    candidates = candidates_for(retyped)
    chosen = candidates.index[0]
    set_cells(config.registry, "Пары", retyped, {"Наставник": candidates.loc[chosen, "full_name"]})
    # a corrected application for an answer that was quarantined
    attention = snap["attention"]
    bad = attention[(attention["form"] == MENTEE_APPLICATION.title) & (attention["value"] == "робототехника")]
    answers = json.loads(bad.iloc[0]["answers"])
    email = answers.pop("Адрес электронной почты")
    answers["Направленность"] = "техническая"
    export = config.forms_dir / f"{MENTEE_APPLICATION.code}.csv"
    export.write_text(export.read_text(encoding="utf-8-sig").rstrip("\r\n") + "\r\n"
                      + _csv_row("20.09.2026 10:00:00", email, answers), encoding="utf-8")
    october = september + timedelta(days=20)
    snap = step(config, october)
    pairs = snap["pairs"]
    assert all(pairs.loc[k, "status"] == "утверждена" for k in careless)
    assert pairs.loc[others[1], "status"] == "отклонена"
    assert (pairs.loc[retyped, "mentor_id"], pairs.loc[retyped, "status"]) == (chosen, "утверждена")
    assert snap["attention"].loc[bad.index[0], "status"] == "исправлено"

    # meetings: a partial name links, a blank one waits for staff, the ИПР link moves the stage
    forms = Forms(config)
    mentor_email = snap["mentors"].loc[mentor, "email"]
    names = {k: snap["mentees"].loc[pairs.loc[k, "mentee_ids"], "full_name"] for k in (first, second)}
    surname, given = names[first].split()[:2]
    forms.meeting("25.10.2026 10:00:00", mentor_email, held_on="24.10.2026", mentee_name=f"{surname} {given}",
                  kind="пробная встреча")
    forms.meeting("26.10.2026 10:00:00", mentor_email, held_on="25.10.2026", kind="пробная встреча")
    set_cells(config.registry, "Пары", first, {"Ссылка на ИПР": "https://example.org/ipr-1"})
    november = october + timedelta(days=30)
    snap = step(config, november)
    meetings = snap["meetings"].sort_index()
    linked, blank = meetings.index
    assert meetings.loc[linked, "pair_id"] == first and meetings.loc[blank, "pair_id"] == ""
    assert snap["pairs"].loc[first, "stage"] == "план развития"
    set_cells(config.registry, "Встречи", blank, {"Пара": second})
    forms.meeting("10.11.2026 10:00:00", mentor_email, held_on="09.11.2026", mentee_name=names[first])
    snap = step(config, november + timedelta(days=1))
    assert snap["attention"].loc[f"{blank}: пара", "status"] == "исправлено"
    assert snap["pairs"].loc[first, "stage"] == "работа" and snap["pairs"].loc[second, "stage"] == "пробная встреча"

    # interim feedback; a parent withdraws a pupil's consent
    forms.feedback("01.12.2026 10:00:00", mentor_email, role="наставник", partner=names[first])
    withdrawn_key = others[0]
    pupil = snap["pairs"].loc[withdrawn_key, "mentee_ids"]
    person = snap["mentees"].loc[pupil]
    forms.add(CONSENT_WITHDRAWAL, "02.12.2026 10:00:00", person["email"],
              withdrawal(person["full_name"], person["email"], "родитель", person["guardian"] or person["full_name"]))
    december = november + timedelta(days=30)
    erased = (person["full_name"],)
    snap = step(config, december, erased)
    assert snap["pairs"].loc[withdrawn_key, "status"] == "расторгнута"
    assert snap["mentees"].loc[pupil, "status"] == "выбыл"
    assert snap["feedback"].iloc[0]["pair_id"] == first

    # spring: final surveys finish the pairs
    forms.feedback("20.05.2027 10:00:00", mentor_email, final=True, role="наставник", partner=names[first])
    forms.feedback("21.05.2027 10:00:00", mentor_email, final=True, role="наставник", partner=names[second])
    may = datetime(2027, 5, 25, 12, 0, tzinfo=NOW.tzinfo)
    snap = step(config, may, erased)
    for key in (first, second):
        assert (snap["pairs"].loc[key, "status"], snap["pairs"].loc[key, "stage"]) == ("завершена", "завершена")
        assert snap["mentees"].loc[snap["pairs"].loc[key, "mentee_ids"], "status"] == "завершил"
    assert "итоговая обратная связь получена" in snap["roadmap"].loc["7.1", "evidence"]
