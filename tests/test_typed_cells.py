"""Typed cells staff type by hand are read or reported, never guessed; choices are tidied."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms.answers import split_list
from sheets.schema import BY_NAME, Kind
from sheets.typed import fold, read_cell
from sheets.xlsx import XlsxStore
from tests.conftest import NOW, sync_once
from tests.test_roadmap_sync import set_cells

CAPACITY = BY_NAME["mentors"].column("capacity")
MENTOR_STATUS = BY_NAME["mentors"].column("status")
PAIR_STATUS = BY_NAME["pairs"].column("status")
TRAINED = BY_NAME["mentors"].column("trained")
WITHDRAWN = BY_NAME["consents"].column("withdrawn_on")
DAYS = BY_NAME["mentors"].column("days")
SATISFACTION = BY_NAME["feedback"].column("satisfaction")

READS = [
    (CAPACITY, "3", 3, "3"),
    (CAPACITY, " 3 ", 3, "3"),
    (CAPACITY, "3.0", 3, "3"),
    (CAPACITY, "3,0", 3, "3"),
    (CAPACITY, "+2", 2, "2"),
    (CAPACITY, "0", 0, "0"),
    (CAPACITY, "1\u00a0000", 1000, "1000"),
    (CAPACITY, "", None, ""),
    (SATISFACTION, "10", 10, "10"),
    (SATISFACTION, "1", 1, "1"),
    (PAIR_STATUS, "Утверждена ", "утверждена", "утверждена"),
    (PAIR_STATUS, "УТВЕРЖДЕНА", "утверждена", "утверждена"),
    (PAIR_STATUS, "пробная  встреча", "пробная встреча", "пробная встреча"),
    (PAIR_STATUS, "пробная\u00a0встреча", "пробная встреча", "пробная встреча"),
    (PAIR_STATUS, "План развития", "план развития", "план развития"),
    (PAIR_STATUS, "предложена", "предложена", "предложена"),
    (MENTOR_STATUS, "Активен", "активен", "активен"),
    (MENTOR_STATUS, " приостановлен", "приостановлен", "приостановлен"),
    (BY_NAME["mentees"].column("category"), "Обучающийся", "обучающийся", "обучающийся"),
    (BY_NAME["mentees"].column("category"), "Молодой  педагог", "молодой педагог", "молодой педагог"),
    (PAIR_STATUS, "утверждёна", "утверждена", "утверждена"),
    (BY_NAME["mentors"].column("direction"), "Естественнонаучная", "естественнонаучная", "естественнонаучная"),
    (BY_NAME["roadmap"].column("manual_status"), "Выполнено", "выполнено", "выполнено"),
    (TRAINED, "да", True, "да"),
    (TRAINED, "Да", True, "да"),
    (TRAINED, "ДА ", True, "да"),
    (TRAINED, "нет", False, "нет"),
    (TRAINED, "Нет", False, "нет"),
    (TRAINED, "ИСТИНА", True, "да"),
    (TRAINED, "ЛОЖЬ", False, "нет"),
    (TRAINED, "yes", True, "да"),
    (WITHDRAWN, "2026-11-20", date(2026, 11, 20), "2026-11-20"),
    (WITHDRAWN, "20.11.2026", date(2026, 11, 20), "2026-11-20"),
    (WITHDRAWN, "20.11.26", date(2026, 11, 20), "2026-11-20"),
    (WITHDRAWN, "2026-11-20 00:00:00", date(2026, 11, 20), "2026-11-20"),
    (DAYS, "вт; чт", ("вт", "чт"), "вт; чт"),
    (DAYS, "ЧТ, вт", ("вт", "чт"), "вт; чт"),
    (DAYS, "пн;пн", ("пн",), "пн"),
    (BY_NAME["mentors"].column("formats"), "Очно; дистанционно", ("очно", "дистанционно"), "очно; дистанционно"),
]

UNREADABLE = [
    (CAPACITY, "три", "целое"),
    (CAPACITY, "2.5", "целое"),
    (CAPACITY, "-1", "целое"),
    (CAPACITY, "3 наставляемых", "целое"),
    (CAPACITY, "=1+2", "целое"),
    (CAPACITY, "٣", "целое"),  # an Arabic-Indic digit is a digit to Python, not to a person here
    (SATISFACTION, "0", "меньше 1"),
    (SATISFACTION, "11", "больше 10"),
    (PAIR_STATUS, "ну такое", "нет в списке"),
    (PAIR_STATUS, "утвержд", "нет в списке"),
    (MENTOR_STATUS, "в отпуске", "нет в списке"),
    (MENTOR_STATUS, "активен?", "нет в списке"),
    (TRAINED, "может быть", "«да» или «нет»"),
    (TRAINED, "да нет", "«да» или «нет»"),
    (WITHDRAWN, "32.13.2026", "дата не распознана"),
    (WITHDRAWN, "31.02.2026", "дата не распознана"),
    (WITHDRAWN, "вчера", "дата не распознана"),
    (WITHDRAWN, "2026-13-01", "дата не распознана"),
    (DAYS, "вт; воскресенье", "«воскресенье»"),
    (BY_NAME["mentors"].column("formats"), "очно; по телефону", "«по телефону»"),
]


@pytest.mark.parametrize(("column", "text", "value", "canonical"), READS)
def test_a_typed_cell_reads_and_tidies(column, text, value, canonical) -> None:
    got = read_cell(column, text)
    if canonical is None:
        assert not got.ok
        return
    assert got.ok and got.value == value and got.canonical == canonical


@pytest.mark.parametrize(("column", "text", "reason"), UNREADABLE)
def test_an_unreadable_cell_says_why(column, text, reason) -> None:
    got = read_cell(column, text)
    assert not got.ok and got.value is None and reason in got.problem
    assert got.canonical == text  # never rewritten on a guess


@given(st.text(max_size=30))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_any_text_reads_or_is_reported(text) -> None:
    for schema in BY_NAME.values():
        for column in schema.columns:
            got = read_cell(column, text)
            assert got.ok or got.problem
            if column.kind is Kind.CHOICE and column.choices and got.ok and got.value is not None:
                assert got.value in column.choices and fold(got.value) == fold(text)
            if got.ok and got.value is not None:  # the canonical text reads back as itself
                assert read_cell(column, got.canonical).canonical == got.canonical


def attention(config):
    return XlsxStore(config.registry).read_all()["attention"]


def snapshot(config):
    return XlsxStore(config.registry).read_all()


def test_staff_typos_are_reported_with_sheet_id_column_and_value(demo_programme) -> None:
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    mentor = snap["mentors"].index[0]
    other = snap["mentors"].index[1]
    set_cells(demo_programme.registry, "Наставники", mentor, {"Ёмкость": "три"})
    set_cells(demo_programme.registry, "Наставники", other, {"Статус": "в отпуске"})
    sync_once(demo_programme, now=NOW + timedelta(minutes=5))
    rows = attention(demo_programme)
    cap = rows[(rows["response"] == mentor) & (rows["question"] == "Ёмкость")]
    assert len(cap) == 1
    row = cap.iloc[0]
    assert row["form"] == "Наставники" and row["value"] == "три" and row["status"] == "открыто"
    assert "целое число" in row["reason"]
    status = rows[(rows["response"] == other) & (rows["question"] == "Статус")]
    assert status.iloc[0]["value"] == "в отпуске" and "нет в списке" in status.iloc[0]["reason"]
    # fixed by staff: the row closes by itself
    set_cells(demo_programme.registry, "Наставники", mentor, {"Ёмкость": 2})
    sync_once(demo_programme, now=NOW + timedelta(minutes=10))
    rows = attention(demo_programme)
    cap = rows[(rows["response"] == mentor) & (rows["question"] == "Ёмкость")]
    assert cap.iloc[0]["status"] == "исправлено"
    assert rows[(rows["response"] == other) & (rows["question"] == "Статус")].iloc[0]["status"] == "открыто"


def test_an_unreadable_capacity_is_not_read_as_one(demo_programme) -> None:
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    pairs = snap["pairs"]
    proposed = pairs[pairs["status"] == "предложена"]
    mentor = proposed.iloc[0]["mentor_id"]
    before = proposed[proposed["mentor_id"] == mentor]
    # the curator rejects one of this mentor's proposals and mistypes the capacity
    set_cells(demo_programme.registry, "Пары", before.index[0], {"Статус": "отклонена"})
    set_cells(demo_programme.registry, "Наставники", mentor, {"Ёмкость": "три"})
    sync_once(demo_programme, now=NOW + timedelta(minutes=5))
    after = snapshot(demo_programme)["pairs"]
    # no new proposal for that mentor, the other open ones are held exactly as they were
    mine = after[(after["mentor_id"] == mentor) & ~after.index.isin(pairs.index)]
    assert mine.empty
    for key in before.index[1:]:
        assert after.loc[key].to_dict() == pairs.loc[key].to_dict()


def test_an_unreadable_pair_status_holds_the_pair(demo_programme) -> None:
    sync_once(demo_programme)
    pairs = snapshot(demo_programme)["pairs"]
    key = pairs[pairs["status"] == "предложена"].index[0]
    mentee_ids = pairs.loc[key, "mentee_ids"]
    set_cells(demo_programme.registry, "Пары", key, {"Статус": "ну такое"})
    sync_once(demo_programme, now=NOW + timedelta(minutes=5))
    snap = snapshot(demo_programme)
    after = snap["pairs"]
    assert after.loc[key, "status"] == "ну такое"  # not rewritten
    again = [k for k, row in after.iterrows() if set(split_list(row["mentee_ids"])) & set(split_list(mentee_ids))]
    assert again == [key]  # its mentees are not proposed to anyone else
    rows = snap["attention"]
    assert ((rows["response"] == key) & (rows["question"] == "Статус") & (rows["value"] == "ну такое")).any()


def test_choices_are_tidied_to_the_canonical_value(demo_programme) -> None:
    sync_once(demo_programme)
    pairs = snapshot(demo_programme)["pairs"]
    key = pairs[pairs["status"] == "предложена"].index[0]
    mentor = pairs.loc[key, "mentor_id"]
    set_cells(demo_programme.registry, "Пары", key, {"Статус": "Утверждена "})
    set_cells(demo_programme.registry, "Наставники", mentor, {"Обучение пройдено": "Да"})
    sync_once(demo_programme, now=NOW + timedelta(minutes=5))
    snap = snapshot(demo_programme)
    assert snap["pairs"].loc[key, "status"] == "утверждена"
    assert snap["mentors"].loc[mentor, "trained"] == "да"
    for pid in split_list(pairs.loc[key, "mentee_ids"]):
        assert snap["mentees"].loc[pid, "status"] == "в паре"  # acted on as approved


def test_an_unreadable_date_is_reported_and_a_withdrawal_still_counts(demo_programme) -> None:
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    consent = snap["consents"][snap["consents"]["participant_id"] != ""].iloc[0]
    set_cells(demo_programme.registry, "Согласия", consent.name, {"Отозвано": "32.13.2026"})
    sync_once(demo_programme, now=NOW + timedelta(minutes=5))
    snap = snapshot(demo_programme)
    rows = snap["attention"]
    found = rows[(rows["response"] == consent.name) & (rows["question"] == "Отозвано")]
    assert len(found) == 1 and "дата не распознана" in found.iloc[0]["reason"]
    person = consent["participant_id"]
    sheet = "mentors" if person.startswith("НС") else "mentees"
    # something is written there: the consent is not taken as still valid
    assert snap[sheet].loc[person, "pd_consent"] == "" or consent["kind"] != "обработка ПД"


def _validations(path, title: str) -> dict[str, object]:
    from openpyxl import load_workbook

    ws = load_workbook(path)[title]
    header = [c.value for c in ws[1]]
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[header[rng.min_col - 1]] = dv
    return out


def test_dropdowns_refuse_values_outside_the_list(programme) -> None:
    found = _validations(programme.registry, "Пары")
    dv = found["Статус"]
    assert dv.showErrorMessage and dv.errorStyle == "stop" and dv.error.startswith("«Статус»: выберите")
    assert "утверждена" in dv.formula1 and len(dv.error) <= 255
    assert _validations(programme.registry, "Наставники")["Обучение пройдено"].formula1 == '"да,нет"'


def test_init_makes_an_old_workbooks_dropdowns_strict(programme) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(programme.registry)
    for dv in wb["Пары"].data_validations.dataValidation:
        dv.showErrorMessage = False  # as the first versions made them
    wb.save(programme.registry)
    added = XlsxStore(programme.registry).create()
    assert "выпадающий список «Статус» на листе «Пары»" in added
    assert _validations(programme.registry, "Пары")["Статус"].showErrorMessage
    assert XlsxStore(programme.registry).create() == []


def test_lists_and_status_colours_reach_every_row_of_a_district_registry(programme) -> None:
    """A 12,000-participant programme has rows past 5,000: the list and the colours reach them,
    and init widens what an older version bounded at row 5,000 (once)."""
    from openpyxl import load_workbook
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.worksheet.cell_range import MultiCellRange

    def colours(path) -> dict[str, int]:
        ws = load_workbook(path)["Пары"]
        return {str(cf.sqref): len(cf.rules) for cf in ws.conditional_formatting}

    assert all(str(dv.sqref).endswith("1048576") for dv in _validations(programme.registry, "Пары").values())
    fresh = colours(programme.registry)
    assert fresh and all(rng.endswith("1048576") for rng in fresh)
    wb = load_workbook(programme.registry)  # as the versions before 1 December 2026 made them
    ws = wb["Пары"]
    for dv in ws.data_validations.dataValidation:
        dv.sqref = MultiCellRange(" ".join(str(r).replace("1048576", "5000") for r in dv.sqref.ranges))
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    ws.conditional_formatting = ConditionalFormattingList()
    for rng, found in rules.items():
        for rule in found:
            ws.conditional_formatting.add(rng.replace("1048576", "5000"), rule)
    wb.save(programme.registry)
    assert all(rng.endswith("5000") for rng in colours(programme.registry))
    added = XlsxStore(programme.registry).create()
    assert "выпадающий список «Статус» на листе «Пары»" in added and "цвета статусов «Статус» на листе «Пары»" in added
    assert colours(programme.registry) == fresh
    assert all(str(dv.sqref).endswith("1048576") for dv in _validations(programme.registry, "Пары").values())
    assert XlsxStore(programme.registry).create() == []


def test_a_superscript_or_another_scripts_digit_in_a_number_column_stays_text() -> None:
    """«²» passes str.isdigit but not int(): the write typed it as a number and stopped the run."""
    from sheets.schema import BY_NAME
    from sheets.xlsx_rows import typed_value

    capacity = next(c for c in BY_NAME["mentors"].columns if c.name == "capacity")
    assert typed_value("²", capacity) == ("²", None)
    assert typed_value("2²", capacity) == ("2²", None)
    assert typed_value("٣", capacity) == ("٣", None)  # a number to int(), but it would not read back the same
    assert typed_value("3", capacity) == (3, None)
