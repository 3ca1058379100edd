"""The text of a PDF as the rules read it: characters, spans with tight boxes, visual lines.

Conventions measured on LibreOffice 7.4 output: span font names have no subset
prefix in PyMuPDF ("THSarabunNew", "DejaVuSans", "Loma"); span boxes run from
the font's ascender to its descender, so ``spans`` builds a box from the
baseline instead.

Several rules read every character, and the text extraction is the costliest
part of checking (cProfile), so while ``reading(doc)`` is active each page of
``doc`` is extracted once. The cache lives in a context variable, not in module
state: each thread (and each asyncio task) checking a PDF has its own. A page whose content is
that of a page read before (the same streams and the same fonts, number and boxes) shares what
was read from it: composed forms repeat their reference's pages. Composed reports repeat them with
their own boxes (☐ or ☑, one width: pipeline/glyphs.py): a page whose content is that of a page read
before but for the codes of its boxes is read from that page, each box's character set to its own.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

import fitz  # PyMuPDF

from .. import glyphs
from ..boxes import BOX_GLYPHS
from ..pagedigest import Digests

SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
# U+FFFD, private use (BMP and planes 15-16), and control characters other than tab/newline.
UNCLEAN = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Extraction without TEXT_CID_FOR_UNKNOWN_UNICODE (a default), so unmapped glyphs show as U+FFFD.
_TEXT_FLAGS = fitz.TEXT_PRESERVE_LIGATURES | fitz.TEXT_PRESERVE_WHITESPACE | fitz.TEXT_MEDIABOX_CLIP
Swap = Callable[[Any, Mapping[int, str]], Any]  # a derived value, the glyph of each box -> the value for them
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
class _Read:
    """What was read from one page. Pages with the same content share one (``_SAME``); pages whose
    content differs only in which glyph each box shows have one each, made from the first (``swapped``)
    as it is asked for."""

    raw: dict[str, Any] | None = None
    text: str | None = None
    spans: list[Span] | None = None
    derived: dict[str, Any] = field(default_factory=dict)  # made from the above by other modules (cells)
    swaps: dict[str, Swap] = field(default_factory=dict)  # how each derived value follows other boxes
    verdicts: dict[Hashable, list[str]] = field(default_factory=dict)  # a rule's problems on it (page_verdict)
    boxes: str = ""  # the glyph of each box, in the order of the page's content
    where: list[tuple[float, float]] | None = None  # where MuPDF puts each of them (origin), same order
    _order: list[int] | None = None  # each box of raw (in its order): its place in ``boxes``
    _box_chars: list[dict[str, Any]] = field(default_factory=list)  # raw's boxes, in its order (with _order)
    first: _Read | None = None  # of a swapped page: the read it is made from
    in_raw: list[str] = field(default_factory=list)  # of a swapped page: its boxes' glyphs in raw's order
    _glyph_at: dict[int, str] | None = None  # of a swapped page: each box's glyph by the id of its bbox

    def swapped(self, boxes: str) -> _Read:
        """What is read from a page with this one's content but ``boxes`` in its boxes: its characters,
        text, spans and derived values, each made from this one's with each box's glyph set when first
        asked for (``from_first``), and the verdicts that found nothing. What this page has not read (or
        whose boxes cannot be matched) is read from the page."""
        if boxes == self.boxes:
            return self
        clean = {rule: found for rule, found in self.verdicts.items() if not found}  # (page_verdict)
        order = self._raw_order()
        if order is None:
            return _Read(verdicts=clean)
        return _Read(verdicts=clean, boxes=boxes, first=self, in_raw=[boxes[i] for i in order])

    def from_first(self, what: str) -> Any:
        """``raw``, ``text`` or ``spans`` of a swapped page from its first's, when that has it and
        shows its boxes as its content does; None otherwise."""
        first = self.first
        if first is None or getattr(first, what) is None:
            return None
        if what == "raw" and first.raw is not None:
            return _swap_raw(first.raw, self.in_raw)
        mine = "".join(first.boxes[i] for i in first._order or ())
        if what == "text":
            text = first.text or ""
            return _swap_text(text, self.in_raw) if "".join(_BOX.findall(text)) == mine else None
        spans = first.spans or []
        same = "".join(c for s in spans for c in s.text if c in BOX_GLYPHS) == mine
        return _swap_spans(spans, self.in_raw) if same else None

    def derived_from_first(self, name: str) -> tuple[bool, Any]:
        """A derived value of a swapped page from its first's, by its swap (each box found by the id of
        its character's bbox, which a swapped page's characters share); (False, None) when it cannot be."""
        first = self.first
        if first is None or name not in first.derived or name not in first.swaps:
            return False, None
        if self._glyph_at is None:
            boxes = first._box_chars
            glyph_at = {id(c["bbox"]): glyph for c, glyph in zip(boxes, self.in_raw, strict=False)}
            self._glyph_at = glyph_at if len(glyph_at) == len(boxes) == len(self.in_raw) else {}
        if not self._glyph_at and self.in_raw:
            return False, None
        self.swaps[name] = first.swaps[name]
        return True, first.swaps[name](first.derived[name], self._glyph_at)

    def _raw_order(self) -> list[int] | None:
        """Matches the boxes in raw (reading order) to the content's, by where MuPDF put each; each
        matched box must show the glyph the content gives it."""
        if self._order is None and self.raw is not None and self.where is not None:
            at = {(round(x, 2), round(y, 2)): i for i, (x, y) in enumerate(self.where)}
            chars = [c for c in _chars(self.raw) if c["c"] in BOX_GLYPHS]
            found = [at.get((round(c["origin"][0], 2), round(c["origin"][1], 2)), -1) for c in chars]
            if (
                len(at) == len(self.where)
                and sorted(found) == list(range(len(self.where)))
                and all(c["c"] == self.boxes[i] for c, i in zip(chars, found, strict=True))
            ):
                self._order, self._box_chars = found, chars
        return self._order


def _chars(raw: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for block in raw["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                yield from span["chars"]


def _swap_raw(raw: dict[str, Any], boxes: list[str]) -> dict[str, Any]:
    """A copy of ``raw`` with its boxes' characters set to ``boxes`` in order (what is not a box shared,
    each character's bbox too)."""
    glyph = iter(boxes)
    blocks = []
    for block in raw["blocks"]:
        if "lines" not in block:
            blocks.append(block)
            continue
        lines = []
        for line in block["lines"]:
            spans = [
                {**span, "chars": [{**c, "c": next(glyph)} if c["c"] in BOX_GLYPHS else c for c in span["chars"]]}
                for span in line["spans"]
            ]
            lines.append({**line, "spans": spans})
        blocks.append({**block, "lines": lines})
    return {**raw, "blocks": blocks}


_BOX = re.compile(f"[{BOX_GLYPHS}]")


def _swap_text(text: str, boxes: list[str]) -> str:
    glyph = iter(boxes)
    return _BOX.sub(lambda found: next(glyph), text)


def _swap_spans(spans: list[Span], boxes: list[str]) -> list[Span]:
    glyph = iter(boxes)
    return [
        replace(s, text="".join(next(glyph) if c in BOX_GLYPHS else c for c in s.text))
        if any(c in BOX_GLYPHS for c in s.text)
        else s
        for s in spans
    ]


@dataclass
class _PageText:
    """One document's pages already read: page number → MuPDF text page, → what was read from it."""

    doc: fitz.Document
    textpages: dict[int, fitz.TextPage] = field(default_factory=dict)
    read: dict[int, _Read] = field(default_factory=dict)
    digests: Digests = field(init=False)

    def __post_init__(self) -> None:
        self.digests = Digests(self.doc)


_READING: ContextVar[_PageText | None] = ContextVar("pipeline.check.text", default=None)

# Pages seen before in this process, by content: the 76 (878) composed forms have the same pages 2–8
# (pipeline/convert/compose.py), each read once instead of once per form; the reports', each laid out
# once. Checks run PDF after PDF of one kind, so a few pages suffice.
SAME_PAGES = 24
_SAME: OrderedDict[bytes, _Read] = OrderedDict()
_SAME_LOCK = threading.Lock()


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


def _read(page: fitz.Page) -> _Read:
    """The page's record while ``reading`` (shared with earlier pages of the same content); a fresh one
    otherwise."""
    cache = _cache(page)
    if cache is None:
        return _Read()
    if page.number not in cache.read:
        cache.read[page.number] = _shared(page, cache)
    return cache.read[page.number]


def _shared(page: fitz.Page, cache: _PageText) -> _Read:
    """The record of a page read before with the same content; else one made from a page with the same
    content but the codes of its boxes; else a new one, kept for the pages after it."""
    keys = _content_keys(page, cache)
    if keys is None:
        return _Read()
    key, frame, streams = keys
    found: _Read | None = _recall(_SAME, key)
    if found is not None:
        return found
    like: _Frame | None = _recall(_FRAMES, frame)
    if like is not None:
        try:
            swapped = like.swapped(page, streams)
        except Exception:  # a damaged PDF: read on its own, and the rules say what is wrong
            swapped = None
        if swapped is not None:
            return swapped  # not kept: the next report's boxes differ again
    found = _Read()
    _keep(_SAME, key, found)
    if like is None:
        _keep(_FRAMES, frame, _Frame(streams, found))
    return found


@dataclass
class _Frame:
    """The first page read of a frame (number, boxes, resources, annotations, the length of each content
    stream): its content, and the record made from it; once a second page of the frame comes, where its
    boxes are in that content (``glyphs.scan``: None when it has none)."""

    streams: list[bytes]
    read: _Read
    boxes: tuple[glyphs.Page, dict[bytes, str]] | None = None
    scanned: bool = False

    def swapped(self, page: fitz.Page, streams: list[bytes]) -> _Read | None:
        """The record of ``page`` (of this frame) from the first one, if it differs from it only in
        which glyph its boxes show."""
        if not self.scanned:  # the same resources: the page's fonts are the first one's
            self.boxes, self.scanned = glyphs.scan(page.parent, page, BOX_GLYPHS, self.streams), True
        if self.boxes is None:
            return None
        entry, codes = self.boxes
        boxes = glyphs.same_but_boxes(entry, codes, streams)
        if boxes is None:
            return None
        if self.read.where is None:  # the same layout: the first page's boxes are where this one's are
            self.read.boxes, self.read.where = entry.glyphs, _where(page, boxes)
        return self.read.swapped(boxes)


_FRAMES: OrderedDict[bytes, _Frame] = OrderedDict()


def _recall(kept: OrderedDict[bytes, Any], key: bytes) -> Any:
    with _SAME_LOCK:
        found = kept.get(key)
        if found is not None:
            kept.move_to_end(key)
        return found


def _keep(kept: OrderedDict[bytes, Any], key: bytes, value: Any) -> None:
    with _SAME_LOCK:
        kept[key] = value
        while len(kept) > SAME_PAGES:
            kept.popitem(last=False)


def _where(page: fitz.Page, boxes: str) -> list[tuple[float, float]] | None:
    """Where MuPDF draws each box, in the order of the content (its trace); None unless these are
    ``boxes``, the glyphs the content shows there."""
    found = [(chr(c[0]), c[2]) for span in page.get_texttrace() for c in span["chars"] if chr(c[0]) in BOX_GLYPHS]
    return [origin for _, origin in found] if "".join(g for g, _ in found) == boxes else None


def _content_keys(page: fitz.Page, cache: _PageText) -> tuple[bytes, bytes, list[bytes]] | None:
    """What the page's text and drawings are made of (pipeline/pagedigest.py); its frame (the same with the
    length of each content stream instead of the streams); and its content. None: not shared."""
    frame = cache.digests.frame(page)
    key = cache.digests.page(page, frame) if frame is not None else None
    if frame is None or key is None:
        return None
    try:
        streams = [page.parent.xref_stream(xref) or b"" for xref in page.get_contents()]
    except Exception:  # a damaged PDF: its pages are read on their own, and the rules say what is wrong
        return None
    frame.update(repr([len(content) for content in streams]).encode())
    return key, frame.digest(), streams


def derived(page: fitz.Page, name: str, make: Callable[[fitz.Page], Any], swap: Swap | None = None) -> Any:
    """``make(page)``, once per page content while ``reading`` (``make`` may only read the page).
    ``swap(value, glyph_at)``: the value for a page that differs only in the glyphs of its boxes,
    ``glyph_at`` giving each box's glyph by the id of its character's bbox (``same``: it holds no text);
    without it, such a page makes its own."""
    read = _read(page)
    if name not in read.derived:
        found, value = read.derived_from_first(name)
        if found:
            read.derived[name] = value
        else:
            read.derived[name] = make(page)
            if swap is not None:
                read.swaps[name] = swap
    return read.derived[name]


def page_verdict(page: fitz.Page, rule: Hashable, judge: Callable[[fitz.Page], list[str]]) -> list[str]:
    """``judge(page)``: the problems a rule finds on one page, judged once per page content while
    ``reading`` (``rule`` names the rule and whatever else of the expectation it reads).

    A page that differs from one judged before only in which glyph its boxes show (a report's ☐ ☑)
    takes that page's verdict when it found nothing. Only for rules blind to that choice: both glyphs
    are symbols of one font and one advance (pipeline/glyphs.py), so they give the same spans, boxes,
    fonts and word boundaries, and are neither Thai, digits nor unclean. A page with problems is judged
    again, so each problem names what its own page shows."""
    read = _read(page)
    if rule not in read.verdicts:
        read.verdicts[rule] = judge(page)
    return read.verdicts[rule]


def same(value: Any, glyph_at: Mapping[int, str]) -> Any:
    """The swap of a derived value that holds no text (drawings)."""
    return value


def page_rawdict(page: fitz.Page) -> dict[str, Any]:
    """The page's text with every character and its box; extracted once per page while checking."""
    read = _read(page)
    if read.raw is None:
        read.raw = read.from_first("raw") or _textpage(page).extractRAWDICT(cb=page.cropbox)
    return read.raw


def page_text(page: fitz.Page) -> str:
    """The page's plain text (``page.get_text()``), from the same interpretation of the page as its rawdict."""
    read = _read(page)
    if read.text is None:
        read.text = read.from_first("text") or _textpage(page).extractText()
    return read.text


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
    read = _read(page)
    if read.spans is None:
        read.spans = read.from_first("spans") or list(_extract_spans(page))
    return read.spans


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
