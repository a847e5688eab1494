"""End to end on the local backend: demo exports -> registries, idempotent, edits, consents."""

from __future__ import annotations

import csv
import hashlib
from datetime import timedelta

from openpyxl import load_workbook

from forms.questionnaires import MENTEE_APPLICATION, MENTOR_APPLICATION, PD_CONSENT
from sheets.xlsx import XlsxStore
from tests.conftest import NOW, sync_once


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def append_response(config, spec, stamp: str, email: str, answers: dict[str, str]) -> None:
    path = config.forms_dir / f"{spec.code}.csv"
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow([stamp, email, *[answers.get(q.title, "") for q in spec.questions]])


def test_demo_sync_fills_registries_and_quarantines_bad_rows(demo_programme) -> None:
    report = sync_once(demo_programme)
    assert report.ok and report.written is not None
    snap = XlsxStore(demo_programme.registry).read_all()
    assert len(snap["mentors"]) >= 15 and len(snap["mentees"]) >= 40
    attention = snap["attention"]
    reasons = " | ".join(attention["reason"])
    for expected in ("адрес электронной почты с ошибкой", "не заполнен обязательный вопрос",
                     "такого варианта ответа нет", "укажите родителя", "отметка времени не распознана",
                     "с другим ФИО"):
        assert expected in reasons
    assert (attention["status"] == "открыто").all()
    # every response is accounted for: processed once, as accepted or kept for a person
    processed = snap["processed"]
    assert processed["result"].isin(["принят", "принят как правка", "требует внимания"]).all()
    quarantined = set(processed.index[processed["result"] == "требует внимания"])
    assert quarantined  # and each has at least one attention row with the whole answer kept
    assert attention["answers"].str.len().gt(0).sum() >= len(quarantined)
    # formula-like text stays text
    assert snap["mentors"]["position"].str.startswith("=HYPERLINK").any()
    assert len(snap["journal"]) == 1


def test_second_sync_changes_no_cell(demo_programme) -> None:
    sync_once(demo_programme)
    before = digest(demo_programme.registry)
    report = sync_once(demo_programme, now=NOW + timedelta(minutes=5))
    assert report.written is None and not report.plan.changes
    assert digest(demo_programme.registry) == before


def test_dry_run_writes_nothing(demo_programme) -> None:
    before = digest(demo_programme.registry)
    report = sync_once(demo_programme, dry_run=True)
    assert report.plan.changes and report.written is None
    assert digest(demo_programme.registry) == before


def test_later_submission_is_an_edit_and_older_one_is_not_reapplied(demo_programme) -> None:
    sync_once(demo_programme)
    store = XlsxStore(demo_programme.registry)
    mentees = store.read_all()["mentees"]
    first = mentees[mentees["category"] == "молодой педагог"].iloc[0]
    answers = {
        "ФИО": first["full_name"], "Пол": first["gender"], "Категория": first["category"],
        "Дата рождения": "01.02.2000", "Направленность": "художественная",
        "Запросы: в чем нужна помощь наставника": "ИКТ", "Предпочтительный формат": "очно",
        "Удобные дни": "пн, ср",
    }
    append_response(demo_programme, MENTEE_APPLICATION, "20.11.2026 10:00:00", first["email"], answers)
    sync_once(demo_programme)
    after = store.read_all()["mentees"]
    assert len(after) == len(mentees)
    row = after.loc[first.name]
    assert (row["direction"], row["days"], row["birth_date"]) == ("художественная", "пн; ср", "2000-02-01")
    # an older answer that shows up late does not overwrite the newer one
    old = dict(answers, **{"Направленность": "техническая"})
    append_response(demo_programme, MENTEE_APPLICATION, "01.10.2026 10:00:00", first["email"], old)
    sync_once(demo_programme)
    assert store.read_all()["mentees"].loc[first.name, "direction"] == "художественная"


def test_siblings_share_a_parent_email(demo_programme) -> None:
    sync_once(demo_programme)
    store = XlsxStore(demo_programme.registry)
    pupil = store.read_all()["mentees"].query("category == 'обучающийся'").iloc[0]
    sibling = {
        "ФИО": "Тестова Алёна Петровна", "Пол": "ж", "Категория": "обучающийся",
        "Дата рождения": "01.02.2014", "ФИО родителя (законного представителя)": pupil["guardian"],
        "Направленность": "художественная", "Запросы: в чем нужна помощь наставника": "ИКТ",
        "Предпочтительный формат": "очно", "Удобные дни": "пн",
    }
    append_response(demo_programme, MENTEE_APPLICATION, "20.11.2026 10:00:00", pupil["email"], sibling)
    sync_once(demo_programme)
    mentees = store.read_all()["mentees"]
    assert (mentees["email"] == pupil["email"]).sum() >= 2
    assert "Тестова Алёна Петровна" in set(mentees["full_name"])


def test_parent_consent_arriving_later_clears_the_alert(demo_programme) -> None:
    sync_once(demo_programme)
    store = XlsxStore(demo_programme.registry)
    snap = store.read_all()
    alerts = snap["attention"][snap["attention"].index.str.endswith(": согласие")]
    assert len(alerts)
    mentee_id = alerts.iloc[0]["response"]
    mentee = snap["mentees"].loc[mentee_id]
    assert mentee["status"] == "ожидает согласия"
    append_response(demo_programme, PD_CONSENT, "21.11.2026 10:00:00", mentee["email"], {
        "ФИО участника программы": mentee["full_name"],
        "Email, указанный в анкете участника": mentee["email"],
        "Кем дано согласие": "родитель", "ФИО давшего согласие": mentee["guardian"],
        "Подтверждение": "Даю согласие на обработку персональных данных",
    })
    sync_once(demo_programme)
    snap = store.read_all()
    assert snap["mentees"].loc[mentee_id, "status"] == "ожидает пары"
    assert snap["mentees"].loc[mentee_id, "pd_consent"].startswith("21.11.2026, родитель")
    assert snap["attention"].loc[f"{mentee_id}: согласие", "status"] == "исправлено"


def test_ids_are_never_reused_after_staff_delete_the_newest_row(demo_programme) -> None:
    sync_once(demo_programme)
    store = XlsxStore(demo_programme.registry)
    newest = max(store.read_all()["mentors"].index)
    wb = load_workbook(demo_programme.registry)
    ws = wb["Наставники"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == newest:
            ws.delete_rows(r)
            break
    wb.save(demo_programme.registry)
    append_response(demo_programme, MENTOR_APPLICATION,
                    "22.11.2026 10:00:00", "new.mentor@example.ru", {
                        "ФИО": "Новый Наставник Иванович", "Пол": "м", "Должность": "методист",
                        "Направленность": "техническая", "Компетенции, которыми готовы делиться": "ИКТ",
                        "Педагогический стаж, лет": "10", "Сколько наставляемых готовы вести": "2",
                        "Готовы вести группу": "нет", "Форматы встреч": "очно", "Удобные дни": "пн",
                    })
    sync_once(demo_programme)
    mentors = store.read_all()["mentors"]
    added = mentors[mentors["email"] == "new.mentor@example.ru"].index[0]
    assert added > newest


def test_staff_edits_survive_sync(demo_programme) -> None:
    sync_once(demo_programme)
    wb = load_workbook(demo_programme.registry)
    ws = wb["Наставляемые"]
    header = [c.value for c in ws[1]]
    notes = len(header) + 1
    ws.cell(1, notes, "Заметки")
    ws.cell(2, notes, "позвонить маме")
    ws.move_range(f"A2:{ws.cell(ws.max_row, notes).coordinate}", rows=1)  # a blank row at the top
    ws.delete_rows(2)
    first_key = ws.cell(2, 1).value
    wb.save(demo_programme.registry)
    before = digest(demo_programme.registry)
    sync_once(demo_programme)
    assert digest(demo_programme.registry) == before  # nothing new: not even re-saved
    ws = load_workbook(demo_programme.registry)["Наставляемые"]
    assert ws.cell(2, notes).value == "позвонить маме" and ws.cell(2, 1).value == first_key


def test_rows_staff_type_without_id_get_one_and_count(demo_programme) -> None:
    sync_once(demo_programme)
    store = XlsxStore(demo_programme.registry)
    mentee = store.read_all()["mentees"].query("status == 'ожидает согласия'").iloc[0]
    wb = load_workbook(demo_programme.registry)
    ws = wb["Согласия"]  # a paper consent, typed in by staff
    header = [c.value for c in ws[1]]
    row = ws.max_row + 2  # with a blank row in between, as people do
    values = {"Вид согласия": "обработка ПД", "ФИО субъекта": mentee["full_name"],
              "Email участника": mentee["email"], "Кем дано": "родитель",
              "ФИО давшего согласие": mentee["guardian"], "Дата": "2026-11-20", "Версия текста": "бумага"}
    for name, value in values.items():
        ws.cell(row, header.index(name) + 1, value)
    wb.save(demo_programme.registry)
    report = sync_once(demo_programme)
    assert report.written and not report.written.skipped
    snap = store.read_all()
    assert not snap.unkeyed["consents"]
    typed = snap["consents"][snap["consents"]["text_version"] == "бумага"]
    assert len(typed) == 1 and typed.index[0].startswith("С-")
    assert typed.iloc[0]["participant_id"] == mentee.name
    assert snap["mentees"].loc[mentee.name, "status"] == "ожидает пары"
    before = digest(demo_programme.registry)
    assert sync_once(demo_programme).written is None
    assert digest(demo_programme.registry) == before


class BoundedStore(XlsxStore):
    """The local store with writes bounded as Google's are, recording every change set."""

    bounded_writes = True

    def __init__(self, path) -> None:
        super().__init__(path)
        self.writes: list = []

    def write(self, changes):
        self.writes.append(changes)
        return super().write(changes)


def test_a_backlog_is_drained_in_one_run_by_several_writes(twin_programmes) -> None:
    from sync.bootstrap import open_backend
    from sync.job import run_sync

    whole, capped = twin_programmes
    capped.max_responses = 25
    sync_once(whole)
    store = BoundedStore(capped.registry)
    report = run_sync(capped, store, open_backend(capped).sources, now=NOW)
    assert report.writes == len(store.writes) > 2 and report.plan.ingest.deferred == 0
    people_at: dict[str, int] = {}  # email -> the write that brought a person
    consents_at: dict[str, int] = {}  # subject email -> the first write with their consent
    for k, changes in enumerate(store.writes):
        processed = [a for a in changes.appends if a.sheet == "processed"]
        assert len(processed) <= 25  # each write within the limit
        for a in changes.appends:
            values = dict(a.values)
            if a.sheet in ("mentors", "mentees"):
                people_at.setdefault(values["email"].lower(), k)
            elif a.sheet == "consents":
                consents_at.setdefault(values["subject_email"].lower(), k)
        parts = {a.sheet for a in changes.appends} | {u.sheet for u in changes.updates}
        if k < len(store.writes) - 1:  # derived state, pairs and the roadmap only once, at the end
            assert not parts & {"pairs", "roadmap", "journal"}, (k, parts)
    assert consents_at and all(consents_at[e] <= people_at[e] for e in consents_at if e in people_at)
    a, b = XlsxStore(whole.registry).read_all(), XlsxStore(capped.registry).read_all()
    for sheet in ("mentors", "mentees", "consents", "pairs", "attention"):
        differ = [c for c in a[sheet].columns if not a[sheet][c].equals(b[sheet][c])]
        assert not differ, (sheet, differ)  # matching ran once, on the complete data
    assert set(a["processed"].index) == set(b["processed"].index)
    assert sync_once(capped, now=NOW + timedelta(minutes=5)).written is None  # converged


def test_overlapping_runs_do_not_both_write(demo_programme) -> None:
    import pytest

    from sheets.store import StoreBusy
    from sync.job import run_lock

    before = digest(demo_programme.registry)
    with run_lock(demo_programme.lock_path):
        with pytest.raises(StoreBusy, match="синхронизация уже идет"):
            sync_once(demo_programme)
    assert digest(demo_programme.registry) == before
    assert sync_once(demo_programme).written  # the lock is released afterwards


def test_a_quiet_run_skips_everything_after_the_read(demo_programme, monkeypatch) -> None:
    from forms.responses import CsvFormSource
    from sync import quiet

    sync_once(demo_programme)
    record = quiet.state_path(demo_programme.lock_path)
    assert record.exists()
    parsed: list[str] = []
    real = CsvFormSource.responses

    def counting(self, spec, since=None, seen=frozenset()):
        parsed.append(spec.code)
        return real(self, spec, since, seen)

    monkeypatch.setattr(CsvFormSource, "responses", counting)
    before = digest(demo_programme.registry)
    later = NOW + timedelta(minutes=5)
    report = sync_once(demo_programme, now=later)
    assert report.quiet and report.written is None and not parsed
    assert digest(demo_programme.registry) == before
    # the record is trusted because a run converges: the full work finds nothing either
    record.unlink()
    report = sync_once(demo_programme, now=later)
    assert not report.quiet and report.written is None and not report.plan.changes
    from sync.ingest import FORM_ORDER

    assert len(set(parsed)) == len(FORM_ORDER)  # without a record every export is read
    # a new answer: only its export is parsed again, and the run is not quiet
    parsed.clear()
    append_response(demo_programme, MENTOR_APPLICATION, "25.11.2026 12:30:00", "new@example.ru",
                    {"ФИО": "Новикова Ольга Петровна"})
    report = sync_once(demo_programme, now=later)
    assert not report.quiet and report.plan.ingest.new_responses == 1 and parsed == ["mentor_application"]
    assert sync_once(demo_programme, now=later).quiet
    # the next day deadlines and ages move: the full work again (nothing to write here)
    parsed.clear()
    report = sync_once(demo_programme, now=later + timedelta(days=1))
    assert not report.quiet and not parsed


def test_new_code_with_the_same_version_ends_the_quiet(demo_programme, tmp_path, monkeypatch) -> None:
    """An upgrade that keeps the version number (a fix from a branch) is not hidden by the record."""
    import os

    from sync import quiet

    tree = tmp_path / "code"
    source = tree / "sync" / "job.py"
    source.parent.mkdir(parents=True)
    source.write_text("x = 1\n")
    (tree / "sync" / "notes.txt").write_text("not code")
    first = quiet.code_digest(tree)
    (tree / "sync" / "notes.txt").write_text("still not code, longer")
    assert quiet.code_digest(tree) == first
    source.write_text("x = 2\n")
    os.utime(source, ns=(1, 1))
    assert quiet.code_digest(tree) != first
    sync_once(demo_programme)
    assert sync_once(demo_programme, now=NOW + timedelta(minutes=5)).quiet
    monkeypatch.setattr(quiet, "code_digest", lambda root=None: "another build")
    assert not sync_once(demo_programme, now=NOW + timedelta(minutes=6)).quiet


def test_a_staff_edit_ends_the_quiet(demo_programme) -> None:
    sync_once(demo_programme)
    wb = load_workbook(demo_programme.registry)
    ws = wb["Пары"] if "Пары" in wb.sheetnames else wb.worksheets[0]
    head = [c.value for c in ws[1]]
    status = head.index("Статус") + 1
    ws.cell(2, status, "утверждена")
    wb.save(demo_programme.registry)
    report = sync_once(demo_programme, now=NOW + timedelta(minutes=5))
    assert not report.quiet and report.written is not None
