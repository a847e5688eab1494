"""`nastavnik site`: what is public, what never is, and a consent withdrawal taking effect."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner

from sheets.xlsx import XlsxStore
from sync.cli import main
from sync.config import load_config
from sync.site.privacy import fold
from tests.conftest import NOW, sync_once
from tests.lived import set_cells, type_row

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def build(config, out: Path | None = None) -> tuple[Path, str]:
    out = out or config.root / "site"
    result = CliRunner().invoke(main, ["site", "--config", str(config.path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def public_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.iterdir()))


def test_the_section_shows_the_public_content(lived_programme) -> None:
    config, lived = lived_programme
    out, output = build(config)
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html", "mentors.html", "practices.html", "roadmap.html", "style.css"]
    assert "обновлено файлов: 5" in output
    snap = XlsxStore(config.registry).read_all()
    mentors = (out / "mentors.html").read_text(encoding="utf-8")
    assert snap["mentors"].loc[lived.public_mentor, "full_name"] in mentors
    assert snap["mentors"].loc[lived.public_mentor, "direction"] in mentors
    practices = (out / "practices.html").read_text(encoding="utf-8")
    assert "Робототехника с нуля" in practices and "Призовое место" in practices
    assert "Закрытый кейс" not in practices  # no consent of its pair
    roadmap = (out / "roadmap.html").read_text(encoding="utf-8")
    for key, row in snap["roadmap"].iterrows():
        assert f">{key}<" in roadmap and f'status {row["status"]}' not in roadmap  # classes are codes
    assert "<script" not in public_text(out)
    # a second build with nothing new writes no file
    _out, output = build(config)
    assert "обновлено файлов: 0" in output


def test_no_personal_data_beyond_what_a_consent_covers(lived_programme) -> None:
    """Every email, phone, birth date and mentee's name of the registries is absent from the site."""
    config, lived = lived_programme
    out, _ = build(config)
    text = fold(public_text(out))
    snap = XlsxStore(config.registry).read_all()
    mentors, mentees, consents = snap["mentors"], snap["mentees"], snap["consents"]
    assert not EMAIL.findall(text)
    for frame in (mentors, mentees):
        for phone in frame["phone"]:
            digits = re.sub(r"\D", "", phone)
            if digits:
                assert digits[-7:] not in re.sub(r"\D", "", text)
    for born in mentees["birth_date"]:
        if born:
            d = date.fromisoformat(born)
            assert born not in text and d.strftime("%d.%m.%Y") not in text
    public = fold(mentors.loc[lived.public_mentor, "full_name"])
    names = [*mentees["full_name"], *mentees["guardian"], *consents["giver_name"], *mentors["full_name"]]
    for name in (n for n in names if fold(n) != public):
        words = fold(name).split()
        if len(words) >= 2:
            assert " ".join(words[:2]) not in text, "a name without consent is on the site"
    assert fold(mentors.loc[lived.public_mentor, "full_name"]) in text


def test_a_withdrawn_publication_consent_removes_the_person_at_the_next_build(lived_programme) -> None:
    config, lived = lived_programme
    out, _ = build(config)
    snap = XlsxStore(config.registry).read_all()
    name = snap["mentors"].loc[lived.public_mentor, "full_name"]
    assert name in (out / "mentors.html").read_text(encoding="utf-8")
    consents = snap["consents"]
    mine = consents[(consents["participant_id"] == lived.public_mentor) & (consents["kind"] == "распространение ПД")]
    assert len(mine) == 1
    set_cells(config.registry, "Согласия", mine.index[0], {"Отозвано": "2026-11-24"})
    _, output = build(config)
    assert "обновлено файлов: 2" in output  # mentors, and practices: the case needs his consent too
    assert fold(name) not in fold(public_text(out))
    assert "Робототехника с нуля" not in (out / "practices.html").read_text(encoding="utf-8")


def test_a_case_that_names_a_person_is_held_back_and_said_so_by_id(lived_programme) -> None:
    config, lived = lived_programme
    snap = XlsxStore(config.registry).read_all()
    mentee = snap["pairs"].loc[lived.case_pair, "mentee_ids"]
    name = snap["mentees"].loc[mentee, "full_name"]
    key = next(k for k, p in snap["practices"].iterrows() if p["pair_id"] == lived.case_pair)
    set_cells(config.registry, "Лучшие практики", key,
              {"Описание": f"Рассказывает {name.upper()}: мы собрали робота."})
    result = CliRunner().invoke(main, ["site", "--config", str(config.path)])
    assert result.exit_code == 0
    assert f"{key}: в тексте кейса есть персональные данные" in result.output
    assert fold(name.split()[0]) not in fold(result.output)
    assert "Робототехника с нуля" not in (config.root / "site" / "practices.html").read_text(encoding="utf-8")


def test_the_sync_job_rebuilds_the_section_only_when_it_changes(lived_programme) -> None:
    config, _lived = lived_programme
    text = config.path.read_text(encoding="utf-8").replace('out = ""                 #', 'out = "public"  #', 1)
    contacts = "Кабинет 12, тел. +7 (343) 555-12-34, nastavnik@school.example"
    text = text.replace('contacts = ""', f'contacts = "{contacts}"', 1)
    config.path.write_text(text, encoding="utf-8")
    config = load_config(config.path)
    assert config.site.out == config.root / "public"
    report = sync_once(config, now=NOW + timedelta(minutes=5))
    assert report.written is None and report.site is not None and len(report.site.written) == 5
    index = (config.root / "public" / "index.html").read_text(encoding="utf-8")
    assert "+7 (343) 555-12-34" in index and "nastavnik@school.example" in index  # published on purpose
    stamp = (config.root / "public" / "index.html").stat().st_mtime_ns
    report = sync_once(config, now=NOW + timedelta(minutes=10))
    assert report.written is None and report.site.written == []
    assert (config.root / "public" / "index.html").stat().st_mtime_ns == stamp
    type_row(config.registry, "Лучшие практики", {"Пара": "П-0003", "Название кейса": "Новый кейс"})
    report = sync_once(config, now=NOW + timedelta(minutes=15))
    assert report.written is not None and report.site.written == []  # no consent: nothing public changed
