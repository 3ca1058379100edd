"""Lay each shared page out once: the pages documents have in common come from one reference
document's PDF; each document's own pages are laid out by LibreOffice on their own and the two
are put together (PyMuPDF ``insert_pdf``).

Why: the 76 (878) blank forms differ only on page 1 (center name, QR link); pages 2–7 are the
same text, yet each form cost LibreOffice all 7 pages. The reports differ on page 1 (center,
assessor), in their boxes (☐ or ☑ on every page) and on their last pages (the summary and the
notes, which start a page of their own). LibreOffice still sets every character: PyMuPDF only
moves pages, sets each box's glyph code among glyphs of one advance (``glyphs``), and writes the
page numbers of a document's own pages in Thai digits for their place (as ``pdfs`` does for every
PDF; its own pages are converted without, to be numbered once).

A group of documents made from one template declares the page from which they share
(registry ``Kind.shared_from``); the declaration is checked for every document, never trusted:

1. The reference (the group's first document) is converted whole, as usual, and as a copy with
   a bookmark at the start of every block (paragraph or table row): LibreOffice exports the
   bookmarks as named destinations, so the block that starts the shared page (``s``) is read
   from the layout itself. (A reference without bookmarks of its own is converted in the same
   call as its copy: exporting bookmarks then changes nothing in its PDF.)
2. Each other document must be the same DOCX as the reference from block ``s - 1`` on (and in
   every other part: headers, styles, numbering) but for its boxes, up to its end or up to a
   block that starts a page (its tail): blocks.shared_until. Its head (its blocks up to and
   including ``s``) and its tail are converted as one DOCX: it must come out with exactly the
   pages before the shared one, the shared page's start, then (from a page of their own) the
   tail's pages; that start must be line for line (text but its boxes, x, baseline within
   0.1 pt) the start of the reference's shared page. Then LibreOffice put block ``s`` at the top
   of that page for this document too, so its whole conversion would have been its head's pages,
   the reference's shared pages up to the page its tail starts on (with its own boxes: ``glyphs``
   finds and checks where they are), then its tail's pages.
3. Whatever fails a condition (a center name long enough to push a row onto page 2, a head
   that did not convert, a document whose shared part differs) is converted whole, with the
   reason in the log: a fallback is measured from the DOCX and the layout, never guessed.

Composing costs a second LibreOffice round and an annotated copy of the reference: a group
smaller than its ``smallest`` is converted whole.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import fitz  # PyMuPDF
from lxml import etree

from .. import glyphs
from ..workers import parallel_map
from . import blocks, together
from .batches import Conversion
from .pdfs import is_page_number, place, renumber, verify

Job = tuple[Path, Path]  # (docx, pdf)
POSITION_TOLERANCE = 0.1  # pt: a composed page's line where LibreOffice put it in the whole document


@dataclass(frozen=True)
class Shared:
    """Documents of one template that share their pages from ``first_page`` (1-based) on."""

    jobs: tuple[Job, ...]  # the first is the reference
    first_page: int
    swapped: str = ""  # glyphs of one advance that may differ on the shared pages (a report's ☐ ☑)
    smallest: int = 2  # documents: a smaller group is converted whole

    @property
    def composes(self) -> bool:
        """Whether it is worth composing at all (else its documents are simply converted)."""
        return len(self.jobs) >= max(2, self.smallest) and self.first_page >= 2


class Converter(Protocol):
    """Converts DOCX jobs to PDF (pipeline.convert.convert with its settings bound);
    ``destinations``: also export bookmarks as PDF named destinations; ``numbers``: page numbers
    rewritten in Thai digits (pdfs.thai_page_numbers: the heads' are numbered when composed)."""

    def __call__(self, jobs: Sequence[Job], *, destinations: bool = False, numbers: bool = True) -> Conversion: ...


@dataclass
class Composition(Conversion):
    composed: list[Path] = field(default_factory=list)  # PDFs put together from a head and shared pages
    fell_back: dict[Path, str] = field(default_factory=dict)  # PDF converted whole instead -> why (Thai, as logged)


@dataclass(frozen=True)
class _Parts:
    """What one member lays out on its own, in one DOCX: its head, then its tail from block
    ``tail_block`` when it has one (which starts a page: after the head's last page)."""

    own: Job
    tail: bool
    tail_block: int
    boxes: str  # its boxes on the shared pages, in order


@dataclass
class _Group:
    shared: Shared
    number: int
    reference: blocks.Docx | None = None
    start: int = -1  # block that starts the shared page in the reference
    pages: dict[int, int] = field(default_factory=dict)  # block -> the (0-based) page it starts on, in the reference
    shared_lines: list[tuple[str, float, float]] | None = None  # the reference's shared page's lines, read once
    reference_converted: bool = False  # converted beside its annotated copy (the same PDF: it has no bookmarks)
    parts: dict[Job, _Parts] = field(default_factory=dict)  # member -> its parts
    boxes: dict[int, tuple[glyphs.Boxes | None, str | None]] = field(default_factory=dict)  # by the tail's page
    placed: dict[Path, tuple[together.Bundle, int, range]] = field(default_factory=dict)  # own DOCX -> in a bundle


def convert_composing(
    plain: Sequence[Job], groups: Sequence[Shared], converter: Converter, page_font: Path | None = None
) -> Composition:
    """Convert ``plain`` whole and each group by composition where its layout allows; never leaves
    a partial PDF at a target (each PDF is put in place whole, as pipeline.convert.convert does).
    ``page_font``: the font of the page numbers (pdfs.thai_page_numbers), for a member's own pages."""
    result = Composition()
    todo = list(plain)
    candidates: list[_Group] = []
    for shared in groups:
        if not shared.composes:
            todo += shared.jobs  # nothing to share
        else:
            candidates.append(_Group(shared, len(candidates)))
    with tempfile.TemporaryDirectory(prefix="compose-") as tmp_name:
        work = Path(tmp_name)
        fallback: list[Job] = []
        convert = _Conversions(converter, work, result)
        _map_references(candidates, convert, work, result, fallback)
        heads, bundles = _together(candidates, work)
        # The references are converted whole (those not converted beside their annotated copies).
        references = [group.shared.jobs[0] for group in candidates if not group.reference_converted]
        convert([*todo, *references])
        # The heads' page numbers are written once, when composed (each its page's in the whole document).
        # A bundle's bookmarks tell where each member starts.
        convert([*heads, *(bundle.job for _, bundle in bundles)], numbers=False, destinations=bool(bundles))
        convert(_place(bundles, convert.made, result), numbers=False)
        for group in candidates:
            members = list(group.parts.items())
            whys = _compose_all(group, members, convert.made, work, page_font)
            for (job, _), why in zip(members, whys, strict=True):
                if why:
                    _fall_back(result, fallback, job, why)
                else:
                    result.composed.append(job[1])
                    result.converted.append(job[1])
        convert(fallback)
    return result


@dataclass
class _Conversions:
    """One composition's calls to LibreOffice: what each says of the documents goes into ``result`` (the
    parts in ``work`` are not documents), and every PDF it made, parts too, into ``made``."""

    converter: Converter
    work: Path
    result: Composition
    made: set[Path] = field(default_factory=set)

    def __call__(self, jobs: list[Job], *, numbers: bool = True, destinations: bool = False) -> None:
        if jobs:
            conversion = self.converter(jobs, numbers=numbers, destinations=destinations)
            self.made.update(conversion.converted)
            conversion.converted = [pdf for pdf in conversion.converted if pdf.parent != self.work]
            _merge(self.result, conversion)


def _map_references(
    groups: list[_Group], convert: _Conversions, work: Path, result: Composition, fallback: list[Job]
) -> None:
    """Convert an annotated copy of each reference, find where its shared pages start, and write the
    other members' own parts (``_Group.parts``). Members that cannot share go to ``fallback``."""
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
    convert(jobs, destinations=True)
    for group in groups:
        if group.reference is None:
            continue  # not read: its members are in ``fallback`` already
        annotated = work / f"{group.number}-blocks.pdf"
        if annotated not in convert.made:
            why: str | None = "สำเนาที่บอกตำแหน่งของแต่ละย่อหน้าแปลงไม่สำเร็จ"
        else:
            group.pages, count = _layout(annotated)
            group.start, why = _shared_start(group.pages, count, group.shared.first_page, len(group.reference.blocks))
        members = group.shared.jobs[1:]
        if why:
            result.log.append(f"{group.shared.jobs[0][1].name}: แปลงทุกฉบับในกลุ่มทั้งฉบับ เพราะ{why}")
            for job in members:
                result.fell_back[job[1]] = why
            fallback.extend(members)
            continue
        for job, (parts, why) in zip(members, _all_parts(group, members, work), strict=True):
            if parts is None:
                _fall_back(result, fallback, job, why or "")
            else:
                group.parts[job] = parts


def _together(groups: list[_Group], work: Path) -> tuple[list[Job], list[tuple[_Group, together.Bundle]]]:
    """The members' own parts to convert on their own, and the bundles the others are laid out in."""
    alone: list[Job] = []
    made: list[tuple[_Group, together.Bundle]] = []
    for group in groups:
        owns = {parts.own[0]: parts.own for parts in group.parts.values()}
        bundles, rest = together.bundles(list(owns), work / f"bundle-{group.number}")
        made += [(group, bundle) for bundle in bundles]
        alone += [owns[docx] for docx in rest]
    return alone, made


def _place(bundles: list[tuple[_Group, together.Bundle]], made: set[Path], result: Composition) -> list[Job]:
    """Where each converted bundle's members are; the own parts of the others, to convert on their own."""
    alone: list[Job] = []
    for group, bundle in bundles:
        where = together.pages(bundle) if bundle.job[1] in made else None
        if where is None:
            why = "แปลงไม่สำเร็จ" if bundle.job[1] not in made else "ไม่บอกว่าแต่ละฉบับเริ่มที่หน้าใด"
            result.log.append(f"{bundle.job[0].name}: ชุดส่วนของ {len(bundle.members)} ฉบับ{why} จึงแปลงทีละฉบับ")
            alone += [(docx, docx.with_suffix(".pdf")) for docx in bundle.members]
            continue
        for index, (docx, pages) in enumerate(zip(bundle.members, where, strict=True)):
            group.placed[docx] = (bundle, index, pages)
    return alone


def _layout(annotated: Path) -> tuple[dict[int, int], int]:
    """Where each block of the annotated reference starts (0-based page), and its number of pages."""
    with fitz.open(annotated) as doc:
        pages: dict[int, int] = {}
        for name, target in doc.resolve_names().items():
            number = name.removeprefix(blocks.MARK)
            if number != name and number.isdigit() and isinstance(target.get("page"), int):
                pages[int(number)] = target["page"]
        return pages, doc.page_count


def _shared_start(pages: dict[int, int], count: int, first_page: int, blocks_count: int) -> tuple[int, str | None]:
    """The block that starts page ``first_page`` in the annotated reference; or why there is none."""
    if count < first_page:
        return -1, f"ฉบับอ้างอิงมีเพียง {count} หน้า"
    shared = [i for i, page in pages.items() if page >= first_page - 1]
    if not shared:
        return -1, f"ไม่มีย่อหน้าหรือแถวใดเริ่มที่หน้า {first_page}"
    start = min(shared)
    # The block before must be known to start earlier: a block without a bookmark could hold the page's start.
    if start == 0 or pages.get(start - 1, first_page) >= first_page - 1 or start >= blocks_count:
        return -1, f"การจัดหน้าไม่บอกว่าหน้า {first_page} เริ่มที่ใด"
    return start, None


def _all_parts(group: _Group, members: Sequence[Job], work: Path) -> list[tuple[_Parts | None, str | None]]:
    """Each member's parts written (``_parts``), in a process of its own per core: reading, comparing
    and writing a DOCX is ≈ 30 ms of Python each."""
    assert group.reference is not None
    group.reference.same(group.shared.swapped)  # made once, before the workers fork

    def one(item: tuple[int, Job]) -> tuple[_Parts | None, str | None]:
        return _parts(group, item[1], work / f"{group.number}-{item[0]}")

    return parallel_map(one, list(enumerate(members)))


def _parts(group: _Group, job: Job, stem: Path) -> tuple[_Parts | None, str | None]:
    """Write ``job``'s own part (its head and tail) as a DOCX; or why ``job`` cannot share the reference's pages."""
    assert group.reference is not None
    try:
        doc = blocks.read(job[0])
    except (OSError, KeyError, ValueError, etree.XMLSyntaxError) as error:
        return None, f"อ่านเป็น DOCX ไม่ได้ ({error})"
    # From the block before the shared page's first: that block may run onto the shared page.
    tail, why = blocks.shared_until(group.reference, doc, group.start - 1, group.shared.swapped)
    if why:
        return None, f"หน้าที่ใช้ร่วมกันต่างจาก {group.shared.jobs[0][0].name}: {why}"
    if tail < len(doc.blocks) and not (tail in group.pages and group.pages[tail] > group.pages.get(tail - 1, -1)):
        return None, f"การจัดหน้าของ {group.shared.jobs[0][0].name} ไม่บอกว่าย่อหน้าที่ {tail + 1} ขึ้นหน้าใหม่"
    own = (stem.with_suffix(".docx"), stem.with_suffix(".pdf"))
    # One DOCX: LibreOffice's cost is as much per document as per page (a head and a tail apart cost
    # as much again). The tail starts a page, so it lays out as in the whole document (checked: _compose).
    blocks.write_blocks(doc, [*range(group.start + 1), *range(tail, len(doc.blocks))], own[0])
    boxes = blocks.glyphs(doc, range(group.start, tail), group.shared.swapped)
    return _Parts(own, tail < len(doc.blocks), tail, boxes), None


def _compose_all(
    group: _Group, members: list[tuple[Job, _Parts]], made: set[Path], work: Path, page_font: Path | None
) -> list[str | None]:
    """Why each member could not be composed (None: composed and in place)."""
    if group.shared.jobs[0][1] not in made:
        return [f"{group.shared.jobs[0][1].name} ซึ่งให้หน้าที่ใช้ร่วมกันแปลงไม่สำเร็จ"] * len(members)
    _read_reference(group)

    def one(member: tuple[Job, _Parts]) -> str | None:
        job, parts = member
        if parts.own[1] not in made and parts.own[0] not in group.placed:
            return "หน้าของฉบับนี้เองแปลงไม่สำเร็จ"
        try:
            return _compose(group, job, parts, work, page_font)
        except OSError:
            raise  # a full disk stops the build (pdfs.place), as for any PDF
        except Exception as error:  # a PDF PyMuPDF could not put together: converted whole instead
            return f"ประกอบ PDF ไม่ได้ ({error})"

    # Each member put together in a process of its own (one per core): PyMuPDF's work, ≈ 0.1 s each.
    return parallel_map(one, members)


def _read_reference(group: _Group) -> None:
    """What every member is compared with and takes from the reference's PDF, read once."""
    with fitz.open(group.shared.jobs[0][1]) as reference:
        group.shared_lines = _lines(reference[group.shared.first_page - 1], group.shared.swapped)
        for parts in group.parts.values():
            end = group.pages[parts.tail_block] if parts.tail else reference.page_count
            if end not in group.boxes:
                pages = range(group.shared.first_page - 1, end)
                group.boxes[end] = _reference_boxes(group, reference, pages, parts.tail_block)


def _compose(group: _Group, job: Job, parts: _Parts, work: Path, page_font: Path | None) -> str | None:
    """Put ``job``'s PDF together from its head, the reference's shared pages and its tail; or why not."""
    first = group.shared.first_page - 1  # 0-based: the shared page
    with _own(group, parts) as own, fitz.open(group.shared.jobs[0][1]) as reference:
        # Its pages before the shared one, the shared page's start, then (from a page of its own) its tail.
        if own.page_count < first + 1 + parts.tail or (not parts.tail and own.page_count != first + 1):
            return f"ส่วนของฉบับนี้ยาว {own.page_count - 1} หน้า ของฉบับอ้างอิง {first} หน้า"
        why = _prefix(_lines(own[first], group.shared.swapped), group.shared_lines or [])
        if why:
            return f"หน้า {first + 1} ไม่ได้เริ่มเหมือนฉบับอ้างอิง: {why}"
        end = group.pages[parts.tail_block] if parts.tail else reference.page_count  # the tail's first page
        boxes, why = group.boxes[end]
        if boxes is None or why:
            return why
        claims_pdfa = "pdfaid:part" in (own.get_xml_metadata() or "")
        own.insert_pdf(reference, from_page=first, to_page=end - 1, start_at=first + 1)
        own.delete_page(first)  # the shared page's start: the reference's whole page is in its place
        if parts.boxes != boxes.glyphs:
            if len(parts.boxes) != len(boxes.glyphs):
                return f"มีช่องทำเครื่องหมาย {len(parts.boxes)} ช่อง ฉบับอ้างอิงมี {len(boxes.glyphs)}"
            boxes.put(own, first, parts.boxes)
        why = renumber(own, [*range(first), *range(end, own.page_count)], page_font)  # its own pages
        if why:
            return f"เลขหน้า: {why}"
        made = work / f"{parts.own[1].stem}-composed.pdf"
        own.save(made, garbage=3, deflate=True)
    problem = verify(made, claims_pdfa) or place(made, job[1])
    return f"PDF ที่ประกอบแล้วใช้ไม่ได้ ({problem})" if problem else None


def _own(group: _Group, parts: _Parts) -> fitz.Document:
    """The PDF of the member's own parts: converted on its own, or its pages of a bundle."""
    if parts.own[0] in group.placed:
        return together.member(*group.placed[parts.own[0]])
    return fitz.open(parts.own[1])


def _reference_boxes(
    group: _Group, reference: fitz.Document, pages: range, tail: int
) -> tuple[glyphs.Boxes | None, str | None]:
    """The boxes on the reference's shared ``pages`` (up to block ``tail``), checked against its DOCX."""
    assert group.reference is not None
    if not group.shared.swapped:
        return glyphs.Boxes([], {}), None
    found, why = glyphs.find(reference, pages, group.shared.swapped)
    if found is None:
        return None, f"ช่องทำเครื่องหมายของฉบับอ้างอิง: {why}"
    expected = blocks.glyphs(group.reference, range(group.start, tail), group.shared.swapped)
    if found.glyphs != expected:
        return None, "ช่องทำเครื่องหมายในหน้าที่ใช้ร่วมกันของฉบับอ้างอิงไม่ตรงกับไฟล์ DOCX"
    return found, None


Line = tuple[str, float, float]  # text, x of its start, baseline


def _lines(page: fitz.Page, swapped: str = "") -> list[Line]:
    """The page's text lines (the glyphs of ``swapped`` all read as the first: a box is a box) but its
    page number (a head's is as LibreOffice wrote it, the reference's already in Thai digits)."""
    same = {ord(c): swapped[0] for c in swapped[1:]}
    found = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            text = "".join(span["text"] for span in line["spans"]).strip().translate(same)
            x, y = line["spans"][0]["origin"] if line["spans"] else (0.0, 0.0)
            if text and not is_page_number(text, y):
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
