"""The local sync job as cron runs it, in whole processes: first load, quiet run, calamine floor.

Usage: .venv/bin/python bench/bench_sync.py [--sizes 1000,5000,12000] [--repeat 3]

For each size (participants; a sixth of them mentors) a demo programme is made once (CSV
exports as Google Forms gives them). Then, each in a fresh process, ``--repeat`` times:
- first load: ``nastavnik sync`` on a fresh copy of the programme (empty workbook, every
  export new), which must take every answer in one run;
- quiet run: ``nastavnik sync`` again on a synced copy (no new answer, the workbook as the
  job left it);
- the floor: a process that only reads the whole workbook with python-calamine (what any run
  must at least do).
- a later run: the synced copy after a curator approved 20 proposed pairs (the book saved by
  openpyxl, as a person's edit leaves it), once as the job writes now (the changed cells in the
  sheets' XML, ``sheets.xlsx_patch``) and once through openpyxl as before (the anchor), each on
  a fresh copy of the edited book.
Medians are printed beside each other with the ratio quiet / floor and the number of answers
each run took (from its own output). Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync.cli import create_programme  # noqa: E402
from sync.config import load_config  # noqa: E402
from sync.demo import generate  # noqa: E402

NASTAVNIK = Path(sys.executable).with_name("nastavnik")
FLOOR = (
    "import sys\n"
    "from python_calamine import CalamineWorkbook\n"
    "wb = CalamineWorkbook.from_path(sys.argv[1])\n"
    "rows = sum(len(wb.get_sheet_by_name(n).to_python(skip_empty_area=False)) for n in wb.sheet_names)\n"
)


def timed(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stdout) of one fresh process.

    The CPU time (user + system) is given beside the wall time because this machine is shared:
    under load the wall time of a process grows with the others' work, its CPU time much less.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode not in (0, 2):  # 2: the run finished and reported errors in forms
        raise SystemExit(f"{' '.join(args)} завершился с кодом {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed, cpu, done.stdout


OPENPYXL = (  # the job as it wrote before sheets.xlsx_patch: the whole book through openpyxl
    "import sys\n"
    "from sheets.xlsx import XlsxStore\n"
    "XlsxStore.patch_cells = False\n"
    "from sync.cli import entry\n"
    "sys.argv[0] = 'nastavnik'\n"
    "entry()\n"
)


def approve_pairs(book: Path, count: int = 20) -> int:
    """A curator's edit: the first ``count`` proposed pairs approved, the book saved by openpyxl."""
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["Пары"]
    col = [c.value for c in ws[1]].index("Статус") + 1
    done = 0
    for row in range(2, ws.max_row + 1):
        if done < count and ws.cell(row, col).value == "предложена":
            ws.cell(row, col).value = "утверждена"
            done += 1
    wb.save(book)
    return done


def answers_taken(out: str) -> int:
    """How many answers a run took, from its own summary («новых ответов: N»; quiet: 0)."""
    found = re.search(r"новых ответов: (\d+)", out)
    return int(found.group(1)) if found else 0


def bench_size(total: int, repeat: int, root: Path) -> dict:
    mentors = total // 6
    mentees = total - mentors
    pristine = root / f"p{total}"
    config = load_config(create_programme(pristine, "Бенчмарк", date(2026, 9, 1)))
    counts = generate(config.forms_dir, mentors, mentees, seed=1, start=config.start)
    first, quiet, floor, taken, quiet_taken = [], [], [], [], []
    first_cpu, quiet_cpu, floor_cpu = [], [], []
    synced = None
    for k in range(repeat):
        copy = root / f"first{total}-{k}"
        shutil.copytree(pristine, copy)
        seconds, cpu, out = timed([str(NASTAVNIK), "sync", "--config", str(copy / "nastavnik.toml")], copy)
        first.append(seconds)
        first_cpu.append(cpu)
        taken.append(answers_taken(out))
        synced = copy
    assert synced is not None
    workbook = load_config(synced / "nastavnik.toml").registry
    for _ in range(repeat):
        seconds, cpu, out = timed([str(NASTAVNIK), "sync", "--config", str(synced / "nastavnik.toml")], synced)
        quiet.append(seconds)
        quiet_cpu.append(cpu)
        quiet_taken.append(answers_taken(out))
        seconds, cpu, _ = timed([sys.executable, "-c", FLOOR, str(workbook)], synced)
        floor.append(seconds)
        floor_cpu.append(cpu)
    edited = root / f"edited{total}"
    shutil.copytree(synced, edited)
    approve_pairs(load_config(edited / "nastavnik.toml").registry)
    later, later_cpu, anchor, anchor_cpu = [], [], [], []
    for k in range(repeat):
        for how, wall, cpu in (("ours", later, later_cpu), ("openpyxl", anchor, anchor_cpu)):
            copy = root / f"later{total}-{how}-{k}"
            shutil.copytree(edited, copy)
            command = [str(NASTAVNIK)] if how == "ours" else [sys.executable, "-c", OPENPYXL]
            seconds, spent, _ = timed([*command, "sync", "--config", str(copy / "nastavnik.toml")], copy)
            wall.append(seconds)
            cpu.append(spent)
    return {
        "later": statistics.median(later), "later_cpu": statistics.median(later_cpu),
        "anchor": statistics.median(anchor), "anchor_cpu": statistics.median(anchor_cpu),
        "participants": mentors + mentees, "answers": sum(counts.values()),
        "first": statistics.median(first), "taken": taken,
        "quiet": statistics.median(quiet), "quiet_taken": quiet_taken,
        "floor": statistics.median(floor), "size_mb": workbook.stat().st_size / 1e6,
        "first_cpu": statistics.median(first_cpu), "quiet_cpu": statistics.median(quiet_cpu),
        "floor_cpu": statistics.median(floor_cpu),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,12000", help="участников, через запятую")
    parser.add_argument("--repeat", type=int, default=3, help="свежих процессов на каждую цифру")
    args = parser.parse_args()
    print("время: настенное, с (процессор, с); медианы свежих процессов", flush=True)
    print(f"{'участников':>10} {'ответов':>8} {'первая загрузка':>16} {'взято за запуск':>16} "
          f"{'тихий запуск':>13} {'calamine':>12} {'тихий/calamine':>15} {'книга, МБ':>10} "
          f"{'после правки':>14} {'openpyxl':>14}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",") if s):
            f = bench_size(size, args.repeat, Path(tmp))
            took = "/".join(str(t) for t in f["taken"]) + " | " + "/".join(str(t) for t in f["quiet_taken"])
            ratio = f"{f['quiet'] / f['floor']:.2f} ({f['quiet_cpu'] / f['floor_cpu']:.2f})"
            print(f"{f['participants']:>10} {f['answers']:>8} {_both(f['first'], f['first_cpu']):>16} "
                  f"{took:>16} {_both(f['quiet'], f['quiet_cpu']):>13} {_both(f['floor'], f['floor_cpu']):>12} "
                  f"{ratio:>15} {f['size_mb']:>10.1f} {_both(f['later'], f['later_cpu']):>14} "
                  f"{_both(f['anchor'], f['anchor_cpu']):>14}", flush=True)


def _both(wall: float, cpu: float) -> str:
    return f"{wall:.2f} ({cpu:.2f})"


if __name__ == "__main__":
    main()
