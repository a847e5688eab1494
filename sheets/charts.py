"""Native charts over a sheet's rows: what a chart shows, and where its data sits at creation.

A chart is described without positions: the rows it plots are named by key (the first is the
block's title row, whose cells name the series) and its columns by canonical name. A store
resolves them to cells once, when it creates the chart; after that the chart reads its cells
as any chart does, so refreshing the figures refreshes the chart with no chart request.
Both stores (local .xlsx, Google Sheets) share this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sheets.changes import cell_text
from sheets.layout import header_map
from sheets.schema import SheetSchema

BAR, COLUMN, LINE = "bar", "column", "line"  # bar: horizontal bars; column: vertical


@dataclass(frozen=True)
class ChartSpec:
    """One chart: title, type, the rows it plots (title row first) and its columns."""

    title: str
    kind: str
    keys: tuple[str, ...]  # keys[0]: the title row (series names); the rest: one category each
    domain: str  # canonical column of the category labels
    series: tuple[str, ...]  # canonical columns, one series each
    anchor_row: int  # 0-based cell the chart's top left corner is pinned to
    anchor_col: int
    stacked: bool = False
    width_px: int = 600
    height_px: int = 320
    axis_title: str = ""  # the value axis
    colours: tuple[str, ...] = ()  # RRGGBB per series; empty: the application's palette


@dataclass(frozen=True)
class ChartRanges:
    """A chart's cells: 1-based rows (title row first) and columns, as at creation."""

    first_row: int
    last_row: int
    domain_col: int
    series_cols: tuple[int, ...]


class ChartLayoutError(ValueError):
    """The rows a chart needs are missing or not together in order; the message is Russian."""


def resolve(spec: ChartSpec, schema: SheetSchema, head: Sequence[object], keys: Sequence[object]) -> ChartRanges:
    """Where the chart's rows and columns are now: ``head`` is row 1, ``keys`` the key column below.

    The chart plots one contiguous block, so its rows must stand together in the spec's order.
    """
    mapping, _problems = header_map(schema, head)
    missing = [schema.header(c) for c in (spec.domain, *spec.series) if c not in mapping]
    if missing:
        raise ChartLayoutError(
            f"диаграмма «{spec.title}»: на листе «{schema.title}» нет столбцов {', '.join(missing)}"
        )
    row_of: dict[str, int] = {}
    for row_no, raw in enumerate(keys, start=2):
        row_of.setdefault(cell_text(raw).strip(), row_no)
    absent = [k for k in spec.keys if k not in row_of]
    if absent:
        raise ChartLayoutError(
            f"диаграмма «{spec.title}»: на листе «{schema.title}» нет строк {', '.join(absent[:3])}"
            + (" и других" if len(absent) > 3 else "")
        )
    first = row_of[spec.keys[0]]
    if [row_of[k] for k in spec.keys] != list(range(first, first + len(spec.keys))):
        raise ChartLayoutError(
            f"диаграмма «{spec.title}»: строки листа «{schema.title}» переставлены — "
            "верните их порядок (или удалите лист и выполните «nastavnik init»)"
        )
    return ChartRanges(
        first, first + len(spec.keys) - 1, mapping[spec.domain], tuple(mapping[c] for c in spec.series)
    )
