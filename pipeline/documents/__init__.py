"""Stage 2: one context per document, built from the validated campaign.

Each document kind has a small module here that turns a Campaign into
Document descriptions: which template, which context, where the output goes
and what text its PDF must show. Nothing here touches a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping


@dataclass(frozen=True)
class Image:
    """A picture for the template (rendered as a docxtpl InlineImage)."""

    path: Path
    height_mm: float


@dataclass(frozen=True)
class Document:
    kind: str                   # "letter", "form", …: names the checks that apply
    name: str                   # output path without suffix, relative to outputs/: "letters/01-สมุทรปราการ"
    template: str               # file in templates/
    context: Mapping[str, Any]
    expect: Mapping[str, str] = field(default_factory=dict)  # label → text its PDF must show
    title: str = ""             # PDF title (metadata)
    pdfa: bool = False
