"""What a publication consent covers: who and what may appear in the programme's public output.

A person appears on the site (name and direction, long-term mentor registry) only while their
«Согласие на распространение персональных данных» is in force and its scope names «ФИО»; a best
case is published only while every member of its pair has one whose scope names «описание
кейса». A withdrawn consent («Отозвано») takes effect at the next run or build.
"""

from __future__ import annotations

from datetime import date

from forms.answers import split_list
from sync.derive import latest_consents
from sync.registry import Registries

PUBLICATION = "распространение ПД"
SCOPE_NAME = "ФИО"
SCOPE_CASE = "описание кейса"
YES, NO = "да", "нет"


def publication_scopes(reg: Registries, today: date) -> dict[str, frozenset[str]]:
    """Participant id -> what their publication consent in force allows (empty: nothing)."""
    return {
        pid: frozenset(s.strip() for s in split_list(consent.get("scope", "")) if s.strip())
        for (pid, kind), consent in latest_consents(reg, today).items()
        if kind == PUBLICATION
    }


def pair_members(pair: dict[str, str]) -> list[str]:
    """The mentor and the mentees of a pair (or group), by id."""
    return [p.strip() for p in [pair.get("mentor_id", ""), *split_list(pair.get("mentee_ids", ""))] if p.strip()]


def case_publishable(practice: dict[str, str], reg: Registries, scopes: dict[str, frozenset[str]]) -> bool:
    """A case may be published when its pair exists and all its members allow «описание кейса»."""
    pair = reg["pairs"].get(practice.get("pair_id", "").strip())
    members = pair_members(pair) if pair else []
    return bool(members) and all(SCOPE_CASE in scopes.get(pid, frozenset()) for pid in members)


def mark_practices(reg: Registries, today: date) -> None:
    """Recompute «Согласие на публикацию» of every best case from the consents in force."""
    scopes = publication_scopes(reg, today)
    for practice in reg["practices"].values():
        practice["publication_ok"] = YES if case_publishable(practice, reg, scopes) else NO


def name_publishable(pid: str, scopes: dict[str, frozenset[str]]) -> bool:
    """Whether a person's name may be shown."""
    return SCOPE_NAME in scopes.get(pid, frozenset())
