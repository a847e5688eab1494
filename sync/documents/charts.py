"""Charts and QR codes for documents, as PNG pictures (matplotlib without a display, qrcode)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache

from sync.documents.render import Picture

COLOURS = ("#2f5597", "#c55a11", "#548235", "#7f6000", "#7030a0", "#1f7f8f")


@cache
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display on a server or in cron
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False,
                         "axes.spines.right": False, "svg.hashsalt": "nastavnik"})
    return plt


def _png(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(fig)
    return out.getvalue()


def bars(categories: Sequence[str], series: dict[str, Sequence[float]], title: str = "", *,
         horizontal: bool = False, stacked: bool = False, width_mm: float = 160, value_labels: bool = True,
         ylim: float | None = None) -> Picture:
    """A bar chart: one group per category, one bar (or stacked part) per series."""
    plt = _pyplot()
    n = max(1, len(categories))
    height = max(2.4, 0.34 * n + 1.0) if horizontal else 3.2
    fig, ax = plt.subplots(figsize=(6.4, height))
    positions = list(range(len(categories)))
    k = max(1, len(series))
    bottom = [0.0] * len(categories)
    for i, (label, values) in enumerate(series.items()):
        values = [float(v) for v in values]
        if stacked:
            offs, size = positions, 0.7
        else:
            size = 0.8 / k
            offs = [p - 0.4 + size * (i + 0.5) for p in positions]
        draw = ax.barh if horizontal else ax.bar
        kwargs = {"left" if horizontal else "bottom": bottom} if stacked else {}
        made = draw(offs, values, size, label=label, color=COLOURS[i % len(COLOURS)], **kwargs)
        if value_labels and not stacked:
            ax.bar_label(made, labels=[_num(v) for v in values], fontsize=7, padding=2)
        if stacked:
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if stacked and value_labels:
        for p, total in zip(positions, bottom, strict=True):
            if horizontal:
                ax.text(total, p, f" {_num(total)}", va="center", fontsize=7)
            else:
                ax.text(p, total, _num(total), ha="center", va="bottom", fontsize=7)
    if horizontal:
        ax.set_yticks(positions, categories)
        ax.invert_yaxis()
        if ylim:
            ax.set_xlim(0, ylim)
    else:
        turn = 60 if n > 10 else 25 if n > 4 else 0
        ax.set_xticks(positions, categories, rotation=turn, ha="right" if turn else "center",
                      rotation_mode="anchor")
        if ylim:
            ax.set_ylim(0, ylim)
    if title:
        ax.set_title(title, fontsize=10)
    if len(series) > 1:
        if horizontal:  # long bars fill the plot: the legend goes under it, never over a bar
            ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(series))
        else:
            ax.legend(fontsize=8, frameon=False)
    return Picture(_png(fig), width_mm)


def _num(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def qr(link: str, width_mm: float = 24) -> Picture:
    """A QR code of a link, small enough for a table cell and readable by a phone."""
    import qrcode

    code = qrcode.QRCode(border=2, box_size=6, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(link)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return Picture(out.getvalue(), width_mm)
