"""Each document's own boxes on pages laid out once: ☐ and ☑ are two glyphs of one font subset with
one advance, so a shared page laid out with the reference's boxes becomes this document's page by
setting each box's glyph code in the page's content, nothing else (pipeline/convert/compose.py). The
check reads such pages alike, from the first one read (``same_but_boxes``, pipeline/check/text.py).

Where the boxes are is read from the reference's PDF, and checked, never assumed: the boxes found in
its content streams must be the glyphs MuPDF reads there (``get_texttrace``), in reading order (so
the order of the content is the order of the document), and of one font whose codes for every
swapped glyph have the same width. The reference's sequence must then be the one its DOCX holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import fitz  # PyMuPDF

# One token of a content stream: what matters here are the strings shown and the fonts chosen.
_TOKEN = re.compile(
    rb"(?P<space>\s+)|%[^\r\n]*|(?P<dict><<|>>)|(?P<hex><[0-9A-Fa-f\s]*>)"
    rb"|(?P<literal>\((?:\\.|[^\\()])*\))|(?P<name>/[^\s/<>\[\]()%{}]*)|(?P<array>[\[\]])"
    rb"|(?P<word>[^\s/<>\[\]()%{}]+)",
    re.S,
)
_SHOWS = {b"Tj", b"TJ", b"'", b'"'}
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_SAME_LINE = 1.0  # pt: boxes whose baselines differ by less are on one line


@dataclass
class Page:
    """The boxes of one page of the reference: where each one's code is, and which glyph it shows."""

    streams: list[tuple[int, bytes]]  # (xref, content) of each content stream
    where: list[tuple[int, int]] = field(default_factory=list)  # (stream index, offset of the 2 hex digits)
    glyphs: str = ""  # the glyph of each box, in the order of the content


@dataclass
class Boxes:
    """The boxes of some pages of the reference, and the code of each swapped glyph in their font."""

    pages: list[Page]
    codes: dict[str, bytes]  # glyph -> its code as 2 hex digits

    @property
    def glyphs(self) -> str:
        return "".join(page.glyphs for page in self.pages)

    def put(self, doc: fitz.Document, first: int, wanted: str) -> None:
        """Set the boxes of ``doc``'s pages from ``first`` on (copies of these pages) to ``wanted``."""
        assert len(wanted) == len(self.glyphs)
        at = 0
        for number, page in enumerate(self.pages):
            streams = [bytearray(content) for _, content in page.streams]
            for (stream, offset), glyph in zip(page.where, wanted[at : at + len(page.where)], strict=True):
                streams[stream][offset : offset + 2] = self.codes[glyph]
            at += len(page.where)
            for xref, content in zip(doc[first + number].get_contents(), streams, strict=True):
                doc.update_stream(xref, bytes(content))


def find(doc: fitz.Document, pages: range, swapped: str) -> tuple[Boxes | None, str | None]:
    """The boxes (glyphs of ``swapped``) on ``pages`` of ``doc``; or why they cannot be swapped there."""
    found = Boxes([], {})
    for number in pages:
        page = doc[number]
        fonts = _box_fonts(doc, page, swapped, found.codes)
        if isinstance(fonts, str):
            return None, f"หน้า {number + 1}: {fonts}"
        streams = [(xref, doc.xref_stream(xref) or b"") for xref in page.get_contents()]
        entry = Page(streams)
        why = _scan(entry, fonts)
        if why is None:
            why = _agrees(page, entry.glyphs, swapped)
        if why:
            return None, f"หน้า {number + 1}: {why}"
        found.pages.append(entry)
    if found.glyphs and set(found.codes) != set(swapped):
        return None, "ฉบับอ้างอิงไม่มีทุกแบบของช่องทำเครื่องหมายในหน้าที่ใช้ร่วมกัน"
    return found, None


def scan(
    doc: fitz.Document, page: fitz.Page, swapped: str, streams: list[bytes]
) -> tuple[Page, dict[bytes, str]] | None:
    """The boxes (glyphs of ``swapped``) that ``streams``, content for ``page``'s resources, shows, and
    the glyph of each code; None when it shows none, or not as codes that can be set (``find``)."""
    codes: dict[str, bytes] = {}
    fonts = _box_fonts(doc, page, swapped, codes)
    if isinstance(fonts, str) or not fonts:
        return None
    entry = Page(list(enumerate(streams)))
    if _scan(entry, fonts) or not entry.glyphs:
        return None
    return entry, {code: glyph for glyph, code in codes.items()}


def same_but_boxes(entry: Page, codes: dict[bytes, str], streams: list[bytes]) -> str | None:
    """The glyphs ``streams`` show in the boxes of ``entry`` when they are its content but for the boxes'
    codes, each a code of ``codes`` (one width: the same layout); else None."""
    if [len(content) for content in streams] != [len(content) for _, content in entry.streams]:
        return None
    shown, masked = [], [bytearray(content) for content in streams]
    for stream, offset in entry.where:
        glyph = codes.get(bytes(masked[stream][offset : offset + 2]).upper())
        if glyph is None:
            return None
        shown.append(glyph)
        masked[stream][offset : offset + 2] = entry.streams[stream][1][offset : offset + 2]
    if any(bytes(mine) != content for mine, (_, content) in zip(masked, entry.streams, strict=True)):
        return None
    return "".join(shown)


def _box_fonts(
    doc: fitz.Document, page: fitz.Page, swapped: str, codes: dict[str, bytes]
) -> dict[bytes, dict[int, str]] | str:
    """The page's fonts (resource name -> code -> glyph) that hold swapped glyphs; ``codes`` gathers
    each glyph's code, which must be one for all pages (one font) and of one width for all glyphs."""
    fonts: dict[bytes, dict[int, str]] = {}
    for xref, _, kind, _, name, _ in page.get_fonts():
        mapping = _to_unicode(doc, xref, swapped)
        if not mapping:
            continue
        if kind not in ("TrueType", "Type1", "Type1C") or any(code > 255 for code in mapping):
            return "ช่องทำเครื่องหมายอยู่ในฟอนต์ที่ไม่ใช่รหัสหนึ่งไบต์"
        widths = doc.xref_get_key(xref, "Widths")[1].strip("[] ").split()
        first = int(doc.xref_get_key(xref, "FirstChar")[1] or 0)
        if len({widths[code - first] if 0 <= code - first < len(widths) else "" for code in mapping}) != 1:
            return "ช่องทำเครื่องหมายแต่ละแบบกว้างไม่เท่ากัน"
        for code, glyph in mapping.items():
            if codes.setdefault(glyph, b"%02X" % code) != b"%02X" % code:
                return "ช่องทำเครื่องหมายอยู่ในฟอนต์มากกว่าหนึ่งชุด"
        fonts[name.encode()] = mapping
    return fonts


def _to_unicode(doc: fitz.Document, xref: int, swapped: str) -> dict[int, str]:
    """Codes of the font ``xref`` that show a glyph of ``swapped`` (from its ToUnicode map)."""
    kind, value = doc.xref_get_key(xref, "ToUnicode")
    if kind != "xref":
        return {}
    cmap = doc.xref_stream(int(value.split()[0])) or b""
    mapping = {}
    for section in _BFCHAR.findall(cmap):
        for code, text in _PAIR.findall(section):
            glyph = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
            if len(glyph) == 1 and glyph in swapped:  # ("" is in every string)
                mapping[int(code, 16)] = glyph
    return mapping


def _scan(page: Page, fonts: dict[bytes, dict[int, str]]) -> str | None:
    """Find every swapped glyph the page's content shows, in the order of the content."""
    font: bytes = b""
    operands: list[tuple[int, int, re.Match[bytes]]] = []  # (stream, depth, token)
    depth = 0
    for index, (_, content) in enumerate(page.streams):
        for token in _TOKEN.finditer(content):
            kind = token.lastgroup
            if kind in ("space", None):
                continue
            if kind == "array":
                depth += 1 if token.group() == b"[" else -1
                continue
            if kind != "word" or depth or token.group()[:1].isdigit() or token.group()[:1] in b"+-.":
                operands.append((index, depth, token))
                continue
            operator = token.group()
            if operator == b"Tf" and len(operands) >= 2:
                font = operands[-2][2].group()[1:]
            elif operator in _SHOWS and font in fonts:
                for stream, _, shown in operands:
                    why = _shown(page, stream, shown, fonts[font])
                    if why:
                        return why
            operands = []
    return None


def _shown(page: Page, stream: int, token: re.Match[bytes], mapping: dict[int, str]) -> str | None:
    text = token.group()
    if token.lastgroup == "literal":
        if any(code in mapping for code in text[1:-1]):
            return "ช่องทำเครื่องหมายเขียนเป็นข้อความแบบอื่นที่ไม่ใช่เลขฐานสิบหก"
        return None
    if token.lastgroup != "hex":
        return None
    if re.search(rb"\s", text) or len(text) % 2:
        return "รหัสของช่องทำเครื่องหมายเขียนไม่เป็นคู่"
    for at in range(1, len(text) - 1, 2):
        code = int(text[at : at + 2], 16)
        if code in mapping:
            page.where.append((stream, token.start() + at))
            page.glyphs += mapping[code]
    return None


def _agrees(page: fitz.Page, glyphs: str, swapped: str) -> str | None:
    """The boxes found must be what MuPDF reads on the page, in the same order, in reading order."""
    read = [(chr(c[0]), c[2]) for span in page.get_texttrace() for c in span["chars"] if chr(c[0]) in swapped]
    if "".join(glyph for glyph, _ in read) != glyphs:
        return f"อ่านช่องทำเครื่องหมายได้ {len(read)} ช่อง แต่หาในเนื้อหาหน้าได้ {len(glyphs)} ช่อง"
    for (_, (x0, y0)), (_, (x1, y1)) in zip(read, read[1:], strict=False):
        if y1 < y0 - _SAME_LINE or (abs(y1 - y0) <= _SAME_LINE and x1 <= x0):
            return "ลำดับของช่องทำเครื่องหมายในเนื้อหาหน้าไม่ใช่ลำดับการอ่าน"
    return None
