"""``nastavnik demo --through``: a programme that lived through its cycle, as a curator would run it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets.xlsx import XlsxStore
from sync import clock
from sync.cli import main
from sync.config import load_config

SMALL = ["--mentors", "6", "--mentees", "16", "--seed", "4"]


def lived(folder: Path, through: str) -> dict:
    result = CliRunner().invoke(main, ["demo", str(folder), *SMALL, "--through", through])
    assert result.exit_code == 0, result.output
    return XlsxStore(folder / "registry.xlsx").read_all().frames


@pytest.fixture(scope="module")
def whole_cycle(lived_demo: Path) -> tuple[Path, dict]:
    return lived_demo, XlsxStore(lived_demo / "registry.xlsx").read_all().frames


def test_a_whole_cycle_has_every_trace_a_school_leaves(whole_cycle) -> None:
    _, frames = whole_cycle
    pairs = frames["pairs"]
    assert (pairs["status"] == "завершена").sum() >= 3
    assert (pairs["status"] == "отклонена").sum() + (pairs["status"] == "завершена").sum() <= len(pairs)
    finished = pairs[pairs["status"] == "завершена"]
    assert (finished["ended_on"] != "").all() and (finished["approved_on"] != "").all()
    meetings = frames["meetings"]
    # every report finds its pair, those of pairs ended before the report was taken in too
    assert len(meetings) > 0 and (meetings["pair_id"] != "").all(), meetings[meetings["pair_id"] == ""].index.tolist()
    kinds = set(meetings["kind"])
    assert {"пробная встреча", "встреча планирования", "плановая встреча", "итоговая встреча"} <= kinds
    feedback = frames["feedback"]
    assert {"промежуточная", "итоговая"} <= set(feedback["kind"])
    # people name themselves and whom they work with, as the form asks: every answer finds its pair
    assert (feedback["pair_id"] != "").all(), feedback[feedback["pair_id"] == ""].index.tolist()
    assert (frames["practices"]["title"] != "").all() and len(frames["practices"]) >= 1
    partners = frames["partners"]
    assert len(partners) == 4 and all(k.startswith("ПТ-") for k in partners.index)
    assert (frames["mentors"]["long_term"] == "да").any()
    assert (frames["mentors"]["trained"] == "да").any()
    roadmap = frames["roadmap"]
    assert roadmap.loc["1.1", "manual_status"] == "выполнено"


def test_every_answer_lies_before_the_through_date(whole_cycle) -> None:
    folder, frames = whole_cycle
    assert (frames["meetings"]["held_on"] <= "2028-06-30").all()
    assert (frames["feedback"]["answered_on"] <= "2028-06-30").all()
    approved = frames["pairs"]["approved_on"]
    assert (approved[approved != ""] >= "2026-09-01").all() and (approved != "").any()


def test_the_lived_demo_is_settled_a_sync_on_that_day_writes_nothing(whole_cycle) -> None:
    folder, _ = whole_cycle
    with clock.frozen(datetime(2028, 6, 30, 17, 0, tzinfo=UTC)):
        result = CliRunner().invoke(main, ["sync", "--config", str(folder / "nastavnik.toml")])
    assert result.exit_code == 0, result.output
    assert "Изменений нет" in result.output


def test_half_a_cycle_stops_at_the_date(tmp_path: Path) -> None:
    frames = lived(tmp_path / "half", "2027-02-28")
    assert not (frames["pairs"]["status"] == "завершена").any()
    assert set(frames["feedback"]["kind"]) == {"промежуточная"}
    assert (frames["meetings"]["held_on"] <= "2027-03-01").all()
    assert len(frames["partners"]) == 4 and len(frames["practices"]) == 0


def test_before_the_first_run_only_applications(tmp_path: Path) -> None:
    frames = lived(tmp_path / "early", "2026-10-01")
    assert len(frames["mentors"]) > 0 and len(frames["pairs"]) > 0
    assert not (frames["pairs"]["status"] == "утверждена").any()
    assert len(frames["meetings"]) == 0


def test_the_same_seed_lives_the_same_life(tmp_path: Path) -> None:
    a, b = lived(tmp_path / "a", "2026-11-05"), lived(tmp_path / "b", "2026-11-05")
    assert (a["pairs"]["status"] == "утверждена").any()
    for name in ("pairs", "meetings", "feedback", "mentors"):
        assert a[name].equals(b[name]), name


def test_a_date_after_the_cycle_is_refused_in_russian(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "x"), *SMALL, "--through", "2031-01-01"])
    assert result.exit_code == 1
    assert "позже окончания цикла" in result.output
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "y"), "--through", "завтра"])
    assert result.exit_code == 1 and "нужна дата ГГГГ-ММ-ДД" in result.output
    assert load_config(tmp_path / "x" / "nastavnik.toml").end.year == 2028


def test_the_lived_demo_publishes_the_consented_cases_and_mentors_on_the_site(whole_cycle, tmp_path: Path) -> None:
    import shutil

    folder, frames = whole_cycle
    practices = frames["practices"]
    published = practices[practices["publication_ok"] == "да"]
    assert len(published) >= 1  # the curator asked the best pairs; most of them agreed
    copy = tmp_path / "demo"
    shutil.copytree(folder, copy)
    with clock.frozen(datetime(2028, 6, 30, 17, 0, tzinfo=UTC)):
        result = CliRunner().invoke(main, ["site", "--config", str(copy / "nastavnik.toml"), "--out",
                                           str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site" / "practices.html").read_text(encoding="utf-8")
    for _, case in practices.iterrows():
        assert (case["title"] in page) == (case["publication_ok"] == "да"), case["title"]
    mentors = frames["mentors"]
    named = (tmp_path / "site" / "mentors.html").read_text(encoding="utf-8")
    shown = [m for m in mentors[mentors["long_term"] == "да"]["full_name"] if m in named]
    assert shown  # long-term mentors who allowed their name
