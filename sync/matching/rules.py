"""What makes a mentor and a mentee a possible pair, and how well they fit: one pair at a time.

The matching engine (``sync.matching``) applies the same rules to whole registries at once
(``sync.matching.graph``); this module is the readable reference, used for explanations, for
checking pairs kept from an earlier run, and by the tests to check the engine.

Hard rules (a pair that breaks one is never proposed):
- the mentee gave consent to personal data processing and is waiting for a mentor;
- the mentor is active and, when the programme requires it, trained;
- same direction («направленность»), unless the settings allow crossing directions;
- the mentoring form fits both categories (see ``mentoring_form``);
- not the same person (same id, or the same full name once normalised);
- the curator has not rejected the pair;
- every criterion weighted ``MUST_HAVE`` (10) is met, that is, not missed entirely: at least one
  need covered, at least one shared day, a compatible format, the same department, a mentor with
  more experience, the mentor the mentee named, the mentee's direction (when directions may
  cross: a must-have direction then binds only mentees who stated one). A criterion the mentee
  left blank never filters.

Score (0..100): the weighted mean of the criteria that apply to this mentee, each in 0..1:
- needs: the share of the mentee's needs found among the mentor's competencies (case-insensitive);
- days: the share of the mentee's days the mentor also has;
- format: 1 when compatible («смешанный» fits both «очно» and «дистанционно»);
- department: 1 when the same;
- experience: the mentor's lead in years, saturating at ``EXPERIENCE_SATURATION`` (only for
  teachers: a pupil has no teaching record);
- preferred: 1 when the mentor is the one the mentee named (by id or by full name);
- direction: 1 when the mentor has the mentee's direction. Only when directions may cross:
  otherwise the same direction is a hard rule, every candidate has it and the score ignores it.
A criterion applies when the mentee filled it in; a mentor who left it blank scores 0 on it.
Weights go from 0 (ignored) to 10 (must-have).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from sheets.schema import DAYS, MENTEE_CATEGORIES


class MatchingError(ValueError):
    """Input the matching engine cannot work with: bad settings, duplicate ids."""


CRITERIA: tuple[str, ...] = (
    "needs", "days", "format", "department", "experience", "preferred", "direction"
)
MUST_HAVE = 10
DEFAULT_WEIGHTS: dict[str, int] = {
    "needs": 8,
    "days": 5,
    "format": 6,
    "department": 3,
    "experience": 4,
    "preferred": 7,
    "direction": 6,  # counts only when directions may cross (``MatchSettings.cross_direction``)
}
EXPERIENCE_SATURATION = 5  # years of lead beyond which a mentor is not "more experienced"
TEACHER_CATEGORIES = ("молодой педагог", "педагог")
MENTOR_CATEGORIES: tuple[str, ...] = ("педагог", "руководитель", "обучающийся")

# (mentor category, mentee category) -> mentoring form; a missing pair is not allowed.
FORMS: dict[tuple[str, str], str] = {
    ("педагог", "молодой педагог"): "педагог – педагог",
    ("педагог", "педагог"): "педагог – педагог",
    ("педагог", "обучающийся"): "педагог – обучающийся",
    ("руководитель", "молодой педагог"): "руководитель – педагог",
    ("руководитель", "педагог"): "руководитель – педагог",
    ("обучающийся", "обучающийся"): "обучающийся – обучающийся",
}

# Russian names of the criteria, as the curator sees them in reasons.
CRITERION_NAMES: dict[str, str] = {
    "needs": "запросы",
    "days": "дни",
    "format": "формат",
    "department": "отдел",
    "experience": "стаж",
    "preferred": "желаемый наставник",
    "direction": "направленность",
}

# Why a pair cannot be made (kept proposals that stopped fitting, and ``pair_violation``).
NO_CONSENT = "нет согласия на обработку ПД"
NOT_WAITING = "наставляемый не ожидает пары"
UNKNOWN_CATEGORY = "не указана категория наставляемого"
NO_DIRECTION = "не указана направленность"
MENTOR_INACTIVE = "наставник не активен"
MENTOR_UNTRAINED = "наставник не прошёл обучение"
OTHER_DIRECTION = "у наставника другая направленность"
FORM_UNFIT = "форма наставничества не подходит: наставник — {mentor}, наставляемый — {mentee}"
SAME_PERSON = "наставник и наставляемый — одно лицо"
REJECTED = "пара отклонена куратором"
MUST_HAVE_UNMET = "не выполнено обязательное условие: {criteria}"

_DAY_ALIASES = {
    "понедельник": "пн",
    "вторник": "вт",
    "среда": "ср",
    "четверг": "чт",
    "пятница": "пт",
    "суббота": "сб",
}
_FORMAT_BITS = {"очно": 1, "дистанционно": 2, "смешанный": 3}
_BITS_FORMAT = {1: "очно", 2: "дистанционно", 3: "смешанный"}


@dataclass(frozen=True)
class Mentor:
    """A mentor as the engine sees them (a row of «Наставники»)."""

    id: str
    full_name: str
    direction: str
    competencies: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    department: str = ""
    experience_years: int = 0
    capacity: int = 1
    group_ok: bool = False  # shown to the curator; grouping proposals is the sync job's call
    active: bool = True
    trained: bool = False
    category: str = "педагог"  # one of MENTOR_CATEGORIES


@dataclass(frozen=True)
class Mentee:
    """A mentee as the engine sees them (a row of «Наставляемые»)."""

    id: str
    full_name: str
    category: str  # one of MENTEE_CATEGORIES
    direction: str
    needs: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    format: str = ""
    department: str = ""
    experience_years: int = 0
    preferred_mentor: str = ""  # a mentor's id or full name, or empty
    consent_ok: bool = False
    waiting: bool = True


@dataclass(frozen=True)
class MatchSettings:
    """How the curator wants pairs made: criterion weights, rules to relax, the method."""

    weights: Mapping[str, int] = field(default_factory=dict)
    cross_direction: bool = False
    require_training: bool = False
    priority: str = "count"  # "count": as many pairs as possible first; "score": best fit first
    method: str = "optimal"  # "optimal": min-cost flow; "stable": deferred acceptance
    alternatives: int = 2
    # Needs an explanation may name (the questionnaire's own options); others are only counted,
    # as a participant's free «Другое» text must not be copied into «Объяснение». None: name all.
    named_needs: frozenset[str] | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.weights) - set(CRITERIA))
        if unknown:
            raise MatchingError(f"неизвестные критерии подбора: {', '.join(unknown)}")
        merged = {**DEFAULT_WEIGHTS, **self.weights}
        for name, weight in merged.items():
            if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 10:
                raise MatchingError(f"вес критерия «{name}» должен быть целым от 0 до 10")
        object.__setattr__(self, "weights", merged)
        if self.priority not in ("count", "score"):
            raise MatchingError(f"неизвестный приоритет подбора: {self.priority}")
        if self.method not in ("optimal", "stable"):
            raise MatchingError(f"неизвестный метод подбора: {self.method}")
        if isinstance(self.alternatives, bool) or self.alternatives < 0:
            raise MatchingError("число альтернатив должно быть неотрицательным")

    def must_have(self, criterion: str) -> bool:
        """Whether the criterion is a hard filter."""
        return self.weights[criterion] == MUST_HAVE


@functools.lru_cache(maxsize=1 << 17)  # the same topics, days and names come again and again
def normalise(text: str) -> str:
    """Text compared the way a person would: case, «ё» and spacing do not matter."""
    return " ".join(text.casefold().replace("ё", "е").split())


def day_bits(days: Iterable[str]) -> int:
    """Days as a bit set over ``DAYS``; unknown spellings are ignored."""
    return _day_bits(tuple(days))


@functools.lru_cache(maxsize=1 << 14)  # a registry has a few dozen sets of days
def _day_bits(days: tuple[str, ...]) -> int:
    bits = 0
    for day in days:
        day = normalise(day)
        day = _DAY_ALIASES.get(day, day)
        if day in DAYS:
            bits |= 1 << DAYS.index(day)
    return bits


def format_bits(formats: Iterable[str]) -> int:
    """Formats as bits: 1 in person, 2 remote; «смешанный» is both."""
    return _format_bits(tuple(formats))


@functools.lru_cache(maxsize=1 << 12)
def _format_bits(formats: tuple[str, ...]) -> int:
    bits = 0
    for name in formats:
        bits |= _FORMAT_BITS.get(normalise(name), 0)
    return bits


def unique_normalised(items: Iterable[str]) -> dict[str, str]:
    """Normalised item -> its first spelling, in order, blanks dropped."""
    return dict(_unique_normalised(tuple(items)))


@functools.lru_cache(maxsize=1 << 16)  # explanations ask again for every pair's lists
def _unique_normalised(items: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    seen: dict[str, str] = {}
    for item in items:
        key = normalise(item)
        if key and key not in seen:
            seen[key] = item.strip()
    return tuple(seen.items())


def mentoring_form(mentor: Mentor, mentee: Mentee) -> str | None:
    """The form of mentoring this pair would be, or None when the categories do not fit."""
    return FORMS.get((mentor.category, mentee.category))


def pair_format(mentee: Mentee, mentor: Mentor) -> str:
    """The format the pair would work in; empty when the formats do not fit."""
    wanted = format_bits([mentee.format]) or 3  # a mentee who did not say takes any
    return _BITS_FORMAT.get(wanted & format_bits(mentor.formats), "")


def same_person(mentee: Mentee, mentor: Mentor) -> bool:
    """A person cannot mentor themselves: same id, or the same normalised full name."""
    if normalise(mentee.id) == normalise(mentor.id):
        return True
    name = normalise(mentee.full_name)
    return bool(name) and name == normalise(mentor.full_name)


def names_mentor(mentee: Mentee, mentor: Mentor) -> bool:
    """Whether the mentee named this mentor as the one they want."""
    wanted = normalise(mentee.preferred_mentor)
    return bool(wanted) and wanted in (normalise(mentor.id), normalise(mentor.full_name))


def criteria(
    mentee: Mentee, mentor: Mentor, cross_direction: bool
) -> dict[str, tuple[int, int] | None]:
    """Each criterion's value as a fraction (numerator, denominator); None where it does not apply.

    Fractions, not floats, so the vectorised engine can reproduce every score bit for bit.
    ``direction`` applies only when directions may cross: otherwise it is a hard rule, and
    counting it would lift every score alike.
    """
    needs = unique_normalised(mentee.needs)
    competencies = unique_normalised(mentor.competencies)
    wanted_days = day_bits(mentee.days)
    wanted_format = format_bits([mentee.format])
    department = normalise(mentee.department)
    direction = normalise(mentee.direction)
    lead = min(max(mentor.experience_years - mentee.experience_years, 0), EXPERIENCE_SATURATION)
    return {
        "needs": (sum(n in competencies for n in needs), len(needs)) if needs else None,
        "days": (
            ((wanted_days & day_bits(mentor.days)).bit_count(), wanted_days.bit_count())
            if wanted_days
            else None
        ),
        "format": (
            (int(bool(wanted_format & format_bits(mentor.formats))), 1) if wanted_format else None
        ),
        "department": (
            (int(department == normalise(mentor.department)), 1) if department else None
        ),
        "experience": (
            (lead, EXPERIENCE_SATURATION) if mentee.category in TEACHER_CATEGORIES else None
        ),
        "preferred": (
            (int(names_mentor(mentee, mentor)), 1) if normalise(mentee.preferred_mentor) else None
        ),
        "direction": (
            (int(direction == normalise(mentor.direction)), 1)
            if cross_direction and direction
            else None
        ),
    }


def applicable_criteria(mentee: Mentee, cross_direction: bool) -> list[str]:
    """The criteria the mentee filled in (only those count in the score and can filter)."""
    stated = {
        "needs": bool(unique_normalised(mentee.needs)),
        "days": bool(day_bits(mentee.days)),
        "format": bool(format_bits([mentee.format])),
        "department": bool(normalise(mentee.department)),
        "experience": mentee.category in TEACHER_CATEGORIES,
        "preferred": bool(normalise(mentee.preferred_mentor)),
        "direction": cross_direction and bool(normalise(mentee.direction)),
    }
    return [name for name in CRITERIA if stated[name]]


def score_from(values: Mapping[str, tuple[int, int] | None], weights: Mapping[str, int]) -> int:
    """The 0..100 score from criterion values; the float steps match the vectorised engine's."""
    total = 0.0
    weight_sum = 0
    for name in CRITERIA:
        value = values[name]
        if value is None:
            continue
        weight_sum += weights[name]
        total += (weights[name] * value[0]) / value[1]
    if weight_sum == 0:
        return 0
    # the epsilon keeps a mathematically exact .5 from rounding down through float error
    return math.floor((100 * total) / weight_sum + 0.5 + 1e-9)


def score(mentee: Mentee, mentor: Mentor, settings: MatchSettings) -> int:
    """How well the mentor fits the mentee, 0..100 (hard rules aside)."""
    return score_from(criteria(mentee, mentor, settings.cross_direction), settings.weights)


def unmet_must_haves(
    values: Mapping[str, tuple[int, int] | None], settings: MatchSettings
) -> list[str]:
    """The must-have criteria this pair misses entirely."""
    return [
        name
        for name in CRITERIA
        if settings.must_have(name) and values[name] is not None and values[name][0] == 0
    ]


def pair_violation(
    mentee: Mentee,
    mentor: Mentor,
    settings: MatchSettings,
    rejected: Collection[tuple[str, str]] = frozenset(),
) -> str | None:
    """The first hard rule this pair breaks, in Russian, or None; capacity is not checked here."""
    if not mentee.consent_ok:
        return NO_CONSENT
    if not mentee.waiting:
        return NOT_WAITING
    if mentee.category not in MENTEE_CATEGORIES:
        return UNKNOWN_CATEGORY
    if not mentor.active:
        return MENTOR_INACTIVE
    if settings.require_training and not mentor.trained:
        return MENTOR_UNTRAINED
    if not settings.cross_direction:
        if not normalise(mentee.direction):
            return NO_DIRECTION
        if normalise(mentee.direction) != normalise(mentor.direction):
            return OTHER_DIRECTION
    if mentoring_form(mentor, mentee) is None:
        return FORM_UNFIT.format(mentor=mentor.category, mentee=mentee.category)
    if same_person(mentee, mentor):
        return SAME_PERSON
    if (mentor.id, mentee.id) in rejected:
        return REJECTED
    unmet = unmet_must_haves(criteria(mentee, mentor, settings.cross_direction), settings)
    if unmet:
        return MUST_HAVE_UNMET.format(criteria=", ".join(CRITERION_NAMES[c] for c in unmet))
    return None


def explain(mentee: Mentee, mentor: Mentor, settings: MatchSettings) -> str:
    """Why this mentor for this mentee, in Russian, for the «Объяснение» column."""
    # The text states facts (the weights only show in the score) and never copies what a
    # participant wrote in their own words: departments, wishes and own needs are not named.
    parts: list[str] = []
    if normalise(mentee.direction) and normalise(mentee.direction) == normalise(mentor.direction):
        parts.append(f"совпадает направленность: {mentor.direction}")
    else:
        parts.append(f"направленность наставника: {mentor.direction or 'не указана'}")
    needs = unique_normalised(mentee.needs)
    if needs:
        competencies = unique_normalised(mentor.competencies)
        covered = [text for key, text in needs.items() if key in competencies]
        phrase = f"закрывает {len(covered)} из {len(needs)} {_of_requests(len(needs))}"
        named = settings.named_needs
        shown = [t for t in covered if named is None or normalise(t) in named]
        if len(shown) < len(covered):
            others = len(covered) - len(shown)
            shown.append(f"{others} {_plural(others, 'свой запрос', 'своих запроса', 'своих запросов')}")
        parts.append(f"{phrase}: {', '.join(shown)}" if covered else phrase)
    wanted_days = day_bits(mentee.days)
    if wanted_days:
        shared = wanted_days & day_bits(mentor.days)
        names = [day for i, day in enumerate(DAYS) if shared >> i & 1]
        parts.append(f"общие дни: {', '.join(names)}" if names else "нет общих дней")
    fits = pair_format(mentee, mentor)
    if fits:
        parts.append(f"формат: {fits}")
    elif mentee.format.strip():
        offered = ", ".join(mentor.formats) or "не указан"
        parts.append(f"формат не совпадает: у наставляемого {mentee.format}, у наставника {offered}")
    if normalise(mentee.department) and normalise(mentee.department) == normalise(
        mentor.department
    ):
        parts.append("тот же отдел")
    if mentee.category in TEACHER_CATEGORIES:
        parts.append(
            f"стаж наставника: {_years(mentor.experience_years)}, "
            f"наставляемого: {_years(mentee.experience_years)}"
        )
    if mentee.preferred_mentor.strip():
        if names_mentor(mentee, mentor):
            parts.append("наставляемый сам выбрал этого наставника")
        else:
            parts.append("наставляемый просил другого наставника")
    return "; ".join(parts)


def _plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural agreement: 1 год, 2 года, 5 лет, 11 лет, 21 год."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _of_requests(n: int) -> str:
    # after «из N» Russian takes the genitive: «из 1 запроса», «из 4 запросов»
    return "запроса" if n % 10 == 1 and n % 100 != 11 else "запросов"


def _years(n: int) -> str:
    return f"{n} {_plural(n, 'год', 'года', 'лет')}"


_NATURAL = re.compile(r"(\d+)")


def id_order(identifier: str) -> tuple:
    """Sort key for ids, so «М-2» comes before «М-10»; the raw id settles the rest."""
    pieces = tuple(
        (0, int(p), "") if p.isdecimal() else (1, 0, p) for p in _NATURAL.split(identifier) if p
    )
    return (pieces, identifier)
