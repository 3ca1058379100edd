"""The text of a PDF as the rules read it: characters, spans with tight boxes, visual lines.

Conventions measured on LibreOffice 7.4 output: span font names have no subset
prefix in PyMuPDF ("THSarabunNew", "DejaVuSans", "Loma"); span boxes run from
the font's ascender to its descender, so ``spans`` builds a box from the
baseline instead.

Several rules read every character, and the text extraction is the costliest
part of checking (cProfile), so while ``reading(doc)`` is active each page of
``doc`` is extracted once. The cache lives in a context variable, not in module
state: each thread (and each asyncio task) checking a PDF has its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import fitz  # PyMuPDF

SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
# U+FFFD, private use (BMP and planes 15-16), and control characters other than tab/newline.
UNCLEAN = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Extraction without TEXT_CID_FOR_UNKNOWN_UNICODE (a default), so unmapped glyphs show as U+FFFD.
_TEXT_FLAGS = fitz.TEXT_PRESERVE_LIGATURES | fitz.TEXT_PRESERVE_WHITESPACE | fitz.TEXT_MEDIABOX_CLIP
_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\u00ad]+")


def normalise(text: str) -> str:
    """Text for comparison: NFC, sara am composed, no whitespace or zero-width characters.

    PyMuPDF splits and joins Thai lines and spaces unpredictably, so only the
    characters themselves are compared.
    """
    text = unicodedata.normalize("NFC", text).replace("\u0e4d\u0e32", "\u0e33")  # ํ + า -> ำ
    return _INVISIBLE.sub("", text)


@dataclass(frozen=True)
class Span:
    page: int  # 1-based
    block: int
    font: str  # subset prefix removed
    size: float
    text: str
    baseline: float
    bbox: fitz.Rect  # tight box of the non-blank characters (see margins)


@dataclass
class _PageText:
    """One document's pages already extracted: page number → MuPDF text page, → rawdict, → spans."""

    doc: fitz.Document
    textpages: dict[int, fitz.TextPage] = field(default_factory=dict)
    raw: dict[int, dict[str, Any]] = field(default_factory=dict)
    spans: dict[int, list[Span]] = field(default_factory=dict)


_READING: ContextVar[_PageText | None] = ContextVar("pipeline.check.text", default=None)


@contextmanager
def reading(doc: fitz.Document) -> Iterator[None]:
    """While active, in this thread or task only: each page of ``doc`` is extracted once."""
    token = _READING.set(_PageText(doc))
    try:
        yield
    finally:
        _READING.reset(token)


def _cache(page: fitz.Page) -> _PageText | None:
    cache = _READING.get()
    return cache if cache is not None and page.parent is cache.doc else None


def page_rawdict(page: fitz.Page) -> dict[str, Any]:
    """The page's text with every character and its box; extracted once per page while checking."""
    cache = _cache(page)
    if cache is None:
        return _rawdict(page)
    if page.number not in cache.raw:
        cache.raw[page.number] = _rawdict(page)
    return cache.raw[page.number]


def _rawdict(page: fitz.Page) -> dict[str, Any]:
    raw: dict[str, Any] = _textpage(page).extractRAWDICT(cb=page.cropbox)
    return raw


def page_text(page: fitz.Page) -> str:
    """The page's plain text (``page.get_text()``), from the same interpretation of the page as its rawdict."""
    text: str = _textpage(page).extractText()
    return text


def _textpage(page: fitz.Page) -> fitz.TextPage:
    """MuPDF's reading of the page's content, once per page while checking: making it is most of an
    extraction's cost, and several rules read the same page as characters and as plain text."""
    cache = _cache(page)
    if cache is None:
        return page.get_textpage(flags=_TEXT_FLAGS)
    if page.number not in cache.textpages:
        cache.textpages[page.number] = page.get_textpage(flags=_TEXT_FLAGS)
    return cache.textpages[page.number]


def spans(page: fitz.Page) -> list[Span]:
    """Every non-blank text span on the page, with a tight box."""
    cache = _cache(page)
    if cache is None:
        return list(_extract_spans(page))
    if page.number not in cache.spans:
        cache.spans[page.number] = list(_extract_spans(page))
    return cache.spans[page.number]


def _extract_spans(page: fitz.Page) -> Iterator[Span]:
    raw = page_rawdict(page)
    for block_no, block in enumerate(raw["blocks"]):
        for line in block.get("lines", []):
            horizontal = abs(line["dir"][1]) < 1e-3
            for span in line["spans"]:
                chars = span["chars"]
                text = "".join(c["c"] for c in chars)
                inked = [c for c in chars if not c["c"].isspace()]
                if not inked:
                    continue
                x0 = min(c["bbox"][0] for c in inked)
                x1 = max(c["bbox"][2] for c in inked)
                y = span["origin"][1]
                if horizontal:  # baseline box: ascender/descender of fallback fonts are far too tall
                    y0, y1 = y - 0.75 * span["size"], y + 0.25 * span["size"]
                else:
                    y0 = min(c["bbox"][1] for c in inked)
                    y1 = max(c["bbox"][3] for c in inked)
                yield Span(
                    page.number + 1,
                    block_no,
                    SUBSET_PREFIX.sub("", span["font"]),
                    span["size"],
                    text,
                    y,
                    fitz.Rect(x0, y0, x1, y1),
                )


def lines(page: fitz.Page) -> Iterator[tuple[int, str]]:
    """Visual lines: spans of one block on one baseline, left to right.

    PyMuPDF's own "lines" can split one visual line (in LibreOffice output,
    "☐ มี ☐" came out as four lines), cutting digits away from their context.
    """
    for _, baseline, text in block_lines(page):
        yield baseline, text


def block_lines(page: fitz.Page) -> list[tuple[int, int, str]]:
    """(block, baseline, text) of every visual line, top to bottom, then left to right."""
    groups: dict[tuple[int, int], list[Span]] = {}
    for span in spans(page):
        baseline = round(span.baseline)
        groups.setdefault((span.block, baseline), []).append(span)
    return [
        (block, baseline, "".join(s.text for s in sorted(group, key=lambda s: s.bbox.x0)))
        for (block, baseline), group in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def quote(text: str, limit: int = 40) -> str:
    """“text”, whitespace collapsed, shortened, invisible characters shown as ⟨U+XXXX⟩."""
    text = UNCLEAN.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", " ".join(text.split()))
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"
