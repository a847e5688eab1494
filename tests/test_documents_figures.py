"""Every figure of the monitoring reports, computed here from the registries' rows, against the .docx.

The figures are computed independently of ``sync.documents.figures`` (pandas on the workbook,
the plan's schedule rule as the ИПР states it) and compared with what the rendered reports say,
read back with python-docx from the lived demo (``nastavnik demo --through 2028-06-30``).
Numbers are rounded half up, as a person rounds (7,25 -> 7,3; 12,5 % -> 13 %).
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from sheets.xlsx import XlsxStore
from sync.config import load_config

APPROVED = ("утверждена", "пробная встреча", "план развития", "работа")
COUNTED = (*APPROVED, "завершена", "расторгнута")
TODAY = date(2028, 6, 30)
SCORES = {"Удовлетворенность": "satisfaction", "Польза": "usefulness", "Продвижение к целям": "goals_progress",
          "Оценка наставника": "mentor_quality"}
REPORTS = Path("out") / "2026-2028" / "Отчеты"
INTERIM = "Отчет о промежуточном мониторинге программы наставничества.docx"
FINAL = "Отчет по итогам программы наставничества.docx"


def half_up(value: Fraction, places: int) -> str:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)).replace(".", ",")


def mean(values: list[int]) -> str:
    return half_up(Fraction(sum(values), len(values)), 1) if values else "—"


def percent(n: int, total: int) -> str:
    if not total:
        return "0"
    return str(Decimal(100 * n) / Decimal(total)).split(".")[0] if (100 * n) % total == 0 else str(
        (Decimal(100 * n) / Decimal(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def registry(lived_documents: Path) -> dict[str, pd.DataFrame]:
    return XlsxStore(lived_documents / "registry.xlsx").read_all().frames


def tables(path: Path) -> dict[str, list[list[str]]]:
    """The report's tables by their first header cell: rows of cell texts (header first)."""
    doc = Document(io.BytesIO(path.read_bytes()))
    return {t.rows[0].cells[0].text: [[c.text for c in r.cells] for r in t.rows] for t in doc.tables}


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs]


def ints(frame: pd.DataFrame, column: str) -> list[int]:
    return [int(v) for v in frame[column] if str(v).strip().isdigit()]


def counted_pairs(registry: dict[str, pd.DataFrame]) -> pd.DataFrame:
    pairs = registry["pairs"]
    return pairs[pairs["status"].isin(COUNTED)]


def plan_dates(approved: date, end: date) -> list[date]:
    """The ИПР's schedule as the plan states it: trial in two weeks, planning in four, then one
    meeting a month (none in July and August), the final meeting at the end of May."""
    final = date(end.year, 5, 31) if end.month >= 5 else end
    out = [approved + timedelta(days=14), approved + timedelta(days=28)]
    year, month = out[-1].year, out[-1].month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        if last >= final:
            break
        if month not in (7, 8):
            out.append(last)
    return [*out, final]


@pytest.mark.parametrize("report", [INTERIM, FINAL])
def test_pairs_by_form_and_status(lived_documents: Path, registry: dict[str, pd.DataFrame], report: str) -> None:
    pairs = counted_pairs(registry)
    expected = [["Форма наставничества", "Всего", "В работе", "Завершены", "Расторгнуты"]]
    for form in sorted(set(pairs["mentoring_form"]), key=["педагог – педагог", "руководитель – педагог",
                                                           "педагог – обучающийся",
                                                           "обучающийся – обучающийся"].index):
        part = pairs[pairs["mentoring_form"] == form]
        expected.append([form, str(len(part)), str(part["status"].isin(APPROVED).sum()),
                         str((part["status"] == "завершена").sum()), str((part["status"] == "расторгнута").sum())])
    assert tables(lived_documents / REPORTS / report)["Форма наставничества"] == expected
    mentees = {m.strip() for text in pairs["mentee_ids"] for m in text.replace(",", ";").split(";") if m.strip()}
    groups = sum(1 for text in pairs["mentee_ids"] if len([m for m in text.split(";") if m.strip()]) > 1)
    text = "\n".join(paragraphs(lived_documents / REPORTS / report))
    assert f"Утверждено {len(pairs)} пары или группы (из них групп — {groups}): " in text or \
        f"Утверждено {len(pairs)} пар и групп (из них групп — {groups}): " in text
    assert f"{pairs['mentor_id'].nunique()} наставник" in text and f"{len(mentees)} наставляем" in text


def test_planned_and_held_meetings(lived_documents: Path, registry: dict[str, pd.DataFrame]) -> None:
    config = load_config(lived_documents / "nastavnik.toml")
    pairs = counted_pairs(registry)
    planned = 0
    for pid, pair in pairs.iterrows():
        approved = date.fromisoformat((pair["approved_on"] or pair["proposed_on"])[:10])
        stop = date.fromisoformat(pair["ended_on"][:10]) if pair["status"] == "расторгнута" else TODAY
        dates = plan_dates(approved, config.end)
        planned += sum(1 for d in dates if d <= min(stop, TODAY))
        plan = lived_documents / "out" / "2026-2028" / "ИПР" / f"{pid}.docx"
        if plan.exists():  # the plan the pair signed lists the same meetings
            schedule = tables(plan)["№"]
            assert len(schedule) - 1 == len(dates), pid
    meetings = registry["meetings"]
    held = meetings[meetings["pair_id"].isin(pairs.index) & (meetings["held_on"].str.strip() != "")
                    & (meetings["held_on"].str[:10] <= TODAY.isoformat())]
    for report in (INTERIM, FINAL):
        text = "\n".join(paragraphs(lived_documents / REPORTS / report))
        assert f"запланировано {planned} встреч" in text, report
        assert f"отмечено отчетами {len(held)} встреч" in text, report
        assert f"({percent(len(held), planned)} % плана)" in text, report


def test_interim_scores_by_role(lived_documents: Path, registry: dict[str, pd.DataFrame]) -> None:
    fb = registry["feedback"]
    interim = fb[fb["kind"] == "промежуточная"]
    rows = tables(lived_documents / REPORTS / INTERIM)["Показатель (1–10)"]
    assert rows[0] == ["Показатель (1–10)", "Наставники", "Наставляемые", "Все"]
    expected = []
    for label, column in SCORES.items():
        every = ints(interim, column)
        if every:
            expected.append([label, mean(ints(interim[interim["role"] == "наставник"], column)),
                             mean(ints(interim[interim["role"] == "наставляемый"], column)), mean(every)])
    assert rows[1:] == expected
    text = "\n".join(paragraphs(lived_documents / REPORTS / INTERIM))
    roles = interim["role"].value_counts()
    assert (f"ответили {len(interim)} участник" in text and f"наставников — {roles.get('наставник', 0)}, "
            f"наставляемых — {roles.get('наставляемый', 0)})" in text)
    assert f"Средняя удовлетворенность встречами — {mean(ints(interim, 'satisfaction'))} из 10." in text
    low = sorted({p for p, s in zip(interim["pair_id"], interim["satisfaction"], strict=True)
                  if p and str(s).isdigit() and int(s) <= 4})
    assert ("Низкие оценки (4 и ниже) — пары " + ", ".join(low)) in text if low else "Низкие оценки" not in text


def test_final_scores_and_their_change(lived_documents: Path, registry: dict[str, pd.DataFrame]) -> None:
    fb = registry["feedback"]
    before, after = fb[fb["kind"] == "промежуточная"], fb[fb["kind"] == "итоговая"]
    rows = tables(lived_documents / REPORTS / FINAL)["Показатель (1–10)"]
    expected = []
    for label in ("Удовлетворенность", "Польза", "Продвижение к целям"):
        a, b = ints(before, SCORES[label]), ints(after, SCORES[label])
        change = Fraction(sum(b), len(b)) - Fraction(sum(a), len(a))
        expected.append([label, mean(a), mean(b), ("+" if change >= 0 else "−") + half_up(abs(change), 1)])
    assert rows[1:] == expected
    text = "\n".join(paragraphs(lived_documents / REPORTS / FINAL))
    assert f"Итоговую анкету заполнили {len(after)} участник" in text
    assert f"промежуточную — {len(before)} участник" in text


def test_growth_of_participants(lived_documents: Path, registry: dict[str, pd.DataFrame]) -> None:
    fb = registry["feedback"]
    mentees_final = fb[(fb["kind"] == "итоговая") & (fb["role"] == "наставляемый")]
    goals = ints(mentees_final, "goals_progress")
    reached = sum(1 for g in goals if g >= 7)
    pairs = counted_pairs(registry)
    finished = int((pairs["status"] == "завершена").sum())
    mentors = registry["mentors"]
    long_term = int(((mentors["long_term"] == "да") & (mentors["status"] != "выбыл")).sum())
    ready = int((mentees_final["ready_to_mentor"] == "да").sum())
    text = "\n".join(paragraphs(lived_documents / REPORTS / FINAL))
    assert f"Завершили программу {finished} пар" in text and f" из {len(pairs)}." in text
    assert f"у {reached} наставляем" in text
    assert f"из {len(goals)} ответивших ({percent(reached, len(goals))} %)" in text
    assert f"Готовы сами стать наставниками: {ready} участник" in text
    assert f"В долгосрочном реестре наставников: {long_term} наставник" in text


def test_rounding_is_half_up_as_a_person_rounds() -> None:
    from sync.documents.figures import _mean, _pct

    assert _mean(pd.Series([7, 8, 7, 7])) == "7,3"  # 7,25
    assert _mean(pd.Series([1, 2])) == "1,5" and _mean(pd.Series([], dtype=int)) == "—"
    assert _pct(1, 8) == "13" and _pct(5, 8) == "63" and _pct(0, 0) == "0"  # 12,5 % and 62,5 %
    assert mean([7, 8, 7, 7]) == "7,3" and percent(1, 8) == "13"
