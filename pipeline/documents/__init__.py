"""Stage 2: one context per document, built from the validated campaign.

Each document kind has a small module here that turns a Campaign into
Document descriptions: which template, which context, where the output goes
and what text its PDF must show. Nothing here touches a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Image:
    """A picture for the template (rendered as a docxtpl InlineImage)."""

    path: Path
    height_mm: float


@dataclass(frozen=True)
class QrCode:
    """A QR code of ``text`` for the template, ``size_mm`` square: render draws it into a picture."""

    text: str
    size_mm: float


@dataclass(frozen=True)
class Document:
    kind: str  # "letter", "form", …: names the checks that apply
    name: str  # output path without suffix, relative to outputs/: "letters/01-สมุทรปราการ"
    template: str  # file in templates/
    context: Mapping[str, Any]
    expect: Mapping[str, str] = field(default_factory=dict)  # label → text its PDF must show
    title: str = ""  # PDF title (metadata)
    subject: str = ""  # PDF subject (metadata)
    pdfa: bool = False
    facts: Mapping[str, Any] = field(default_factory=dict)  # for kind-specific checks (box counts, ticks)


@dataclass(frozen=True)
class Chart:
    """A bar chart for the template: data only; render draws it (pipeline/chart.py) into a picture.

    ``values`` are percentages (0–100), one per label. ``groups`` optionally
    splits the bars into consecutive panels: (heading, number of bars) in
    order, the counts summing to the number of labels; empty means one panel
    without a heading. ``title``, the value axis caption, is wording: the
    template gives it (``{{ chart("ร้อยละ…") }}``), and render sets it here.
    """

    labels: tuple[str, ...]
    values: tuple[float, ...]
    width_mm: float
    height_mm: float
    groups: tuple[tuple[str, int], ...] = ()
    title: str = ""

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.values):
            raise ValueError(f"{len(self.labels)} labels but {len(self.values)} values")
        if self.groups and sum(n for _, n in self.groups) != len(self.labels):
            raise ValueError("the groups' bar counts do not add up to the number of labels")
