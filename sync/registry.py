"""The registries as the job works on them: records by key, ids, and the diff back to changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

import pandas as pd

from sheets.changes import ChangeSet, KeyAssign, diff_records, frame_from_records, records_by_key
from sheets.schema import BY_NAME, REGISTRIES
from sheets.store import Snapshot

ID_PREFIX = {
    "mentors": "НС",
    "mentees": "НВ",
    "consents": "С",
    "pairs": "П",
    "meetings": "В",
    "feedback": "ОС",
    "attention": "ТВ",
    "practices": "ЛП",
    "partners": "ПТ",
}


class Registries:
    """Working copies of every registry: sheet name -> key -> record (canonical name -> text).

    The job changes these copies; ``changes()`` diffs them against what was read, under the
    schema's ownership rules. Ids come from counters kept in «Служебное», so an id is never
    reused even when staff delete the newest row.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.before: dict[str, dict[str, dict[str, str]]] = {
            s.name: records_by_key(snapshot.frames[s.name]) if s.name in snapshot.frames else {}
            for s in REGISTRIES
        }
        self.rows: dict[str, dict[str, dict[str, str]]] = {
            name: {key: dict(row) for key, row in rows.items()} for name, rows in self.before.items()
        }
        self.allow: dict[str, set[tuple[str, str]]] = {s.name: set() for s in REGISTRIES}
        self._last: dict[str, int] = {}
        self.warnings: list[str] = []
        self.assigns: list[KeyAssign] = []
        self.adopted: dict[str, list[dict[str, str]]] = {}
        # (sheet, key, column) of typed cells that cannot be read, once ``sync.cells`` has looked
        self.unreadable: set[tuple[str, str, str]] | None = None
        # (sheet, column) -> (normalise, normalised value -> keys): see ``lookup``
        self._indexes: dict[tuple[str, str], tuple[Callable[[str], str], dict[str, list[str]]]] = {}
        for sheet, rows in snapshot.unkeyed.items():
            for cells in rows:
                self._adopt(sheet, cells)

    def _adopt(self, sheet: str, cells: dict[str, str]) -> None:
        """A row staff typed without a key gets the next id (unless the job owns the sheet)."""
        schema = BY_NAME[sheet]
        if sheet not in ID_PREFIX:
            self.warnings.append(
                f"на листе «{schema.title}» строка без «{schema.header(schema.key)}» — лист ведет задание, "
                "строка не учитывается"
            )
            return
        key = self.next_id(sheet)
        row = {name: cells.get(name, "") for name in schema.names}
        row[schema.key] = key
        self.adopted.setdefault(sheet, []).append(dict(row))
        if "source" in row and not row["source"]:
            row["source"] = "внесено вручную"
        self.rows[sheet][key] = row
        self.assigns.append(KeyAssign(sheet, key, tuple(sorted(cells.items()))))

    def __getitem__(self, sheet: str) -> dict[str, dict[str, str]]:
        return self.rows[sheet]

    def add(self, sheet: str, record: dict[str, str]) -> dict[str, str]:
        """Add a row; it gets the next id unless it carries its key. Returns the stored row."""
        schema = BY_NAME[sheet]
        row = dict.fromkeys(schema.names, "")
        row.update({k: v for k, v in record.items() if k in row})
        if not row[schema.key]:
            row[schema.key] = self.next_id(sheet)
        self.rows[sheet][row[schema.key]] = row
        for (indexed, column), (fold, index) in self._indexes.items():
            if indexed == sheet:
                index.setdefault(fold(row.get(column, "")), []).append(row[schema.key])
        return row

    def lookup(
        self, sheet: str, column: str, value: str, fold: Callable[[str], str]
    ) -> list[dict[str, str]]:
        """Rows of ``sheet`` whose ``column``, normalised by ``fold``, equals ``value``, in
        key order of arrival.

        An index per (sheet, column) is built on first use and kept up to date by ``add``, so a
        first load of thousands of answers does not scan every row for each one. A row whose
        value was changed in place since is checked again, never returned by a stale entry.
        """
        found = self._indexes.get((sheet, column))
        if found is None or found[0] is not fold:
            index: dict[str, list[str]] = {}
            for key, row in self.rows[sheet].items():
                index.setdefault(fold(row.get(column, "")), []).append(key)
            found = self._indexes[(sheet, column)] = (fold, index)
        rows = self.rows[sheet]
        keys = found[1].get(value, [])
        hits = [rows[k] for k in keys if k in rows and fold(rows[k].get(column, "")) == value]
        if len(hits) != len(keys):  # rows changed or removed in place: index them afresh
            self._indexes.pop((sheet, column))
            return [r for r in rows.values() if fold(r.get(column, "")) == value]
        return hits

    def set_staff(self, sheet: str, key: str, column: str, value: str) -> None:
        """Write a staff-owned cell on purpose (e.g. replacing an open proposal's mentor)."""
        self.rows[sheet][key][column] = value
        self.allow[sheet].add((key, column))

    def alert(self, key: str, found: bool, found_at: str, **fields: str) -> None:
        """Open, keep or close a self-resolving «Требует внимания» row about ``key``.

        Found and new: a row is added, «открыто». Found again: its fields are refreshed. Gone:
        the row stays, marked «исправлено», so staff see what was fixed. A «Решение куратора»
        closes the row for good (see ``resolved_status``).
        """
        row = self.rows["attention"].get(key)
        if found and row is None:
            self.add("attention", {"id": key, "found_at": found_at, "status": "открыто", **fields})
        elif row is not None:
            if found:
                row.update(fields)
            decided = resolved_status(row.get("resolution", ""))
            row["status"] = decided or ("открыто" if found else "исправлено")

    def service(self, name: str) -> str:
        """A value of «Служебное»."""
        row = self.rows["service"].get(name)
        return row["value"] if row else ""

    def set_service(self, name: str, value: str) -> None:
        row = self.rows["service"].get(name)
        if row is None:
            self.add("service", {"id": name, "value": value})
        else:
            row["value"] = value

    def next_id(self, sheet: str) -> str:
        """The next never-used id of a registry, e.g. «НС-0007»."""
        prefix = ID_PREFIX[sheet]
        counter = f"последний номер {prefix}"
        if sheet not in self._last:
            pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
            found = [int(m.group(1)) for k in self.rows[sheet] if (m := pattern.match(k))]
            self._last[sheet] = max([int(self.service(counter) or 0), *found])
        last = self._last[sheet] = self._last[sheet] + 1
        self.set_service(counter, str(last))
        return f"{prefix}-{last:04d}"

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every registry as it stands now in the run, as frames (canonical columns, by key)."""
        return {s.name: frame_from_records(s, self.rows[s.name].values()) for s in REGISTRIES}

    def commit(self) -> None:
        """What ``changes()`` gave has been written: from now on only what comes after counts."""
        self.before = {name: {key: dict(row) for key, row in rows.items()} for name, rows in self.rows.items()}
        self.allow = {name: set() for name in self.allow}
        self.assigns = []
        self.adopted = {}

    def changes(self) -> ChangeSet:
        """Everything that differs from what was read, as position-free changes."""
        out = ChangeSet(assigns=list(self.assigns))
        for schema in REGISTRIES:
            before = self.before[schema.name]
            if schema.name in self.adopted:
                before = {**before, **{r[schema.key]: r for r in self.adopted[schema.name]}}
            out.extend(diff_records(schema, before, self.rows[schema.name], self.allow[schema.name]))
        return out


def resolved_status(resolution: str) -> str:
    """The «Статус» a «Решение куратора» gives a row («» while there is none).

    «исправлено вручную» -> «исправлено»; «принято как есть», «не требует действий» (or any other
    words the curator typed) -> «принято вручную».
    """
    words = " ".join(resolution.lower().replace("ё", "е").split())
    if not words:
        return ""
    return "исправлено" if words.startswith("исправлен") else "принято вручную"


def honour_resolutions(reg: Registries) -> None:
    """Close every open «Требует внимания» row the curator has decided about."""
    for row in reg["attention"].values():
        decided = resolved_status(row.get("resolution", ""))
        if decided and row["status"] != decided:
            row["status"] = decided


@lru_cache(maxsize=65_536)  # a pure function of the moment, asked for 3-4 times per answer
def local_stamp(moment: datetime, tz) -> str:
    """A moment as registry text in the programme's time zone: «2026-11-25 14:03:12».

    Cached: the conversion to a ZoneInfo zone costs ~5 µs, and a first load asks it for the
    run's «now» and each answer's time again and again (48,000 times at 12,000 participants).
    Equal moments give the same text whatever zone they carry, so the cache cannot mix them up.
    """
    local = moment.astimezone(tz)
    if local.year < 1000:  # strftime does not pad such a year; isoformat would
        return local.strftime("%Y-%m-%d %H:%M:%S")
    return local.replace(tzinfo=None).isoformat(" ", "seconds")  # the same text, without strftime's cost
