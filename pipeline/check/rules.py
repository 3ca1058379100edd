"""The generic rules: what every PDF must be, whatever its kind.

Each rule takes an open PDF and its ``Expectation`` and returns the problems it
found (empty = pass), all of them, each naming the page, the text, the font or
the position, so the fix is obvious.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Hashable

import fitz  # PyMuPDF

from ..thai import thai_digit_runs, thai_text
from ..thai import thai_digits as thai_digits_of
from .model import Expectation, Rule
from .text import SUBSET_PREFIX, UNCLEAN, Span, block_lines, lines, normalise, page_text, page_verdict, quote, spans
from .wordbreak import table_word_breaks

# --- limits -----------------------------------------------------------------

CM = 72 / 2.54  # points per cm
A4 = (595.28, 841.89)
PAGE_TOLERANCE = 1.0  # pt
MARGINS_CM = {"left": 3.0, "right": 2.0, "top": 1.0, "bottom": 2.0}  # top leaves room for the header
MARGIN_TOLERANCE = 0.1 * CM  # 1 mm

# Glyphs any font may hold (LibreOffice takes ☐ ☑ ☒ from DejaVu Sans; bullets from OpenSymbol).
SYMBOL_GLYPHS = frozenset("☐☑☒✓✔✗✘•☺")  # ☺: a quality marker of the source, in no Thai font
_THAI = re.compile("[\u0e00-\u0e7f]")
_BASE14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}
_PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"


def _page_list(pages: list[int]) -> str:
    pages = sorted(set(pages))
    return ("page " if len(pages) == 1 else "pages ") + ", ".join(map(str, pages))


def _is_sarabun(font: str) -> bool:
    return "thsarabun" in re.sub(r"[\s_-]", "", font).lower()


def _symbols_only(text: str) -> bool:
    return all(c in SYMBOL_GLYPHS or c.isspace() for c in text)


# --- rules ----------------------------------------------------------------------


def a4_portrait(doc: fitz.Document, exp: Expectation) -> list[str]:
    """Every page A4 portrait, 595 × 842 pt ± 1 pt."""
    problems = []
    for page in doc:
        w, h = page.rect.width, page.rect.height
        if abs(w - A4[0]) <= PAGE_TOLERANCE and abs(h - A4[1]) <= PAGE_TOLERANCE:
            continue
        if abs(w - A4[1]) <= PAGE_TOLERANCE and abs(h - A4[0]) <= PAGE_TOLERANCE:
            name = "A4 landscape"
        elif abs(w - 612) <= PAGE_TOLERANCE and abs(h - 792) <= PAGE_TOLERANCE:
            name = "US Letter"
        else:
            name = f"{w / CM:.1f} × {h / CM:.1f} cm"
        problems.append(f"page {page.number + 1}: {w:.1f} × {h:.1f} pt ({name}); expected A4 portrait 595 × 842 pt")
    return problems


def _has_font_file(doc: fitz.Document, xref: int) -> bool:
    """Whether the font (or a Type0 font's descendant) has a FontFile stream."""
    kind, value = doc.xref_get_key(xref, "DescendantFonts")
    if kind == "array":
        found = re.search(r"(\d+)\s+0\s+R", value)
        if found:
            xref = int(found.group(1))
    kind, value = doc.xref_get_key(xref, "FontDescriptor")
    if kind != "xref":
        return False
    descriptor = int(value.split()[0])
    return any(doc.xref_get_key(descriptor, key)[0] == "xref" for key in ("FontFile", "FontFile2", "FontFile3"))


def fonts_embedded(doc: fitz.Document, exp: Expectation) -> list[str]:
    """Every font on every page is embedded (Type3 fonts are drawn in the PDF itself)."""
    missing: dict[str, list[int]] = {}
    for page in doc:
        for xref, ext, ftype, basefont, *_ in page.get_fonts(full=True):
            if ext != "n/a" or ftype == "Type3" or _has_font_file(doc, xref):
                continue
            name = SUBSET_PREFIX.sub("", basefont) or "(unnamed)"
            label = f"{name} ({ftype}{', a standard-14 font' if name in _BASE14 else ''})"
            missing.setdefault(label, []).append(page.number + 1)
    return [f"{_page_list(pages)}: font {label} is not embedded" for label, pages in missing.items()]


def _each_page(doc: fitz.Document, rule: Hashable, judge: Callable[[fitz.Page], list[str]]) -> list[str]:
    """The problems of every page, each page judged once per content (text.page_verdict)."""
    return [problem for page in doc for problem in page_verdict(page, rule, judge)]


def thai_font(doc: fitz.Document, exp: Expectation) -> list[str]:
    """All text in TH Sarabun New (or a TH Sarabun substitute); symbol glyphs in any font."""
    return _each_page(doc, "thai_font", _thai_font)


def _thai_font(page: fitz.Page) -> list[str]:
    wrong: dict[tuple[int, str], list[Span]] = {}
    for span in spans(page):
        if not _is_sarabun(span.font) and not _symbols_only(span.text):
            wrong.setdefault((span.page, span.font), []).append(span)
    problems = []
    for (page_no, font), group in wrong.items():
        script = "Thai text" if any(_THAI.search(s.text) for s in group) else "text"
        first = group[0]
        problems.append(
            f"page {page_no}: {script} in font {font}, not TH Sarabun New "
            f"({len(group)} span{'s' if len(group) > 1 else ''}), e.g. {quote(first.text)} "
            f"at x={first.bbox.x0:.0f}, baseline y={first.baseline:.0f} pt"
        )
    return problems


def clean_text(doc: fitz.Document, exp: Expectation) -> list[str]:
    """No U+FFFD, private-use or control characters in the extracted text."""
    return _each_page(doc, "clean_text", _clean_text)


def _clean_text(page: fitz.Page) -> list[str]:
    problems = []
    for baseline, line in lines(page):
        for bad in UNCLEAN.finditer(line):
            char = bad.group()
            if char == "\ufffd":
                what = "replacement character (glyph without Unicode)"
            else:
                what = "private-use character" if unicodedata.category(char) == "Co" else "control character"
            before, after = line[max(0, bad.start() - 20) : bad.start()], line[bad.end() : bad.end() + 20]
            context = f"{before}⟨U+{ord(char):04X}⟩{after}"
            problems.append(
                f"page {page.number + 1}, line at baseline y={baseline} pt: "
                f"U+{ord(char):04X} {what} in {quote(context, 60)}"
            )
    return problems


def thai_digits(doc: fitz.Document, exp: Expectation) -> list[str]:
    """Thai digits in Thai text; Arabic digits only inside Latin-script phrases (the rule of ``thai_text``).

    The rule reads each text block whole, its lines joined by a space, as the
    renderer saw the text before LibreOffice wrapped it: "24/7" at the end of
    a line and "Call Center" on the next are still one Latin-script phrase.
    """
    return _each_page(doc, "thai_digits", _thai_digits)


def _thai_digits(page: fitz.Page) -> list[str]:
    problems = []
    blocks: dict[int, list[tuple[int, str]]] = {}
    for block, baseline, line in block_lines(page):
        blocks.setdefault(block, []).append((baseline, line))
    for block_lines_ in blocks.values():
        text = " ".join(line for _, line in block_lines_)
        runs = thai_digit_runs(text)
        at = 0
        for baseline, line in block_lines_:
            found = [text[s:e] for s, e in runs if at <= s < at + len(line)]
            if found:
                problems.append(
                    f"page {page.number + 1}, line at baseline y={baseline} pt: Arabic digits "
                    f"{', '.join(found)} in Thai text {quote(line, 60)}"
                )
            at += len(line) + 1
    return problems


def margins(doc: fitz.Document, exp: Expectation) -> list[str]:
    """Text within left 3 cm, right 2 cm, top 1 cm, bottom 2 cm (± 1 mm); images are ignored.

    Boxes are tight: x from the non-blank characters (trailing spaces may hang
    into the margin), y from the baseline (−0.75 to +0.25 of the font size),
    since fallback fonts such as Loma declare far taller ascenders than their glyphs.
    """
    return _each_page(doc, "margins", _margins)


def _margins(page: fitz.Page) -> list[str]:
    problems = []
    w, h = page.rect.width, page.rect.height
    for span in spans(page):
        b = span.bbox
        distance = {"left": b.x0, "right": w - b.x1, "top": b.y0, "bottom": h - b.y1}
        out = [
            f"{side} {MARGINS_CM[side] - d / CM:.2f} cm into the {MARGINS_CM[side]:g} cm margin "
            f"({d / CM:.2f} cm from the edge)"
            for side, d in distance.items()
            if d < MARGINS_CM[side] * CM - MARGIN_TOLERANCE
        ]
        if out:
            where = f"page {span.page}: {quote(span.text)} at x={b.x0:.0f}, baseline y={span.baseline:.0f} pt"
            problems.append(f"{where}: " + "; ".join(out))
    return problems


def expected_text(doc: fitz.Document, exp: Expectation) -> list[str]:
    """Each expected text appears as the documents print it (``thai_text``), compared after ``normalise``.

    Expectations hold what was typed (a name, a note); the rule that printed it
    is applied here too, so a digit in a name cannot make the check disagree.
    """
    pages = [normalise(page_text(page)) for page in doc]
    full = "".join(pages)
    problems = []
    for label, typed in exp.texts.items():
        text = thai_text(typed)
        wanted = normalise(text)
        if not wanted:
            problems.append(f"{label}: the expected text is empty")
        elif wanted not in full:
            problems.append(f"{label}: {quote(text, 60)} not found" + _nearest(wanted, full, pages))
    return problems


def _nearest(wanted: str, full: str, pages: list[str]) -> str:
    """Where the longest start of ``wanted`` occurs, and what follows it there."""
    lo, hi = 0, len(wanted)  # longest prefix found: presence is monotonic in length
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if wanted[:mid] in full:
            lo = mid
        else:
            hi = mid - 1
    if lo < 4:
        return ""
    at = full.index(wanted[:lo])
    page, start = 1, 0
    for page, text in enumerate(pages, 1):  # noqa: B007 (the page where the loop stops is the answer)
        if at < start + len(text):
            break
        start += len(text)
    found = full[at + lo : at + lo + 10]
    return (
        f" (page {page} has {quote(wanted[:lo])} followed by {quote(found) if found else 'nothing'}"
        f" instead of {quote(wanted[lo : lo + 10])}; spaces ignored)"
    )


def _pdfaid(xmp: str) -> dict[str, str]:
    """pdfaid:part and pdfaid:conformance, as elements or as attributes."""
    try:
        root = ET.fromstring(xmp.strip().encode("utf-8"))
    except ET.ParseError:
        return {}
    values = {}
    for element in root.iter():
        if element.tag.startswith(_PDFAID):
            values[element.tag[len(_PDFAID) :]] = (element.text or "").strip()
        for key, value in element.attrib.items():
            if key.startswith(_PDFAID):
                values[key[len(_PDFAID) :]] = value.strip()
    return values


def pdfa(doc: fitz.Document, exp: Expectation) -> list[str]:
    """When required, the XMP metadata claims PDF/A-2b (pdfaid:part 2, conformance B)."""
    if not exp.pdfa:
        return []
    xmp = doc.get_xml_metadata()
    if not xmp.strip():
        return ["no XMP metadata, so no PDF/A claim; expected PDF/A-2b (export with SelectPdfVersion 2)"]
    claim = _pdfaid(xmp)
    part, conformance = claim.get("part"), claim.get("conformance")
    if part == "2" and conformance == "B":
        return []
    if not claim:
        return ["XMP metadata has no pdfaid entries: no PDF/A claim; expected PDF/A-2b"]
    return [
        f"XMP claims pdfaid:part={part or 'missing'}, conformance={conformance or 'missing'}; "
        "expected part 2, conformance B"
    ]


def pages(doc: fitz.Document, exp: Expectation) -> list[str]:
    """At least ``exp.min_pages`` pages."""
    if doc.page_count >= exp.min_pages:
        return []
    return [f"{doc.page_count} page{'s' if doc.page_count != 1 else ''}; expected at least {exp.min_pages}"]


_PAGE_NUMBER_BAND = 3.0 * CM  # the header: the number sits at about 1.5 cm


def page_numbers(doc: fitz.Document, exp: Expectation) -> list[str]:
    """From page 2 on, "- ๒ -" (Thai digits) centred at the top; none on page 1."""
    if not exp.page_numbers:
        return []
    return _each_page(doc, "page_numbers", _page_number)


def _page_number(page: fitz.Page) -> list[str]:
    found = [normalise(line) for _, baseline, line in block_lines(page) if baseline < _PAGE_NUMBER_BAND]
    numbers = [n for n in found if n.startswith("-") and n.endswith("-") and len(n) > 2]
    wanted = normalise(f"- {thai_digits_of(page.number + 1)} -")
    if page.number == 0 and numbers:
        return [f"page 1: page number {numbers[0]} printed; the first page has none"]
    if page.number > 0 and wanted not in numbers:
        return [
            f"page {page.number + 1}: no page number “{wanted}” at the top"
            + (f" (found {', '.join(numbers)})" if numbers else "")
        ]
    return []


RULES: dict[str, Rule] = {
    "a4_portrait": a4_portrait,
    "fonts_embedded": fonts_embedded,
    "thai_font": thai_font,
    "clean_text": clean_text,
    "thai_digits": thai_digits,
    "margins": margins,
    "expected_text": expected_text,
    "pdfa": pdfa,
    "pages": pages,
    "page_numbers": page_numbers,
    "table_word_breaks": table_word_breaks,
}
