"""Lay each shared page out once: the pages documents have in common come from one reference
document's PDF; each document's own pages are laid out by LibreOffice on their own and the two
are put together (PyMuPDF ``insert_pdf``).

Why: the 76 (878) blank forms differ only on page 1 (center name, QR link); pages 2–7 are the
same text, yet each form cost LibreOffice all 7 pages. LibreOffice still sets every character:
nothing is drawn by PyMuPDF, pages are only moved.

A group of documents made from one template declares the page from which they share
(registry ``Kind.shared_from``); the declaration is checked for every document, never trusted:

1. The reference (the group's first document) is converted whole, as usual, and as a copy with
   a bookmark at the start of every block (paragraph or table row): LibreOffice exports the
   bookmarks as named destinations, so the block that starts the shared page (``s``) is read
   from the layout itself. (A reference without bookmarks of its own is converted in the same
   call as its copy: exporting bookmarks then changes nothing in its PDF.)
2. Each other document must be the same DOCX as the reference from block ``s - 1`` on (and in
   every other part: headers, styles, numbering): blocks.shares_from. Its head (its blocks up
   to and including ``s``) is converted: the head must come out with exactly the pages before
   the shared one plus the shared page's start, and that start must be line for line (text,
   x, baseline within 0.1 pt) the start of the reference's shared page. Then LibreOffice put
   block ``s`` at the top of that page for this document too, so its whole conversion would
   have been its head's pages followed by the reference's shared pages.
3. Whatever fails a condition (a center name long enough to push a row onto page 2, a head
   that did not convert, a document whose shared part differs) is converted whole, with the
   reason in the log: a fallback is measured from the DOCX and the layout, never guessed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import fitz  # PyMuPDF
from lxml import etree

from . import blocks
from .batches import Conversion
from .pdfs import place, verify

Job = tuple[Path, Path]  # (docx, pdf)
POSITION_TOLERANCE = 0.1  # pt: a composed page's line where LibreOffice put it in the whole document


@dataclass(frozen=True)
class Shared:
    """Documents of one template that share their pages from ``first_page`` (1-based) on."""

    jobs: tuple[Job, ...]  # the first is the reference
    first_page: int


class Converter(Protocol):
    """Converts DOCX jobs to PDF (pipeline.convert.convert with its settings bound);
    ``destinations``: also export bookmarks as PDF named destinations."""

    def __call__(self, jobs: Sequence[Job], *, destinations: bool = False) -> Conversion: ...


@dataclass
class Composition(Conversion):
    composed: list[Path] = field(default_factory=list)  # PDFs put together from a head and shared pages
    fell_back: dict[Path, str] = field(default_factory=dict)  # PDF converted whole instead -> why (Thai, as logged)


@dataclass
class _Group:
    shared: Shared
    number: int
    reference: blocks.Docx | None = None
    start: int = -1  # block that starts the shared page in the reference
    shared_lines: list[tuple[str, float, float]] | None = None  # the reference's shared page's lines, read once
    reference_converted: bool = False  # converted beside its annotated copy (the same PDF: it has no bookmarks)
    heads: dict[Job, Path] = field(default_factory=dict)  # member -> its head's PDF


def convert_composing(plain: Sequence[Job], groups: Sequence[Shared], converter: Converter) -> Composition:
    """Convert ``plain`` whole and each group by composition where its layout allows; never leaves
    a partial PDF at a target (each PDF is put in place whole, as pipeline.convert.convert does)."""
    result = Composition()
    todo = list(plain)
    candidates: list[_Group] = []
    for shared in groups:
        if len(shared.jobs) < 2 or shared.first_page < 2:
            todo += shared.jobs  # nothing to share
        else:
            candidates.append(_Group(shared, len(candidates)))
    with tempfile.TemporaryDirectory(prefix="compose-") as tmp_name:
        work = Path(tmp_name)
        fallback: list[Job] = []
        heads = _map_references(candidates, converter, work, result, fallback)
        # The references are converted whole (those not converted beside their annotated copies).
        references = [group.shared.jobs[0] for group in candidates if not group.reference_converted]
        conversion = converter([*todo, *references, *heads])
        made = set(conversion.converted) | set(result.converted)
        conversion.converted = [pdf for pdf in conversion.converted if pdf.parent != work]
        _merge(result, conversion)
        for group in candidates:
            for job, head in group.heads.items():
                if group.shared.jobs[0][1] not in made:
                    why: str | None = f"{group.shared.jobs[0][1].name} ซึ่งให้หน้าที่ใช้ร่วมกันแปลงไม่สำเร็จ"
                elif head not in made:
                    why = "หน้าของฉบับนี้เองแปลงไม่สำเร็จ"
                else:
                    why = _compose(group, job, head, work)
                if why:
                    _fall_back(result, fallback, job, why)
                else:
                    result.composed.append(job[1])
                    result.converted.append(job[1])
        if fallback:
            _merge(result, converter(fallback))
    return result


def _map_references(
    groups: list[_Group], converter: Converter, work: Path, result: Composition, fallback: list[Job]
) -> list[Job]:
    """Convert an annotated copy of each reference, find where its shared pages start, and write the
    other members' heads; the head jobs to convert. Members that cannot share go to ``fallback``."""
    jobs: list[Job] = []
    for group in groups:
        reference = group.shared.jobs[0]
        try:
            blocks.annotate(reference[0], work / f"{group.number}-blocks.docx")
            group.reference = blocks.read(reference[0])
        except (OSError, KeyError, ValueError, etree.XMLSyntaxError) as error:  # its own conversion reports it
            result.log.append(f"{reference[1].name}: อ่านเป็น DOCX ไม่ได้ จึงแปลงทุกฉบับในกลุ่มทั้งฉบับ ({error})")
            fallback.extend(group.shared.jobs[1:])
            continue
        jobs.append((work / f"{group.number}-blocks.docx", work / f"{group.number}-blocks.pdf"))
        # Without bookmarks of its own, exporting bookmarks changes nothing in the reference's PDF: it is
        # converted now, on the core the annotated copy leaves idle.
        if b"bookmarkStart" not in group.reference.parts[blocks.DOCUMENT]:
            jobs.append(reference)
            group.reference_converted = True
    conversion = converter(jobs, destinations=True)
    mapped = set(conversion.converted)
    conversion.converted = [pdf for pdf in conversion.converted if pdf.parent != work]
    _merge(result, conversion)
    heads: list[Job] = []
    for group in groups:
        if group.reference is None:
            continue  # not read: its members are in ``fallback`` already
        annotated = work / f"{group.number}-blocks.pdf"
        if annotated not in mapped:
            why: str | None = "สำเนาที่บอกตำแหน่งของแต่ละย่อหน้าแปลงไม่สำเร็จ"
        else:
            group.start, why = _shared_start(annotated, group.shared.first_page, len(group.reference.blocks))
        members = group.shared.jobs[1:]
        if why:
            result.log.append(f"{group.shared.jobs[0][1].name}: แปลงทุกฉบับในกลุ่มทั้งฉบับ เพราะ{why}")
            for job in members:
                result.fell_back[job[1]] = why
            fallback.extend(members)
            continue
        for i, job in enumerate(members):
            why = _head(group, job, work / f"{group.number}-{i}.docx")
            if why:
                _fall_back(result, fallback, job, why)
            else:
                head_pdf = work / f"{group.number}-{i}.pdf"
                group.heads[job] = head_pdf
                heads.append((work / f"{group.number}-{i}.docx", head_pdf))
    return heads


def _shared_start(annotated: Path, first_page: int, count: int) -> tuple[int, str | None]:
    """The block that starts page ``first_page`` in the annotated reference; or why there is none."""
    with fitz.open(annotated) as doc:
        if doc.page_count < first_page:
            return -1, f"ฉบับอ้างอิงมีเพียง {doc.page_count} หน้า"
        pages: dict[int, int] = {}
        for name, target in doc.resolve_names().items():
            number = name.removeprefix(blocks.MARK)
            if number != name and number.isdigit() and isinstance(target.get("page"), int):
                pages[int(number)] = target["page"]
    shared = [i for i, page in pages.items() if page >= first_page - 1]
    if not shared:
        return -1, f"ไม่มีย่อหน้าหรือแถวใดเริ่มที่หน้า {first_page}"
    start = min(shared)
    # The block before must be known to start earlier: a block without a bookmark could hold the page's start.
    if start == 0 or pages.get(start - 1, first_page) >= first_page - 1 or start >= count:
        return -1, f"การจัดหน้าไม่บอกว่าหน้า {first_page} เริ่มที่ใด"
    return start, None


def _head(group: _Group, job: Job, target: Path) -> str | None:
    """Write ``job``'s head DOCX; or why ``job`` cannot share the reference's pages."""
    assert group.reference is not None
    try:
        doc = blocks.read(job[0])
    except (OSError, KeyError, ValueError, etree.XMLSyntaxError) as error:
        return f"อ่านเป็น DOCX ไม่ได้ ({error})"
    # From the block before the shared page's first: that block may run onto the shared page.
    why = blocks.shares_from(group.reference, doc, group.start - 1)
    if why:
        return f"หน้าที่ใช้ร่วมกันต่างจาก {group.shared.jobs[0][0].name}: {why}"
    blocks.write_head(doc, group.start, target)
    return None


def _compose(group: _Group, job: Job, head: Path, work: Path) -> str | None:
    """Put ``job``'s PDF together from its head and the reference's shared pages; or why not."""
    first = group.shared.first_page - 1  # 0-based: the shared page
    reference_pdf = group.shared.jobs[0][1]
    with fitz.open(head) as own, fitz.open(reference_pdf) as reference:
        if own.page_count != first + 1:
            return f"ส่วนของฉบับนี้ยาว {own.page_count - 1} หน้า ของฉบับอ้างอิง {first} หน้า"
        if group.shared_lines is None:
            group.shared_lines = _lines(reference[first])
        why = _prefix(_lines(own[first]), group.shared_lines)
        if why:
            return f"หน้า {first + 1} ไม่ได้เริ่มเหมือนฉบับอ้างอิง: {why}"
        claims_pdfa = "pdfaid:part" in (own.get_xml_metadata() or "")
        own.delete_pages(range(first, own.page_count))
        own.insert_pdf(reference, from_page=first)
        made = work / f"{head.stem}-composed.pdf"
        own.save(made, garbage=3, deflate=True)
    problem = verify(made, claims_pdfa) or place(made, job[1])
    return f"PDF ที่ประกอบแล้วใช้ไม่ได้ ({problem})" if problem else None


Line = tuple[str, float, float]  # text, x of its start, baseline


def _lines(page: fitz.Page) -> list[Line]:
    found = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            text = "".join(span["text"] for span in line["spans"]).strip()
            if text:
                x, y = line["spans"][0]["origin"]
                found.append((text, round(x, 2), round(y, 2)))
    return sorted(found, key=lambda line: (round(line[2]), line[1]))


def _prefix(mine: list[Line], theirs: list[Line]) -> str | None:
    if not mine or len(mine) > len(theirs):
        return f"มี {len(mine)} บรรทัด ฉบับอ้างอิงมี {len(theirs)}"
    for (text, x, y), (ref_text, ref_x, ref_y) in zip(mine, theirs, strict=False):
        if text != ref_text:
            return f"“{text}” ฉบับอ้างอิงเป็น “{ref_text}”"
        if abs(x - ref_x) > POSITION_TOLERANCE or abs(y - ref_y) > POSITION_TOLERANCE:
            return f"“{text}” อยู่ที่ ({x}, {y}) ฉบับอ้างอิงอยู่ที่ ({ref_x}, {ref_y})"
    return None


def _fall_back(result: Composition, fallback: list[Job], job: Job, why: str) -> None:
    result.fell_back[job[1]] = why
    result.log.append(f"{job[1].name}: ประกอบหน้าไม่ได้ จึงแปลงทั้งฉบับ เพราะ{why}")
    fallback.append(job)


def _merge(result: Composition, part: Conversion) -> None:
    result.converted += part.converted
    result.failed.update(part.failed)
    result.retried += part.retried
    result.log += part.log
