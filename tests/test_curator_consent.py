"""Findings 3 and 6 of issue 9 on the demo programme: a withdrawn consent, attention rows' lifecycle."""

from __future__ import annotations

from datetime import timedelta

from openpyxl import load_workbook

from forms.questionnaires import CONSENT_WITHDRAWAL, MENTEE_APPLICATION
from tests.conftest import NOW, sync_once
from tests.curator_helpers import Forms, single_proposals, snapshot
from tests.test_roadmap_sync import set_cells


def workbook_text(path) -> str:
    """Every cell of every sheet, hidden ones included, as one text."""
    wb = load_workbook(path)
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)


def withdrawal(name: str, email: str, by: str = "сам участник", giver: str = "") -> dict[str, str]:
    return {
        "ФИО участника программы": name,
        "Email, указанный в анкете участника": email,
        "Кем отзывается согласие": by,
        "ФИО отзывающего согласие": giver or name,
        "Подтверждение": "Отзываю согласие на обработку персональных данных",
    }


def test_finding_3_a_withdrawn_consent_ends_the_pair_and_erases_the_data(demo_programme) -> None:
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    proposals = single_proposals(demo_programme)
    pupils = snap["mentees"][snap["mentees"]["category"] == "обучающийся"].index
    key = next(k for k, row in proposals.iterrows() if row["mentee_ids"] in pupils)
    mentee = proposals.loc[key, "mentee_ids"]
    person = snap["mentees"].loc[mentee]
    name, email, birth = person["full_name"], person["email"], person["birth_date"]
    mentor_email = snap["mentors"].loc[proposals.loc[key, "mentor_id"], "email"]
    set_cells(demo_programme.registry, "Пары", key, {"Статус": "утверждена"})
    forms = Forms(demo_programme)
    forms.meeting("20.11.2026 10:00:00", mentor_email, held_on="19.11.2026", mentee_name=name,
                  kind="пробная встреча")
    sync_once(demo_programme)
    assert snapshot(demo_programme)["pairs"].loc[key, "stage"] == "пробная встреча"
    # the parent withdraws the consent by the form
    forms.add(CONSENT_WITHDRAWAL, "25.11.2026 09:00:00", email,
              withdrawal(name, email, "родитель", person["guardian"]))
    report = sync_once(demo_programme)
    assert "удалены" in report.plan.steps["erasure"] and mentee in report.plan.steps["erasure"]
    snap = snapshot(demo_programme)
    pair = snap["pairs"].loc[key]
    assert pair["status"] == "расторгнута" and pair["ended_on"] == "2026-11-25"
    assert "отозвано согласие" in pair["explanation"]
    row = snap["mentees"].loc[mentee]
    assert row["status"] == "выбыл" and row["full_name"] == "удалено (отзыв согласия)"
    assert (row["email"], row["birth_date"], row["guardian"], row["phone"]) == ("", "", "", "")
    assert row["category"] == "обучающийся" and row["direction"]  # the anonymised row stays
    assert mentee not in " ".join(snap["attention"].loc[snap["attention"]["status"] == "открыто", "reason"]
                                  .loc[lambda r: r.str.contains("несовершеннолетний")].index)
    text = workbook_text(demo_programme.registry)
    assert name not in text and birth not in text
    assert f"{mentee}: отзыв согласия" in snap["attention"].index  # staff delete the form's copy
    journal = snap["journal"].sort_values("started_at").iloc[-1]["changes"]
    assert mentee in journal and name not in journal
    # a later meeting does not bring the pair back, and nothing churns
    forms.meeting("26.11.2026 10:00:00", mentor_email, held_on="26.11.2026", mentee_name=name)
    later = NOW + timedelta(days=2)
    sync_once(demo_programme, now=later)
    snap = snapshot(demo_programme)
    assert snap["pairs"].loc[key, "status"] == "расторгнута"
    assert sync_once(demo_programme, now=later + timedelta(minutes=5)).written is None
    assert name not in workbook_text(demo_programme.registry)


def test_finding_3_staff_type_the_withdrawal_date(demo_programme) -> None:
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    proposals = single_proposals(demo_programme)
    key = proposals.index[0]
    mentor = proposals.loc[key, "mentor_id"]
    name = snap["mentors"].loc[mentor, "full_name"]
    consent = snap["consents"].index[snap["consents"]["participant_id"] == mentor][0]
    set_cells(demo_programme.registry, "Согласия", consent, {"Отозвано": "01.12.2026"})
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    assert snap["mentors"].loc[mentor, "status"] == "выбыл"
    assert snap["pairs"].loc[key, "status"] == "снята"
    assert name not in workbook_text(demo_programme.registry)
    assert snap["consents"].loc[consent, "participant_id"] == mentor  # the link stays, anonymised
    assert sync_once(demo_programme, now=NOW + timedelta(minutes=5)).written is None


def test_finding_6_attention_rows_close_and_the_summary_counts_rows(demo_programme) -> None:
    report = sync_once(demo_programme)
    snap = snapshot(demo_programme)
    attention = snap["attention"]
    opened = int((attention["status"] == "открыто").sum())
    assert f"новых строк {opened}," in report.plan.steps["attention"]
    bad = attention[(attention["form"] == MENTEE_APPLICATION.title)
                    & attention["reason"].str.contains("вариант|не из списка|робототехника", regex=True)
                    | (attention["value"] == "робототехника")]
    assert len(bad), "the demo has an unknown option"
    import json

    row = bad.iloc[0]
    answers = json.loads(row["answers"])
    email = answers.pop("Адрес электронной почты")
    answers["Направленность"] = "техническая"
    from tests.conftest import write_export
    from tests.curator_helpers import Forms  # noqa: F401 — same exports as the curator's

    export = demo_programme.forms_dir / f"{MENTEE_APPLICATION.code}.csv"
    lines = export.read_text(encoding="utf-8-sig")
    write_export(demo_programme, MENTEE_APPLICATION, [])
    export.write_text(lines.rstrip("\r\n") + "\r\n" + _csv_row("26.11.2026 10:00:00", email, answers), encoding="utf-8")
    sync_once(demo_programme, now=NOW + timedelta(days=1))
    snap = snapshot(demo_programme)
    assert snap["attention"].loc[row.name, "status"] == "исправлено"
    assert (snap["mentees"]["email"] == email).any()
    # the curator's decision is offered, honoured and kept
    other = snap["attention"].index[snap["attention"]["status"] == "открыто"][0]
    set_cells(demo_programme.registry, "Требует внимания", other, {"Решение куратора": "не требует действий"})
    sync_once(demo_programme, now=NOW + timedelta(days=1, minutes=5))
    assert snapshot(demo_programme)["attention"].loc[other, "status"] == "принято вручную"
    assert sync_once(demo_programme, now=NOW + timedelta(days=1, minutes=10)).written is None


def _csv_row(stamp: str, email: str, answers: dict[str, str]) -> str:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(
        [stamp, email, *[answers.get(q.title, "") for q in MENTEE_APPLICATION.questions]])
    return buf.getvalue()


def test_finding_8_demo_refuses_a_folder_with_a_programme(tmp_path) -> None:
    from click.testing import CliRunner

    from sync.cli import main

    runner = CliRunner()
    folder = str(tmp_path / "prog")
    assert runner.invoke(main, ["demo", folder, "--mentors", "3", "--mentees", "5"]).exit_code == 0
    export = tmp_path / "prog" / "forms" / "mentor_application.csv"
    export.write_text("real answers", encoding="utf-8")
    result = runner.invoke(main, ["demo", folder, "--mentors", "3", "--mentees", "5"])
    assert result.exit_code == 1 and "уже есть программа" in result.output and "--force" in result.output
    assert export.read_text(encoding="utf-8") == "real answers"  # nothing replaced
    result = runner.invoke(main, ["demo", folder, "--mentors", "3", "--mentees", "5", "--force"])
    assert result.exit_code == 0, result.output
    assert export.read_text(encoding="utf-8-sig").startswith("Отметка времени")


def test_a_word_in_the_withdrawal_date_erases_nothing_until_it_is_a_date(demo_programme) -> None:
    """Erasure cannot be undone: «скоро» in «Отозвано» is an unreadable cell for a person to
    fix, not a withdrawal (seen playing the curator on the demo)."""
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    mentor = snap["mentors"].index[0]
    name = snap["mentors"].loc[mentor, "full_name"]
    consent = snap["consents"].index[(snap["consents"]["participant_id"] == mentor)
                                     & (snap["consents"]["kind"] == "обработка ПД")][0]
    set_cells(demo_programme.registry, "Согласия", consent, {"Отозвано": "скоро"})
    report = sync_once(demo_programme)
    assert "удалены" not in report.plan.steps.get("erasure", "")
    snap = snapshot(demo_programme)
    assert snap["mentors"].loc[mentor, "full_name"] == name
    assert f"{mentor}: отзыв согласия" not in snap["attention"].index
    cell = snap["attention"].loc[f"ячейка Согласия, {consent}: Отозвано"]
    assert cell["status"] == "открыто" and "дата не распознана" in cell["reason"]
    set_cells(demo_programme.registry, "Согласия", consent, {"Отозвано": "01.12.2026"})
    sync_once(demo_programme, now=NOW + timedelta(minutes=5))
    assert name not in workbook_text(demo_programme.registry)
