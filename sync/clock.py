"""The programme's one "now": every command, the job, the roadmap, ages and the demo read it here.

Tests freeze it (``frozen``); a person can too, to replay a day: ``NASTAVNIK_NOW=2027-05-20T09:00``
(ISO date or date-time; a naive value is read as UTC). Nothing else in the code may call
``datetime.now`` or ``date.today`` for the programme's time — a split clock once let a pinned
test fixture and a command disagree about a minor's age.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ENV = "NASTAVNIK_NOW"

_frozen: datetime | None = None


class ClockError(ValueError):
    """``NASTAVNIK_NOW`` holds something that is not a date."""


def _parse(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ClockError(f"{ENV}: нужна дата ГГГГ-ММ-ДД или ГГГГ-ММ-ДДTЧЧ:ММ, а не «{text}»") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def now() -> datetime:
    """The current moment, timezone-aware (UTC unless frozen otherwise)."""
    if _frozen is not None:
        return _frozen
    override = os.environ.get(ENV, "").strip()
    if override:
        return _parse(override)
    return datetime.now(UTC)


def today(tz: ZoneInfo | None = None) -> date:
    """The programme's date today, in ``tz`` (the programme's timezone) when given."""
    moment = now()
    return (moment.astimezone(tz) if tz is not None else moment).date()


def school_year_start(on: date | None = None) -> date:
    """1 September of the school year that ``on`` (default: today) falls in."""
    day = on or today()
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


@contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """Hold the clock at ``at`` (aware) inside the block; tests and ``demo --through`` use it."""
    global _frozen
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    before, _frozen = _frozen, at
    try:
        yield at
    finally:
        _frozen = before


def freeze(at: datetime | None) -> None:
    """Set (or with None, release) the frozen moment outside a block (pytest fixtures)."""
    global _frozen
    _frozen = at if at is None or at.tzinfo else at.replace(tzinfo=UTC)
