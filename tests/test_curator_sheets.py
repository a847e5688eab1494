"""Findings 10 and 11 of issue 9: who fills a column shows, sheets read and print well."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from sheets.look import OWNER_COLOURS
from sheets.schema import BY_TITLE, Owner
from tests.conftest import sync_once


def _columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


def test_findings_10_11_headers_dropdowns_guide_dates_print(demo_programme) -> None:
    sync_once(demo_programme)
    wb = load_workbook(demo_programme.registry)
    pairs = wb["Пары"]
    cols = _columns(pairs)
    fill = pairs.cell(1, cols["Ссылка на ИПР"]).fill.fgColor.rgb
    assert fill.endswith(OWNER_COLOURS[Owner.STAFF])  # staff fill it: not a grey header
    assert pairs.cell(1, cols["Этап"]).fill.fgColor.rgb.endswith(OWNER_COLOURS[Owner.JOB])
    for title in ("Наставляемые", "Дорожная карта", "Требует внимания"):
        ws = wb[title]
        job_letters = {c.column_letter for c in ws[1] if BY_TITLE[title].by_header()[c.value].owner is Owner.JOB}
        validated = {str(r).split(":")[0].rstrip("0123456789") for dv in ws.data_validations.dataValidation
                     for r in dv.sqref.ranges}
        assert not job_letters & validated, title  # job-owned columns invite no typing
    assert any("Решение куратора" == c.value for c in wb["Требует внимания"][1])
    guide = wb["Как заполнять"]
    text = [[c.value for c in row] for row in guide.iter_rows()]
    assert any("заполняют сотрудники" in str(r[2]) for r in text)
    assert any(r[0] == "Пары" and r[1] == "Статус" and "утверждена" in str(r[3]) for r in text)
    mentors = wb["Наставники"]
    added = mentors.cell(2, _columns(mentors)["Дата включения"])
    assert isinstance(added.value, dt.datetime) and added.number_format == "DD.MM.YYYY"
    assert pairs.cell(1, 1).alignment.wrap_text
    explanation = pairs.cell(2, cols["Объяснение"])
    assert explanation.alignment.wrap_text
    # every cell of a row starts at its top: beside a wrapped explanation, the ID and the names
    # are on one line (bottom-aligned IDs read as the next row's; seen printing «Пары»)
    assert {pairs.cell(2, c).alignment.vertical for c in cols.values() if pairs.cell(2, c).value} == {"top"}
    for ws in (pairs, mentors, guide):
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows


def test_finding_10_russian_words_wrapping_status_and_explain(demo_programme) -> None:
    import subprocess
    import sys

    from click.testing import CliRunner

    from sync.cli import main
    from sync.status import current_roadmap, render_table
    from tests.conftest import NOW
    from tests.curator_helpers import single_proposals

    runner = CliRunner()
    for command in ("demo", "sync", "match", "init", "status"):
        help_text = runner.invoke(main, [command, "--help"]).output
        for english in ("TEXT", "PATH", "INTEGER", "[default:", "FOLDER", "<=x<="):
            assert english not in help_text, (command, english)
    done = subprocess.run([sys.executable, "-c", "from sync.cli import entry; entry()", "sync", "--config"],
                          capture_output=True, text=True)
    assert "после --config нужно значение" in done.stderr and "Option" not in done.stderr
    report = sync_once(demo_programme)
    assert "блокирующих" not in report.plan.steps["pairs"] and "optimal" not in report.plan.steps["pairs"]
    from sync.job import describe_plan

    lines = describe_plan(report.plan, limit=10_000)
    assert not any("«скрыто» → «скрыто»" in line for line in lines)
    from sheets.xlsx import XlsxStore

    rows = current_roadmap(XlsxStore(demo_programme.registry).read_all(), demo_programme, NOW)
    table = render_table(rows, width=100)
    assert max(len(line) for line in table.splitlines()) <= 100
    assert "нормативно-правовой" in table  # wrapped, not cut
    key = single_proposals(demo_programme).index[0]
    result = runner.invoke(main, ["match", "--config", str(demo_programme.path), "--explain", key.lower()])
    assert result.exit_code == 0 and key in result.output


def test_an_older_workbook_without_the_new_optional_columns_still_syncs(demo_programme) -> None:
    sync_once(demo_programme)
    wb = load_workbook(demo_programme.registry)
    ws = wb["Пары"]
    for header in ("ФИО наставника", "ФИО наставляемых"):
        ws.delete_cols(_columns(ws)[header])
    wb.save(demo_programme.registry)
    from tests.curator_helpers import single_proposals
    from tests.test_roadmap_sync import set_cells

    key = single_proposals(demo_programme).index[0]
    set_cells(demo_programme.registry, "Пары", key, {"Статус": "утверждена"})
    report = sync_once(demo_programme)
    assert report.ok and report.written is not None
