"""A head's position in the dative for a letter's «Кому» block: «Генеральному директору ООО …».

The rule covers the phrases partner organisations use: optional leading adjectives, then the
head word, then whatever follows it unchanged (its complement is already in its own case:
«директор по развитию», «начальник управления образования», «заведующая МБДОУ «Детский
сад № 5»»). Adjectives agree with the head word («генеральному директору»); an adjective used
as a noun (заведующий, управляющий, исполняющий обязанности…) takes the person's gender when
it is known («Заведующей» for a woman even where the staff list says «заведующий»).

Only head words in ``NOUNS`` or ``SUBSTANTIVES`` are declined: anything else gives None, and
the caller uses staff's «Должность (кому)» or lists the partner for a person — never a guess.
"""

from __future__ import annotations

import re

MALE, FEMALE = "м", "ж"
# Head nouns of positions and their dative (a noun's dative does not depend on the person's gender).
NOUNS: dict[str, str] = {
    **{n: n + "у" for n in (
        "директор", "начальник", "президент", "вице-президент", "ректор", "проректор", "декан", "врач",
        "редактор", "менеджер", "администратор", "координатор", "куратор", "советник", "инспектор",
        "методист", "специалист", "консультант", "эксперт", "собственник", "партнер", "партнёр", "командир",
        "член", "министр", "мэр", "губернатор", "префект", "педагог", "психолог", "тренер", "бухгалтер",
        "юрист", "инженер", "технолог", "организатор", "шеф", "продюсер", "режиссер", "режиссёр", "завуч",
        "атаман", "нотариус", "архитектор", "дизайнер", "аналитик", "сотрудник", "работник", "помощник",
        "ассистент", "агроном", "хормейстер", "дирижер", "дирижёр", "концертмейстер")},
    **{n: n[:-1] + "ю" for n in (
        "руководитель", "председатель", "сопредседатель", "заместитель", "представитель", "предприниматель",
        "учредитель", "соучредитель", "основатель", "сооснователь", "настоятель", "воспитатель", "учитель",
        "преподаватель", "издатель", "секретарь", "библиотекарь", "смотритель", "распорядитель",
        "исполнитель", "управитель", "попечитель", "хранитель")},
    "владелец": "владельцу", "глава": "главе", "директриса": "директрисе", "сестра": "сестре",
}
# Adjectives used as nouns: the person's gender decides their form.
SUBSTANTIVES = ("заведующий", "управляющий", "исполняющий", "уполномоченный", "ответственный", "дежурный")
# Words before the head that stay as they are («временно исполняющий обязанности директора»).
KEPT_BEFORE = ("временно",)
# Abbreviations of «исполняющий обязанности», followed by a genitive: the whole phrase is already right.
ACTING = re.compile(r"^(вр\.?\s*и\.?\s*о\.?|врио|и\.\s*о\.|и\.о\.|ио)\s", re.IGNORECASE)
_ADJ = re.compile(r"(ый|ий|ой|ая|яя)$")
_HUSHING = "жшчщ"
_VELAR = "гкх"


def _adjective(word: str, gender: str) -> str | None:
    """The dative of an adjective (lower case, hyphenated parts: the last declines) in ``gender``."""
    head, _, last = word.rpartition("-")
    prefix = head + "-" if head else ""
    if not _ADJ.search(last):
        return None
    stem, ending = last[:-2], last[-2:]
    if gender == FEMALE:
        soft = ending == "яя" or ending == "ий" and stem[-1:] not in _VELAR or stem[-1:] in _HUSHING
        return prefix + stem + ("ей" if soft else "ой")
    if ending in ("ая", "яя"):
        return None  # a feminine adjective before a masculine head: a typo, not ours to fix
    if ending == "ий" and stem[-1:] not in _VELAR:
        return prefix + stem + "ему"
    return prefix + stem + "ому"


def _gender_of(word: str) -> str:
    return FEMALE if word.endswith(("ая", "яя")) else MALE


def _cased(like: str, word: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def position_dative(position: str, gender: str | None = None) -> str | None:
    """«Генеральный директор ООО «Ромашка»» -> «Генеральному директору ООО «Ромашка»»; None if unsure.

    ``gender`` («м», «ж» or None) is the person's: it settles «заведующий»/«заведующая».
    """
    text = " ".join(position.split())
    if not text:
        return None
    if ACTING.match(text + " "):
        return text  # «И. о. директора МАОУ СОШ № 5»: «исполняющему обязанности» reads the same
    words = text.split(" ")
    out: list[str] = []
    adjectives: list[str] = []
    for i, word in enumerate(words):
        low = word.lower()
        if not adjectives and low in KEPT_BEFORE:
            out.append(word)
            continue
        if low in NOUNS:
            for adj in adjectives:
                declined = _adjective(adj.lower(), MALE if low not in ("директриса", "сестра") else FEMALE)
                if declined is None:
                    return None
                out.append(_cased(adj, declined))
            return " ".join([*out, _cased(word, NOUNS[low]), *words[i + 1:]])
        if _ADJ.search(low) and not word.isupper() and word[:1] not in "«\"":
            adjectives.append(word)
            continue
        break
    # no head noun: the last adjective is the head used as a noun («заведующая», «управляющий»)
    if not adjectives or adjectives[-1].lower().rsplit("-", 1)[-1] not in {*SUBSTANTIVES, *(
            s[:-2] + "ая" for s in SUBSTANTIVES)}:
        return None
    agree = gender if gender in (MALE, FEMALE) else _gender_of(adjectives[-1].lower())
    for adj in adjectives:
        declined = _adjective(adj.lower(), agree)
        if declined is None:
            return None
        out.append(_cased(adj, declined))
    rest = words[len(out):]
    return " ".join([*out, *rest])
