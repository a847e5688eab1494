"""Findings 1, 2, 4 and 5 of issue 9, reproduced on the demo programme as a curator plays them."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import NOW, sync_once
from tests.curator_helpers import Forms, mentor_with_two, single_proposals, snapshot
from tests.test_roadmap_sync import add_pair, set_cells


def test_finding_1_a_sloppy_approval_is_an_approval(demo_programme) -> None:
    sync_once(demo_programme)
    key = single_proposals(demo_programme).index[0]
    mentee = single_proposals(demo_programme).loc[key, "mentee_ids"]
    set_cells(demo_programme.registry, "Пары", key, {"Статус": "Утверждена "})
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    pairs = snap["pairs"]
    assert pairs.loc[key, "status"] == "утверждена"
    assert pairs.loc[key, "approved_on"] == NOW.date().isoformat()
    assert snap["mentees"].loc[mentee, "status"] == "в паре"
    assert (pairs["mentee_ids"] == mentee).sum() == 1  # no second pair
    assert sync_once(demo_programme, now=NOW + timedelta(minutes=5)).written is None


def test_finding_4_a_typed_mentor_is_the_curators_choice(demo_programme) -> None:
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    proposals = single_proposals(demo_programme)
    mentors, mentees = snap["mentors"], snap["mentees"]
    # a mentor who has an open proposal of their own elsewhere, of the same direction
    for key, row in proposals.iterrows():
        direction = mentees.loc[row["mentee_ids"], "direction"]
        others = proposals[(proposals.index != key) & (proposals["mentor_id"] != row["mentor_id"])]
        others = others[others["mentor_id"].map(mentors["direction"]) == direction]
        full = others[others["mentor_id"].map(lambda m: int(mentors.loc[m, "capacity"])
                                             == (snap["pairs"]["mentor_id"] == m).sum())]
        if len(full):
            break
    else:
        raise AssertionError("the demo has a full mentor of the same direction")
    chosen = full["mentor_id"].iloc[0]
    name = mentors.loc[chosen, "full_name"]
    set_cells(demo_programme.registry, "Пары", key, {"Наставник": f" {name.upper()} "})
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    pairs = snap["pairs"]
    pair = pairs.loc[key]
    assert pair["mentor_id"] == chosen  # the name became the ID
    assert pair["status"] == "утверждена"
    assert pair["mentor_name"] == name and pair["mentee_names"] == mentees.loc[pair["mentee_ids"], "full_name"]
    assert pair["explanation"].startswith("наставник выбран куратором")
    assert chosen not in pair["alternatives"]
    assert pair["alternatives"]  # fresh ones
    gone = pairs[(pairs["mentor_id"] == chosen) & (pairs["status"] == "снята")]
    assert len(gone) == 1
    assert f"занял выбор куратора (пара {key})" in gone["explanation"].iloc[0]
    displaced = gone["mentee_ids"].iloc[0]
    again = pairs[(pairs["mentee_ids"] == displaced) & (pairs["status"] == "предложена")]
    if len(again):  # the displaced mentee's new proposal says why it replaced the old one
        assert f"прежнее предложение {gone.index[0]} снято" in again["explanation"].iloc[0]
    assert sync_once(demo_programme, now=NOW + timedelta(minutes=5)).written is None
    # a lower-case ID works too, an unknown name is said as such
    other = single_proposals(demo_programme).index[0]
    set_cells(demo_programme.registry, "Пары", other, {"Наставник": "Никто Никтович"})
    sync_once(demo_programme)
    attention = snapshot(demo_programme)["attention"]
    assert "наставник «Никто Никтович» не найден" in attention.loc[f"{other}: правило", "reason"]


def test_finding_5_statuses_stage_dates_agree(demo_programme) -> None:
    sync_once(demo_programme)
    mentor, (first, second) = mentor_with_two(demo_programme)
    snap = snapshot(demo_programme)
    email = snap["mentors"].loc[mentor, "email"]
    proposals = snap["pairs"]
    # a proposal withdrawn because its mentor left has the stage «снята», not «предложена»
    leaving = single_proposals(demo_programme)
    leaving = leaving[leaving["mentor_id"] != mentor].iloc[0]
    set_cells(demo_programme.registry, "Наставники", leaving["mentor_id"], {"Статус": "выбыл"})
    set_cells(demo_programme.registry, "Пары", first, {"Статус": "утверждена"})
    forms = Forms(demo_programme)
    first_mentee = proposals.loc[first, "mentee_ids"]
    name = snap["mentees"].loc[first_mentee, "full_name"]
    # a meeting two weeks ahead does not count until its day
    ahead = (NOW + timedelta(days=14)).strftime("%d.%m.%Y")
    forms.meeting("25.11.2026 10:00:00", email, held_on=ahead, mentee_name=name, kind="пробная встреча")
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    pairs = snap["pairs"]
    assert pairs.loc[leaving.name, "status"] == "снята" and pairs.loc[leaving.name, "stage"] == "снята"
    assert pairs.loc[first, "stage"] == "утверждена"  # the meeting is still ahead
    meeting_id = snap["meetings"].index[0]
    assert snap["meetings"].loc[meeting_id, "pair_id"] == first
    later = NOW + timedelta(days=15)
    sync_once(demo_programme, now=later)
    assert snapshot(demo_programme)["pairs"].loc[first, "stage"] == "пробная встреча"
    # a mentee marked «выбыл» is told so, not «не найден в реестре»
    second_mentee = proposals.loc[second, "mentee_ids"]
    set_cells(demo_programme.registry, "Наставляемые", second_mentee, {"Статус": "выбыл"})
    # the final survey finishes the pair: status, stage, date and the mentee's status agree
    forms.feedback("10.12.2026 10:00:00", email, final=True, role="наставник", partner=name)
    sync_once(demo_programme, now=later + timedelta(minutes=5))
    snap = snapshot(demo_programme)
    pairs = snap["pairs"]
    assert pairs.loc[second, "status"] == "снята"
    assert "наставляемый выбыл из программы" in pairs.loc[second, "explanation"]
    pair = pairs.loc[first]
    assert (pair["status"], pair["stage"]) == ("завершена", "завершена")
    assert pair["ended_on"] == later.date().isoformat() and pair["approved_on"] == NOW.date().isoformat()
    assert snap["mentees"].loc[first_mentee, "status"] == "завершил"
    assert sync_once(demo_programme, now=later + timedelta(minutes=10)).written is None


def test_finding_2_every_report_has_exactly_one_pair_or_an_attention_row(demo_programme) -> None:
    sync_once(demo_programme)
    mentor, (first, second) = mentor_with_two(demo_programme)
    snap = snapshot(demo_programme)
    mentees = snap["mentees"]
    email = snap["mentors"].loc[mentor, "email"]
    names = {k: mentees.loc[snap["pairs"].loc[k, "mentee_ids"], "full_name"] for k in (first, second)}
    forms = Forms(demo_programme)
    forms.meeting("20.11.2026 10:00:00", email, held_on="19.11.2026")  # only proposed yet
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    only = snap["meetings"].index[0]
    assert snap["meetings"].loc[only, "pair_id"] == ""
    assert "еще не утверждена" in snap["attention"].loc[f"{only}: пара", "reason"]
    for key in (first, second):
        set_cells(demo_programme.registry, "Пары", key, {"Статус": "утверждена"})
    surname, given = names[second].split()[:2]
    forms.meeting("21.11.2026 10:00:00", email, held_on="20.11.2026", mentee_name=f"{surname}  {given}")
    forms.feedback("22.11.2026 10:00:00", email, role="наставник")
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    meetings, attention = snap["meetings"], snap["attention"]
    # the blank-name report of a mentor with two pairs lists both, the partial name links
    assert meetings.loc[only, "pair_id"] == ""
    reason = attention.loc[f"{only}: пара", "reason"]
    assert first in reason and second in reason and attention.loc[f"{only}: пара", "status"] == "открыто"
    named = meetings.index[meetings["mentee_name"].str.startswith(surname)][0]
    assert meetings.loc[named, "pair_id"] == second
    answer = snap["feedback"].index[0]
    assert snap["feedback"].loc[answer, "pair_id"] == ""
    assert first in attention.loc[f"{answer}: пара", "reason"]
    # staff type the pair: it wins and the row closes; links never move afterwards
    set_cells(demo_programme.registry, "Встречи", only, {"Пара": first})
    other = single_proposals(demo_programme)
    other = other[other["mentor_id"] != mentor].iloc[0]
    set_cells(demo_programme.registry, "Наставники", other["mentor_id"], {"Статус": "выбыл"})
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    assert snap["pairs"].loc[other.name, "status"] == "снята"
    assert snap["meetings"].loc[only, "pair_id"] == first
    assert snap["meetings"].loc[named, "pair_id"] == second
    assert snap["attention"].loc[f"{only}: пара", "status"] == "исправлено"
    assert snap["pairs"].loc[second, "stage"] == "пробная встреча"


def test_finding_2_a_parents_email_shared_by_two_children(demo_programme) -> None:
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    mentees = snap["mentees"]
    shared = mentees.groupby("email").filter(lambda g: len(g) == 2)
    assert len(shared), "the demo has siblings"
    email = shared["email"].iloc[0]
    children = list(shared.index[shared["email"] == email])
    mentor = snap["mentors"].index[0]
    proposed = {}
    for n, child in enumerate(children):  # the curator adds their pairs by hand
        add_pair(demo_programme.registry, f"П-90{n}", mentor, child, "утверждена")
        proposed[child] = f"П-90{n}"
    forms = Forms(demo_programme)
    forms.feedback("22.11.2026 10:00:00", email, role="наставляемый")
    forms.feedback("22.11.2026 11:00:00", email, role="наставляемый", author=mentees.loc[children[1], "full_name"])
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    answers = snap["feedback"].sort_index()
    blank, named = answers.index
    assert answers.loc[blank, "pair_id"] == ""
    assert "несколько участников" in snap["attention"].loc[f"{blank}: пара", "reason"]
    assert answers.loc[named, "pair_id"] == proposed[children[1]]
    assert answers.loc[named, "participant_id"] == children[1]


def test_a_report_of_a_pair_ended_before_it_was_taken_in_still_finds_that_pair(demo_programme) -> None:
    """A meeting held while the pair worked, reported (or taken in) after the curator ended the
    pair, is that pair's; one held after the end is not (seen on demo --through: 10 reports)."""
    sync_once(demo_programme)
    key = single_proposals(demo_programme).index[0]
    snap = snapshot(demo_programme)
    pair = snap["pairs"].loc[key]
    email = snap["mentors"].loc[pair["mentor_id"], "email"]
    name = snap["mentees"].loc[pair["mentee_ids"], "full_name"]
    set_cells(demo_programme.registry, "Пары", key, {"Статус": "утверждена"})
    sync_once(demo_programme)
    set_cells(demo_programme.registry, "Пары", key, {"Статус": "расторгнута", "Завершена": "21.11.2026"})
    forms = Forms(demo_programme)
    forms.meeting("24.11.2026 10:00:00", email, held_on="20.11.2026", mentee_name=name)
    forms.meeting("24.11.2026 11:00:00", email, held_on="23.11.2026", mentee_name=name)
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    meetings = snap["meetings"].sort_values("held_on")
    before, after = meetings.index[-2], meetings.index[-1]
    assert meetings.loc[before, "pair_id"] == key
    assert meetings.loc[after, "pair_id"] == ""
    assert "уже закрыта" in snap["attention"].loc[f"{after}: пара", "reason"]
    assert snap["pairs"].loc[key, "stage"] == "расторгнута"  # the report does not revive the pair
