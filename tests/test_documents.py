"""Letters, plans, memos and reports on a programme that lived its cycle, as a curator makes them."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from sheets.xlsx import XlsxStore
from sync import clock
from sync.cli import main
from sync.config import load_config
from sync.documents.render import document_text
from tests.conftest import DOCUMENT_COMMANDS, LIVED_THROUGH

THROUGH = LIVED_THROUGH
ALL = [list(args) for args in DOCUMENT_COMMANDS]


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def frames(folder: Path) -> dict[str, pd.DataFrame]:
    return XlsxStore(folder / "registry.xlsx").read_all().frames


def docx_files(folder: Path) -> dict[Path, float]:
    return {p: p.stat().st_mtime_ns for p in (folder / "out").rglob("*.docx")}


@pytest.fixture
def lived(lived_documents: Path) -> Path:
    """The lived demo programme with every document made once (shared with test_documents_figures)."""
    return lived_documents


def text_of(path: Path) -> str:
    return document_text(path.read_bytes())


def test_every_document_is_made_and_every_field_filled(lived: Path) -> None:
    files = list((lived / "out").rglob("*.docx"))
    kinds = {p.parent.name for p in files}
    assert {"Письма наставникам", "Письма наставляемым", "Письма партнерам", "ИПР", "Памятки", "Отчеты"} <= kinds
    for path in files:
        text = text_of(path)
        assert "{{" not in text and "{%" not in text and "Missing" not in text, path.name
    letter = text_of(next((lived / "out").rglob("Письма партнерам/ПТ-0004.docx")))
    assert "Дурново Киму Александровичу" in letter and "Уважаемый Ким Александрович!" in letter
    assert "30 июня 2028 г." in letter and "\u202f" not in letter


def test_documents_are_recorded_and_plans_linked_from_pairs(lived: Path) -> None:
    f = frames(lived)
    docs = f["documents"]
    assert set(docs["state"]) == {"создан"}
    pairs = f["pairs"]
    approved = pairs[pairs["status"].isin(("утверждена", "завершена", "расторгнута"))]
    batches = docs[docs["subject_id"] == "все"]  # each batch's combined printing file is recorded too
    assert set(batches.index) == {f"{k}:все:2026–2028" for k in ("letter_mentor", "letter_mentee", "letter_partner",
                                                                 "plan")}
    for link in batches["link"]:
        assert link.endswith(" — все.docx") and (lived / "out" / link).is_file()
    docs = docs[docs["subject_id"] != "все"]
    plans = docs[docs.index.str.startswith("plan:")]
    assert set(plans["subject_id"]) >= set(approved[approved["status"] != "расторгнута"].index)
    for pid, link in pairs.loc[plans["subject_id"], "plan_link"].items():
        assert link and (lived / "out" / link).is_file(), pid
    finished = pairs[pairs["status"] == "завершена"]
    letters = docs[docs.index.str.startswith("letter_mentor:")]
    assert set(letters["subject_id"]) == set(finished["mentor_id"])


def test_a_second_run_makes_nothing_and_force_replaces(lived: Path) -> None:
    before = docx_files(lived)
    rows = len(frames(lived)["documents"])
    with clock.frozen(THROUGH):
        out = cli("letters", "mentors", "--config", str(lived / "nastavnik.toml"))
        assert "создано 0" in out
        assert docx_files(lived) == before and len(frames(lived)["documents"]) == rows
        target = next(iter(frames(lived)["documents"].query("kind == 'Благодарственное письмо наставнику'")
                           ["subject_id"]))
        out = cli("letters", "mentors", "--only", target, "--force", "--config", str(lived / "nastavnik.toml"))
    assert "заменено 1" in out
    after = docx_files(lived)
    changed = [p.name for p in after if after[p] != before.get(p)]
    assert changed == [f"{target}.docx"]
    docs = frames(lived)["documents"]
    assert docs.loc[f"letter_mentor:{target}:2026–2028", "state"] == "заменен"
    # the printing file held the old letter: it goes, and the curator is told why
    combined = [p for p in before if p.name.endswith("— все.docx") and "наставникам" in p.name]
    assert len(combined) == 1 and not combined[0].exists()
    batch = docs.loc["letter_mentor:все:2026–2028"]
    assert batch["state"] == "удален: в нем прежняя версия" and batch["link"] == "" and batch["pdf"] == ""
    assert "удален: в нем была прежняя версия" in out and target in out
    with clock.frozen(THROUGH):
        cli("letters", "mentors", "--force", "--config", str(lived / "nastavnik.toml"))
    assert combined[0].exists() and frames(lived)["documents"].loc["letter_mentor:все:2026–2028", "state"] == "создан"


def test_report_figures_are_the_registries_figures(lived: Path) -> None:
    f = frames(lived)
    reports = lived / "out" / "2026-2028" / "Отчеты"
    needs = text_of(reports / "Отчет по результатам анализа потребностей в развитии наставляемых.docx")
    mentees = f["mentees"][f["mentees"]["status"] != "выбыл"]
    for direction, n in mentees["direction"].value_counts().items():
        assert f"{direction} |" in needs and f"| {n}" in needs.split(f"{direction} |", 1)[1].split("\n")[0]
    wanted = pd.Series([x.strip() for t in mentees["needs"] for x in t.split(";") if x.strip()]).value_counts()
    top, count = wanted.index[0], int(wanted.iloc[0])
    assert f"| {top} | {count} |" in needs
    final = text_of(reports / "Отчет по итогам программы наставничества.docx")
    fb = f["feedback"]
    for kind, column in (("промежуточная", 1), ("итоговая", 2)):
        mean = pd.to_numeric(fb[fb["kind"] == kind]["satisfaction"]).mean()
        row = next(line for line in final.splitlines() if line.startswith("Удовлетворенность |"))
        assert row.split(" | ")[column] == f"{mean:.1f}".replace(".", ",")
    pairs = f["pairs"]
    counted = pairs[pairs["status"].isin(("утверждена", "пробная встреча", "план развития", "работа", "завершена",
                                          "расторгнута"))]
    held = f["meetings"][f["meetings"]["pair_id"].isin(counted.index) & (f["meetings"]["held_on"] != "")]
    assert f"отмечено отчетами {len(held)} встреч" in final
    assert f"Завершили программу {(pairs['status'] == 'завершена').sum()} " in final


def test_best_cases_are_shown_only_with_publication_consent(lived: Path) -> None:
    f = frames(lived)
    final = text_of(lived / "out" / "2026-2028" / "Отчеты" / "Отчет по итогам программы наставничества.docx")
    consents = f["consents"]
    allowed = {p for p, kind, scope, off in zip(consents["participant_id"], consents["kind"], consents["scope"],
                                                consents["withdrawn_on"], strict=True)
               if kind == "распространение ПД" and "описание кейса" in scope and not off}
    shown = 0
    for _, case in f["practices"].iterrows():
        pair = f["pairs"].loc[case["pair_id"]]
        members = [pair["mentor_id"], *(m.strip() for m in pair["mentee_ids"].split(";"))]
        consented = all(m in allowed for m in members)  # the mentor's consent counts as much as the mentee's
        assert (f"«{case['title']}»" in final) == consented, case["title"]
        shown += consented
    assert shown >= 1


def test_memos_carry_qr_codes_of_the_forms_links(lived: Path) -> None:
    memo = lived / "out" / "2026-2028" / "Памятки" / "Памятка наставника.docx"
    doc = Document(io.BytesIO(memo.read_bytes()))
    images = [r for r in doc.part.rels.values() if "image" in r.reltype]
    assert len(images) == 3
    assert "https://forms.gle/demo-meeting-report" in text_of(memo)


@pytest.fixture
def copy_of(lived: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(lived, target)
    (target / ".nastavnik.lock").unlink(missing_ok=True)
    return target


def test_a_field_the_data_cannot_fill_stops_the_batch_before_anything_is_made(copy_of: Path) -> None:
    template = copy_of / "мой шаблон.docx"
    doc = Document()
    doc.add_paragraph("{{ обращение }} {{ стаж_в_годах }}")
    doc.save(template)
    config = copy_of / "nastavnik.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[documents.templates]", '[documents.templates]\nletter_mentor = "мой шаблон.docx"'), encoding="utf-8")
    before, rows = docx_files(copy_of), len(frames(copy_of)["documents"])
    result = CliRunner().invoke(main, ["letters", "mentors", "--force", "--config", str(config)])
    assert result.exit_code == 1
    assert "{{ стаж_в_годах }}" in result.output and "мой шаблон.docx" in result.output
    assert docx_files(copy_of) == before and len(frames(copy_of)["documents"]) == rows


def test_missing_signature_names_the_setting(copy_of: Path) -> None:
    config = copy_of / "nastavnik.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text("\n".join('director = ""' if line.startswith("director =") else line
                                for line in text.splitlines()) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["letters", "partners", "--force", "--config", str(config)])
    assert result.exit_code == 1 and "[programme] director" in result.output


def _edit(folder: Path, title: str, key: str, values: dict[str, str]) -> None:
    wb = load_workbook(folder / "registry.xlsx")
    ws = wb[title]
    headers = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == key)
    for header, value in values.items():
        ws.cell(row, headers[header]).value = value
    wb.save(folder / "registry.xlsx")


def test_unknown_gender_is_said_neutrally_and_listed_and_staff_can_settle_it(copy_of: Path) -> None:
    config = str(copy_of / "nastavnik.toml")
    _edit(copy_of, "Партнеры", "ПТ-0001", {"Руководитель (ФИО)": "Ким Саша"})
    with clock.frozen(THROUGH):
        cli("letters", "partners", "--only", "ПТ-0001", "--force", "--config", config)
    letter = copy_of / "out" / "2026-2028" / "Письма партнерам" / "ПТ-0001.docx"
    assert "Уважаемый(ая) Саша!" in text_of(letter)
    attention = frames(copy_of)["attention"]
    assert attention.loc["ПТ-0001: обращение", "status"] == "открыто"
    _edit(copy_of, "Партнеры", "ПТ-0001", {"Пол для писем": "ж", "ФИО в дательном падеже": "Ким Саше"})
    with clock.frozen(THROUGH):
        cli("letters", "partners", "--only", "ПТ-0001", "--force", "--config", config)
    text = text_of(letter)
    assert "Уважаемая Саша!" in text and "Ким Саше" in text
    assert frames(copy_of)["attention"].loc["ПТ-0001: обращение", "status"] == "исправлено"


def test_the_letter_head_names_the_position_in_the_dative(lived: Path) -> None:
    letters = lived / "out" / "2026-2028" / "Письма партнерам"
    head = text_of(letters / "ПТ-0002.docx").splitlines()[:3]
    assert head == ["Генеральному директору", "АО «Уралэлектромаш»", "Белых Игорю Семёновичу"]
    assert text_of(letters / "ПТ-0001.docx").splitlines()[0] == "Ректору"


def test_a_position_the_rule_cannot_decline_is_listed_and_staff_can_say_it(copy_of: Path) -> None:
    config = str(copy_of / "nastavnik.toml")
    _edit(copy_of, "Партнеры", "ПТ-0003", {"Должность руководителя": "CEO"})
    with clock.frozen(THROUGH):
        cli("letters", "partners", "--only", "ПТ-0003", "--force", "--config", config)
    letter = copy_of / "out" / "2026-2028" / "Письма партнерам" / "ПТ-0003.docx"
    assert text_of(letter).splitlines()[0] == "Руководителю"  # neutral and right, never «CEOу»
    attention = frames(copy_of)["attention"]
    assert attention.loc["ПТ-0003: должность", "status"] == "открыто"
    _edit(copy_of, "Партнеры", "ПТ-0003", {"Должность (кому)": "исполнительному директору МАОУ СОШ № 5"})
    with clock.frozen(THROUGH):
        cli("letters", "partners", "--only", "ПТ-0003", "--force", "--config", config)
    lines = text_of(letter).splitlines()
    assert lines[:2] == ["Исполнительному директору МАОУ СОШ № 5", "Черных Алле Викторовне"]  # no second org line
    assert frames(copy_of)["attention"].loc["ПТ-0003: должность", "status"] == "исправлено"


def test_unknown_ids_are_refused(copy_of: Path) -> None:
    result = CliRunner().invoke(main, ["letters", "mentors", "--only", "НС-9999", "--config",
                                       str(copy_of / "nastavnik.toml")])
    assert result.exit_code == 1 and "НС-9999" in result.output


def test_a_withdrawn_consent_erases_the_persons_documents(copy_of: Path) -> None:
    f = frames(copy_of)
    docs = f["documents"]
    mentee = next(s for s in docs[docs.index.str.startswith("letter_mentee:")]["subject_id"])
    consent = f["consents"][(f["consents"]["participant_id"] == mentee) & (f["consents"]["kind"] == "обработка ПД")]
    letter = copy_of / "out" / docs.loc[f"letter_mentee:{mentee}:2026–2028", "link"]
    assert letter.is_file()
    for cid in consent.index:
        _edit(copy_of, "Согласия", cid, {"Отозвано": "2028-06-30"})
    with clock.frozen(THROUGH):
        cli("sync", "--config", str(copy_of / "nastavnik.toml"))
    after = frames(copy_of)["documents"]
    assert not letter.exists()
    mine = after[after["subject_id"] == mentee]
    assert set(mine["state"]) == {"удален: отзыв согласия"} and set(mine["link"]) == {""}
    pair = next(k for k, p in f["pairs"].iterrows() if mentee in p["mentee_ids"] and p["plan_link"])
    assert after.loc[f"plan:{pair}:2026–2028", "state"] == "удален: отзыв согласия"
    batch = docs.loc["letter_mentee:все:2026–2028", "link"]  # the printing file held the letter too
    assert not (copy_of / "out" / batch).exists()
    assert after.loc["letter_mentee:все:2026–2028", "state"] == "удален: отзыв согласия"
    assert not (copy_of / "out" / f["documents"].loc[f"plan:{pair}:2026–2028", "link"]).exists()
    # one rule: the attention row names exactly the person's documents the documents step deleted
    erased = sorted(after.index[(after["state"] == "удален: отзыв согласия") & (after["subject_id"] != "все")])
    reason = frames(copy_of)["attention"].loc[f"{mentee}: отзыв согласия", "reason"]
    assert f"документы: {', '.join(erased)}," in reason


def test_the_job_makes_the_plan_when_the_curator_approves(demo_programme) -> None:
    from tests.conftest import sync_once

    sync_once(demo_programme)
    store = XlsxStore(demo_programme.registry)
    pair = next(iter(store.read_all().frames["pairs"].index))
    wb = load_workbook(demo_programme.registry)
    ws = wb["Пары"]
    headers = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == pair)
    ws.cell(row, headers["Статус"]).value = "утверждена"
    wb.save(demo_programme.registry)
    config = demo_programme.path.read_text(encoding="utf-8").replace('curator = ""', 'curator = "Лебедев А. П."')
    demo_programme.path.write_text(config, encoding="utf-8")
    report = sync_once(load_config(demo_programme.path))
    assert "ИПР создано 1" in report.plan.steps["documents"]
    link = store.read_all().frames["pairs"].loc[pair, "plan_link"]
    assert (demo_programme.out_dir / link).is_file()
    assert sync_once(load_config(demo_programme.path)).written is None  # nothing twice


def test_the_plan_waits_with_a_reason_when_a_signature_is_missing(demo_programme) -> None:
    from tests.conftest import sync_once

    sync_once(demo_programme)
    store = XlsxStore(demo_programme.registry)
    pair = next(iter(store.read_all().frames["pairs"].index))
    wb = load_workbook(demo_programme.registry)
    ws = wb["Пары"]
    headers = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == pair)
    ws.cell(row, headers["Статус"]).value = "утверждена"
    wb.save(demo_programme.registry)
    report = sync_once(demo_programme)
    assert any("[programme] curator" in w for w in report.plan.warnings)
    attention = store.read_all().frames["attention"]
    assert attention.loc["документы: ИПР", "status"] == "открыто"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_pdf_beside_the_docx_when_libreoffice_is_present(copy_of: Path, monkeypatch) -> None:
    monkeypatch.delenv("NASTAVNIK_SOFFICE")
    with clock.frozen(THROUGH):
        out = cli("memos", "--force", "--config", str(copy_of / "nastavnik.toml"))
    assert out.count("PDF: 1") == 2
    pdf = copy_of / "out" / "2026-2028" / "Памятки" / "Памятка наставника.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_roadmap_takes_its_evidence_from_the_documents(copy_of: Path) -> None:
    with clock.frozen(THROUGH):
        cli("sync", "--config", str(copy_of / "nastavnik.toml"))
    roadmap = frames(copy_of)["roadmap"]
    for aid in ("2.1", "4.1", "7.2", "7.5"):
        assert roadmap.loc[aid, "status"] == "выполнено", (aid, roadmap.loc[aid, "evidence"])
    assert "сформирован" in roadmap.loc["2.3", "evidence"] and "сформирован" in roadmap.loc["7.1", "evidence"]
    assert "лист «Документы»" in roadmap.loc["2.1", "evidence"]


def test_the_shipped_templates_are_the_ones_their_builders_make(tmp_path: Path) -> None:
    import zipfile

    from sync.documents.catalog import TEMPLATES_DIR
    from sync.documents.shipped import build_all

    for built in build_all(tmp_path):
        with zipfile.ZipFile(built) as new, zipfile.ZipFile(TEMPLATES_DIR / built.name) as shipped:
            # the body only: docProps carry the build's time; rebuild with «python -m sync.documents.shipped»
            assert new.read("word/document.xml") == shipped.read("word/document.xml"), built.name
