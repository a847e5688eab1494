"""The rows of «Сводка» and the charts over them, in the order they stand on the sheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sheets.charts import BAR, LINE, ChartSpec
from sheets.schema import DIRECTIONS, MENTORING_FORMS, PAIR_STATUSES, ROADMAP_STATUSES
from sync.config import Config
from sync.roadmap import load_roadmap

VALUE_COLUMNS = ("value", "value2", "value3", "value4")
CHART_COLUMN = 7  # charts stand right of the table (column H), one under another
CHART_ROWS = 18  # rows between the tops of two charts (a 320-pixel chart and a gap)
MONTHS = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
MAX_MONTHS = 36

# --- Russian text ---------------------------------------------------------------------------

KEY_FIGURES = "Ключевые показатели"
FIGURES: tuple[tuple[str, str], ...] = (
    ("наставники", "Наставников в реестре"),
    ("наставники активные", "из них активных"),
    ("наставники с согласием", "Наставников с согласием на обработку ПД"),
    ("наставники обучены", "Наставников, прошедших обучение"),
    ("наставники долгосрочные", "Наставников в долгосрочном реестре"),
    ("наставляемые", "Наставляемых в учетной базе"),
    ("наставляемые с согласием", "Наставляемых с согласием на обработку ПД"),
    ("согласия на публикацию", "Участников с согласием на публикацию"),
    ("наставляемые ждут пары", "Наставляемых ожидают пары"),
    ("пары", "Пар и групп (кроме отклоненных и снятых)"),
    ("встречи по плану", "Встреч по плану на сегодня"),
    ("встречи по плану проведены", "из них проведено"),
    ("встречи проведены", "Встреч проведено всего"),
    ("удовлетворенность промежуточная", "Средняя удовлетворенность, промежуточная анкета (1–10)"),
    ("удовлетворенность итоговая", "Средняя удовлетворенность, итоговая анкета (1–10)"),
    ("дк выполнено", "Мероприятий дорожной карты выполнено"),
    ("дк просрочено", "Мероприятий дорожной карты просрочено"),
    ("внимание", "Открытых строк «Требует внимания»"),
)
FIGURE_SERIES = ("Значение",)
BY_STATUS, BY_STATUS_SERIES = "Пары по статусам", ("Пар",)
BY_FORM, BY_FORM_SERIES = "Пары по формам наставничества", ("Пар",)
BY_DIRECTION, BY_DIRECTION_SERIES = "Пары по направленностям", ("Утверждено", "Ждут утверждения")
FUNNEL, FUNNEL_SERIES = "Воронка этапов: наставляемые", ("Наставляемых",)
FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("в базе", "в учетной базе"),
    ("согласие", "с согласием на обработку ПД"),
    ("в паре", "в утвержденной паре"),
    ("пробная встреча", "пробная встреча проведена"),
    ("план развития", "план развития составлен"),
    ("завершили", "завершили программу"),
)
SATISFACTION, SATISFACTION_SERIES = "Удовлетворенность по месяцам (1–10)", ("Промежуточная", "Итоговая")
ROADMAP, ROADMAP_SERIES = "Дорожная карта по этапам", tuple(
    s.capitalize() for s in ("выполнено", "в работе", "просрочено", "не начато")
)
ROADMAP_ORDER = ("выполнено", "в работе", "просрочено", "не начато")
assert set(ROADMAP_ORDER) == set(ROADMAP_STATUSES)
# Status colours as on the sheets (green done, amber in progress, red overdue, grey not started).
ROADMAP_COLOURS = ("2E7D32", "F9A825", "C62828", "9E9E9E")
PAIR_COLOURS = ("1565C0", "90CAF9")
STAGE_LABEL = "{number}. {title}"
STAGE_LABEL_MAX = 34
AXIS_PAIRS, AXIS_MENTEES, AXIS_SCORE, AXIS_ACTIVITIES = "пар", "наставляемых", "балл", "мероприятий"


@dataclass(frozen=True)
class Block:
    """A titled run of rows: the title row names the series, each row below is a category."""

    key: str
    title: str
    series: tuple[str, ...]
    rows: tuple[tuple[str, str], ...]  # (key, label)
    chart: str = ""  # "" (figures only), or a chart kind from sheets.charts
    stacked: bool = False
    axis: str = ""
    colours: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key, *(k for k, _label in self.rows))


def _sub(block: str, items: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((f"{block}: {key}", label) for key, label in items)


def cycle_months(start: date, end: date) -> list[date]:
    """First days of the months of the programme's cycle (at most MAX_MONTHS)."""
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month) and len(out) < MAX_MONTHS:
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_key(day: date | str) -> str:
    """«2026-09» for any day of September 2026 (ISO text or a date)."""
    return str(day)[:7]


def stage_label(number: int, title: str) -> str:
    """A roadmap stage as a chart category: «1. Подготовка условий для…»."""
    text = STAGE_LABEL.format(number=number, title=title.strip())
    if len(text) <= STAGE_LABEL_MAX:
        return text
    cut = text[: STAGE_LABEL_MAX - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,/–-") + "…"


def roadmap_stages() -> list[tuple[int, str]]:
    """(number, title) of every roadmap stage, in order."""
    seen: dict[int, str] = {}
    for activity in load_roadmap():
        seen.setdefault(activity.stage_no, activity.stage_title)
    return sorted(seen.items())


def dashboard_layout(config: Config) -> list[Block]:
    """Every block of «Сводка», top to bottom."""
    months = cycle_months(config.start, config.end)
    return [
        Block("показатели", KEY_FIGURES, FIGURE_SERIES, _sub("показатели", FIGURES)),
        Block("статусы", BY_STATUS, BY_STATUS_SERIES, _sub("статусы", [(s, s) for s in PAIR_STATUSES])),
        Block("формы", BY_FORM, BY_FORM_SERIES, _sub("формы", [(f, f) for f in MENTORING_FORMS])),
        Block("направленности", BY_DIRECTION, BY_DIRECTION_SERIES,
              _sub("направленности", [(d, d) for d in DIRECTIONS]), BAR, stacked=True, axis=AXIS_PAIRS,
              colours=PAIR_COLOURS),
        Block("воронка", FUNNEL, FUNNEL_SERIES, _sub("воронка", FUNNEL_STEPS), BAR, axis=AXIS_MENTEES),
        Block("удовлетворенность", SATISFACTION, SATISFACTION_SERIES,
              _sub("удовлетворенность", [(month_key(m), f"{MONTHS[m.month - 1]} {m.year}") for m in months]),
              LINE, axis=AXIS_SCORE),
        Block("дорожная карта", ROADMAP, ROADMAP_SERIES,
              _sub("дорожная карта", [(f"этап {n}", stage_label(n, t)) for n, t in roadmap_stages()]),
              BAR, stacked=True, axis=AXIS_ACTIVITIES, colours=ROADMAP_COLOURS),
    ]


def layout_rows(blocks: list[Block]) -> list[dict[str, str]]:
    """The sheet's rows in order, figures empty: title rows carry the series names."""
    rows = []
    for block in blocks:
        title = {"id": block.key, "label": block.title}
        title.update(dict(zip(VALUE_COLUMNS, block.series, strict=False)))
        rows.append(title)
        rows += [{"id": key, "label": label} for key, label in block.rows]
    return rows


def chart_specs(blocks: list[Block]) -> list[ChartSpec]:
    """The charts, one under another to the right of the table."""
    specs = []
    for block in (b for b in blocks if b.chart):
        specs.append(
            ChartSpec(
                title=block.title,
                kind=block.chart,
                keys=block.keys,
                domain="label",
                series=VALUE_COLUMNS[: len(block.series)],
                anchor_row=1 + CHART_ROWS * len(specs),
                anchor_col=CHART_COLUMN,
                stacked=block.stacked,
                axis_title=block.axis,
                colours=block.colours,
            )
        )
    return specs
