"""Letters: time and memory for a batch made locally, and Google calls per document (against the fake).

Anchors measured in the same run, on the same template and machine:
- «save only»: python-docx opening and saving the template N times (the floor of any .docx writer);
- «docxtpl only»: docxtpl rendering the template N times with one fixed context (the library's cost).
Ours is the whole batch: names declined, every field checked first, N files, the combined
printing file, the «Документы» records.

On Google each document is a converted Doc and its PDF in the same Drive folder, and a batch adds one
combined Doc for printing (and its PDF); calls are counted against the fake, per document and per batch.

Usage: .venv/bin/python bench/bench_documents.py [--letters 500] [--google 50]
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.fake_google for the Google part

from docx import Document  # noqa: E402
from docxtpl import DocxTemplate  # noqa: E402

from sheets.store import Snapshot  # noqa: E402
from sync import clock  # noqa: E402
from sync.cli import create_programme  # noqa: E402
from sync.config import load_config  # noqa: E402
from sync.demo import DemoProgramme  # noqa: E402
from sync.documents.catalog import BY_CODE  # noqa: E402
from sync.documents.make import make_batch  # noqa: E402
from sync.documents.render import Template  # noqa: E402
from sync.documents.service import open_sink  # noqa: E402
from sync.registry import Registries  # noqa: E402

NOW = datetime(2028, 6, 30, 12, tzinfo=UTC)


def registries(n: int) -> Registries:
    """N mentors, each with a finished pair and a dozen meetings: all due a letter."""
    reg = Registries(Snapshot(frames={}))
    people = DemoProgramme(seed=5, start=NOW.date())
    rng = random.Random(5)
    for i in range(n):
        p = people.person(age=(30, 60))
        mentor = reg.add("mentors", {"full_name": p.full_name, "gender": p.gender if i % 7 else "", "email": p.email})
        q = people.person(age=(23, 30))
        mentee = reg.add("mentees", {"full_name": q.full_name, "gender": q.gender, "email": q.email})
        pair = reg.add("pairs", {"mentor_id": mentor["id"], "mentee_ids": mentee["id"], "status": "завершена",
                                 "approved_on": "2026-10-14"})
        for _ in range(rng.randint(8, 16)):
            reg.add("meetings", {"pair_id": pair["id"], "held_on": "2027-03-01"})
    return reg


def anchors(template: Path, n: int) -> tuple[float, float]:
    data = template.read_bytes()
    t0 = time.perf_counter()
    for _ in range(n):
        Document(io.BytesIO(data)).save(io.BytesIO())
    save_only = time.perf_counter() - t0
    context = {"организация": "Школа", "кому": "Ивановой Марии Петровне", "обращение": "Уважаемая Мария Петровна!",
               "период": "2026–2028 учебных годах", "итоги": "Вы провели 12 встреч.", "дата": "30 июня 2028 г.",
               "программа": "Программа", "директор": "Соколова И. В.", "должность_директора": "Директор"}
    t0 = time.perf_counter()
    for _ in range(n):
        doc = DocxTemplate(io.BytesIO(data))
        doc.render(context)
        doc.save(io.BytesIO())
    return save_only, time.perf_counter() - t0


def local(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(create_programme(Path(tmp) / "p", "Бенчмарк", NOW.date().replace(year=2026, month=9)))
        config.director, config.curator, config.documents.pdf = "Соколова Ирина Викторовна", "Лебедев А. П.", False
        reg = registries(n)
        kind = BY_CODE["letter_mentor"]
        save_only, docxtpl_only = anchors(kind.shipped, n)
        template = Template.from_path(kind.shipped)
        t0 = time.perf_counter()
        report = make_batch("letter_mentor", reg, config, template, open_sink(config), NOW)
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = make_batch("letter_mentor", reg, config, template, open_sink(config), NOW)
        second = time.perf_counter() - t0
        tracemalloc.start()  # memory in a pass of its own: tracing slows Python down
        make_batch("letter_mentor", reg, config, template, open_sink(config), NOW, force=True)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = sum(p.stat().st_size for p in config.out_dir.rglob("*.docx")) / 1e6
        print(f"{n} letters, locally ({clock.today():%Y-%m-%d}):")
        for label, seconds in (("anchor «save only» (python-docx open+save)", save_only),
                               ("anchor «docxtpl only» (render, one context)", docxtpl_only),
                               ("ours (names, checks, files, batch file, records)", ours)):
            print(f"  {label:<50} {seconds:6.1f} s  ({1000 * seconds / n:.0f} ms each)")
        print(f"  made {report.made}")
        print(f"  second run (nothing made twice):                {second:6.2f} s, made {again.made}")
        print(f"  memory: Python peak {peak / 2**20:.0f} MiB (tracemalloc), process peak RSS {rss:.0f} MiB; "
              f"files {size:.1f} MB")


def _google_batch(n: int) -> tuple[dict[str, int], int, float]:
    """One batch of ``n`` letters on a fresh fake: calls by method, documents made, seconds."""
    from sync.documents.google_sink import GoogleDocsSink
    from sync.google.setup import connect
    from sync.google.transport import Endpoints
    from tests.fake_google import FakeGoogle

    fake = FakeGoogle().start()
    try:
        services = connect(None, Endpoints.single(fake.url), timeout=30, max_retries=2)
        with tempfile.TemporaryDirectory() as tmp:
            config = load_config(create_programme(Path(tmp) / "p", "Бенчмарк", NOW.date().replace(year=2026, month=9)))
            config.director, config.curator = "Соколова Ирина Викторовна", "Лебедев А. П."
            sink = GoogleDocsSink(services, "", config.out_dir, "2026–2028", pdf=True)
            template = Template.from_path(BY_CODE["letter_mentor"].shipped)
            t0 = time.perf_counter()
            report = make_batch("letter_mentor", registries(n), config, template, sink, NOW)
            elapsed = time.perf_counter() - t0
        return {name: fake.count(name) for name in sorted(set(fake.names()))}, report.made, elapsed
    finally:
        fake.stop()


def google(n: int) -> None:
    """Calls per document as the difference of two batch sizes (what a batch costs once drops out)."""
    small = max(2, n // 5)
    few, made_few, _ = _google_batch(small)
    calls, made, elapsed = _google_batch(n)
    print(f"{made} letters on Google (in-process fake over HTTP, {elapsed:.1f} s; {clock.today():%Y-%m-%d}):")
    for name in sorted(set(calls) | set(few)):
        per_doc = (calls.get(name, 0) - few.get(name, 0)) / (made - made_few)
        once = calls.get(name, 0) - per_doc * made
        print(f"  {name:<22} {calls.get(name, 0):5d} calls: {per_doc:.2f} per document + {once:.0f} per batch")
    per_doc = (sum(calls.values()) - sum(few.values())) / (made - made_few)
    print(f"  all calls per document: {per_doc:.2f}; per batch: {sum(calls.values()) - per_doc * made:.0f}")
    print("  anchor (the design's target): 3 per document — upload the .docx as a Doc, export its PDF, "
          "upload the PDF — and per batch 1 list + 3 for the combined printing Doc; nothing per field")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--google", type=int, default=50)
    args = parser.parse_args()
    local(args.letters)
    if args.google:
        google(args.google)


if __name__ == "__main__":
    main()
