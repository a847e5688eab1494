"""A demo programme that has lived: ``nastavnik demo DIR --through DATE``.

The demo's applications and consents (``sync.demo``) are followed through the cycle as it
would go at a school, up to DATE: the job runs on the days a cron would have run it (the one
clock frozen at each), and between runs people act as people do — the curator approves most
proposals in the workbook and rejects a few, mentors are trained, mentors report meetings
(trial, planning, regular, final), both sides answer the interim and the final questionnaires,
a few pairs break up, the curator closes the finished pairs, writes the best cases and the
partner organisations, and keeps the best mentors in the long-term registry.

Staff's edits go through openpyxl by header, as a person editing the workbook would; form
answers go through the CSV exports, as Google Forms would give them. Deterministic by seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import load_workbook

from forms.answers import split_list
from forms.questionnaires import FINAL_SURVEY, INTERIM_FEEDBACK, MEETING_REPORT
from forms.responses import parse_timestamp
from forms.spec import FormSpec
from sheets.schema import BY_NAME
from sheets.xlsx import XlsxStore
from sync import clock
from sync.config import Config
from sync.demo import MSK, PUBLICATION_CONSENT, _answers, _write_export

Row = tuple[datetime | None, str, dict[str, str]]  # submitted at (None: unreadable), email, answers

TOPICS = {
    "пробная встреча": ("знакомство, ожидания от работы в паре", "знакомство и правила совместной работы"),
    "встреча планирования": ("составление индивидуального плана развития", "цели и график встреч"),
    "плановая встреча": ("разбор открытого занятия", "подготовка к конкурсу", "работа с родителями",
                         "проектная работа: этап исследования", "методика занятия: вовлечение",
                         "анализ трудной ситуации на занятии", "подготовка выступления",
                         "разработка рабочего листа", "итоги месяца и следующие шаги"),
    "итоговая встреча": ("итоги работы, достижения, планы на будущее",),
}
OUTCOMES = ("договорились о следующих шагах", "план выполняется", "разобрали ошибки, наметили пути",
            "подготовлен материал для занятия", "наставляемый провел занятие самостоятельно")
COMMENTS = ("", "", "", "Спасибо за поддержку!", "Хотелось бы чаще встречаться",
            "Очень полезно", "Удобный формат встреч", "Больше практики на занятиях")
PARTNERS = (
    ("ГАУ ДПО «Институт развития образования»", "Кравцова Ольга Николаевна", "ректор",
     "irо@example.ru, +7 343 000-00-01", "провели обучение наставников по программе «Школа наставника»", "ж"),
    ("АО «Уралэлектромаш»", "Белых Игорь Семёнович", "генеральный директор",
     "info@example.com, +7 343 000-00-02", "предоставили площадку и экспертов для проектных встреч", "м"),
    ("МАОУ СОШ № 5", "Черных Алла Викторовна", "директор",
     "school5@example.ru", "провели совместный семинар молодых педагогов", "ж"),
    ("Центр молодежных инициатив «Импульс»", "Дурново Ким Александрович", "руководитель",
     "impulse@example.org", "помогли организовать итоговое мероприятие и выставку проектов", "м"),
)
CASES = ("Из молодого педагога — в победители конкурса", "Первый проект: от идеи до защиты",
         "Как мы вернули интерес к занятиям", "Родители — союзники: опыт пары",
         "Робототехника для начинающих: путь наставляемого", "Открытое занятие без страха")


@dataclass
class Life:
    """What the demo lived through, for the CLI's summary."""

    runs: list[date] = field(default_factory=list)
    approved: int = 0
    rejected: int = 0
    meetings: int = 0
    feedback: int = 0
    terminated: int = 0
    finished: int = 0


@dataclass
class _Deed:
    """A staff edit due on a day: (sheet title, key -> header -> value) or rows to append."""

    on: date
    sheet: str
    edits: dict[str, dict[str, str]] = field(default_factory=dict)
    rows: list[dict[str, str]] = field(default_factory=list)


DEMO_SETTINGS = {
    "director": "Соколова Ирина Викторовна",
    "curator": "Лебедев Андрей Петрович",
}
DEMO_LINKS = {code: f"https://forms.gle/demo-{code.replace('_', '-')}"
              for code in ("meeting_report", "interim_feedback", "final_survey")}


def fill_demo_settings(path) -> None:
    """The demo's director, curator and form links, so that letters and memos have them."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    links = [f'{code} = "{link}"' for code, link in DEMO_LINKS.items() if f"\n{code} = \"https://" not in text]
    out = []
    for line in lines:
        key = line.split("=", 1)[0].strip()
        if key in DEMO_SETTINGS and '""' in line:
            line = line.replace('""', f'"{DEMO_SETTINGS[key]}"', 1)
        out.append(line)
        if line.strip() == "[documents.links]":
            out += links
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


class DemoError(Exception):
    """The demo cannot live up to the date asked; the message is Russian."""


def lived_demo(folder, mentors: int, mentees: int, seed: int, until: date, echo: Callable[[str], None],
               create: Callable[..., Path]) -> Life:
    """``nastavnik demo DIR --through DATE``: create the programme (``create``) and live it up to ``until``."""
    from sync.config import load_config

    path = create(folder, "МБУ ДО «ЦВР» НГО", cycle_start(until, clock.today()))
    fill_demo_settings(path)
    config = load_config(path)
    if until > config.end:
        raise DemoError(f"--through: {until:%d.%m.%Y} позже окончания цикла программы "
                        f"({config.end:%d.%m.%Y}, [programme] end в {path.name})")
    echo(f"Учебная программа: {path}; проживаем цикл с {config.start:%d.%m.%Y} по {until:%d.%m.%Y}")
    life = live(config, until, mentors, mentees, seed, report=echo)
    echo(f"Запусков синхронизации: {len(life.runs)}; пар утверждено {life.approved}, отклонено "
         f"{life.rejected}, расторгнуто {life.terminated}, завершено {life.finished}; отчетов о встречах "
         f"{life.meetings}, ответов обратной связи {life.feedback}")
    echo(f"Посмотреть программу на тот день: NASTAVNIK_NOW={until.isoformat()} nastavnik status --config {path}")
    return life


def cycle_start(through: date, today: date) -> date:
    """The cycle the demo lives in: this school year's, or an earlier one if DATE is before it."""
    start = clock.school_year_start(today)
    return start if through >= start else clock.school_year_start(through)


def live(config: Config, through: date, mentors: int, mentees: int, seed: int,
         report: Callable[[str], None] | None = None) -> Life:
    """Play the programme from its start up to ``through`` (inclusive) on the local backend."""
    life = Life()
    say = report or (lambda _line: None)
    start, end = config.start, config.end
    applications, last = _answers(mentors, mentees, seed, start, None)
    rng = random.Random(seed * 7919 + 12)
    forms: dict[FormSpec, list[Row]] = {
        spec: [(parse_timestamp(stamp, MSK), email, answers) for stamp, email, answers in rows]
        for spec, rows in applications.items()
    }
    for spec in (MEETING_REPORT, INTERIM_FEEDBACK, FINAL_SURVEY):
        forms.setdefault(spec, [])
    deeds: list[_Deed] = []
    first_run = max(start + timedelta(days=40), last.date() + timedelta(days=2))

    def run(day: date) -> bool:
        """Export the answers given by ``day``, do the staff edits due, and sync that evening."""
        if day > through:
            return False
        moment = datetime.combine(day, time(19, 0), MSK)
        for spec, rows in forms.items():
            _write_export(config.forms_dir / f"{spec.code}.csv", spec, _stamped(rows, moment))
        due = [d for d in deeds if d.on <= day]
        if due:
            _apply(config, due)
            deeds[:] = [d for d in deeds if d.on > day]
        _sync(config, moment)
        life.runs.append(day)
        say(f"  {day:%d.%m.%Y}: синхронизация")
        return True

    if not run(first_run):
        run(through)  # only applications so far
        return life
    # the curator approves most proposals, rejects some; rejected mentees get another proposal
    for round_no, days in enumerate((3, 6)):
        decided = first_run + timedelta(days=days)
        decisions = _decide(config, rng, reject=0.1 if round_no == 0 else 0.0, on=decided)
        life.approved += sum(1 for v in decisions.values() if v["Статус"] == "утверждена")
        life.rejected += sum(1 for v in decisions.values() if v["Статус"] == "отклонена")
        deeds.append(_Deed(decided, "Пары", decisions))
        if not run(decided + timedelta(days=1)):
            return _finish(config, life, through, run)
    deeds.append(_Deed(first_run + timedelta(days=8), "Наставники", _training(config, rng)))
    deeds.append(_Deed(first_run + timedelta(days=20), "Партнеры", rows=[
        {"Организация": org, "Руководитель (ФИО)": head, "Должность руководителя": pos, "Контакты": contact,
         "Что сделано для программы": what, **({"Пол для писем": g} if head.startswith("Дурново") else {})}
        for org, head, pos, contact, what, g in PARTNERS]))
    for day, ids in _paperwork(start).items():  # orders, minutes, the site: the curator's own word
        deeds.append(_Deed(day, "Дорожная карта", {aid: {
            "Статус вручную": "выполнено",
            "Ссылка на документ": f"https://cvr.example.ru/nastavnichestvo/{aid.replace('.', '-')}"} for aid in ids}))
    pairs = _approved_pairs(config)
    people = _people(config)
    final_from, final_to = date(end.year, 5, 12), date(end.year, 5, 28)
    closing = date(end.year, 5, 31)
    terminated = {pid: start + timedelta(days=rng.randint(120, 300)) for pid in sorted(pairs) if rng.random() < 0.04}
    life.terminated = sum(1 for day in terminated.values() if day <= through)
    for pid, pair in sorted(pairs.items()):
        stop = terminated.get(pid, closing)
        if pid in terminated:
            deeds.append(_Deed(stop, "Пары", {pid: {"Статус": "расторгнута", "Завершена": stop.isoformat()}}))
        life.meetings += _meetings(forms[MEETING_REPORT], rng, pair, people, stop, pid in terminated,
                                   final_from, final_to, through)
    interim = (date(start.year + 1, 2, 2), date(start.year + 1, 2, 20))
    for pid, pair in sorted(pairs.items()):
        if terminated.get(pid, closing) > interim[1]:
            life.feedback += _feedback(forms[INTERIM_FEEDBACK], rng, pair, people, *interim, through, final=False)
        if pid not in terminated:
            life.feedback += _feedback(forms[FINAL_SURVEY], rng, pair, people, final_from,
                                       final_to + timedelta(days=2), through, final=True)
    finished = {pid: {"Статус": "завершена", "Завершена": closing.isoformat()}
                for pid in sorted(pairs) if pid not in terminated}
    deeds.append(_Deed(closing + timedelta(days=1), "Пары", finished))
    best = [pid for pid in sorted(finished) if rng.random() < 0.25][: len(CASES)]
    deeds.append(_Deed(closing + timedelta(days=5), "Лучшие практики", rows=[
        {"Пара": pid, "Название кейса": CASES[i],
         "Описание": "Пара работала по индивидуальному плану развития; результаты представлены "
                     "на итоговом мероприятии."}
        for i, pid in enumerate(best)]))
    keep = sorted({pairs[pid]["mentor_id"] for pid in finished if rng.random() < 0.5})
    deeds.append(_Deed(closing + timedelta(days=10), "Наставники",
                       {m: {"В долгосрочном реестре": "да"} for m in keep}))
    _publication(forms.setdefault(PUBLICATION_CONSENT, []), [pairs[pid] for pid in best], keep, people, closing)
    if through >= closing + timedelta(days=1):
        life.finished = len(finished)
    # the job runs every few minutes; these are the days whose state the demo passes through
    checkpoints = sorted({first_run + timedelta(days=45), interim[1] + timedelta(days=3),
                          date(start.year + 1, 9, 25), final_to + timedelta(days=3), closing + timedelta(days=11)})
    for day in checkpoints:
        if day > first_run + timedelta(days=7) and not run(day):
            break
    return _finish(config, life, through, run)


def _paperwork(start: date) -> dict[date, tuple[str, ...]]:
    """Activities only a document proves (orders, minutes, the site section), by the day they were done."""
    return {start + timedelta(days=28): ("1.1", "1.2", "1.3", "1.4", "4.3"),
            date(start.year + 1, 4, 20): ("1.5", "1.6"),
            date(start.year + 1, 9, 20): ("3.1",)}


def _finish(config: Config, life: Life, through: date, run: Callable[[date], bool]) -> Life:
    if not life.runs or life.runs[-1] < through:
        run(through)
    return life


def _publication(rows: list[Row], cases: list[dict[str, str]], keep: list[str], people: dict[str, dict[str, str]],
                 closing: date) -> None:
    """After the closing the curator asks the best cases' pairs and the long-term mentors for a
    publication consent (the site shows a case only with every member's). A pair decides
    together: every fourth pair asked declines, as does every fifth mentor asked for the name
    alone; a pupil's consent is the parent's. No random draws: the rest of the demo lives as before."""
    asked: dict[str, str] = {}
    for n, pair in enumerate(cases):
        if n % 4 != 3:
            for pid in [pair["mentor_id"], *split_list(pair["mentee_ids"])]:
                asked[pid.strip()] = "ФИО, описание кейса"
    for n, mentor in enumerate(m for m in keep if m not in asked):
        if n % 5 != 4:
            asked[mentor] = "ФИО"
    for n, pid in enumerate(sorted(asked)):
        person = people.get(pid)
        pupil = person is not None and person.get("category") == "обучающийся"
        giver = (person.get("guardian", "").strip() if pupil else person["full_name"]) if person else ""
        if not giver or not person.get("email"):
            continue
        moment = datetime.combine(closing + timedelta(days=1 + n % 5), time(9 + n % 9, (7 * n) % 60), MSK)
        rows.append((moment, person["email"], {
            "ФИО участника программы": person["full_name"], "Email, указанный в анкете участника": person["email"],
            "Кем дано согласие": "родитель" if pupil else "сам участник", "ФИО давшего согласие": giver,
            "Что разрешается публиковать": asked[pid]}))


def _stamped(rows: list[Row], until: datetime) -> list[tuple[str, str, dict[str, str]]]:
    """The export as of ``until``: rows submitted by then, stamped as Google Forms does."""
    out = []
    for moment, email, answers in rows:
        if moment is None:
            out.append(("вчера вечером", email, answers))  # the demo's one unreadable timestamp
        elif moment <= until:
            out.append((moment.astimezone(MSK).strftime("%d.%m.%Y %H:%M:%S"), email, answers))
    return out


def _sync(config: Config, moment: datetime) -> None:
    from sync.bootstrap import open_backend
    from sync.job import run_sync

    with clock.frozen(moment):
        backend = open_backend(config)
        run_sync(config, backend.store, backend.sources, now=moment)


def _frames(config: Config) -> dict[str, list[dict[str, str]]]:
    snapshot = XlsxStore(config.registry).read_all()
    return {name: frame.to_dict("records") for name, frame in snapshot.frames.items()}


def _decide(config: Config, rng: random.Random, reject: float, on: date) -> dict[str, dict[str, str]]:
    """The curator's decisions on the open proposals: approve (with the date) or reject."""
    out = {}
    for pair in _frames(config)["pairs"]:
        if pair["status"] == "предложена":
            if rng.random() < reject:
                out[pair["id"]] = {"Статус": "отклонена"}
            else:
                out[pair["id"]] = {"Статус": "утверждена", "Утверждена": on.isoformat()}
    return out


def _training(config: Config, rng: random.Random) -> dict[str, dict[str, str]]:
    return {m["id"]: {"Обучение пройдено": "да"} for m in _frames(config)["mentors"] if rng.random() < 0.85}


def _approved_pairs(config: Config) -> dict[str, dict[str, str]]:
    return {p["id"]: p for p in _frames(config)["pairs"] if p["status"] == "утверждена"}


def _people(config: Config) -> dict[str, dict[str, str]]:
    frames = _frames(config)
    return {r["id"]: r for sheet in ("mentors", "mentees") for r in frames[sheet]}


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(15, 21), rng.randint(0, 59), rng.randint(0, 59)), MSK)


def _school_day(day: date) -> bool:
    """No meetings in the New Year holidays and in summer."""
    return not ((day.month == 1 and day.day <= 10) or day.month in (7, 8) or (day.month == 6 and day.day > 15))


def _meetings(rows: list[Row], rng: random.Random, pair: dict[str, str], people: dict[str, dict[str, str]],
              stop: date, broke_up: bool, final_from: date, final_to: date, through: date) -> int:
    """The mentor's meeting reports for a pair: trial, planning, about monthly, final."""
    mentor = people[pair["mentor_id"]]
    mentees = [people[m] for m in split_list(pair["mentee_ids"]) if m in people]
    if not mentees:
        return 0
    approved = date.fromisoformat(pair["approved_on"])
    day = approved + timedelta(days=rng.randint(4, 10))
    plan: list[tuple[date, str]] = [(day, "пробная встреча")]
    day += timedelta(days=rng.randint(6, 12))
    plan.append((day, "встреча планирования"))
    final = final_from + timedelta(days=rng.randint(0, (final_to - final_from).days))
    while True:
        day += timedelta(days=rng.randint(21, 35))
        if day >= min(stop, final):
            break
        if _school_day(day):
            plan.append((day, "плановая встреча"))
    if not broke_up:
        plan.append((final, "итоговая встреча"))
    n = 0
    for held, kind in plan:
        if kind == "плановая встреча" and rng.random() < 0.08:
            continue  # a meeting held and never reported
        submitted = _at(held + timedelta(days=rng.randint(0, 2)), rng)
        n += submitted.date() <= through
        rows.append((submitted, mentor["email"], {
            "ФИО наставляемого или название группы": mentees[0]["full_name"],
            "Дата встречи": held.strftime("%d.%m.%Y"),
            "Вид встречи": kind,
            "Тема": rng.choice(TOPICS[kind]),
            "Формат": "дистанционно" if rng.random() < 0.2 else "очно",
            "Длительность, минут": str(rng.choice((40, 45, 45, 60, 60, 90))),
            "Итоги встречи": rng.choice(OUTCOMES),
        }))
    return n


def _score(rng: random.Random, lift: int) -> str:
    return str(min(10, max(1, round(rng.gauss(7.4 + lift, 1.4)))))


def _feedback(rows: list[Row], rng: random.Random, pair: dict[str, str], people: dict[str, dict[str, str]],
              first: date, last: date, through: date, final: bool) -> int:
    """Interim or final answers of a pair's mentor and mentees (most of them answer)."""
    n = 0
    lift = 1 if final else 0
    members = [("наставник", pair["mentor_id"])] + [("наставляемый", m) for m in split_list(pair["mentee_ids"])]
    for role, pid in members:
        if pid not in people or rng.random() > (0.9 if final else 0.85):
            continue
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        answers = {"Ваша роль": role, "Комментарий": rng.choice(COMMENTS),
                   "Ваше ФИО (или ФИО ребенка, если отвечает родитель)": _as_typed(people[pid]["full_name"], pid),
                   "ФИО наставника или наставляемого, с кем вы работаете в паре": _as_typed(
                       _partner_of(pair, pid, people), pid)}
        if final:
            answers.update({
                "Удовлетворенность участием в программе": _score(rng, lift),
                "Польза программы для вас": _score(rng, lift),
                "Достижение целей плана развития": _score(rng, lift),
                "Готовы ли вы стать наставником": "да" if role == "наставляемый" and rng.random() < 0.3 else "нет",
            })
        else:
            answers.update({
                "Насколько вы удовлетворены встречами": _score(rng, lift),
                "Насколько полезна работа в паре": _score(rng, lift),
                "Продвижение к целям плана развития": _score(rng, lift - 1),
                "Оценка работы наставника (для наставляемых)": _score(rng, lift) if role == "наставляемый" else "",
            })
        rows.append((_at(day, rng), people[pid]["email"], answers))
        n += day <= through
    return n


def _as_typed(name: str, pid: str) -> str:
    """A name as people type it: in full, or for every third person surname and given name only.

    Chosen by the ID, not drawn: the demo's random draws stay as they were.
    """
    digits = "".join(ch for ch in pid if ch.isdigit())
    return " ".join(name.split()[:2]) if digits and int(digits) % 3 == 0 else name


def _partner_of(pair: dict[str, str], pid: str, people: dict[str, dict[str, str]]) -> str:
    """Whom an answer names as the one they work with: the mentee for the mentor, else the mentor."""
    if pid == pair["mentor_id"]:
        mentees = [m for m in split_list(pair["mentee_ids"]) if m in people]
        return people[mentees[0]]["full_name"] if mentees else ""
    return people.get(pair["mentor_id"], {}).get("full_name", "")


def _apply(config: Config, deeds: list[_Deed]) -> None:
    """A person's edits of the workbook: cells by header and ID, rows typed at the bottom without an ID."""
    wb = load_workbook(config.registry)
    for deed in deeds:
        schema = next(s for s in BY_NAME.values() if s.title == deed.sheet)
        ws = wb[deed.sheet]
        headers = {str(c.value): c.column for c in ws[1] if c.value}
        key_col = headers[schema.header(schema.key)]
        rows = {str(ws.cell(r, key_col).value): r for r in range(2, ws.max_row + 1) if ws.cell(r, key_col).value}
        for key, cells in deed.edits.items():
            if key in rows:
                for header, value in cells.items():
                    ws.cell(rows[key], headers[header]).value = value
        next_row = max([1, *rows.values()]) + 1
        for cells in deed.rows:
            for header, value in cells.items():
                ws.cell(next_row, headers[header]).value = value
            next_row += 1
    wb.save(config.registry)
