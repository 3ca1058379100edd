"""Each PDF LibreOffice wrote, before it reaches its place: verified, page numbers in Thai digits,
then put in place atomically. ``soffice`` may exit 0 without writing a PDF, or write a broken one.
Before that, each input is screened (``screen``): what cannot be a DOCX never reaches LibreOffice."""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import fitz  # PyMuPDF

from ..files import DISK_FULL

_PDFA2_XMP = re.compile(r'pdfaid:part(?:>\s*|="\s*)2\b')


def verify(pdf: Path, pdfa: bool) -> str | None:
    """Why ``pdf`` is not a usable PDF (with the PDF/A-2 claim when ``pdfa``); None when it is."""
    if not pdf.is_file():
        return "no PDF written"
    if pdf.stat().st_size == 0:
        return "PDF is empty"
    try:
        with fitz.open(pdf) as doc:
            if doc.page_count < 1:
                return "PDF has no pages"
            if pdfa and not _PDFA2_XMP.search(doc.get_xml_metadata() or ""):
                return "PDF lacks the PDF/A-2 identification (pdfaid:part 2)"
    except Exception as exc:  # fitz raises its own types for damaged files
        return f"PDF does not open ({exc})"
    return None


# LibreOffice 7.4 imports Word's ``PAGE \\* ThaiArabic`` (Thai digits, what the templates
# say) as Thai letters, and ignores ``w:pgNumType w:fmt="thaiNumbers"``: page 2 comes out
# as "- ข -". Such a page number is rewritten as "- ๒ -" in the same place and size.
_LETTER_PAGE_NUMBER = re.compile(r"^-\s*[ก-ฮ]{1,2}\s*-$")
# As LibreOffice writes it, or as rewritten: the parts of a composed PDF are numbered there (compose).
_ANY_PAGE_NUMBER = re.compile(r"^-\s*(?:[ก-ฮ]{1,2}|[๐-๙]+)\s*-$")
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_HEADER_BAND = 100.0  # pt from the top: page numbers sit at about 1.5 cm


_NUMBER_CHARACTERS = "- ๐๑๒๓๔๕๖๗๘๙"


@lru_cache(maxsize=4)
def _font(font_file: Path) -> fitz.Font:
    """The font cut down to what a page number uses, once per process: each PDF then embeds a few
    hundred bytes, and its fonts need not be subset again nor its objects merged on saving (those two
    were two thirds of this step: 158 → 53 ms a 9-page report)."""
    from fontTools import subset  # only here: most processes never number a page
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    font = TTFont(str(font_file))
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=_NUMBER_CHARACTERS)
    subsetter.subset(font)
    data = io.BytesIO()
    font.save(data)
    return fitz.Font(fontbuffer=data.getvalue())


def thai_page_numbers(pdf: Path, font_file: Path | None) -> str | None:
    """Page numbers LibreOffice wrote in Thai letters, rewritten in Thai digits; a reason when it cannot."""
    try:
        with fitz.open(pdf) as doc:
            fixes = _numbers(doc, range(doc.page_count), _LETTER_PAGE_NUMBER)
            if not fixes:
                return None
            problem = _number(fixes, font_file)
            if problem:
                return problem
            fixed = pdf.with_name(pdf.stem + "-numbered.pdf")
            doc.save(fixed, garbage=1, deflate=True, use_objstms=1)
        os.replace(fixed, pdf)
    except Exception as exc:  # a damaged PDF here is a conversion failure like any other
        return f"could not correct the page numbers ({exc})"
    return None


def renumber(doc: fitz.Document, pages: Sequence[int], font_file: Path | None) -> str | None:
    """The page numbers of ``pages`` (as LibreOffice wrote them for the part they were laid out in, see
    compose) made their page's number in ``doc``, in Thai digits; a reason when it cannot."""
    return _number(_numbers(doc, pages, _ANY_PAGE_NUMBER), font_file)


def is_page_number(text: str, baseline: float) -> bool:
    """Whether a line of this text at this height is a page number, as LibreOffice writes it or as
    rewritten here."""
    return baseline < _HEADER_BAND and _ANY_PAGE_NUMBER.match(text) is not None


def _numbers(
    doc: fitz.Document, pages: Sequence[int], pattern: re.Pattern[str]
) -> list[tuple[fitz.Page, fitz.Rect, dict[str, Any]]]:
    """Each page number of ``pages`` written as ``pattern``: its page, line box and first span."""
    fixes = []
    for number in pages:
        page = doc[number]
        band = fitz.Rect(0, 0, page.rect.width, _HEADER_BAND)
        for block in page.get_text("dict", clip=band)["blocks"]:
            for line in block.get("lines", []):
                if pattern.match("".join(s["text"] for s in line["spans"]).strip()):
                    fixes.append((page, fitz.Rect(line["bbox"]), line["spans"][0]))
    return fixes


def _number(fixes: list[tuple[fitz.Page, fitz.Rect, dict[str, Any]]], font_file: Path | None) -> str | None:
    """Each page number of ``fixes`` written again as "- ๒ -", its page's number, centred where it was."""
    if not fixes:
        return None
    if font_file is None:
        return "page numbers need the TH Sarabun New font, which fontconfig cannot find"
    font = _font(font_file)
    for page, box, span in fixes:
        text = f"- {page.number + 1} -".translate(_THAI_DIGITS)
        page.add_redact_annot(box)
        page.apply_redactions(images=fitz.PDF_REDACT_IMAGE_NONE, graphics=fitz.PDF_REDACT_LINE_ART_NONE)
        width = font.text_length(text, fontsize=span["size"])
        centre = (box.x0 + box.x1) / 2
        # A TextWriter with one loaded Font: page.insert_text(fontfile=…) re-read the font and
        # measured all its glyphs on every page (half of this function's time, measured).
        writer = fitz.TextWriter(page.rect)
        writer.append((centre - width / 2, span["origin"][1]), text, font=font, fontsize=span["size"])
        writer.write_text(page)
    return None


def place(produced: Path, pdf: Path) -> str | None:
    """Copy next to the target, then rename over it: readers never see a partial PDF."""
    part = pdf.with_suffix(".pdf.tmp")
    try:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        with open(produced, "rb") as src, open(part, "wb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(part, pdf)
    except OSError as exc:
        part.unlink(missing_ok=True)
        if exc.errno in DISK_FULL:  # the disk is full: no other PDF can be written either, stop everything
            raise OSError(exc.errno, exc.strerror, str(pdf)) from exc
        return f"could not write the PDF ({exc})"
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return None


def screen(jobs: Sequence[tuple[Path, Path]], failed: dict[Path, str], log: list[str]) -> list[tuple[Path, Path]]:
    """The (docx, pdf) jobs LibreOffice may convert; each other docx goes in ``failed`` with its reason
    (and a ``log`` line). LibreOffice would import random bytes as plain text and "successfully"
    produce a PDF of garbage."""
    todo = []
    for docx, pdf in jobs:
        problem = check_input(docx)
        if problem:
            failed[docx] = problem
            log.append(f"{docx.name}: {problem}")
        else:
            todo.append((docx, pdf))
    return todo


def check_input(docx: Path) -> str | None:
    if not docx.is_file():
        return "input file not found"
    if docx.suffix.lower() == ".docx":
        try:
            with zipfile.ZipFile(docx) as z:
                if "word/document.xml" not in z.namelist():
                    return "not a DOCX file (no word/document.xml)"
        except (zipfile.BadZipFile, OSError):
            return "not a DOCX file (not a valid zip archive)"
    return None
