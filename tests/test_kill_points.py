"""A run killed at any of many points: the next run converges to the uninterrupted run's state.

One uninterrupted run is the reference; each case copies the same programme, kills a run at one
point (SIGTERM arriving there), runs again, and compares every registry with the reference:
no duplicate, no lost response, no temp copy left, the third run writes nothing.
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from sheets.xlsx import XlsxStore
from sync import clock
from sync.cli import create_programme
from sync.config import load_config
from sync.demo import generate
from tests.conftest import NOW, sync_once


class Killed(BaseException):
    """Stands for SIGTERM/SIGINT arriving at that moment."""


# (what is patched, on which call it dies); the writes go into the sheets' XML in place
KILL_POINTS = {
    "reading the book": ("sheets.xlsx.XlsxStore.read_all", 1),
    "reading a form": ("forms.responses.CsvFormSource.responses", 3),
    "taking the 1st response": ("sync.ingest.parse_response", 1),
    "taking the 10th response": ("sync.ingest.parse_response", 10),
    "taking the 40th response": ("sync.ingest.parse_response", 40),
    "checking typed cells": ("sync.cells.check_cells", 1),
    "deriving consents": ("sync.derive.derive", 1),
    "matching": ("sync.pairing.update_pairs", 1),
    "roadmap": ("sync.progress.update_progress", 1),
    "dashboard": ("sync.dashboard.step.update_dashboard", 1),
    "diffing": ("sync.job.fit_changes", 1),
    "long values": ("sync.job.write_files", 1),
    "writing the 1st cell in place": ("sheets.xlsx_patch.Sheet.set_text", 1),
    "writing the 300th cell in place": ("sheets.xlsx_patch.Sheet.set_text", 300),
    "serialising a patched sheet": ("sheets.xlsx_patch.Sheet.to_bytes", 2),
    "saving the patched book": ("sheets.xlsx_patch.Book.save", 1),
    "checking the book is unchanged": ("sheets.xlsx_file.WorkbookFile.check_unchanged", 1),
    "replacing the book": ("sheets.xlsx_file.os.replace", 1),
}
# the same run written through openpyxl (a book the patch leaves to it: a merged cell, a header)
OPENPYXL_POINTS = {
    "writing the 1st cell": ("sheets.xlsx._set_text", 1),
    "writing the 30th cell": ("sheets.xlsx._set_text", 30),
    "writing the 1st new row's cell": ("sheets.xlsx_rows._text_tail", 1),
    "writing the 300th new row's cell": ("sheets.xlsx_rows._text_tail", 300),
    "splicing the new rows into a sheet": ("sheets.xlsx_rows.NewRows.splice", 2),
    "saving": ("openpyxl.workbook.workbook.Workbook.save", 1),
    "checking the book is unchanged (openpyxl)": ("sheets.xlsx_file.WorkbookFile.check_unchanged", 1),
    "replacing the book (openpyxl)": ("sheets.xlsx_file.os.replace", 1),
}


def registries(config) -> dict[str, dict]:
    snap = XlsxStore(config.registry).read_all()
    skip = {"journal"}  # one row per run that wrote: the interrupted run wrote nothing
    return {name: frame.to_dict("index") for name, frame in snap.frames.items() if name not in skip}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A demo programme before its first run, and the state one uninterrupted run leaves."""
    clock.freeze(NOW)
    root = tmp_path_factory.mktemp("kill")
    config = load_config(create_programme(root / "pristine", "Школа", date(2026, 9, 1)))
    generate(config.forms_dir, mentors=10, mentees=30, seed=5, start=config.start)
    whole = root / "whole"
    shutil.copytree(root / "pristine", whole)
    whole_config = load_config(whole / "nastavnik.toml")
    sync_once(whole_config)
    reference = registries(whole_config)
    clock.freeze(None)
    return root / "pristine", reference


def _dying_on(call: int, real):
    count = 0

    def dying(*args, **kwargs):
        nonlocal count
        count += 1
        if count == call:
            raise Killed
        return real(*args, **kwargs)

    return dying


@pytest.mark.parametrize("point", [*KILL_POINTS, *OPENPYXL_POINTS])
def test_a_run_killed_here_converges(pristine, tmp_path, point: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source, reference = pristine
    shutil.copytree(source, tmp_path / "p")
    config = load_config(tmp_path / "p" / "nastavnik.toml")
    target, call = KILL_POINTS.get(point) or OPENPYXL_POINTS[point]
    module_name, _, attr = target.rpartition(".")
    owner = _resolve(module_name)
    before = config.registry.read_bytes()
    with monkeypatch.context() as patch:
        if point in OPENPYXL_POINTS:  # the killed run writes through openpyxl, the next one in place
            patch.setattr(XlsxStore, "patch_cells", False)
        patch.setattr(owner, attr, _dying_on(call, getattr(owner, attr)))
        with pytest.raises(Killed):
            sync_once(config)
    assert config.registry.read_bytes() == before  # nothing written half-way
    assert not list(config.registry.parent.glob(".nastavnik-*"))
    sync_once(config)
    assert registries(config) == reference
    assert sync_once(config).written is None


def _resolve(dotted: str):
    """A module, or a class inside one, from its dotted name."""
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(dotted)
