"""The figures of «Сводка», computed from the registries as the run leaves them. Pure.

Every figure is a count or a mean over registry rows, so a test can recompute it from the
workbook with pandas. Values are text as a store reads them back: «12», «7.8»; «» when there
is nothing to average.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from statistics import fmean

from sheets.changes import cell_text
from sheets.schema import DIRECTIONS, MENTORING_FORMS, PAIR_STATUSES
from sync.dashboard.layout import FUNNEL_STEPS, ROADMAP_ORDER, Block, month_key
from sync.publication import publication_scopes
from sync.registry import Registries

YES = "да"
INTERIM, FINAL = "промежуточная", "итоговая"
OPEN = "открыто"
APPROVED_LADDER = ("утверждена", "пробная встреча", "план развития", "работа", "завершена")
PROPOSED = "предложена"
NOT_COUNTED = ("отклонена", "снята")  # proposals the curator turned down or the job withdrew
MENTOR_ACTIVE, LEFT = "активен", "выбыл"
WAITING_PAIR = "ожидает пары"
# A mentee has reached a funnel step when their stage is at or past it.
FUNNEL_REACHED: dict[str, tuple[str, ...]] = {
    "в паре": APPROVED_LADDER,
    "пробная встреча": APPROVED_LADDER[1:],
    "план развития": APPROVED_LADDER[2:],
    "завершили": APPROVED_LADDER[4:],
}

Figures = dict[str, tuple[str, ...]]  # row key -> texts for value, value2, ...


def number(value: float | int) -> str:
    """A figure as the text a store reads back: «12», «7.8»."""
    return cell_text(round(float(value), 1))


def mean_text(values: Iterable[str]) -> str:
    """The mean of the integer answers among ``values``, one decimal; «» if there are none."""
    numbers = [int(v) for v in values if v.strip().lstrip("-").isdecimal()]
    return number(fmean(numbers)) if numbers else ""


def _stage(mentee: dict[str, str]) -> str:
    return mentee.get("stage", "").strip().lower()


def key_figures(reg: Registries, today: date) -> dict[str, int | str]:
    """The block «Ключевые показатели»: short key -> figure."""
    mentors, mentees = list(reg["mentors"].values()), list(reg["mentees"].values())
    pairs = list(reg["pairs"].values())
    meetings, feedback = list(reg["meetings"].values()), list(reg["feedback"].values())
    roadmap = Counter(r["status"] for r in reg["roadmap"].values())
    due = [m for m in meetings if m["planned_on"] and m["planned_on"] <= today.isoformat()]
    scopes = publication_scopes(reg, today)
    return {
        "наставники": len(mentors),
        "наставники активные": sum(m["status"].strip().lower() == MENTOR_ACTIVE for m in mentors),
        "наставники с согласием": sum(bool(m["pd_consent"]) for m in mentors),
        "наставники обучены": sum(m["trained"].strip().lower() == YES for m in mentors),
        "наставники долгосрочные": sum(m["long_term"].strip().lower() == YES for m in mentors),
        "наставляемые": len(mentees),
        "наставляемые с согласием": sum(bool(m["pd_consent"]) for m in mentees),
        "согласия на публикацию": sum(1 for pid in scopes if pid in reg["mentors"] or pid in reg["mentees"]),
        "наставляемые ждут пары": sum(m["status"] == WAITING_PAIR for m in mentees),
        "пары": sum(p["status"].strip().lower() not in NOT_COUNTED for p in pairs),
        "встречи по плану": len(due),
        "встречи по плану проведены": sum(bool(m["held_on"]) for m in due),
        "встречи проведены": sum(bool(m["held_on"]) for m in meetings),
        "удовлетворенность промежуточная": mean_text(f["satisfaction"] for f in feedback if f["kind"] == INTERIM),
        "удовлетворенность итоговая": mean_text(f["satisfaction"] for f in feedback if f["kind"] == FINAL),
        "дк выполнено": roadmap.get("выполнено", 0),
        "дк просрочено": roadmap.get("просрочено", 0),
        "внимание": sum(a["status"] == OPEN for a in reg["attention"].values()),
    }


def by_direction(reg: Registries) -> dict[str, tuple[int, int]]:
    """Direction -> (approved pairs, open proposals); a pair's direction is its mentor's."""
    out = {d: [0, 0] for d in DIRECTIONS}
    for pair in reg["pairs"].values():
        mentor = reg["mentors"].get(pair["mentor_id"].strip())
        direction = mentor["direction"] if mentor else ""
        if direction not in out:
            continue
        if pair["stage"].strip().lower() in APPROVED_LADDER:
            out[direction][0] += 1
        elif pair["status"].strip().lower() == PROPOSED:
            out[direction][1] += 1
    return {d: (a, b) for d, (a, b) in out.items()}


def funnel(reg: Registries) -> dict[str, int]:
    """Funnel step -> mentees who reached it."""
    mentees = list(reg["mentees"].values())
    out = {"в базе": len(mentees), "согласие": sum(bool(m["pd_consent"]) for m in mentees)}
    for step, stages in FUNNEL_REACHED.items():
        out[step] = sum(_stage(m) in stages for m in mentees)
    assert set(out) == {k for k, _label in FUNNEL_STEPS}
    return out


def satisfaction_by_month(reg: Registries) -> dict[str, tuple[str, str]]:
    """«2027-02» -> (mean interim, mean final satisfaction) of the answers given that month."""
    answers: dict[tuple[str, str], list[str]] = {}
    for f in reg["feedback"].values():
        if f["answered_on"]:
            answers.setdefault((month_key(f["answered_on"]), f["kind"]), []).append(f["satisfaction"])
    months = {m for m, _kind in answers}
    return {m: (mean_text(answers.get((m, INTERIM), [])), mean_text(answers.get((m, FINAL), []))) for m in months}


def roadmap_by_stage(reg: Registries) -> dict[int, Counter]:
    """Stage number -> activities by status."""
    out: dict[int, Counter] = {}
    for row in reg["roadmap"].values():
        number_text = row["id"].split(".", 1)[0]
        if number_text.isdecimal():
            out.setdefault(int(number_text), Counter())[row["status"]] += 1
    return out


def compute_figures(reg: Registries, today: date, blocks: list[Block]) -> Figures:
    """Every row's figures, by row key (title rows keep their series names)."""
    figures: Figures = {}
    for key, value in key_figures(reg, today).items():
        figures[f"показатели: {key}"] = (value if isinstance(value, str) else number(value),)
    statuses = Counter(p["status"].strip().lower() for p in reg["pairs"].values())
    for status in PAIR_STATUSES:
        figures[f"статусы: {status}"] = (number(statuses.get(status, 0)),)
    forms = Counter(
        p["mentoring_form"] for p in reg["pairs"].values() if p["status"].strip().lower() not in NOT_COUNTED
    )
    for form in MENTORING_FORMS:
        figures[f"формы: {form}"] = (number(forms.get(form, 0)),)
    for direction, (approved, proposed) in by_direction(reg).items():
        figures[f"направленности: {direction}"] = (number(approved), number(proposed))
    for step, n in funnel(reg).items():
        figures[f"воронка: {step}"] = (number(n),)
    by_month = satisfaction_by_month(reg)
    stages = roadmap_by_stage(reg)
    for block in blocks:
        if block.key == "удовлетворенность":
            for key, _label in block.rows:
                figures[key] = by_month.get(key.removeprefix("удовлетворенность: "), ("", ""))
        elif block.key == "дорожная карта":
            for key, _label in block.rows:
                counts = stages.get(int(key.rsplit(" ", 1)[1]), Counter())
                figures[key] = tuple(number(counts.get(s, 0)) for s in ROADMAP_ORDER)
    return figures

