"""``nastavnik match --explain ID``: why a pair is as it is, or why a mentee has none.

Russian lines with IDs only (no personal data). An alternative mentor scoring higher than the
chosen one is explained: who holds that mentor's places, and what taking them would cost the
programme's total (the matching maximises the number of pairs, then the sum of scores).
"""

from __future__ import annotations

import re

from forms.answers import split_list
from sync.pairing import ACTIVE, OPEN, PairingReport
from sync.registry import Registries

_ALTERNATIVE = re.compile(r"([^;|()]+?)\s*\((\d+)\)")
HIGHER = "  {mentor} ({score}) оценен выше, но {why}"
HELD_BY = "его места заняты: {pairs}"
COSTS = "замена уменьшила бы сумму оценок на {loss} (этот наставляемый получил бы +{gain}, {others})"
TIE = ("замена не увеличила бы сумму оценок (этот наставляемый получил бы +{gain}, {others}); "
       "при равенстве решает порядок ID, а открытые предложения между запусками не меняются")
CHAIN = ("одна замена дала бы этому наставляемому +{gain} ({others}), но лучшие варианты вытесненного тоже "
         "заняты: по всем парам вместе подбор не нашел перестановки с большей суммой оценок")
DISPLACED = "{mentee} в паре {pair} потерял бы {loss}"
FREE_NOW = "у наставника теперь есть свободное место — следующий подбор это учтет, если предложение снимут"
CURATOR = "пара закреплена куратором: подбор ее не меняет"


def find_key(rows: dict[str, dict[str, str]], typed: str) -> str | None:
    """A registry key typed in any case («нв-0007») or with stray spaces."""
    wanted = " ".join(typed.split()).casefold()
    return next((k for k in rows if k.casefold() == wanted), None)


def alternatives_of(text: str) -> list[tuple[str, int]]:
    """«НС-0003 (85); НС-0007 (80)» -> [(id, score), …]."""
    return [(m.group(1).strip(), int(m.group(2))) for m in _ALTERNATIVE.finditer(text)]


def _int(text: str) -> int:
    try:
        return int(float(text))
    except ValueError:
        return 0


def why_not_higher(reg: Registries, pair: dict[str, str]) -> list[str]:
    """For each alternative scoring above the pair's mentor: why it was not taken."""
    own = _int(pair["score"])
    lines = []
    for mentor, points in alternatives_of(pair["alternatives"]):
        if points <= own or ";" in pair["mentee_ids"]:
            continue
        holding = [p for p in reg["pairs"].values() if p["mentor_id"].strip() == mentor
                   and p["id"] != pair["id"] and (p["status"] in ACTIVE or p["status"] == OPEN)]
        capacity = _int(reg["mentors"].get(mentor, {}).get("capacity", "1")) or 1
        taken = sum(len(split_list(p["mentee_ids"])) for p in holding)
        if taken < capacity:
            lines.append(HIGHER.format(mentor=mentor, score=points, why=FREE_NOW))
            continue
        gain = points - own
        losses = []
        for held in sorted(holding, key=lambda p: p["id"]):
            if held["status"] in ACTIVE:
                losses.append((10**6, f"{held['mentee_ids']} в паре {held['id']}: {CURATOR}"))
                continue
            if ";" in held["mentee_ids"]:
                losses.append((10**6, f"группа {held['id']} ({held['mentee_ids']})"))
                continue
            best = max((s for m, s in alternatives_of(held["alternatives"]) if m != mentor), default=0)
            loss = _int(held["score"]) - best
            losses.append((loss, DISPLACED.format(mentee=held["mentee_ids"], pair=held["id"], loss=loss)))
        cheapest = min(losses, default=(0, ""))
        if cheapest[0] >= 10**6:
            why = HELD_BY.format(pairs="; ".join(text for _, text in losses))
        elif cheapest[0] - gain < 0:
            why = HELD_BY.format(pairs=", ".join(p["id"] for p in holding)) + "; " + CHAIN.format(
                gain=gain, others=cheapest[1])
        elif cheapest[0] - gain == 0:
            why = HELD_BY.format(pairs=", ".join(p["id"] for p in holding)) + "; " + TIE.format(
                gain=gain, others=cheapest[1])
        else:
            why = HELD_BY.format(pairs=", ".join(p["id"] for p in holding)) + "; " + COSTS.format(
                loss=cheapest[0] - gain, gain=gain, others=cheapest[1])
        lines.append(HIGHER.format(mentor=mentor, score=points, why=why))
    return lines


def describe_mentee_or_pair(reg: Registries, report: PairingReport | None, item: str) -> list[str]:
    """Russian lines explaining the matching for a mentee id or a pair id, in any case."""
    pairs = reg["pairs"]
    pair_key, mentee_key = find_key(pairs, item), find_key(reg["mentees"], item)
    if pair_key:
        found = [pairs[pair_key]]
    elif mentee_key:
        found = [p for p in pairs.values() if mentee_key in split_list(p["mentee_ids"])]
    else:
        raise KeyError(item)
    lines = []
    for pair in sorted(found, key=lambda p: p["id"]):
        lines.append(f"Пара {pair['id']}: наставник {pair['mentor_id']}, наставляемые {pair['mentee_ids']}, "
                     f"статус «{pair['status']}», оценка {pair['score'] or '—'}")
        if pair["explanation"]:
            lines.append(f"  {pair['explanation']}")
        if pair["alternatives"]:
            lines.append(f"  альтернативы: {pair['alternatives']}")
            lines += why_not_higher(reg, pair)
    if mentee_key:
        why = dict(report.result.unmatched).get(mentee_key) if report and report.result else None
        status = reg["mentees"][mentee_key]["status"]
        if why:
            lines.append(f"Наставляемый {mentee_key} без пары: {why}")
        elif not found:
            lines.append(f"Наставляемый {mentee_key}: статус «{status}», в подборе не участвует")
    return lines
