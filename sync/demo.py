"""A realistic demo programme: CSV exports of every form, as Google Forms would give them.

Deterministic by seed. Russian names with ё, both genders, the six directions, pupils whose
parents answer (siblings share a parent's email), minors with and without a parent's consent,
a resubmitted application (an edit), and a handful of answers a person has to look at.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from forms.questionnaires import (
    COMPETENCIES,
    DAYS,
    DIRECTIONS,
    MENTEE_APPLICATION,
    MENTOR_APPLICATION,
    PD_CONSENT,
    PUBLICATION_CONSENT,
)
from forms.spec import FormSpec

MALE = ("Александр", "Алексей", "Андрей", "Артём", "Дмитрий", "Егор", "Иван", "Кирилл", "Максим",
        "Михаил", "Никита", "Пётр", "Семён", "Фёдор", "Сергей", "Владимир", "Илья", "Матвей",
        "Тимофей", "Глеб", "Роман", "Олег", "Юрий", "Григорий")
FEMALE = ("Алёна", "Анна", "Дарья", "Екатерина", "Елена", "Ирина", "Мария", "Наталья", "Ольга",
          "Светлана", "Татьяна", "Юлия", "Ксения", "Полина", "Софья", "Варвара", "Алёна",
          "Людмила", "Вера", "Галина", "Надежда", "Виктория", "Арина", "Милана")
SURNAMES = ("Иванов", "Королёв", "Соловьёв", "Воробьёв", "Ершов", "Пугачёв", "Горбачёв", "Смирнов",
            "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
            "Морозов", "Волков", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Орлов",
            "Никитин", "Захаров", "Журавлёв", "Ковалёв", "Щербаков", "Зуев", "Тихонов", "Белоусов")
INVARIABLE = ("Белых", "Черных", "Шевчук", "Ковальчук", "Седых")
FATHERS = {"Александр": "Александров", "Алексей": "Алексеев", "Андрей": "Андреев",
           "Дмитрий": "Дмитриев", "Иван": "Иванов", "Михаил": "Михайлов", "Пётр": "Петров",
           "Семён": "Семёнов", "Фёдор": "Фёдоров", "Сергей": "Сергеев", "Владимир": "Владимиров",
           "Юрий": "Юрьев", "Григорий": "Григорьев", "Олег": "Олегов", "Николай": "Николаев",
           "Виктор": "Викторов", "Евгений": "Евгеньев", "Анатолий": "Анатольев"}
POSITIONS = ("педагог дополнительного образования", "методист", "педагог-организатор",
             "руководитель объединения", "старший методист", "педагог-психолог")
DEPARTMENTS = ("главное здание", "Станция юных техников", "Центр цифрового образования",
               "филиал «Юность»", "спортивный комплекс")
DIRECTION_WEIGHTS = (30, 14, 14, 22, 8, 12)
TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n",
                     "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y",
                     "", "e", "yu", "ya"], strict=True))
MAIL_DOMAINS = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru")


@dataclass
class Person:
    surname: str
    name: str
    patronymic: str
    gender: str
    email: str
    birth: date

    @property
    def full_name(self) -> str:
        return f"{self.surname} {self.name} {self.patronymic}"


MSK = ZoneInfo("Europe/Moscow")  # the demo's exports are stamped in Moscow time (GMT+3)


class DemoProgramme:
    """Generates people and their form answers, deterministically by seed."""

    def __init__(self, seed: int, start: date, first_answer: datetime | None = None) -> None:
        self.rng = random.Random(seed)
        self.start = start
        self.used_emails: set[str] = set()
        self.clock = first_answer or datetime.combine(start, datetime.min.time()) + timedelta(hours=9)
        self.pace = 1.0  # big demos answer faster, so they stay within the first months

    # people -------------------------------------------------------------------------------

    def person(self, gender: str | None = None, age: tuple[int, int] = (23, 60),
               surname: str | None = None) -> Person:
        rng = self.rng
        gender = gender or rng.choice("мж")
        name = rng.choice(MALE if gender == "м" else FEMALE)
        stem = FATHERS[rng.choice(sorted(FATHERS))]
        patronymic = stem + ("ич" if gender == "м" else "на")
        base = surname or (rng.choice(INVARIABLE) if rng.random() < 0.1 else rng.choice(SURNAMES))
        last = base if base in INVARIABLE or gender == "м" or not base.endswith(("в", "н")) else base + "а"
        years = rng.randint(*age)
        birth = self.start - timedelta(days=365 * years + rng.randint(0, 364))
        return Person(last, name, patronymic, gender, self.email_for(last, name, years), birth)

    def email_for(self, surname: str, name: str, salt: int) -> str:
        latin = "".join(TRANSLIT.get(ch, ch) for ch in surname.lower())
        first = "".join(TRANSLIT.get(ch, ch) for ch in name.lower())
        for attempt in range(100):
            local = f"{first[0]}.{latin}" + (str(salt + attempt) if attempt else "")
            email = f"{local}@{self.rng.choice(MAIL_DOMAINS)}"
            if email not in self.used_emails:
                self.used_emails.add(email)
                return email
        raise AssertionError("no free demo email")

    def tick(self) -> str:
        """The next submission time, alternating the two export formats Google produces."""
        self.clock += timedelta(seconds=self.rng.randint(180, 24_000) / self.pace)
        if self.rng.random() < 0.2:
            hour = self.clock.hour % 12 or 12
            ampm = "PM" if self.clock.hour >= 12 else "AM"
            return self.clock.strftime(f"%Y/%m/%d {hour}:%M:%S {ampm} GMT+3")
        return self.clock.strftime("%d.%m.%Y %H:%M:%S")

    def phone(self) -> str:
        r = self.rng
        return f"+7 9{r.randint(10, 99)} {r.randint(100, 999)}-{r.randint(10, 99)}-{r.randint(10, 99)}"

    def direction(self) -> str:
        return self.rng.choices(DIRECTIONS, weights=DIRECTION_WEIGHTS)[0]

    def some(self, options: tuple[str, ...], low: int, high: int) -> str:
        picked = self.rng.sample(options, self.rng.randint(low, min(high, len(options))))
        return ", ".join(o for o in options if o in picked)

    # forms --------------------------------------------------------------------------------

    def mentor_row(self, p: Person) -> dict[str, str]:
        r = self.rng
        return {
            "ФИО": p.full_name,
            "Пол": p.gender,
            "Телефон": self.phone(),
            "Должность": r.choice(POSITIONS),
            "Отдел / площадка": r.choice(DEPARTMENTS),
            "Направленность": self.direction(),
            "Компетенции, которыми готовы делиться": self.some(COMPETENCIES, 2, 5),
            "Педагогический стаж, лет": str(r.randint(4, 35)),
            "Сколько наставляемых готовы вести": str(r.choice((1, 2, 2, 3, 3, 4, 5))),
            "Готовы вести группу": r.choice(("да", "нет", "нет")),
            "Форматы встреч": self.some(("очно", "дистанционно", "смешанный"), 1, 3),
            "Удобные дни": self.some(DAYS, 2, 4),
        }

    def mentee_row(self, p: Person, category: str, guardian: str = "") -> dict[str, str]:
        r = self.rng
        return {
            "ФИО": p.full_name,
            "Пол": p.gender,
            "Категория": category,
            "Дата рождения": p.birth.strftime("%d.%m.%Y"),
            "Телефон": self.phone() if category != "обучающийся" else "",
            "ФИО родителя (законного представителя)": guardian,
            "Отдел / площадка": r.choice(DEPARTMENTS),
            "Направленность": self.direction(),
            "Запросы: в чем нужна помощь наставника": self.some(COMPETENCIES, 1, 4),
            "Педагогический стаж, лет (для педагогов)": {"молодой педагог": str(r.randint(0, 3)),
                                                          "педагог": str(r.randint(3, 20))}.get(category, ""),
            "Предпочтительный формат": r.choice(("очно", "очно", "дистанционно", "смешанный")),
            "Удобные дни": self.some(DAYS, 2, 4),
            "Желаемый наставник (если есть)": "",
        }


def _write_export(path: Path, spec: FormSpec, rows: list[tuple[str, str, dict[str, str]]]) -> None:
    """Write rows (timestamp, email, answers by title) as a Google Forms CSV export (with BOM)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["Отметка времени", "Адрес электронной почты", *[q.title for q in spec.questions]])
    for stamp, email, answers in rows:
        writer.writerow([stamp, email, *[answers.get(q.title, "") for q in spec.questions]])
    path.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")


def _consent(subject: Person, email: str, given_by: str, giver: str) -> dict[str, str]:
    return {
        "ФИО участника программы": subject.full_name,
        "Email, указанный в анкете участника": email,
        "Кем дано согласие": given_by,
        "ФИО давшего согласие": giver,
        "Подтверждение": "Даю согласие на обработку персональных данных",
        "Что разрешается публиковать": "ФИО, описание кейса",
    }


def generate(forms_dir: Path, mentors: int = 40, mentees: int = 120, seed: int = 1,
             start: date = date(2026, 9, 1), now: datetime | None = None) -> dict[str, int]:
    """Write the demo CSV exports into ``forms_dir``; returns rows written per form.

    Answers begin on ``start``; when that would put the last one after ``now`` (a demo made in
    early September), they are moved back so that every answer is already in the past.
    """
    outputs, last = _answers(mentors, mentees, seed, start, None)
    if now is not None:
        local_now = now.astimezone(MSK).replace(tzinfo=None)
        if last > local_now:
            first = datetime.combine(start, datetime.min.time()) + timedelta(hours=9)
            outputs, _ = _answers(mentors, mentees, seed, start, first - (last - local_now) - timedelta(hours=1))
    forms_dir.mkdir(parents=True, exist_ok=True)
    for spec, rows in outputs.items():
        _write_export(forms_dir / f"{spec.code}.csv", spec, rows)
    return {spec.code: len(rows) for spec, rows in outputs.items()}


def _answers(mentors: int, mentees: int, seed: int, start: date, first_answer: datetime | None,
             ) -> tuple[dict[FormSpec, list[tuple[str, str, dict[str, str]]]], datetime]:
    """Every form's demo rows and the last answer's time; the same seed gives the same rows."""
    demo = DemoProgramme(seed, start, first_answer)
    demo.pace = max(1.0, (mentors + mentees) / 160)
    rng = demo.rng
    mentor_rows: list[tuple[str, str, dict[str, str]]] = []
    mentee_rows: list[tuple[str, str, dict[str, str]]] = []
    consent_rows: list[tuple[str, str, dict[str, str]]] = []
    publication_rows: list[tuple[str, str, dict[str, str]]] = []

    mentor_people = [demo.person(age=(28, 64)) for _ in range(mentors)]
    for p in mentor_people:
        mentor_rows.append((demo.tick(), p.email, demo.mentor_row(p)))
        if rng.random() < 0.9:
            consent_rows.append((demo.tick(), p.email, _consent(p, p.email, "сам участник", p.full_name)))
    # an edit: the same mentor resubmits with other days
    if mentor_people:
        p = mentor_people[0]
        edited = dict(mentor_rows[0][2], **{"Удобные дни": "вт, чт"})
        mentor_rows.append((demo.tick(), p.email, edited))

    parents: list[Person] = []
    for _i in range(mentees):
        roll = rng.random()
        if roll < 0.38:  # a teacher answers for themself: young (25 %) or experienced (13 %)
            category, age = ("молодой педагог", (22, 29)) if roll < 0.25 else ("педагог", (30, 55))
            p = demo.person(age=age)
            mentee_rows.append((demo.tick(), p.email, demo.mentee_row(p, category)))
            if rng.random() < 0.9:
                consent_rows.append((demo.tick(), p.email, _consent(p, p.email, "сам участник", p.full_name)))
            continue
        # a pupil: the parent answers with their own email; some families have two children
        if parents and rng.random() < 0.12:
            parent = rng.choice(parents)
        else:
            parent = demo.person(age=(30, 50))
            parents.append(parent)
        gender = rng.choice("мж")
        child = demo.person(gender=gender, age=(10, 17), surname=_stem(parent.surname))
        child.email = parent.email
        if parent.gender == "м" and parent.name in FATHERS:
            child.patronymic = FATHERS[parent.name] + ("ич" if gender == "м" else "на")
        mentee_rows.append((demo.tick(), parent.email,
                            demo.mentee_row(child, "обучающийся", parent.full_name)))
        consent_roll = rng.random()
        if consent_roll < 0.8:
            giver = "родитель" if rng.random() < 0.9 else "законный представитель"
            consent_rows.append((demo.tick(), parent.email,
                                 _consent(child, parent.email, giver, parent.full_name)))
            if rng.random() < 0.3:
                publication_rows.append((demo.tick(), parent.email,
                                         _consent(child, parent.email, giver, parent.full_name)))
        elif consent_roll < 0.85:  # the pupil ticked the consent themself: not valid
            consent_rows.append((demo.tick(), parent.email,
                                 _consent(child, parent.email, "сам участник", child.full_name)))

    # answers a person has to look at
    bad = demo.person(age=(24, 40))
    row = demo.mentee_row(bad, "молодой педагог")
    mentee_rows.append((demo.tick(), bad.email.replace("@", "@@"), row))  # malformed email
    bad = demo.person(age=(24, 40))
    mentee_rows.append((demo.tick(), bad.email, dict(demo.mentee_row(bad, "педагог"),
                                                     **{"Направленность": ""})))  # missing answer
    bad = demo.person(age=(24, 40))
    mentee_rows.append((demo.tick(), bad.email, dict(demo.mentee_row(bad, "педагог"),
                                                     **{"Направленность": "робототехника"})))
    bad = demo.person(age=(11, 15))
    mentee_rows.append((demo.tick(), bad.email, demo.mentee_row(bad, "обучающийся")))  # no parent
    if mentor_people:  # one email, another adult's name: a conflicting duplicate
        other = demo.person(age=(30, 50))
        mentor_rows.append((demo.tick(), mentor_people[-1].email, demo.mentor_row(other)))
    bad = demo.person(age=(30, 50))
    mentor_rows.append((demo.tick(), bad.email, dict(demo.mentor_row(bad), **{
        "Должность": '=HYPERLINK("http://example.com","методист")'})))  # formula-like, kept as text
    mentor_rows.append(("вчера вечером", demo.person().email, demo.mentor_row(demo.person())))

    return {
        MENTOR_APPLICATION: mentor_rows,
        MENTEE_APPLICATION: mentee_rows,
        PD_CONSENT: consent_rows,
        PUBLICATION_CONSENT: publication_rows,
    }, demo.clock


def _stem(surname: str) -> str:
    """The masculine form of a surname, so a child's surname takes the right ending."""
    if surname.endswith(("ова", "ёва", "ева", "ина")):
        return surname[:-1]
    return surname
