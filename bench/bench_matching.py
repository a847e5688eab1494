"""Benchmark of the matching engine on synthetic registries: time, memory and quality.

Run:  .venv/bin/python bench/bench_matching.py [--sizes 1000x200,10000x2000] [--seed 1]

For each size (mentees x mentors) it makes a realistic registry (skewed directions, capacity
1–5, a few popular mentors many mentees ask for) and runs, each in a fresh process so the memory
figure is that run's own peak:
- ours, ``method="optimal"`` (min-cost flow; above 2 M cells only each mentee's best pairs
  are listed and the rest is priced, with the same result) and ``method="stable"`` (deferred
  acceptance);
- greedy: mentees in id order, each takes the best mentor with a free place (a naive script);
- exact: scipy ``linear_sum_assignment`` over mentors replicated into places (small sizes only);
- the ``matching`` package's HospitalResident (stable; small sizes only);
- Munkres over the full mentee x place grid, as jonodrew/mentor-match does (small sizes only).
Figures are printed, nothing is asserted. Scores and feasibility come from our own rules, so
every method solves the same problem.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheets.schema import DAYS, DIRECTIONS  # noqa: E402
from sync.matching import MatchSettings, Mentee, Mentor, propose_pairs  # noqa: E402
from sync.matching.graph import build_candidates  # noqa: E402

DIRECTION_SHARE = (0.32, 0.12, 0.14, 0.24, 0.06, 0.12)
TOPICS = (
    "ИКТ", "проектная деятельность", "работа с родителями", "олимпиадная подготовка",
    "дисциплина на занятии", "нормативные документы", "портфолио", "конкурсы",
    "исследовательская деятельность", "инклюзивное образование", "публичные выступления",
    "методическая разработка", "аттестация", "воспитательная работа", "дистанционное обучение",
    "оценивание результатов", "мотивация обучающихся", "тайм-менеджмент", "профориентация",
    "наставничество в команде", "сценическое мастерство", "спортивная подготовка",
    "экскурсионная работа", "школьные СМИ",
)
SURNAMES = ("Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов",
            "Новиков", "Морозов", "Волков", "Алексеев", "Лавров", "Орлов", "Зайцев", "Белов")
FIRST = ("Анна", "Мария", "Елена", "Ольга", "Илья", "Сергей", "Дмитрий", "Ирина", "Павел",
         "Наталья", "Андрей", "Татьяна", "Алексей", "Юлия")
PATRONYMIC = ("Ивановна", "Петровна", "Сергеевна", "Андреевич", "Павлович", "Игоревна",
              "Олегович", "Викторовна")
SIZE_LIMITS = {  # above these, a baseline is skipped with a note
    "exact": 200_000_000,  # mentee x place cells of one direction for linear_sum_assignment
    "ortools": 120_000_000,  # arcs given to OR-Tools at once
    "hospital_resident": 300_000,  # preference-list entries for the matching package
    "munkres": 4_000_000,  # cells of the square grid Munkres works on (pure Python, cubic)
}


def synthetic(mentees: int, mentors: int, seed: int = 1) -> tuple[list[Mentee], list[Mentor]]:
    """A registry of the given size, the same for the same seed."""
    rng = random.Random(seed)
    topic_weights = [1 / (k + 1) for k in range(len(TOPICS))]  # a few topics everybody asks for
    day_weights = (5, 6, 5, 6, 4, 1)
    departments = [f"площадка {k + 1}" for k in range(30)]
    department_weights = [1 / (k + 1) ** 0.7 for k in range(30)]

    def some(items, weights, low, high):
        k = rng.randint(low, high)
        picked: dict[str, None] = {}
        while len(picked) < k:
            picked[rng.choices(items, weights)[0]] = None
        return tuple(picked)

    def name() -> str:
        return f"{rng.choice(SURNAMES)} {rng.choice(FIRST)} {rng.choice(PATRONYMIC)}"

    mentor_list = []
    for j in range(mentors):
        category = rng.choices(("педагог", "руководитель", "обучающийся"), (85, 7, 8))[0]
        mentor_list.append(Mentor(
            id=f"Н-{j + 1:05d}",
            full_name=name(),
            direction=rng.choices(DIRECTIONS, DIRECTION_SHARE)[0],
            competencies=some(TOPICS, topic_weights, 3, 8),
            days=some(DAYS, day_weights, 2, 4),
            formats=some(("очно", "дистанционно", "смешанный"), (6, 2, 3), 1, 2),
            department=rng.choices(departments, department_weights)[0],
            experience_years=0 if category == "обучающийся" else rng.randint(3, 35),
            capacity=rng.choices((1, 2, 3, 4, 5), (30, 30, 20, 12, 8))[0],
            active=rng.random() < 0.92,
            trained=rng.random() < 0.8,
            category=category,
        ))
    popular = rng.sample(mentor_list, max(1, mentors // 100))
    mentee_list = []
    for i in range(mentees):
        category = rng.choices(("молодой педагог", "педагог", "обучающийся"), (45, 25, 30))[0]
        preferred = ""
        if rng.random() < 0.15:
            star = rng.choice(popular)
            preferred = star.full_name if rng.random() < 0.7 else star.id
        mentee_list.append(Mentee(
            id=f"У-{i + 1:05d}",
            full_name=name(),
            category=category,
            direction=rng.choices(DIRECTIONS, DIRECTION_SHARE)[0],
            needs=some(TOPICS, topic_weights, 1, 4),
            days=some(DAYS, day_weights, 1, 3),
            format=rng.choices(("очно", "дистанционно", "смешанный"), (55, 15, 30))[0],
            department=rng.choices(departments, department_weights)[0],
            experience_years={"молодой педагог": rng.randint(0, 3),
                              "педагог": rng.randint(3, 20)}.get(category, 0),
            preferred_mentor=preferred,
            consent_ok=rng.random() < 0.95,
        ))
    return mentee_list, mentor_list


class Clock:
    """Wall and CPU time since it was made: under load on a shared machine the wall time of a
    run grows with the others' work, its CPU time much less."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def figures(self) -> dict[str, float]:
        return {"seconds": time.perf_counter() - self.wall, "cpu": time.process_time() - self.cpu}


def _graph(mentees, mentors, settings):
    """Our candidate graph (feasible arcs and scores), shared by every baseline."""
    free = np.array([max(0, x.capacity) for x in mentors], dtype=np.int64)
    rows = [i for i, x in enumerate(mentees) if x.consent_ok and x.waiting]
    graph = build_candidates(mentees, mentors, rows, settings, free)
    graph.score = graph.score.astype(np.int64)  # the baselines add big bonuses to it
    return graph, free


def run_ours(mentees, mentors, settings: MatchSettings) -> dict:
    start = Clock()
    result = propose_pairs(mentees, mentors, settings)
    return {**start.figures(), "matched": result.matched,
            "total": result.total_score, "blocking": result.blocking_pairs}


def run_greedy(mentees, mentors, settings: MatchSettings) -> dict:
    graph, free = _graph(mentees, mentors, settings)
    start = Clock()
    order = np.lexsort((graph.mentor, -graph.score, graph.mentee))
    left = free.copy()
    taken_by: set[int] = set()
    matched = total = 0
    for i, j, s in zip(graph.mentee[order].tolist(), graph.mentor[order].tolist(),
                       graph.score[order].tolist(), strict=True):
        if i not in taken_by and left[j] > 0:
            taken_by.add(i)
            left[j] -= 1
            matched += 1
            total += s
    return {**start.figures(), "matched": matched, "total": total}


def _slot_matrix(graph, free, big: int):
    """Mentee x place cost matrix: -(big + score) for a feasible pair, 0 for none."""
    mentees = np.unique(graph.mentee)
    row = np.searchsorted(mentees, graph.mentee)
    slots = np.repeat(np.arange(len(free)), free)
    first_slot = np.concatenate(([0], np.cumsum(free)))[:-1]
    cost = np.zeros((len(mentees), len(slots)), dtype=np.int64)
    for k in range(int(free.max(initial=0))):
        has = free[graph.mentor] > k
        cost[row[has], first_slot[graph.mentor[has]] + k] = -(big + graph.score[has])
    return cost


def run_exact(mentees, mentors, settings: MatchSettings) -> dict:
    """SciPy's ``linear_sum_assignment`` on a dense mentee x place matrix per direction (one
    matrix for all when directions cross): the textbook exact solver, as small as it gets."""
    from scipy.optimize import linear_sum_assignment

    graph, free = _graph(mentees, mentors, settings)
    groups = np.unique(graph.direction[graph.mentee])
    start = Clock()
    big = 100 * len(mentees) + 1
    matched = total = 0
    for group in groups.tolist():
        arcs = graph.direction[graph.mentee] == group
        part = _Part(graph.mentee[arcs], graph.mentor[arcs], graph.score[arcs])
        cells = len(np.unique(part.mentee)) * int(free[np.unique(part.mentor)].sum())
        if cells > SIZE_LIMITS["exact"]:
            return {"note": f"пропущено: {cells:,} клеток > {SIZE_LIMITS['exact']:,}"}
        cost = _slot_matrix(part, free, big)
        r, c = linear_sum_assignment(cost)
        picked = cost[r, c]
        picked = picked[picked < 0]
        matched += len(picked)
        total += int((-picked - big).sum())
        del cost
    return {**start.figures(), "matched": matched, "total": total}


class _Part:
    """Some arcs of the candidate graph, shaped as ``_slot_matrix`` wants them."""

    def __init__(self, mentee: np.ndarray, mentor: np.ndarray, score: np.ndarray) -> None:
        self.mentee, self.mentor, self.score = mentee, mentor, score


def run_ortools(mentees, mentors, settings: MatchSettings) -> dict:
    """OR-Tools min-cost flow on every arc of the candidate graph, weight ``big + score``:
    what one would write first (no pricing, no id tie-break)."""
    from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

    graph, free = _graph(mentees, mentors, settings)
    arcs = len(graph.mentee)
    if arcs > SIZE_LIMITS["ortools"]:
        return {"note": f"пропущено: {arcs:,} дуг > {SIZE_LIMITS['ortools']:,}"}
    start = Clock()
    people = np.unique(graph.mentee)
    e = np.searchsorted(people, graph.mentee).astype(np.int32)
    n, m = len(people), len(free)
    big = 100 * len(mentees) + 1
    flow = SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(e, graph.mentor.astype(np.int32) + n, np.ones(arcs, np.int64),
                                              -(big + graph.score))
    flow.add_arcs_with_capacity_and_unit_cost(np.full(n, n + m, np.int32), np.arange(n, dtype=np.int32),
                                              np.ones(n, np.int64), np.zeros(n, np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(np.arange(n, n + m, dtype=np.int32), np.full(m, n + m + 1, np.int32),
                                              free.astype(np.int64), np.zeros(m, np.int64))
    flow.add_arc_with_capacity_and_unit_cost(n + m, n + m + 1, n, 0)
    flow.set_node_supply(n + m, n)
    flow.set_node_supply(n + m + 1, -n)
    if flow.solve() != SimpleMinCostFlow.OPTIMAL:
        return {"note": "OR-Tools не нашел оптимум"}
    used = flow.flows(np.arange(arcs, dtype=np.int32)) > 0
    return {**start.figures(), "matched": int(used.sum()),
            "total": int(graph.score[used].sum())}


def run_hospital_resident(mentees, mentors, settings: MatchSettings) -> dict:
    from matching.games import HospitalResident

    graph, free = _graph(mentees, mentors, settings)
    graph_arcs = len(graph.mentee)
    if graph_arcs > SIZE_LIMITS["hospital_resident"]:
        return {"note": f"пропущено: {graph_arcs:,} дуг > {SIZE_LIMITS['hospital_resident']:,}"}
    start = Clock()
    keep = free[graph.mentor] > 0
    e, t, s = graph.mentee[keep], graph.mentor[keep], graph.score[keep]
    resident_prefs: dict[int, list[int]] = {}
    for k in np.lexsort((t, -s, e)).tolist():
        resident_prefs.setdefault(int(e[k]), []).append(int(t[k]))
    hospital_prefs: dict[int, list[int]] = {}
    for k in np.lexsort((e, -s, t)).tolist():
        hospital_prefs.setdefault(int(t[k]), []).append(int(e[k]))
    capacities = {j: int(free[j]) for j in hospital_prefs}
    game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
    solution = game.solve(optimal="resident")
    scores = {(int(a), int(b)): int(c) for a, b, c in zip(e, t, s, strict=True)}
    pairs = [(r.name, h.name) for h, residents in solution.items() for r in residents]
    return {**start.figures(), "matched": len(pairs),
            "total": sum(scores[p] for p in pairs)}


def run_munkres(mentees, mentors, settings: MatchSettings) -> dict:
    from munkres import Munkres

    graph, free = _graph(mentees, mentors, settings)
    n_rows, n_slots = len(np.unique(graph.mentee)), int(free.sum())
    cells = max(n_rows, n_slots) ** 2
    if cells > SIZE_LIMITS["munkres"]:
        return {"note": f"пропущено: сетка {cells:,} клеток > {SIZE_LIMITS['munkres']:,}"}
    start = Clock()
    big = 100 * len(mentees) + 1
    cost = _slot_matrix(graph, free, big)
    # like mentor-match, every mentee x place cell goes in; an impossible pair costs 0, which
    # is what leaving the mentee unpaired costs (DISALLOWED fails on an all-impossible column)
    pairs = Munkres().compute(cost.tolist())
    picked = [cost[r, c] for r, c in pairs if cost[r, c] < 0]
    return {**start.figures(), "matched": len(picked),
            "total": int(sum(-v - big for v in picked))}


RUNS: dict[str, tuple[str, Callable[..., dict], str]] = {  # key: (label, run, method)
    "optimal": ("наш optimal", run_ours, "optimal"),
    "stable": ("наш stable", run_ours, "stable"),
    "greedy": ("greedy", run_greedy, ""),
    "ortools": ("OR-Tools, все дуги", run_ortools, ""),
    "exact": ("SciPy LSA по направл.", run_exact, ""),
    "hr": ("matching HR", run_hospital_resident, ""),
    "munkres": ("munkres", run_munkres, ""),
}


def _child(key: str, size: tuple[int, int], seed: int, cross: bool, out: mp.Queue) -> None:
    mentees, mentors = synthetic(*size, seed=seed)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _, run, method = RUNS[key]
    settings = MatchSettings(method=method or "optimal", cross_direction=cross)
    try:
        figures = run(mentees, mentors, settings)
    except Exception as error:  # a baseline failing is a figure too
        figures = {"note": f"ошибка: {error!r}"[:80]}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures.update(rss_mib=peak / 1024, extra_mib=(peak - before) / 1024)
    out.put(figures)


def measure(key: str, size: tuple[int, int], seed: int, cross: bool, timeout: float) -> dict:
    """One run in a fresh process, so its peak memory is its own."""
    context = mp.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=_child, args=(key, size, seed, cross, out))
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.terminate()
        process.join()
        return {"note": f"не уложился в {timeout:.0f} с"}
    return out.get() if not out.empty() else {"note": f"процесс завершился с кодом {process.exitcode}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200x40,1000x200,10000x2000",
                        help="наставляемые x наставники, через запятую")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--repeat", type=int, default=3, help="свежих процессов на метод (медиана)")
    parser.add_argument("--cross-direction", action="store_true",
                        help="разрешить пары разных направленностей")
    parser.add_argument("--methods", default="optimal,stable,greedy,ortools,exact",
                        help=f"какие методы, через запятую: {', '.join(RUNS)}")
    args = parser.parse_args()
    keys = [k for k in args.methods.split(",") if k]
    unknown = set(keys) - set(RUNS)
    if unknown:
        parser.error(f"неизвестные методы: {', '.join(sorted(unknown))}")
    sizes = [tuple(int(v) for v in s.lower().split("x")) for s in args.sizes.split(",")]
    print(f"медианы {args.repeat} свежих процессов; ×: во сколько раз больше, чем у нашего optimal")
    print(f"{'размер':>12} {'метод':<22} {'время, с':>9} {'ЦП, с':>7} {'×время':>7} {'×ЦП':>6} {'пик RSS, МиБ':>13} "
          f"{'×память':>8} {'пар':>6} {'сумма':>8} {'блок.':>6}")
    for size in sizes:
        reference = None
        for key in keys:
            label = RUNS[key][0]
            runs = [measure(key, size, args.seed, args.cross_direction, args.timeout)
                    for _ in range(args.repeat)]
            done = [f for f in runs if "seconds" in f]
            if not done:
                print(f"{size[0]:>6}x{size[1]:<5} {label:<22} {runs[0].get('note', '')}", flush=True)
                continue
            f = dict(done[0])
            for figure in ("seconds", "cpu", "rss_mib"):
                f[figure] = statistics.median(r[figure] for r in done)
            if key == "optimal":
                reference = f
            gap = times = cpu = memory = ""
            if reference is not None:
                times = f"{f['seconds'] / reference['seconds']:.2f}"
                cpu = f"{f['cpu'] / reference['cpu']:.2f}"  # steadier than wall time on a shared machine
                memory = f"{f['rss_mib'] / reference['rss_mib']:.2f}"
                if key != "optimal":
                    gap = (f"  (Δпар {f['matched'] - reference['matched']:+d}, "
                           f"Δсуммы {f['total'] - reference['total']:+d})")
            print(f"{size[0]:>6}x{size[1]:<5} {label:<22} {f['seconds']:>9.2f} {f['cpu']:>7.2f} {times:>7} "
                  f"{cpu:>6} {f['rss_mib']:>13.0f} {memory:>8} {f['matched']:>6} "
                  f"{f['total']:>8} {f.get('blocking', ''):>6}{gap}", flush=True)


if __name__ == "__main__":
    main()
