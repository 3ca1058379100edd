"""Drawing a Chart (pipeline.documents.Chart) as a PNG for the summary: compliance per item.

One tall horizontal bar chart, one panel per group (เกณฑ์ที่ ๑, เกณฑ์ที่ ๒), bars
top to bottom in criteria order. Horizontal because 65 item numbers such as
"๒๐.๓" stay upright and readable down the left side, and a portrait page has
the height for them; one figure rather than two so the template places a
single picture, with both panels on the same 0–100 scale.

All text is set in the font the PDF conversion uses for "TH Sarabun New" (the
real one, or the project's metric-compatible substitute), found through the
conversion's fontconfig file and registered with matplotlib. matplotlib 3.11
shapes text with libraqm, so Thai vowels and tone marks stack correctly.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; also what FigureCanvasAgg below draws with

from matplotlib import font_manager, rc_context  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FixedLocator  # noqa: E402

from . import fonts  # noqa: E402
from .documents import Chart  # noqa: E402
from .errors import FontMissing  # noqa: E402
from .files import write_bytes  # noqa: E402
from .thai import thai_digits, thai_number  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
BUILD = PROJECT / "build"
DPI = 200
MM_PER_INCH = 25.4
FAMILY = fonts.REAL_FAMILY

BAR_COLOR = "#2f5d8a"
GRID_COLOR = "#c8c8c8"
TICK_SIZE = 10  # pt: item numbers, percentages
HEADING_SIZE = 13  # pt: panel headings
CAPTION_SIZE = 12  # pt: the value axis caption (the chart's title)


@cache
def font_family(conf: Path | None = None) -> str:
    """Register the conversion's TH Sarabun New faces with matplotlib; return their family name.

    ``conf``: the fontconfig file of the conversion (default: set up by
    ``pipeline.fonts.prepare`` in build/).
    """
    conf = (conf or fonts.prepare(BUILD)).resolve()
    family = None
    for pattern in (FAMILY, f"{FAMILY}:bold"):
        path = fonts.font_file(conf, pattern)
        if path is None:
            raise FontMissing(f"fc-match {pattern!r} under {conf} gave no font file")
        font_manager.fontManager.addfont(str(path))
        name = font_manager.FontProperties(fname=str(path)).get_name()
        if "Sarabun" not in name:  # fontconfig fell back to some other font: Thai would come out wrong
            raise FontMissing(
                f"fc-match {pattern!r} under {conf} gave {name} ({path}), not TH Sarabun: "
                "run python -m pipeline.fonts build"
            )
        family = family or name
    assert family is not None
    return family


def draw(chart: Chart, target: Path, *, fonts_conf: Path | None = None) -> None:
    """``chart`` as a PNG of chart.width_mm × chart.height_mm at 200 dpi, written atomically to ``target``."""
    family = font_family(fonts_conf)
    groups = chart.groups or (("", len(chart.labels)),)
    with rc_context({"font.family": [family], "font.size": TICK_SIZE}):
        figure = Figure(
            figsize=(chart.width_mm / MM_PER_INCH, chart.height_mm / MM_PER_INCH), dpi=DPI, layout="constrained"
        )
        FigureCanvasAgg(figure)
        # panel heights follow their bar counts, plus room for a heading
        axes = figure.subplots(
            len(groups), 1, squeeze=False, gridspec_kw={"height_ratios": [n + 2.5 for _, n in groups]}
        )[:, 0]
        start = 0
        for index, (ax, (heading, count)) in enumerate(zip(axes, groups)):
            _panel(
                ax,
                heading,
                chart.labels[start : start + count],
                chart.values[start : start + count],
                last=index == len(groups) - 1,
                caption=chart.title,
            )
            start += count
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    write_bytes(target, buffer.getvalue())


def _panel(ax: Any, heading: str, labels: Sequence[str], values: Sequence[float], *, last: bool, caption: str) -> None:
    positions = range(len(labels))
    ax.barh(positions, values, height=0.7, color=BAR_COLOR, zorder=2)
    ax.set_ylim(len(labels) - 0.4, -0.6)  # first item at the top
    ax.yaxis.set_major_locator(FixedLocator(list(positions)))
    ax.set_yticklabels(labels)
    ax.tick_params(axis="y", length=0, pad=3)
    ax.set_xlim(0, 100)
    ticks = list(range(0, 101, 20))
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.set_xticklabels([thai_digits(t) for t in ticks])
    ax.tick_params(axis="x", pad=1)
    ax.grid(axis="x", color=GRID_COLOR, linewidth=0.6, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for y, value in zip(positions, values):
        inside = value >= 90  # a long bar carries its figure inside, in white
        ax.text(
            value - 1 if inside else value + 1,
            y,
            thai_number(value),
            va="center",
            ha="right" if inside else "left",
            color="white" if inside else "black",
            fontsize=TICK_SIZE - 1,
            zorder=3,
        )
    if heading:
        ax.set_title(heading, loc="left", fontsize=HEADING_SIZE, fontweight="bold")
    if last and caption:
        ax.set_xlabel(caption, fontsize=CAPTION_SIZE)
