"""Where the checkbox glyphs of a rendered form are: shared by the fillable form and the checks.

The checklist template prints every box as a glyph (☐ empty, ☑ ticked) and no
other glyph of those; their order on the page is the order of the items.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import fitz

from .pagedigest import Digests

EMPTY, TICKED, CROSSED = "☐", "☑", "☒"
BOX_GLYPHS = EMPTY + TICKED + CROSSED
KNOWN_PAGES = 16  # pages whose boxes box_glyphs keeps (a form has 8)


def box_glyphs(
    doc: fitz.Document,
    boxes_of: Callable[[fitz.Page], list[tuple[fitz.Rect, str]]] | None = None,
    known: OrderedDict[bytes, list[tuple[fitz.Rect, str]]] | None = None,
) -> list[tuple[int, fitz.Rect, str]]:
    """Every box glyph in reading order: page, then row (baseline), then left to right.

    ``boxes_of(page)``: the page's boxes (``box_chars``), when the caller has read them already. ``known``: the
    boxes of the pages read before, by what they are made of (pipeline/pagedigest.py), a few kept: the
    composed forms repeat their reference's pages, each read once (its rects are shared: not to be changed).
    """
    digests = Digests(doc) if known is not None else None
    found = []
    for page in doc:
        key = digests.page(page) if digests is not None else None
        boxes = known.get(key) if known is not None and key else None
        if boxes is None:
            boxes = boxes_of(page) if boxes_of else [(fitz.Rect(b), c) for b, c in box_chars(page.get_text("rawdict"))]
            if known is not None and key:
                known[key] = boxes
                while len(known) > KNOWN_PAGES:
                    known.popitem(last=False)
        elif known is not None and key:
            known.move_to_end(key)
        found += [(page.number, rect, glyph) for rect, glyph in boxes]
    return sorted(found, key=lambda f: (f[0], round(f[1].y1 / 3), f[1].x0))


def box_chars(raw: dict[str, Any]) -> list[tuple[tuple[float, float, float, float], str]]:
    """The box glyphs of a page's rawdict in its order: each character's bbox (its own tuple) and glyph."""
    return [
        (char["bbox"], char["c"])
        for block in raw["blocks"]
        for line in block.get("lines", [])
        for span in line["spans"]
        for char in span["chars"]
        if char["c"] in BOX_GLYPHS
    ]
