"""Remake tests/data/libreoffice_half.xlsx (needs LibreOffice Calc, ``soffice``).

The demo programme's book after a first run on half the answers, edited as a curator would
(pairs approved and coloured, a note and a merge below the data), then opened and saved by
LibreOffice Calc: ``.venv/bin/python tests/data/make_libreoffice_half.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    from openpyxl import load_workbook
    from openpyxl.styles import PatternFill

    from sync import clock
    from sync.cli import create_programme
    from sync.config import load_config
    from sync.demo import generate
    from tests.conftest import NOW, sync_once
    from tests.test_xlsx_new_rows import _half_the_answers

    clock.freeze(NOW)
    tmp = Path(tempfile.mkdtemp())
    config = load_config(create_programme(tmp / "p", "Школа", date(2026, 9, 1)))
    generate(config.forms_dir, mentors=10, mentees=30, seed=5, start=config.start)
    _half_the_answers(config)
    sync_once(config)
    wb = load_workbook(config.registry)
    ws = wb["Пары"]
    status = [c.value for c in ws[1]].index("Статус") + 1
    for r in range(2, min(ws.max_row, 6) + 1):
        ws.cell(r, status).value = "утверждена"  # the curator approves a few pairs
        ws.cell(r, status).fill = PatternFill("solid", fgColor="FFFF00")
    m = wb["Наставляемые"]
    m.cell(m.max_row + 2, 40, "позвонить в пятницу")  # a note below the data, in a column of its own
    m.merge_cells(start_row=m.max_row + 1, start_column=30, end_row=m.max_row + 2, end_column=31)
    wb.save(config.registry)
    out = tmp / "lo"
    subprocess.run(["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out),
                    str(config.registry)], check=True, capture_output=True, timeout=180)
    shutil.copy(out / "registry.xlsx", Path(__file__).with_name("libreoffice_half.xlsx"))


if __name__ == "__main__":
    main()
