"""Where the checkbox glyphs of a rendered form are: shared by the fillable form and the checks.

The checklist template prints every box as a glyph (☐ empty, ☑ ticked) and no
other glyph of those; their order on the page is the order of the items.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fitz

EMPTY, TICKED, CROSSED = "☐", "☑", "☒"
BOX_GLYPHS = EMPTY + TICKED + CROSSED


def box_glyphs(
    doc: fitz.Document, rawdict: Callable[[fitz.Page], dict[str, Any]] | None = None
) -> list[tuple[int, fitz.Rect, str]]:
    """Every box glyph in reading order: page, then row (baseline), then left to right.

    ``rawdict(page)``: the page's text with characters, when the caller has it already.
    """
    found = []
    for page in doc:
        for block in (rawdict(page) if rawdict else page.get_text("rawdict"))["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    for char in span["chars"]:
                        if char["c"] in BOX_GLYPHS:
                            found.append((page.number, fitz.Rect(char["bbox"]), char["c"]))
    return sorted(found, key=lambda f: (f[0], round(f[1].y1 / 3), f[1].x0))
