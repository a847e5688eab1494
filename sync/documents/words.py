"""Correct Russian for documents: names in the case a sentence needs, salutations, dates, counts.

Names are declined by ``pytrovich`` (the petrovich rules: double and indeclinable surnames,
adjectival surnames, Korean and Ukrainian surnames by gender), never by string hacks; a
patronymic with «оглы»/«кызы» stays as it is. Staff have the last word for contested names
(«ФИО в дательном падеже», «Пол для писем» in the registries). Gender comes from staff, then
the form's answer, then the library's guess from the patronymic and name; when none of them
can tell, a letter says «Уважаемый(ая)» and the person is listed for staff to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from babel import Locale
from babel.dates import format_date
from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

# «d MMMM y 'г.'», not babel's 'long' format, which puts a narrow no-break space (U+202F)
# before «г.»: a character Word's fonts lack and mail merges show as a box.
DATE_PATTERN = "d MMMM y 'г.'"
PATRONYMIC_PARTICLES = ("оглы", "кызы", "гызы", "улы", "уулу")
MALE, FEMALE = "м", "ж"
CASES = {"dative": Case.DATIVE, "genitive": Case.GENITIVE}
SALUTATION = {MALE: "Уважаемый", FEMALE: "Уважаемая", None: "Уважаемый(ая)"}


@cache
def _maker() -> PetrovichDeclinationMaker:
    return PetrovichDeclinationMaker()


@cache
def _detector() -> PetrovichGenderDetector:
    return PetrovichGenderDetector()


@dataclass(frozen=True)
class PersonName:
    """A full name as «Фамилия Имя Отчество»; the patronymic may be missing or two words."""

    last: str
    first: str = ""
    middle: str = ""

    @classmethod
    def parse(cls, full_name: str) -> PersonName:
        """Split «Фамилия Имя Отчество» (extra spaces ignored; «Гейдар оглы» is one patronymic)."""
        parts = full_name.split()
        if not parts:
            return cls("")
        return cls(parts[0], parts[1] if len(parts) > 1 else "", " ".join(parts[2:]))

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.last, self.first, self.middle) if p)

    @property
    def first_and_middle(self) -> str:
        """«Мария Петровна»: how a salutation names a person."""
        return " ".join(p for p in (self.first, self.middle) if p)

    @property
    def particle_patronymic(self) -> bool:
        return self.middle.split()[-1].lower().strip("-") in PATRONYMIC_PARTICLES if self.middle else False


def detect_gender(name: PersonName) -> str | None:
    """«м», «ж» or None when the name cannot tell (the library says androgynous)."""
    if not name.last:
        return None
    middle = name.middle if name.middle and not name.particle_patronymic else None
    if name.particle_patronymic:
        tail = name.middle.split()[-1].lower()
        return MALE if tail in ("оглы", "улы", "уулу") else FEMALE
    found = _detector().detect(firstname=name.first or None, lastname=name.last, middlename=middle)
    return {Gender.MALE: MALE, Gender.FEMALE: FEMALE}.get(found)


def gender_of(full_name: str, staff: str = "", stated: str = "") -> str | None:
    """The gender a letter uses: staff's «Пол для писем», the form's «Пол», then the library."""
    for value in (staff, stated):
        value = value.strip().lower()
        if value in (MALE, FEMALE):
            return value
    return detect_gender(PersonName.parse(full_name))


def decline(full_name: str, case: str, gender: str | None) -> str:
    """The full name in ``case`` ("dative" or "genitive"): «Ивановой Марии Петровне».

    With the gender unknown the name is declined as the library's androgynous rules say
    (surnames like Ким, Черных, Дурново stay as they are).
    """
    name = PersonName.parse(full_name)
    if not name.last:
        return full_name.strip()
    g = {MALE: Gender.MALE, FEMALE: Gender.FEMALE}.get(gender or "", Gender.ANDROGYNOUS)
    c = CASES[case]
    make = _maker().make
    out = [make(NamePart.LASTNAME, g, c, name.last)]
    if name.first:
        out.append(make(NamePart.FIRSTNAME, g, c, name.first))
    if name.middle:
        out.append(name.middle if name.particle_patronymic else make(NamePart.MIDDLENAME, g, c, name.middle))
    return " ".join(out)


@dataclass(frozen=True)
class Addressee:
    """How a document names a person: dative and genitive full name, salutation, gender."""

    full_name: str
    dative: str
    genitive: str
    salutation: str
    gender: str | None

    @property
    def gender_known(self) -> bool:
        return self.gender is not None


def addressee(full_name: str, staff_gender: str = "", stated_gender: str = "", staff_dative: str = "") -> Addressee:
    """Everything a letter needs to name a person; staff's dative form wins over the library."""
    gender = gender_of(full_name, staff_gender, stated_gender)
    name = PersonName.parse(full_name)
    dative = " ".join(staff_dative.split()) or decline(full_name, "dative", gender)
    call = name.first_and_middle or name.full
    return Addressee(
        full_name=name.full,
        dative=dative,
        genitive=decline(full_name, "genitive", gender),
        salutation=f"{SALUTATION[gender]} {call}!",
        gender=gender,
    )


def signature_name(full_name: str) -> str:
    """How a signature line names a person: «И. В. Соколова» (initials first, as on Russian letters)."""
    name = PersonName.parse(full_name)
    if not name.last:
        return full_name.strip()
    parts = [name.first] + ([] if name.particle_patronymic or not name.middle else [name.middle])
    initials = " ".join(f"{p[0]}." for p in parts if p)
    return f"{initials} {name.last}".strip()


def date_words(day: date) -> str:
    """«30 июня 2028 г.»"""
    return format_date(day, DATE_PATTERN, locale="ru")


def month_year(day: date) -> str:
    """«июнь 2028 г.» (the stand-alone month name)."""
    return format_date(day, "LLLL y 'г.'", locale="ru")


@cache
def _plural_rule():
    return Locale("ru").plural_form


def count_words(n: int, one: str, few: str, many: str) -> str:
    """«1 встреча», «3 встречи», «5 встреч», «21 встреча» (babel's Russian plural rules)."""
    form = _plural_rule()(n)
    return f"{n} {few if form == 'few' else one if form == 'one' else many}"


# Forms of the nouns the documents count: (one, few, many).
NOUNS: dict[str, tuple[str, str, str]] = {
    "meeting": ("встреча", "встречи", "встреч"),
    "pair": ("пара", "пары", "пар"),
    "mentor": ("наставник", "наставника", "наставников"),
    "mentee": ("наставляемый", "наставляемых", "наставляемых"),
    "participant": ("участник", "участника", "участников"),
    "answer": ("ответ", "ответа", "ответов"),
    "request": ("запрос", "запроса", "запросов"),
    "month": ("месяц", "месяца", "месяцев"),
    "case": ("кейс", "кейса", "кейсов"),
    "letter": ("письмо", "письма", "писем"),
    "document": ("документ", "документа", "документов"),
}


def count_of(n: int, noun: str) -> str:
    """A count with its noun from ``NOUNS``: ``count_of(5, "meeting")`` -> «5 встреч»."""
    return count_words(n, *NOUNS[noun])
