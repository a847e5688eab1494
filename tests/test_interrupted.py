"""Killed at any step, the next run converges to the state of an uninterrupted run."""

from __future__ import annotations

import os

import pytest

from sheets.xlsx import XlsxStore
from tests.conftest import sync_once


def registries(config) -> dict[str, dict]:
    snap = XlsxStore(config.registry).read_all()
    skip = {"journal"}  # one row per run that wrote: the interrupted run wrote nothing
    return {name: frame.to_dict("index") for name, frame in snap.frames.items() if name not in skip}


class Killed(BaseException):
    """Stands for SIGTERM/SIGINT arriving at that moment."""


@pytest.mark.parametrize("where", ["read", "plan", "save", "replace"])
def test_a_run_killed_anywhere_converges(twin_programmes, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, killed = twin_programmes
    sync_once(whole)

    def die(*_args, **_kwargs):
        raise Killed

    target = {
        "read": ("sheets.xlsx.XlsxStore.read_all", die),
        "plan": ("sync.progress.update_progress", die),
        "save": ("sheets.xlsx_patch.Book.save", die),  # the changes go into the sheets' XML in place
        "replace": ("sheets.xlsx_file.os.replace", die),
    }[where]
    before = killed.registry.read_bytes()
    with monkeypatch.context() as patch:
        patch.setattr(*target)
        with pytest.raises(Killed):
            sync_once(killed)
    assert killed.registry.read_bytes() == before  # nothing written half-way
    assert not [p for p in os.listdir(killed.registry.parent) if p.startswith(".nastavnik-")]
    sync_once(killed)
    assert registries(killed) == registries(whole)
    assert sync_once(killed).written is None
