"""The numbers and pictures of the monitoring reports, computed with pandas from the registries.

Needs analysis (roadmap 2.3), interim monitoring (6.3) and the final report (7.1) with the
target model's two monitoring stages: the quality of the process (satisfaction, usefulness,
regular meetings) and the growth of participants (goals reached, mentees ready to mentor,
mentors kept for the long term). Best cases are shown only with a publication consent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd

from sheets.schema import DIRECTIONS, MENTEE_CATEGORIES
from sync.documents.charts import bars
from sync.documents.contexts import ACTIVE, FINISHED, _date, goals_of, ids, items, schedule
from sync.documents.words import count_of, count_words

SCORES = {"satisfaction": "Удовлетворенность", "usefulness": "Польза", "goals_progress": "Продвижение к целям",
          "mentor_quality": "Оценка наставника"}
SHORT = {"молодой педагог": "молодые", "педагог": "педагоги", "обучающийся": "обучающиеся"}
FORMS_ORDER = ("педагог – педагог", "руководитель – педагог", "педагог – обучающийся", "обучающийся – обучающийся")


def _half_up(value: Fraction, places: int) -> str:
    """Rounded as a person rounds (half up, not to even): 7,25 -> 7,3; 12,5 -> 13."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)).replace(".", ",")


def _pct(n: int, total: int) -> str:
    return _half_up(Fraction(100 * n, total), 0) if total else "0"


def _exact_mean(values: pd.Series) -> Fraction | None:
    """The mean of whole scores as an exact fraction (no float rounding before the half-up)."""
    if not len(values):
        return None
    return Fraction(int(sum(int(v) for v in values)), len(values))


def _num(x: Fraction | float | None) -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return "—"
    return _half_up(x if isinstance(x, Fraction) else Fraction(str(x)), 1)


def _mean(values: pd.Series) -> str:
    return _num(_exact_mean(values))


def _scores(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").dropna()


def needs_figures(frames: dict[str, pd.DataFrame]) -> dict[str, object]:
    """Participants by direction and category, requests ranked, mentors who can answer them."""
    mentees = frames["mentees"]
    mentees = mentees[mentees["status"] != "выбыл"]
    mentors = frames["mentors"]
    table = []
    for direction in DIRECTIONS:
        part = mentees[mentees["direction"] == direction]
        counts = {SHORT[c]: int((part["category"] == c).sum()) for c in MENTEE_CATEGORIES}
        table.append({"название": direction, **counts, "всего": len(part)})
    answered = mentees[mentees["needs"].str.strip() != ""]
    need_counts = pd.Series([n for text in answered["needs"] for n in dict.fromkeys(items(text))], dtype=object)
    ranked = need_counts.value_counts().sort_index().sort_values(ascending=False, kind="stable")
    competent = pd.Series([c for text in mentors["competencies"] for c in dict.fromkeys(items(text))], dtype=object)
    can = competent.value_counts()
    requests = [{"номер": i, "название": need, "число": int(n), "доля": _pct(int(n), len(answered)),
                 "наставники": int(can.get(need, 0))} for i, (need, n) in enumerate(ranked.items(), 1)]
    chart_people = bars([r["название"] for r in table],
                        {label: [r[SHORT[c]] for r in table] for c, label in
                         zip(MENTEE_CATEGORIES, ("молодые педагоги", "педагоги", "обучающиеся"), strict=True)},
                        "Наставляемые по направленностям и категориям", stacked=True)
    chart_needs = bars([r["название"] for r in requests], {"наставляемых": [r["число"] for r in requests],
                       "наставников с компетенцией": [r["наставники"] for r in requests]},
                       "Запросы наставляемых и компетенции наставников", horizontal=True)
    conclusions = []
    if requests:
        top = ", ".join(f"«{r['название']}» ({r['доля']} %)" for r in requests[:3])
        conclusions.append(f"Чаще всего наставляемым нужна помощь: {top}.")
    short = [r for r in requests if r["число"] > 3 * max(1, r["наставники"])]
    if short:
        conclusions.append("Мало наставников для запросов: " + ", ".join(f"«{r['название']}» — "
                           f"{count_of(r['число'], 'mentee')} на {count_of(r['наставники'], 'mentor')}"
                           for r in short) + ": нужны обучение наставников или партнеры.")
    else:
        conclusions.append("На каждый запрос есть наставники с нужной компетенцией.")
    categories = ", ".join(f"{label} — {sum(r[SHORT[c]] for r in table)}" for c, label in
                           zip(MENTEE_CATEGORIES, ("молодые педагоги", "педагоги", "обучающиеся"), strict=True))
    return {
        "участники": (f"Анкету наставляемого с анализом потребностей заполнили {count_of(len(answered), 'participant')}"
                      f" ({categories}); в реестре наставников {count_of(len(mentors), 'mentor')}."),
        "по_направленностям": [r for r in table if r["всего"]],
        "запросы": requests,
        "запросы_итог": f"Наставляемые назвали {count_of(int(need_counts.size), 'request')} "
                        f"по {count_words(len(ranked), 'теме', 'темам', 'темам')}.",
        "диаграмма_участники": chart_people,
        "диаграмма_запросы": chart_needs,
        "выводы": conclusions,
    }


def _pairs(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    pairs = frames["pairs"]
    return pairs[pairs["status"].isin((*ACTIVE, FINISHED, "расторгнута"))]


def pairs_figures(frames: dict[str, pd.DataFrame]) -> dict[str, object]:
    """Pairs by mentoring form and status."""
    pairs = _pairs(frames)
    rows = []
    for form in FORMS_ORDER:
        part = pairs[pairs["mentoring_form"] == form]
        if len(part):
            rows.append({"название": form, "всего": len(part), "в_работе": int(part["status"].isin(ACTIVE).sum()),
                         "завершены": int((part["status"] == FINISHED).sum()),
                         "расторгнуты": int((part["status"] == "расторгнута").sum())})
    mentees = {m for text in pairs["mentee_ids"] for m in ids(text)}
    groups = sum(1 for text in pairs["mentee_ids"] if len(ids(text)) > 1)
    text = (f"Утверждено {count_words(len(pairs), 'пара или группа', 'пары или группы', 'пар и групп')} "
            f"(из них групп — {groups}): {count_of(pairs['mentor_id'].nunique(), 'mentor')} и "
            f"{count_of(len(mentees), 'mentee')}.")
    return {"по_формам": rows, "пары_итог": text}


def meetings_figures(frames: dict[str, pd.DataFrame], end: date, today: date) -> dict[str, object]:
    """Meetings held against the plans' schedules, month by month, up to ``today``."""
    pairs = _pairs(frames)
    meetings = frames["meetings"]
    held = meetings[(meetings["pair_id"].isin(pairs.index)) & (meetings["held_on"] != "")
                    & (meetings["held_on"] <= today.isoformat())]
    planned: list[date] = []
    for _, pair in pairs.iterrows():
        approved = _date(pair["approved_on"]) or _date(pair["proposed_on"])
        if approved is None:
            continue
        stop = _date(pair["ended_on"]) if pair["status"] == "расторгнута" else None
        for m in schedule(approved, end, goals_of([], [])):
            if m.due <= today and (stop is None or m.due <= stop):
                planned.append(m.due)
    months = sorted({d.strftime("%Y-%m") for d in planned} | set(held["held_on"].str[:7]))
    plan_by = pd.Series([d.strftime("%Y-%m") for d in planned], dtype=object).value_counts()
    held_by = held["held_on"].str[:7].value_counts()
    labels = [f"{m[5:7]}.{m[2:4]}" for m in months]
    chart = bars(labels, {"по плану": [int(plan_by.get(m, 0)) for m in months],
                          "проведено": [int(held_by.get(m, 0)) for m in months]},
                 "Встречи по месяцам: план и факт", value_labels=len(months) <= 12)
    pct = _pct(len(held), len(planned))
    silent = sorted(p for p in pairs[pairs["status"].isin(ACTIVE)].index if p not in set(held["pair_id"]))
    text = (f"По планам развития к {today:%d.%m.%Y} запланировано {count_of(len(planned), 'meeting')}, "
            f"проведено и отмечено отчетами {count_of(len(held), 'meeting')} ({pct} % плана).")
    if silent:
        more = " и др." if len(silent) > 20 else ""
        text += f" Без единой отмеченной встречи: {', '.join(silent[:20])}{more}."
    return {"встречи_итог": text, "диаграмма_встречи": chart, "встречи_план": len(planned),
            "встречи_проведено": len(held)}


def _feedback(frames: dict[str, pd.DataFrame], kind: str) -> pd.DataFrame:
    fb = frames["feedback"]
    return fb[fb["kind"] == kind]


def interim_figures(frames: dict[str, pd.DataFrame]) -> dict[str, object]:
    """Interim feedback: means by role, the distribution of satisfaction."""
    fb = _feedback(frames, "промежуточная")
    rows = []
    for column, label in SCORES.items():
        by_role = {role: _scores(fb[fb["role"] == role], column) for role in ("наставник", "наставляемый")}
        every = _scores(fb, column)
        if every.empty:
            continue
        rows.append({"название": label, "наставники": _mean(by_role["наставник"]),
                     "наставляемые": _mean(by_role["наставляемый"]), "все": _mean(every)})
    sat = _scores(fb, "satisfaction").astype(int)
    dist = [int((sat == v).sum()) for v in range(1, 11)]
    chart = bars([str(v) for v in range(1, 11)], {"ответов": dist}, "Удовлетворенность встречами: распределение оценок")
    low = sorted({p for p, s in zip(fb["pair_id"], pd.to_numeric(fb["satisfaction"], errors="coerce"), strict=True)
                  if p and s <= 4})
    roles = fb["role"].value_counts()
    text = (f"На анкету обратной связи ответили {count_of(len(fb), 'participant')} (наставников — "
            f"{int(roles.get('наставник', 0))}, наставляемых — {int(roles.get('наставляемый', 0))}).")
    conclusions = [f"Средняя удовлетворенность встречами — {_mean(sat)} из 10."]
    if low:
        conclusions.append("Низкие оценки (4 и ниже) — пары " + ", ".join(low) + ": куратору встретиться с парой.")
    return {"оценки": rows, "оценки_итог": text, "диаграмма_оценки": chart, "выводы": conclusions,
            "ответов_промежуточных": len(fb)}


def final_figures(frames: dict[str, pd.DataFrame]) -> dict[str, object]:
    """Interim against final scores (quality of the process) and the growth of participants."""
    interim, final = _feedback(frames, "промежуточная"), _feedback(frames, "итоговая")
    rows, labels, before, after = [], [], [], []
    for column in ("satisfaction", "usefulness", "goals_progress"):
        a, b = _scores(interim, column), _scores(final, column)
        if a.empty and b.empty:
            continue
        ma, mb = _exact_mean(a), _exact_mean(b)
        change = None if ma is None or mb is None else mb - ma
        rows.append({"название": SCORES[column], "промежуточная": _num(ma), "итоговая": _num(mb),
                     "изменение": "—" if change is None else ("+" if change >= 0 else "−") + _num(abs(change))})
        labels.append(SCORES[column])
        before.append(float(_num(ma).replace(",", ".")) if ma is not None else 0)
        after.append(float(_num(mb).replace(",", ".")) if mb is not None else 0)
    chart = bars(labels, {"промежуточная": before, "итоговая": after}, "Средние оценки (1–10)", ylim=10.5)
    mentees_final = final[final["role"] == "наставляемый"]
    goals = _scores(mentees_final, "goals_progress")
    reached = int((goals >= 7).sum())
    ready = int((mentees_final["ready_to_mentor"] == "да").sum())
    mentors = frames["mentors"]
    long_term = int(((mentors["long_term"] == "да") & (mentors["status"] != "выбыл")).sum())  # as the site
    pairs = _pairs(frames)
    finished = int((pairs["status"] == FINISHED).sum())
    growth = [
        f"Завершили программу {count_words(finished, 'пара', 'пары', 'пар')} из {len(pairs)}.",
        f"Цели плана развития достигнуты или заметно продвинулись (7 баллов и выше) у "
        f"{count_words(reached, 'наставляемого', 'наставляемых', 'наставляемых')} из {len(goals)} ответивших "
        f"({_pct(reached, len(goals))} %).",
        f"Готовы сами стать наставниками: {count_of(ready, 'participant')}.",
        f"В долгосрочном реестре наставников: {count_of(long_term, 'mentor')}.",
    ]
    quality = (f"Итоговую анкету заполнили {count_of(len(final), 'participant')}, промежуточную — "
               f"{count_of(len(interim), 'participant')}.")
    return {"сравнение": rows, "диаграмма_сравнение": chart, "рост": growth, "качество_итог": quality}


def change_conclusions(frames: dict[str, pd.DataFrame]) -> list[str]:
    """How the scores moved between the interim and the final questionnaires, in words."""
    out = []
    for column in ("satisfaction", "usefulness", "goals_progress"):
        a = _scores(_feedback(frames, "промежуточная"), column)
        b = _scores(_feedback(frames, "итоговая"), column)
        if len(a) and len(b):
            ma, mb = _exact_mean(a), _exact_mean(b)
            way = "выросла" if mb > ma else "снизилась" if mb < ma else "не изменилась"
            out.append(f"Оценка «{SCORES[column]}» {way}: {_num(ma)} → {_num(mb)} из 10.")
    return out or ["Нет ответов обеих анкет, чтобы сравнить оценки."]


def practice_figures(frames: dict[str, pd.DataFrame], publishable: Callable[[str], bool]) -> dict[str, object]:
    """Best cases the whole pair allowed to publish (``publishable``: the site's rule, by case id);
    the rest are counted, not shown."""
    practices = frames["practices"]
    shown, hidden = [], 0
    for key, case in practices.iterrows():
        pair_id = case["pair_id"].strip()
        if publishable(str(key)) and case["title"].strip():
            shown.append({"название": case["title"].strip(), "пара": pair_id, "описание": case["summary"].strip()})
        else:
            hidden += 1
    text = f"В базе лучших практик {count_of(len(practices), 'case')}."
    if hidden:
        text += f" Без согласия участников на публикацию не показано: {hidden}."
    return {"практики": shown, "практики_итог": text}
