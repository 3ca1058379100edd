"""Verification stage: every PDF is checked before anyone prints it.

Each rule takes an open PDF and its ``Expectation`` and returns the problems it
found (empty = pass), all of them, each naming the page, the text, the font or
the position, so the fix is obvious. ``check_pdf`` runs the rules on one file,
``check_all`` on a batch; ``summary_table`` and ``write_json`` report.

Conventions measured on LibreOffice 7.4 output: span font names have no subset
prefix in PyMuPDF ("THSarabunNew", "DejaVuSans", "Loma"); span boxes run from
the font's ascender to its descender, so the margin rule uses a box built from
the baseline instead (see ``margins``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import fitz  # PyMuPDF

from ..thai import arabic_digit_runs_in_thai, thai_digits as thai_digits_of
from ..workers import parallel_map


@dataclass(frozen=True)
class Expectation:
    """What one PDF must be; built elsewhere from the inputs."""

    pdf: Path
    kind: str  # "letter", "form", "report", ... (free text; shown in the table)
    texts: dict[str, str] = field(default_factory=dict)  # label -> text that must appear
    pdfa: bool = False  # PDF/A-2b claim required
    min_pages: int = 1
    page_numbers: bool = True  # "- ๒ -" at the top from page 2 on (not for print files, which restart)
    facts: Mapping[str, object] = field(default_factory=dict)  # what kind-specific rules compare with
    # Generic rules to run (None: all). A file made of checked PDFs (a print file, a
    # package) needs only what joining them can change: page size and count.
    rules: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Finding:
    """The outcome of one rule on one PDF; ``detail`` is empty when ok."""

    pdf: Path
    rule: str
    ok: bool
    detail: str
    kind: str = ""


Rule = Callable[[fitz.Document, Expectation], list[str]]

# --- limits -----------------------------------------------------------------

CM = 72 / 2.54  # points per cm
A4 = (595.28, 841.89)
PAGE_TOLERANCE = 1.0  # pt
MARGINS_CM = {"left": 3.0, "right": 2.0, "top": 1.0, "bottom": 2.0}  # top leaves room for the header
MARGIN_TOLERANCE = 0.1 * CM  # 1 mm
MAX_LISTED = 10  # problems shown per finding; the rest are counted

# Glyphs any font may hold (LibreOffice takes ☐ ☑ ☒ from DejaVu Sans; bullets from OpenSymbol).
SYMBOL_GLYPHS = frozenset("☐☑☒✓✔✗✘•☺")  # ☺: a quality marker of the source, in no Thai font
_THAI = re.compile("[\u0e00-\u0e7f]")
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
_BASE14 = {
    "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique",
    "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique",
    "Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic", "Symbol", "ZapfDingbats",
}
# U+FFFD, private use (BMP and planes 15-16), and control characters other than tab/newline.
_UNCLEAN = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Extraction without TEXT_CID_FOR_UNKNOWN_UNICODE (a default), so unmapped glyphs show as U+FFFD.
_TEXT_FLAGS = fitz.TEXT_PRESERVE_LIGATURES | fitz.TEXT_PRESERVE_WHITESPACE | fitz.TEXT_MEDIABOX_CLIP
_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\u00ad]+")
_PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"


# --- shared helpers -----------------------------------------------------------


def normalise(text: str) -> str:
    """Text for comparison: NFC, sara am composed, no whitespace or zero-width characters.

    PyMuPDF splits and joins Thai lines and spaces unpredictably, so only the
    characters themselves are compared.
    """
    text = unicodedata.normalize("NFC", text).replace("\u0e4d\u0e32", "\u0e33")  # ํ + า -> ำ
    return _INVISIBLE.sub("", text)


@dataclass(frozen=True)
class _Span:
    page: int  # 1-based
    block: int
    font: str  # subset prefix removed
    size: float
    text: str
    baseline: float
    bbox: fitz.Rect  # tight box of the non-blank characters (see margins)


# While check_pdf runs: page number → its text (rawdict) and its spans. Several rules read
# every character, and the text extraction is the costliest part of checking (cProfile).
_RAW: dict[int, dict] | None = None
_SPANS: dict[int, list[_Span]] | None = None


def page_rawdict(page: fitz.Page) -> dict:
    """The page's text with every character and its box; extracted once per page while checking."""
    if _RAW is None:
        return page.get_text("rawdict", flags=_TEXT_FLAGS)
    if page.number not in _RAW:
        _RAW[page.number] = page.get_text("rawdict", flags=_TEXT_FLAGS)
    return _RAW[page.number]


def _spans(page: fitz.Page) -> list[_Span]:
    """Every non-blank text span on the page, with a tight box."""
    if _SPANS is None:
        return list(_extract_spans(page))
    if page.number not in _SPANS:
        _SPANS[page.number] = list(_extract_spans(page))
    return _SPANS[page.number]


def _extract_spans(page: fitz.Page) -> Iterator[_Span]:
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
                yield _Span(
                    page.number + 1, block_no, _SUBSET_PREFIX.sub("", span["font"]),
                    span["size"], text, y, fitz.Rect(x0, y0, x1, y1),
                )


def _lines(page: fitz.Page) -> Iterator[tuple[int, str]]:
    """Visual lines: spans of one block on one baseline, left to right.

    PyMuPDF's own "lines" can split one visual line (in LibreOffice output,
    "☐ มี ☐" came out as four lines), cutting digits away from their context.
    """
    groups: dict[tuple[int, int], list[_Span]] = {}
    for span in _spans(page):
        baseline = round(span.baseline)
        groups.setdefault((span.block, baseline), []).append(span)
    for (_, baseline), spans in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        yield baseline, "".join(s.text for s in sorted(spans, key=lambda s: s.bbox.x0))


def _quote(text: str, limit: int = 40) -> str:
    """“text”, whitespace collapsed, shortened, invisible characters shown as ⟨U+XXXX⟩."""
    text = _UNCLEAN.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", " ".join(text.split()))
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


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
            name = _SUBSET_PREFIX.sub("", basefont) or "(unnamed)"
            label = f"{name} ({ftype}{', a standard-14 font' if name in _BASE14 else ''})"
            missing.setdefault(label, []).append(page.number + 1)
    return [f"{_page_list(pages)}: font {label} is not embedded" for label, pages in missing.items()]


def thai_font(doc: fitz.Document, exp: Expectation) -> list[str]:
    """All text in TH Sarabun New (or a TH Sarabun substitute); symbol glyphs in any font."""
    wrong: dict[tuple[int, str], list[_Span]] = {}
    for page in doc:
        for span in _spans(page):
            if not _is_sarabun(span.font) and not _symbols_only(span.text):
                wrong.setdefault((span.page, span.font), []).append(span)
    problems = []
    for (page_no, font), spans in wrong.items():
        script = "Thai text" if any(_THAI.search(s.text) for s in spans) else "text"
        first = spans[0]
        problems.append(
            f"page {page_no}: {script} in font {font}, not TH Sarabun New "
            f"({len(spans)} span{'s' if len(spans) > 1 else ''}), e.g. {_quote(first.text)} "
            f"at x={first.bbox.x0:.0f}, baseline y={first.baseline:.0f} pt"
        )
    return problems


def clean_text(doc: fitz.Document, exp: Expectation) -> list[str]:
    """No U+FFFD, private-use or control characters in the extracted text."""
    problems = []
    for page in doc:
        for baseline, line in _lines(page):
            for bad in _UNCLEAN.finditer(line):
                char = bad.group()
                if char == "\ufffd":
                    what = "replacement character (glyph without Unicode)"
                else:
                    what = "private-use character" if unicodedata.category(char) == "Co" else "control character"
                before, after = line[max(0, bad.start() - 20) : bad.start()], line[bad.end() : bad.end() + 20]
                context = f"{before}⟨U+{ord(char):04X}⟩{after}"
                problems.append(
                    f"page {page.number + 1}, line at baseline y={baseline} pt: "
                    f"U+{ord(char):04X} {what} in {_quote(context, 60)}"
                )
    return problems


def thai_digits(doc: fitz.Document, exp: Expectation) -> list[str]:
    """Thai digits in Thai text; Arabic digits only inside Latin-script phrases."""
    problems = []
    for page in doc:
        for baseline, line in _lines(page):
            runs = arabic_digit_runs_in_thai(line)
            if runs:
                problems.append(
                    f"page {page.number + 1}, line at baseline y={baseline} pt: Arabic digits "
                    f"{', '.join(runs)} in Thai text {_quote(line, 60)}"
                )
    return problems


def margins(doc: fitz.Document, exp: Expectation) -> list[str]:
    """Text within left 3 cm, right 2 cm, top 1 cm, bottom 2 cm (± 1 mm); images are ignored.

    Boxes are tight: x from the non-blank characters (trailing spaces may hang
    into the margin), y from the baseline (−0.75 to +0.25 of the font size),
    since fallback fonts such as Loma declare far taller ascenders than their glyphs.
    """
    problems = []
    for page in doc:
        w, h = page.rect.width, page.rect.height
        for span in _spans(page):
            b = span.bbox
            distance = {"left": b.x0, "right": w - b.x1, "top": b.y0, "bottom": h - b.y1}
            out = [
                f"{side} {MARGINS_CM[side] - d / CM:.2f} cm into the {MARGINS_CM[side]:g} cm margin "
                f"({d / CM:.2f} cm from the edge)"
                for side, d in distance.items()
                if d < MARGINS_CM[side] * CM - MARGIN_TOLERANCE
            ]
            if out:
                where = f"page {span.page}: {_quote(span.text)} at x={b.x0:.0f}, baseline y={span.baseline:.0f} pt"
                problems.append(f"{where}: " + "; ".join(out))
    return problems


def expected_text(doc: fitz.Document, exp: Expectation) -> list[str]:
    """Each expected text appears, compared after ``normalise``."""
    pages = [normalise(page.get_text()) for page in doc]
    full = "".join(pages)
    problems = []
    for label, text in exp.texts.items():
        wanted = normalise(text)
        if not wanted:
            problems.append(f"{label}: the expected text is empty")
        elif wanted not in full:
            problems.append(f"{label}: {_quote(text, 60)} not found" + _nearest(wanted, full, pages))
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
    for page, text in enumerate(pages, 1):
        if at < start + len(text):
            break
        start += len(text)
    found = full[at + lo : at + lo + 10]
    return (
        f" (page {page} has {_quote(wanted[:lo])} followed by {_quote(found) if found else 'nothing'}"
        f" instead of {_quote(wanted[lo : lo + 10])}; spaces ignored)"
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
    return [f"XMP claims pdfaid:part={part or 'missing'}, conformance={conformance or 'missing'}; expected part 2, conformance B"]


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
    problems = []
    for page in doc:
        band = fitz.Rect(0, 0, page.rect.width, _PAGE_NUMBER_BAND)
        found = [normalise(l) for l in page.get_text("text", clip=band).splitlines()]
        numbers = [l for l in found if l.startswith("-") and l.endswith("-") and len(l) > 2]
        wanted = normalise(f"- {thai_digits_of(page.number + 1)} -")
        if page.number == 0 and numbers:
            problems.append(f"page 1: page number {numbers[0]} printed; the first page has none")
        elif page.number > 0 and wanted not in numbers:
            problems.append(f"page {page.number + 1}: no page number “{wanted}” at the top"
                            + (f" (found {', '.join(numbers)})" if numbers else ""))
    return problems


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
}

_NO_RULES: Mapping[str, Rule] = MappingProxyType({})


# --- running ----------------------------------------------------------------------


def _detail(problems: list[str]) -> str:
    shown = problems[:MAX_LISTED]
    if len(problems) > MAX_LISTED:
        shown.append(f"… and {len(problems) - MAX_LISTED} more")
    return "\n".join(shown)


def check_pdf(exp: Expectation, extra_rules: Mapping[str, Rule] = _NO_RULES) -> list[Finding]:
    """Every rule on one PDF (extra rules after the generic ones; same name replaces).

    A missing or unopenable file is a single failing finding, rule "open"; a
    rule that crashes is a failing finding for that rule, not a crash of the run.
    """
    def failed(detail: str) -> list[Finding]:
        return [Finding(exp.pdf, "open", False, detail, exp.kind)]

    if not Path(exp.pdf).is_file():
        return failed(f"file not found: {exp.pdf}")
    try:
        doc = fitz.open(exp.pdf, filetype="pdf")
    except Exception as error:  # PyMuPDF raises several types for damaged files
        return failed(f"cannot open as PDF: {error}")
    global _RAW, _SPANS
    with doc:
        if doc.needs_pass:
            return failed("the PDF is encrypted with a password")
        _RAW, _SPANS = {}, {}
        try:
            return _run_rules(doc, exp, extra_rules)
        finally:
            _RAW, _SPANS = None, None


def _run_rules(doc: fitz.Document, exp: Expectation, extra_rules: Mapping[str, Rule]) -> list[Finding]:
    findings = []
    generic = RULES if exp.rules is None else {n: RULES[n] for n in exp.rules}
    for name, rule in {**generic, **extra_rules}.items():
        try:
            problems = rule(doc, exp)
        except Exception as error:
            problems = [f"rule crashed: {type(error).__name__}: {error}"]
        findings.append(Finding(exp.pdf, name, not problems, _detail(problems), exp.kind))
    return findings


def check_all(
    exps: Sequence[Expectation],
    extra_rules: Mapping[str, Mapping[str, Rule]] = MappingProxyType({}),
    progress: Callable[[int, int], object] | None = None,
    workers: int | None = None,
) -> list[Finding]:
    """Every PDF, in ``workers`` processes (default: one per core); ``extra_rules`` by kind;
    ``progress(done, total)`` after each PDF. Findings come in the order of ``exps``."""
    jobs = [(exp, dict(extra_rules.get(exp.kind, _NO_RULES))) for exp in exps]
    per_pdf = parallel_map(_check_job, jobs, workers=workers, progress=progress)
    return [finding for findings in per_pdf for finding in findings]


def _check_job(job: tuple[Expectation, Mapping[str, Rule]]) -> list[Finding]:
    return check_pdf(*job)


def _by_pdf(findings: Sequence[Finding]) -> dict[Path, list[Finding]]:
    grouped: dict[Path, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.pdf, []).append(finding)
    return grouped


def _totals(findings: Sequence[Finding]) -> dict[str, int]:
    grouped = _by_pdf(findings)
    failed = sum(1 for fs in grouped.values() if not all(f.ok for f in fs))
    return {
        "pdfs": len(grouped),
        "pdfs_passed": len(grouped) - failed,
        "pdfs_failed": failed,
        "checks": len(findings),
        "checks_failed": sum(1 for f in findings if not f.ok),
    }


def _width(text: str) -> int:
    """Terminal width: Thai vowels and tone marks above/below take no column."""
    return sum(0 if unicodedata.category(c) in ("Mn", "Me", "Cf") else 1 for c in text)


def summary_table(findings: Sequence[Finding]) -> str:
    """One line per PDF (ok / FAIL per rule), then the failing details, then totals."""
    grouped = _by_pdf(findings)
    rules = list(dict.fromkeys(f.rule for f in findings))
    widths = [max(len(r), 4) for r in rules]
    kind_width = max([_width("kind")] + [_width(fs[0].kind) for fs in grouped.values()])

    def row(status: str, cells: list[str], kind: str, pdf: str) -> str:
        padded = "  ".join(c.ljust(w) for c, w in zip(cells, widths))
        return f"{status:<6}{padded}  {kind}{' ' * (kind_width - _width(kind))}  {pdf}".rstrip()

    lines = [row("", rules, "kind", "pdf")]
    for pdf, fs in grouped.items():
        outcome = {f.rule: f.ok for f in fs}
        cells = ["-" if r not in outcome else "ok" if outcome[r] else "FAIL" for r in rules]
        lines.append(row("PASS" if all(outcome.values()) else "FAIL", cells, fs[0].kind, str(pdf)))
    failing = [(pdf, [f for f in fs if not f.ok]) for pdf, fs in grouped.items()]
    failing = [(pdf, fs) for pdf, fs in failing if fs]
    if failing:
        lines += ["", "Problems:"]
        for pdf, fs in failing:
            lines.append(f"{pdf}")
            for f in fs:
                first, *rest = f.detail.splitlines() or [""]
                lines.append(f"  {f.rule}: {first}")
                lines += [f"  {' ' * len(f.rule)}  {more}" for more in rest]
    t = _totals(findings)
    lines += [
        "",
        f"Total: {t['pdfs']} PDFs, {t['pdfs_passed']} passed, {t['pdfs_failed']} failed; "
        f"{t['checks_failed']} of {t['checks']} checks failed",
    ]
    return "\n".join(lines)


def write_json(findings: Sequence[Finding], path: Path) -> None:
    """{"findings": [{pdf, kind, rule, ok, detail}, ...], "totals": {...}}, written atomically."""
    data = {
        "findings": [
            {"pdf": str(f.pdf), "kind": f.kind, "rule": f.rule, "ok": f.ok, "detail": f.detail} for f in findings
        ],
        "totals": _totals(findings),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    ) as tmp:
        try:
            json.dump(data, tmp, ensure_ascii=False, indent=2)
            tmp.write("\n")
            tmp.flush()
            os.fsync(tmp.fileno())
        except BaseException:
            tmp.close()
            os.unlink(tmp.name)
            raise
    os.replace(tmp.name, path)
