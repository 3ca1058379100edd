"""A DOCX body as a sequence of blocks, for laying its shared pages out once (see compose).

A block is a top-level paragraph, or one row of a top-level table: the units LibreOffice moves
to the next page whole or splits at a page's end. This module only reads and writes DOCX
(zip + XML): which blocks two documents share, a copy of a document with a bookmark at the
start of every block (LibreOffice exports bookmarks as PDF named destinations: where each
block landed, measured, not guessed), and the parts of a document laid out on their own (its
blocks up to one: its head; from one that starts a page on: its tail).
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..files import write_bytes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOCUMENT = "word/document.xml"
MARK = "geccblock"  # bookmark names: geccblock0, geccblock1 … (LibreOffice writes "_" as "5F" in destinations)
_MARK_ID = 900000  # bookmark ids far above any a template holds
# Parts that may differ between documents sharing pages: the body is compared block by block,
# pictures and relationships through the blocks that use them, metadata becomes the PDF's own.
_PER_DOCUMENT = ("word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml")
_PER_DOCUMENT_DIRS = ("docProps/", "word/media/")


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class Docx:
    """One DOCX read for splitting: its zip members, its body and the body's blocks."""

    parts: dict[str, bytes]
    root: etree._Element
    blocks: list[etree._Element]
    _same: dict[str, list[bytes]] = field(default_factory=dict, repr=False)
    _relations: dict[str, str] | None = field(default=None, repr=False)

    def relations(self) -> dict[str, str]:
        """The body's relationships: id → target, read once."""
        if self._relations is None:
            rels = etree.fromstring(self.parts.get("word/_rels/document.xml.rels", b"<Relationships/>"))
            self._relations = {rel.get("Id", ""): rel.get("Target", "") for rel in rels}
        return self._relations

    def same(self, swapped: str) -> list[bytes]:
        """Each block's XML with every glyph of ``swapped`` written as the first (a box is a box), made
        once: a group's reference is compared with every other member."""
        if swapped not in self._same:
            self._same[swapped] = [_normal(block, swapped) for block in self.blocks]
        return self._same[swapped]

    @property
    def body(self) -> etree._Element:
        return self.root.find(_w("body"))

    def save(self, target: Path) -> None:
        buffer = io.BytesIO()
        # Deflated at its fastest: these copies are read once by LibreOffice and deleted. A report's is
        # 70 KB in 2.7 ms (at the default level, 48 KB in 6.5 ms; stored, 940 KB: 878 of them at once).
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, data in self.parts.items():
                if name == DOCUMENT:
                    data = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
                archive.writestr(name, data)
        write_bytes(target, buffer.getvalue())


def read(docx: Path) -> Docx:
    with zipfile.ZipFile(docx) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    root = etree.fromstring(parts[DOCUMENT])
    return Docx(parts, root, _blocks(root))


def _blocks(root: etree._Element) -> list[etree._Element]:
    blocks: list[etree._Element] = []
    for element in root.find(_w("body")):
        if element.tag == _w("tbl"):
            blocks += element.findall(_w("tr"))
        elif element.tag != _w("sectPr"):
            blocks.append(element)
    return blocks


def annotate(docx: Path, target: Path) -> None:
    """A copy of ``docx`` with a bookmark at the start of each block's first paragraph.

    A bookmark takes no room: the copy lays out as the document does (tests/test_compose.py
    compares them line by line). Blocks without a paragraph of their own get none.
    """
    doc = read(docx)
    for number, block in enumerate(doc.blocks):
        bookmark(block, f"{MARK}{number}", _MARK_ID + number)
    doc.save(target)


def bookmark(block: etree._Element, name: str, number: int) -> None:
    """A bookmark ``name`` (id ``number``) at the start of ``block``'s first paragraph, if it has one."""
    paragraph = block if block.tag == _w("p") else block.find(f".//{_w('p')}")
    if paragraph is None:
        return
    start, end = etree.Element(_w("bookmarkStart")), etree.Element(_w("bookmarkEnd"))
    start.set(_w("id"), str(number))
    start.set(_w("name"), name)
    end.set(_w("id"), str(number))
    at = 1 if paragraph.find(_w("pPr")) is not None else 0
    paragraph.insert(at, end)
    paragraph.insert(at, start)


def write_blocks(doc: Docx, keep: Sequence[int], target: Path) -> None:
    """``doc`` with only the blocks ``keep`` (its section properties kept): the parts laid out per document."""
    root = copy.deepcopy(doc.root)
    body = root.find(_w("body"))
    every = _blocks(root)  # held: lxml's element objects (and so their ids) live only while referenced
    wanted = set(keep)
    drop = {id(block) for i, block in enumerate(every) if i not in wanted}
    for element in list(body):
        if element.tag == _w("tbl"):
            for row in element.findall(_w("tr")):
                if id(row) in drop:
                    element.remove(row)
            if element.find(_w("tr")) is None:
                body.remove(element)
        elif id(element) in drop:
            body.remove(element)
    Docx(doc.parts, root, _blocks(root)).save(target)


def shared_until(reference: Docx, doc: Docx, start: int, swapped: str = "") -> tuple[int, str | None]:
    """How far ``doc`` can take ``reference``'s layout from block ``start`` on: the block where its own
    pages begin again (its tail; the number of blocks when it has none), or why it cannot (in Thai:
    a build's log shows it).

    From ``start`` on the two bodies must be the same XML but for the glyphs of ``swapped`` (one
    advance: a box ☐ where the other has ☑), up to the end of both or up to a block that starts a
    page in both (page break before) from which they may differ; the same parts behind every
    relationship those blocks use; every other part the same bytes; the repeated header rows of a
    table that continues past ``start`` the same; anything before ``start`` that carries a count into
    the shared pages (list numbering, notes) the same, and nothing before a tail (laid out without
    the shared pages, it would count without theirs).
    """
    for name in set(reference.parts) | set(doc.parts):
        if name in _PER_DOCUMENT or name.startswith(_PER_DOCUMENT_DIRS):
            continue
        if reference.parts.get(name) != doc.parts.get(name):
            return -1, f"ส่วน {name} ของไฟล์ต่างกัน"
    theirs = reference.same(swapped)
    end = start
    while end < min(len(reference.blocks), len(doc.blocks)):
        if theirs[end] != _normal(doc.blocks[end], swapped):
            break
        end += 1
    tail = end
    if not end == len(reference.blocks) == len(doc.blocks):
        # Back to the nearest block that starts a page in both: from there each lays its own pages out.
        starts = [i for i in range(start + 1, end + 1) if _starts_page(reference, i) and _starts_page(doc, i)]
        if not starts:
            return -1, f"ย่อหน้าหรือแถวที่ {end + 1} ต่างกัน"
        tail = starts[-1]
        if _counted(doc, tail):
            return -1, "มีเลขลำดับรายการหรือเชิงอรรถก่อนส่วนที่จัดหน้าเอง"
    if _xml(reference.body.find(_w("sectPr"))) != _xml(doc.body.find(_w("sectPr"))):
        return -1, "การตั้งค่าหน้ากระดาษต่างกัน"
    for ref_table, table in zip(_table_heads(reference, start), _table_heads(doc, start), strict=False):
        if ref_table != table:
            return -1, "แถวหัวตารางที่พิมพ์ซ้ำในหน้าถัดไปต่างกัน"
    if _counted(reference, start) != _counted(doc, start):
        return -1, "เลขลำดับรายการหรือเชิงอรรถก่อนหน้าที่ใช้ร่วมกันต่างกัน"
    for element_ref, element in [(reference.blocks[i], doc.blocks[i]) for i in range(start, tail)] + [
        (reference.body.find(_w("sectPr")), doc.body.find(_w("sectPr")))
    ]:
        if element_ref is None or element is None:
            continue
        if _targets(reference, element_ref) != _targets(doc, element):
            return -1, "รูปหรือลิงก์ในหน้าที่ใช้ร่วมกันต่างกัน"
    return tail, None


def glyphs(doc: Docx, blocks: range, swapped: str) -> str:
    """The glyphs of ``swapped`` in ``blocks``, in the order of the document."""
    if not swapped:
        return ""
    text = b"".join(etree.tostring(doc.blocks[i], method="text", encoding="UTF-8") for i in blocks).decode()
    return "".join(c for c in text if c in swapped)


def _normal(block: etree._Element, swapped: str) -> bytes:
    """The XML of ``block`` with every glyph of ``swapped`` written as the first."""
    xml: bytes = etree.tostring(block, encoding="UTF-8")  # the glyphs as themselves, not as character references
    for glyph in swapped[1:]:
        xml = xml.replace(glyph.encode(), swapped[0].encode())
    return xml


def _starts_page(doc: Docx, i: int) -> bool:
    """Block ``i`` is a paragraph set to start a page (Word's "page break before")."""
    if i >= len(doc.blocks) or doc.blocks[i].tag != _w("p"):
        return False
    flag = doc.blocks[i].find(f"{_w('pPr')}/{_w('pageBreakBefore')}")
    return flag is not None and flag.get(_w("val"), "true") not in ("false", "0", "off")


def _xml(element: etree._Element | None) -> bytes:
    return b"" if element is None else etree.tostring(element)


def _table_heads(doc: Docx, start: int) -> list[bytes]:
    """The table holding block ``start`` (when it is a row): its properties and its repeated header rows."""
    row = doc.blocks[start]
    if row.tag != _w("tr"):
        return []
    table = row.getparent()
    heads = [_xml(table.find(_w("tblPr"))), _xml(table.find(_w("tblGrid")))]
    heads += [_xml(r) for r in table.findall(_w("tr")) if r.find(f"{_w('trPr')}/{_w('tblHeader')}") is not None]
    return heads


COUNTED = {_w("numPr"), _w("footnoteReference"), _w("endnoteReference"), _w("fldSimple"), _w("instrText")}


def _counted(doc: Docx, start: int) -> list[bytes]:
    return [_xml(e) for block in doc.blocks[:start] for e in block.iter() if e.tag in COUNTED]


RELATED = etree.XPath("descendant-or-self::*/@*[namespace-uri() = $r]")  # r:id, r:embed … in document order


def _targets(doc: Docx, element: etree._Element) -> list[bytes]:
    """The bytes of the parts ``element``'s relationships point at (pictures, headers)."""
    found = []
    for value in RELATED(element, r=R):
        target = doc.relations().get(str(value), "")
        found.append(doc.parts.get(f"word/{target}", target.encode()))
    return found
