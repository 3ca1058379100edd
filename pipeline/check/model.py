"""What a check is asked (``Expectation``) and what it answers (``Finding``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fitz  # PyMuPDF


@dataclass(frozen=True)
class Expectation:
    """What one PDF must be; built elsewhere from the inputs."""

    pdf: Path
    kind: str  # "letter", "form", "report", ... (free text; shown in the table)
    texts: dict[str, str] = field(default_factory=dict)  # label -> text that must appear
    pdfa: bool = False  # PDF/A-2b claim required
    min_pages: int = 1
    page_numbers: bool = True  # "- ๒ -" at the top from page 2 on (not for print files, which restart)
    facts: Mapping[str, Any] = field(default_factory=dict)  # what kind-specific rules compare with
    # Generic rules to run (None: all). A file made of checked PDFs (a print file, a
    # package) needs only what joining them can change: page size and count.
    rules: tuple[str, ...] | None = None
    # Names no line may break inside (a table cell's "อำเภอพระ" / "สมุทรเจดีย์"): the campaign's districts.
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """The outcome of one rule on one PDF; ``detail`` is empty when ok."""

    pdf: Path
    rule: str
    ok: bool
    detail: str
    kind: str = ""


Rule = Callable[[fitz.Document, Expectation], list[str]]
