"""The job's «Сводка» step, and its one-time install at ``init`` (rows first, then charts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sheets.changes import ChangeSet, RowAppend, number_of
from sheets.charts import ChartSpec
from sheets.schema import DASHBOARD
from sheets.store import TableStore
from sync.config import Config
from sync.dashboard.figures import compute_figures
from sync.dashboard.layout import VALUE_COLUMNS, chart_specs, dashboard_layout, layout_rows
from sync.ingest import Context
from sync.registry import Registries

SUMMARY = "сводка: показателей {n}, изменилось {changed}"
MISPLACED = (
    "на листе «Сводка» нет строк {keys} — их добавит задание, но диаграммы покажут их только после "
    "«nastavnik init» (пересоздайте лист, удалив его)"
)


def _same(old: str, new: str) -> bool:
    """Equal figures, whatever the store's decimal sign («7,8» from a Russian-locale sheet)."""
    if old == new:
        return True
    a, b = number_of(old), number_of(new)
    return a is not None and a == b


def update_dashboard(reg: Registries, ctx: Context, config: Config) -> str:
    """Write the figures into «Сводка» (by key; missing rows are added in layout order)."""
    blocks = dashboard_layout(config)
    figures = compute_figures(reg, ctx.today, blocks)
    rows = reg["dashboard"]
    changed = 0
    wanted_rows = layout_rows(blocks)
    absent = [r["id"] for r in wanted_rows if r["id"] not in rows]
    if rows and absent:
        reg.warnings.append(MISPLACED.format(keys=", ".join(f"«{k}»" for k in absent[:3])))
    for wanted in wanted_rows:
        key = wanted["id"]
        values = dict(wanted)
        values.update(dict(zip(VALUE_COLUMNS, figures.get(key, ()), strict=False)))
        row = rows.get(key)
        if row is None:
            reg.add("dashboard", {name: values.get(name, "") for name in DASHBOARD.names})
            changed += 1
            continue
        for name in DASHBOARD.names:
            new = values.get(name, "")
            if not _same(row.get(name, ""), new):
                row[name] = new
                changed += name in VALUE_COLUMNS
    return SUMMARY.format(n=len(figures), changed=changed)


ChartMaker = Callable[[str, Sequence[ChartSpec]], list[str]]


def install_dashboard(store: TableStore, config: Config, add_charts: ChartMaker) -> list[str]:
    """At ``init``: put the rows of «Сводка» in place (once), then the charts over them.

    ``add_charts(sheet, specs)`` is the store's chart maker (``XlsxStore.add_charts`` or the Google
    one); it adds only the charts that are missing. Returns what was added, in Russian.
    """
    blocks = dashboard_layout(config)
    snapshot = store.read_all()
    present = set(snapshot["dashboard"].index)
    missing = [row for row in layout_rows(blocks) if row["id"] not in present]
    added = []
    if missing:
        appends = [RowAppend("dashboard", tuple((n, row.get(n, "")) for n in DASHBOARD.names)) for row in missing]
        store.write(ChangeSet(appends=appends))
        added.append(f"строк на листе «{DASHBOARD.title}»: {len(missing)}")
    added += [f"диаграмма «{title}»" for title in add_charts(DASHBOARD.name, chart_specs(blocks))]
    return added
