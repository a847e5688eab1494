"""«Сводка»: figures equal the registries, charts are native and made once, no churn."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from sheets.charts import ChartLayoutError
from sheets.schema import DASHBOARD, PAIR_STATUSES
from sheets.xlsx import XlsxStore
from sheets.xlsx_charts import category_refs, series_refs
from sync.dashboard.layout import chart_specs, dashboard_layout
from sync.dashboard.step import install_dashboard
from tests.conftest import NOW, sync_once

APPROVED = {"утверждена", "пробная встреча", "план развития", "работа", "завершена"}


def sheets_of(config) -> dict[str, pd.DataFrame]:
    """Every sheet as staff would export it: text, blanks as ''."""
    return {k: v.fillna("").astype(str) for k, v in pd.read_excel(
        config.registry, sheet_name=None, dtype=str, engine="calamine").items()}


def figures_of(book: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    sheet = book["Сводка"]
    return {row["Код"]: [row["Значение"], row["Значение 2"], row["Значение 3"], row["Значение 4"]]
            for _, row in sheet.iterrows()}


def num(text: str) -> float:
    return float(text) if text else 0.0


def test_figures_equal_the_registries(lived_programme) -> None:
    demo_programme, _lived = lived_programme
    book = sheets_of(demo_programme)
    assert_figures_equal(book, NOW.date().isoformat())
    mentors = book["Наставники"]
    assert (mentors["В долгосрочном реестре"] == "да").sum() == 2
    assert num(figures_of(book)["показатели: встречи по плану"][0]) > 0  # the curator planned some


@pytest.fixture(scope="module")
def whole_cycle(lived_demo: Path) -> Path:
    """`nastavnik demo --through 2028-06-30`: a programme that went through its whole cycle (the
    session's lived demo, only read here)."""
    return lived_demo


def test_on_a_whole_cycle_figures_equal_the_registries_and_charts_point_at_them(whole_cycle) -> None:
    from sync.config import load_config

    config = load_config(whole_cycle / "nastavnik.toml")
    book = sheets_of(config)
    assert book["Журнал синхронизации"]["Начало"].max()[:7] == "2028-06"
    assert_figures_equal(book, "2028-06-30")  # the demo's last run: a run that wrote nothing agrees too
    fig = figures_of(book)
    assert num(fig["показатели: удовлетворенность итоговая"][0]) > 0
    assert num(fig["статусы: завершена"][0]) > 0 and num(fig["воронка: завершили"][0]) > 0
    assert_charts_point_at_their_rows(config)


def assert_figures_equal(book: dict[str, pd.DataFrame], today: str) -> None:
    """Every figure of «Сводка» recomputed from the other sheets with pandas."""
    fig = figures_of(book)
    mentors, mentees, pairs = book["Наставники"], book["Наставляемые"], book["Пары"]
    meetings, feedback, roadmap = book["Встречи"], book["Обратная связь"], book["Дорожная карта"]

    def value(key: str) -> float:
        return num(fig[f"показатели: {key}"][0])

    assert value("наставники") == len(mentors)
    assert value("наставники с согласием") == (mentors["Согласие на ПД"] != "").sum()
    assert value("наставники долгосрочные") == (mentors["В долгосрочном реестре"] == "да").sum()
    assert value("наставляемые") == len(mentees)
    assert value("наставляемые с согласием") == (mentees["Согласие на ПД"] != "").sum()
    assert value("наставляемые ждут пары") == (mentees["Статус"] == "ожидает пары").sum()
    assert value("пары") == (~pairs["Статус"].isin(["отклонена", "снята"])).sum()
    held = meetings["Дата встречи"] != ""
    due = (meetings["Дата по плану"] != "") & (meetings["Дата по плану"] <= today)
    assert value("встречи проведены") == held.sum() > 0
    assert value("встречи по плану") == due.sum()
    assert value("встречи по плану проведены") == (due & held).sum()
    interim = feedback[feedback["Вид"] == "промежуточная"]["Удовлетворенность"].astype(int)
    final = feedback[feedback["Вид"] == "итоговая"]["Удовлетворенность"].astype(int)
    assert value("удовлетворенность промежуточная") == round(interim.mean(), 1)
    assert value("удовлетворенность итоговая") == round(final.mean(), 1)
    assert value("дк просрочено") == (roadmap["Статус"] == "просрочено").sum()
    assert value("дк выполнено") == (roadmap["Статус"] == "выполнено").sum()
    assert value("внимание") == (book["Требует внимания"]["Статус"] == "открыто").sum()
    for status in PAIR_STATUSES:
        assert num(fig[f"статусы: {status}"][0]) == (pairs["Статус"] == status).sum(), status
    by_mentor = dict(zip(mentors["ID"], mentors["Направленность"], strict=True))
    direction = pairs["Наставник"].map(by_mentor)
    for d in set(direction):
        approved = ((direction == d) & pairs["Этап"].isin(APPROVED)).sum()
        proposed = ((direction == d) & (pairs["Статус"] == "предложена")).sum()
        assert [num(x) for x in fig[f"направленности: {d}"][:2]] == [approved, proposed]
    stages = mentees["Этап"]
    assert num(fig["воронка: в паре"][0]) == stages.isin(APPROVED).sum() > 0
    assert num(fig["воронка: завершили"][0]) == (stages == "завершена").sum()
    months = feedback["Дата ответа"].str[:7]
    for month in set(months):
        for i, kind in enumerate(("промежуточная", "итоговая")):
            answers = feedback[(months == month) & (feedback["Вид"] == kind)]["Удовлетворенность"].astype(int)
            got = fig[f"удовлетворенность: {month}"][i]
            assert (num(got) == round(answers.mean(), 1)) if len(answers) else got == "", (month, kind)
    for n in range(1, 8):
        counts = roadmap[roadmap["№"].str.split(".").str[0] == str(n)]["Статус"].value_counts()
        got = [num(x) for x in fig[f"дорожная карта: этап {n}"]]
        assert got == [counts.get(s, 0) for s in ("выполнено", "в работе", "просрочено", "не начато")]


def test_charts_point_at_their_rows_and_survive_every_write(lived_programme) -> None:
    assert_charts_point_at_their_rows(lived_programme[0])


def assert_charts_point_at_their_rows(demo_programme) -> None:
    """Each chart read back from the .xlsx plots its block's rows, found by key."""
    wb = load_workbook(demo_programme.registry)
    ws = wb["Сводка"]
    keys = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    refs, cats = series_refs(ws), category_refs(ws)
    specs = chart_specs(dashboard_layout(demo_programme))
    assert sorted(refs) == sorted(s.title for s in specs) and len(specs) == 4
    letters = {"value": "C", "value2": "D", "value3": "E", "value4": "F"}
    for spec in specs:
        first, last = keys[spec.keys[0]], keys[spec.keys[-1]]
        assert last - first == len(spec.keys) - 1
        assert refs[spec.title] == [f"'Сводка'!${letters[c]}${first + 1}:${letters[c]}${last}" for c in spec.series]
        assert set(cats[spec.title]) == {f"'Сводка'!$B${first + 1}:$B${last}"}
        # the title row names the series
        assert [ws[f"{letters[c]}{first}"].value for c in spec.series] == list(
            next(b for b in dashboard_layout(demo_programme) if b.title == spec.title).series)


def test_a_run_with_nothing_new_writes_nothing_and_charts_are_made_once(lived_programme) -> None:
    demo_programme, _lived = lived_programme
    assert sync_once(demo_programme, now=NOW + timedelta(minutes=5)).written is None
    store = XlsxStore(demo_programme.registry)
    before = demo_programme.registry.stat().st_mtime_ns
    assert install_dashboard(store, demo_programme, store.add_charts) == []  # init again: nothing
    assert demo_programme.registry.stat().st_mtime_ns == before
    assert len(load_workbook(demo_programme.registry)["Сводка"]._charts) == 4


def test_a_figure_read_back_with_a_decimal_comma_is_not_rewritten() -> None:
    """A Russian-locale Google sheet shows 7.5 as «7,5»: the same figure, no write."""
    from sync.dashboard.step import _same

    assert _same("7,5", "7.5") and _same("12", "12") and not _same("7,4", "7.5") and not _same("", "0")


def test_charts_refuse_rows_out_of_order_with_a_russian_reason(programme) -> None:
    store = XlsxStore(programme.registry)
    wb = load_workbook(programme.registry)
    ws = wb["Сводка"]
    for chart in list(ws._charts):
        ws._charts.remove(chart)
    a, b = ws["A40"].value, ws["A41"].value
    ws["A40"], ws["A41"] = b, a
    wb.save(programme.registry)
    with pytest.raises(ChartLayoutError, match="переставлены"):
        store.add_charts(DASHBOARD.name, chart_specs(dashboard_layout(programme)))
