"""Stage 5: put converted PDFs together into what a clerk prints or sends.

Print files start every document on an odd page, so duplex printing never puts
two documents (two provinces, two centers) on one sheet. A package is what one
addressee receives: the letter followed by its enclosures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import fitz

from .check import Expectation
from .documents import enclosures, letters, results
from .files import atomic_path
from .model import Campaign

A4 = (595.28, 841.89)
COLLECTIVE = "package/all-provinces"  # the source document regenerated


@dataclass(frozen=True)
class Product:
    """A PDF made of other PDFs (names relative to outputs/, without .pdf)."""

    kind: str  # "print" or "package"
    name: str
    parts: tuple[str, ...]
    title: str
    odd_starts: bool = True
    compare_source: bool = False  # the source document regenerated: compared with its OCR text when asked

    def ingredients(self, outputs: Path) -> tuple[object, ...]:
        return (self, [outputs / f"{n}.pdf" for n in self.parts])

    def files(self, outputs: Path) -> list[Path]:
        return [outputs / f"{self.name}.pdf"]

    def make(self, outputs: Path) -> str | None:
        return make(self, outputs)

    def check(self, outputs: Path, source: Path | None) -> Expectation:
        # Its parts were checked one by one: only what joining them can change.
        return Expectation(
            outputs / f"{self.name}.pdf",
            self.kind,
            page_numbers=False,
            rules=("a4_portrait", "pages"),
            facts={"source": source} if self.compare_source and source is not None else {},
        )


def letter_prints(campaign: Campaign) -> list[Product]:
    """Every province's letter and the collective copy, in one file to print."""
    parts = tuple(f"letters/{p.slug}" for p in campaign.provinces) + (letters.COLLECTIVE,)
    return [Product("print", "print/letters", parts, "หนังสือเวียนทุกจังหวัด (ฉบับพิมพ์รวม)")]


def form_prints(campaign: Campaign) -> list[Product]:
    parts = tuple(f"forms/{c.slug}" for c in campaign.centers)
    return [Product("print", "print/forms", parts, "แบบประเมินตนเองทุกศูนย์ (ฉบับพิมพ์รวม)")]


def packages(campaign: Campaign) -> list[Product]:
    """What each province receives (its letter, the criteria, its centers' forms), and the source
    document regenerated: the collective circular, the criteria, the list of centers."""
    made = [
        Product(
            "package",
            COLLECTIVE,
            (letters.COLLECTIVE, enclosures.CRITERIA, enclosures.CENTERS),
            f"{campaign.circular.number} (ฉบับรวมพร้อมสิ่งที่ส่งมาด้วย)",
            odd_starts=False,
            compare_source=True,
        )
    ]
    for province in campaign.provinces:
        parts = (f"letters/{province.slug}", enclosures.CRITERIA, *(f"forms/{c.slug}" for c in province.centers))
        made.append(
            Product(
                "package",
                f"package/{province.slug}",
                parts,
                f"{campaign.circular.number} จังหวัด{province.name}",
                odd_starts=False,
            )
        )
    return made


def results_packages(campaign: Campaign) -> list[Product]:
    """Each province's results letter followed by its accepted reports."""
    return [
        Product("package", name, parts, title, odd_starts=False) for name, parts, title in results.packages(campaign)
    ]


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
        # garbage=3 (merge duplicate objects) grows with the square of the parts: 0.46 s for 76 forms,
        # about a minute for 878, for a file 2.6 % smaller. Level 2 is linear.
        out.save(tmp, garbage=2, deflate=True)
    pages: int = out.page_count
    out.close()
    return pages


def make(product: Product, outputs: Path) -> str | None:
    """Builds ``product``; a problem (in Thai) when a part is missing."""
    parts = [outputs / f"{name}.pdf" for name in product.parts]
    missing = [p.name for p in parts if not p.is_file()]
    if missing:
        return f"{product.name}.pdf: ไม่ได้สร้าง เพราะขาด {', '.join(missing)}"
    combine(parts, outputs / f"{product.name}.pdf", title=product.title, odd_starts=product.odd_starts)
    return None
