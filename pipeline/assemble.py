"""Stage 4b: put converted PDFs together into what a clerk prints or files.

Print files start every document on an odd page, so duplex printing never puts
two documents (two provinces, two centers) on one sheet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import fitz

from .files import atomic_path

A4 = (595.28, 841.89)


def combine(parts: Sequence[Path], target: Path, *, title: str = "", odd_starts: bool = True) -> int:
    """``parts`` one after another in ``target``; returns its page count."""
    out = fitz.open()
    for part in parts:
        if odd_starts and out.page_count % 2 == 1:
            out.new_page(width=A4[0], height=A4[1])
        with fitz.open(part) as pdf:
            out.insert_pdf(pdf)
    if title:
        out.set_metadata({"title": title, "producer": "gecc-pipeline"})
    with atomic_path(target) as tmp:
        out.save(tmp, garbage=3, deflate=True)
    pages = out.page_count
    out.close()
    return pages
