"""Matching on the workbook: proposals with reasons; the curator approves, rejects, retypes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from forms.answers import split_list
from sheets.xlsx import XlsxStore
from sync.cli import main
from sync.config import load_config
from tests.conftest import NOW, sync_once
from tests.test_roadmap_sync import set_cells


def snapshot(config):
    return XlsxStore(config.registry).read_all()


def open_proposals(config, single: bool = False):
    pairs = snapshot(config)["pairs"]
    pairs = pairs[pairs["status"] == "предложена"]
    return pairs[~pairs["mentee_ids"].str.contains(";")] if single else pairs


def test_sync_proposes_pairs_with_reasons_and_no_churn(demo_programme) -> None:
    sync_once(demo_programme)
    pairs = open_proposals(demo_programme)
    assert len(pairs) > 5
    assert pairs["explanation"].str.contains("направленность").all()
    assert (pairs["mentor_id"] == pairs["proposed_mentor"]).all()
    assert pairs["score"].astype(int).between(0, 100).all()
    snap = snapshot(demo_programme)
    mentees = snap["mentees"]
    members = [(row["mentor_id"], m) for _, row in pairs.iterrows() for m in split_list(row["mentee_ids"])]
    assert all(mentees.loc[m, "pd_consent"] for _, m in members)  # consent is a hard rule
    assert len({m for _, m in members}) == len(members)  # one proposal per mentee
    for mentor in {t for t, _ in members}:  # capacity is never exceeded
        assert sum(t == mentor for t, _ in members) <= int(snap["mentors"].loc[mentor, "capacity"])
    assert sync_once(demo_programme, now=NOW + timedelta(minutes=5)).written is None


def test_approve_reject_and_retype_are_honoured(demo_programme) -> None:
    sync_once(demo_programme)
    pairs = open_proposals(demo_programme, single=True)
    snap = snapshot(demo_programme)
    mentors, mentees = snap["mentors"], snap["mentees"]

    def other_mentor(key: str) -> str | None:
        direction = mentees.loc[pairs.loc[key, "mentee_ids"], "direction"]
        same = mentors.index[(mentors["direction"] == direction) & (mentors.index != pairs.loc[key, "mentor_id"])]
        return same[0] if len(same) else None

    retyped = next(k for k in pairs.index if other_mentor(k))
    approved, rejected = [k for k in pairs.index if k != retyped][:2]
    other = other_mentor(retyped)
    untouched = pairs.drop([approved, rejected, retyped])
    rejected_mentor = pairs.loc[rejected, "mentor_id"]
    rejected_mentee = pairs.loc[rejected, "mentee_ids"]
    retyped_mentee = pairs.loc[retyped, "mentee_ids"]

    set_cells(demo_programme.registry, "Пары", approved, {"Статус": "утверждена"})
    set_cells(demo_programme.registry, "Пары", rejected, {"Статус": "отклонена"})
    set_cells(demo_programme.registry, "Пары", retyped, {"Наставник": other})
    sync_once(demo_programme)

    snap = snapshot(demo_programme)
    pairs_after = snap["pairs"]
    assert pairs_after.loc[approved, "status"] == "утверждена"
    assert snap["mentees"].loc[pairs.loc[approved, "mentee_ids"], "status"] == "в паре"
    # the rejected pair stays rejected and its mentee gets another mentor, never the same one
    assert pairs_after.loc[rejected, "status"] == "отклонена"
    again = pairs_after[(pairs_after["mentee_ids"] == rejected_mentee) & (pairs_after.index != rejected)]
    assert (again["mentor_id"] != rejected_mentor).all()
    assert len(again) == 1 or snap["attention"].index.str.startswith(f"{rejected_mentee}: подбор").any()
    # the curator's mentor is kept and explained; no second proposal for that mentee
    assert pairs_after.loc[retyped, "mentor_id"] == other
    assert pairs_after.loc[retyped, "explanation"]
    assert (pairs_after["mentee_ids"] == retyped_mentee).sum() == 1
    # other open proposals did not churn
    for key, row in untouched.iterrows():
        if pairs_after.loc[key, "status"] == "предложена":
            assert pairs_after.loc[key, "mentor_id"] == row["mentor_id"]
    assert sync_once(demo_programme, now=NOW + timedelta(minutes=5)).written is None
    # a rejected pair is never proposed again, on any later run
    sync_once(demo_programme, now=NOW + timedelta(days=1))
    pairs_later = snapshot(demo_programme)["pairs"]
    repeat = pairs_later[(pairs_later["mentee_ids"] == rejected_mentee) & (pairs_later["mentor_id"] == rejected_mentor)]
    assert list(repeat.index) == [rejected]


def test_a_proposal_that_stops_fitting_is_withdrawn_and_the_mentee_rematched(demo_programme) -> None:
    sync_once(demo_programme)
    pairs = open_proposals(demo_programme, single=True)
    key = pairs.index[0]
    mentor, mentee = pairs.loc[key, "mentor_id"], pairs.loc[key, "mentee_ids"]
    set_cells(demo_programme.registry, "Наставники", mentor, {"Статус": "выбыл"})
    sync_once(demo_programme)
    after = snapshot(demo_programme)["pairs"]
    assert after.loc[key, "status"] == "снята"
    assert after.loc[key, "explanation"].startswith("предложение снято:")
    others = after[(after["mentee_ids"] == mentee) & (after.index != key)]
    assert (others["mentor_id"] != mentor).all()


def test_match_command_and_explain(demo_programme) -> None:
    sync_once(demo_programme)
    runner = CliRunner()
    config = str(demo_programme.path)
    result = runner.invoke(main, ["match", "--config", config])
    assert result.exit_code == 0, result.output
    assert "подбор пар:" in result.output and "Изменений нет" in result.output
    pair = open_proposals(demo_programme).index[0]
    result = runner.invoke(main, ["match", "--config", config, "--explain", pair])
    assert result.exit_code == 0 and "совпадает направленность" in result.output
    assert "@" not in result.output
    result = runner.invoke(main, ["match", "--config", config, "--explain", "НВ-9999"])
    assert result.exit_code == 1 and "НВ-9999" in result.output


def test_mentee_without_feasible_mentor_is_in_attention_with_reason(demo_programme) -> None:
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    mentee = snap["mentees"].index[snap["mentees"]["status"] == "ожидает пары"][0]
    set_cells(demo_programme.registry, "Наставляемые", mentee, {"Направленность": "туристско-краеведческая"})
    for key in snap["mentors"].index[snap["mentors"]["direction"] == "туристско-краеведческая"]:
        set_cells(demo_programme.registry, "Наставники", key, {"Статус": "приостановлен"})
    sync_once(demo_programme)
    attention = snapshot(demo_programme)["attention"]
    reason = attention.loc[f"{mentee}: подбор", "reason"]
    assert "туристско-краеведческой направленности" in reason


def test_a_group_mentor_gets_a_group_that_shrinks_when_a_member_stops_fitting(demo_programme) -> None:
    sync_once(demo_programme)
    pairs = open_proposals(demo_programme)
    groups = pairs[pairs["mentee_ids"].str.contains(";")]
    assert len(groups), "the demo has mentors ready to lead a group"
    key = groups.index[0]
    members = split_list(groups.loc[key, "mentee_ids"])
    snap = snapshot(demo_programme)
    assert snap["mentors"].loc[groups.loc[key, "mentor_id"], "group_ok"] == "да"
    forms = {snap["mentees"].loc[m, "category"] == "обучающийся" for m in members}
    assert len(forms) == 1  # pupils and teachers are not mixed in one group
    assert groups.loc[key, "explanation"].startswith("группа: ")
    assert sync_once(demo_programme, now=NOW + timedelta(minutes=5)).written is None
    # one member moves to another direction: the group goes on without them
    leaving = members[0]
    direction = snap["mentees"].loc[leaving, "direction"]
    other = next(d for d in snap["mentors"]["direction"].unique() if d != direction)
    set_cells(demo_programme.registry, "Наставляемые", leaving, {"Направленность": other})
    sync_once(demo_programme)
    after = snapshot(demo_programme)["pairs"]
    assert split_list(after.loc[key, "mentee_ids"]) == members[1:]
    assert after.loc[key, "status"] == "предложена"
    assert leaving not in split_list(after.loc[key, "mentee_ids"])
    assert sync_once(demo_programme, now=NOW + timedelta(minutes=10)).written is None
    # the curator approves the group: every member is in a pair
    set_cells(demo_programme.registry, "Пары", key, {"Статус": "утверждена"})
    sync_once(demo_programme)
    mentees = snapshot(demo_programme)["mentees"]
    assert all(mentees.loc[m, "status"] == "в паре" for m in members[1:])


def test_after_the_cycle_nothing_new_is_proposed_and_the_curator_is_told_how_to_go_on(demo_programme) -> None:
    """The calendar moves past [programme] end: a proposal for a finished programme helps nobody.
    The run says so (and in «Требует внимания»); moving the cycle on lets matching go again."""
    after = datetime(2028, 7, 1, 9, 0, tzinfo=UTC)  # the day after the demo cycle's end
    report = sync_once(demo_programme, now=after)
    line = report.plan.pairing.summary()
    assert "цикл программы завершился 30.06.2028 — новые пары не предлагаются" in line
    snap = snapshot(demo_programme)
    assert len(snap["pairs"]) == 0 and (snap["mentees"]["status"] == "ожидает пары").sum() > 0
    row = snap["attention"].loc["программа: цикл завершен"]
    assert row["status"] == "открыто"
    assert "[programme] start и end" in row["reason"] and "nastavnik.toml" in row["reason"]
    # the curator moves the cycle on: matching resumes and the row is marked fixed
    path = demo_programme.path
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('end = "2028-06-30"', 'end = "2030-06-30"'), encoding="utf-8")
    sync_once(load_config(path), now=after + timedelta(days=1))
    snap = snapshot(demo_programme)
    assert (snap["pairs"]["status"] == "предложена").sum() > 5
    assert snap["attention"].loc["программа: цикл завершен", "status"] == "исправлено"


def test_the_cycles_last_day_still_proposes(demo_programme) -> None:
    last = datetime(2028, 6, 30, 18, 0, tzinfo=UTC)  # 21:00 in Moscow: still the last day
    report = sync_once(demo_programme, now=last)
    assert report.plan.pairing.ended is None and report.plan.pairing.new > 5
    assert "программа: цикл завершен" not in snapshot(demo_programme)["attention"].index


def test_doctor_says_where_today_is_in_the_cycle(demo_programme) -> None:
    from datetime import date

    from sync.doctor import cycle_check

    assert cycle_check(demo_programme, date(2026, 8, 20)).text.endswith("начнется через 12 дн.")
    during = cycle_check(demo_programme, date(2028, 6, 30))
    assert during.ok and "идет, до окончания 0 дн." in during.text
    after = cycle_check(demo_programme, date(2028, 7, 1))
    assert after.ok is None and "завершен — новые пары не предлагаются" in after.text
    for command in ("doctor", "status"):
        result = CliRunner().invoke(main, [command, "--config", str(demo_programme.path)])
        assert "цикл программы 01.09.2026–30.06.2028: идет, до окончания 583 дн." in result.output, command
