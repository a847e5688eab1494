"""Time and peak memory of the local sync job on a large demo programme (figures printed only).

Usage: .venv/bin/python bench/bench_sync.py [--mentors 2000] [--mentees 10000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from sync.bootstrap import open_backend
from sync.cli import create_programme
from sync.config import load_config
from sync.demo import generate
from sync.job import run_sync


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentors", type=int, default=2000)
    parser.add_argument("--mentees", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(create_programme(Path(tmp) / "p", "Бенчмарк", date(2026, 9, 1)))
        counts = generate(config.forms_dir, args.mentors, args.mentees, seed=1, start=config.start)
        print(f"responses: {sum(counts.values())} ({counts})")
        for label in ("first sync (ingest all)", "second sync (nothing new)"):
            backend = open_backend(config)
            t0 = time.perf_counter()
            report = run_sync(config, backend.store, backend.sources)
            elapsed = time.perf_counter() - t0
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            written = report.written.cells if report.written else 0
            print(f"{label}: {elapsed:.1f} s, cells written {written}, peak RSS so far {rss:.0f} MiB")
        print(f"workbook size: {config.registry.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
