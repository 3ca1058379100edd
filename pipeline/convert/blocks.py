"""A DOCX body as a sequence of blocks, for laying its shared pages out once (see compose).

A block is a top-level paragraph, or one row of a top-level table: the units LibreOffice moves
to the next page whole or splits at a page's end. This module only reads and writes DOCX
(zip + XML): which blocks two documents share, a copy of a document with a bookmark at the
start of every block (LibreOffice exports bookmarks as PDF named destinations: where each
block landed, measured, not guessed), and the head of a document (its blocks up to one).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
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

    @property
    def body(self) -> etree._Element:
        return self.root.find(_w("body"))

    def save(self, target: Path) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
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
        paragraph = block if block.tag == _w("p") else block.find(f".//{_w('p')}")
        if paragraph is None:
            continue
        start, end = etree.Element(_w("bookmarkStart")), etree.Element(_w("bookmarkEnd"))
        start.set(_w("id"), str(_MARK_ID + number))
        start.set(_w("name"), f"{MARK}{number}")
        end.set(_w("id"), str(_MARK_ID + number))
        at = 1 if paragraph.find(_w("pPr")) is not None else 0
        paragraph.insert(at, end)
        paragraph.insert(at, start)
    doc.save(target)


def write_head(doc: Docx, last: int, target: Path) -> None:
    """``doc`` cut after block ``last`` (its section properties kept): the part laid out per document."""
    keep = set(map(id, doc.blocks[: last + 1]))
    body = doc.body
    for element in list(body):
        if element.tag == _w("sectPr"):
            continue
        if element.tag == _w("tbl"):
            for row in element.findall(_w("tr")):
                if id(row) not in keep:
                    element.remove(row)
            if element.find(_w("tr")) is None:
                body.remove(element)
        elif id(element) not in keep:
            body.remove(element)
    doc.blocks = doc.blocks[: last + 1]
    doc.save(target)


def shares_from(reference: Docx, doc: Docx, start: int) -> str | None:
    """Why ``doc`` cannot take ``reference``'s layout from block ``start`` on (in Thai: a build's
    log shows it); None when it can.

    From ``start`` on the two bodies must be the same XML, with the same parts behind every
    relationship they use; every other part the same bytes; the repeated header rows of a table
    that continues past ``start`` the same; and anything before ``start`` that carries a count
    into the shared pages (list numbering, notes) the same.
    """
    for name in set(reference.parts) | set(doc.parts):
        if name in _PER_DOCUMENT or name.startswith(_PER_DOCUMENT_DIRS):
            continue
        if reference.parts.get(name) != doc.parts.get(name):
            return f"ส่วน {name} ของไฟล์ต่างกัน"
    if len(reference.blocks) != len(doc.blocks):
        return f"มีย่อหน้าและแถว {len(doc.blocks)} รายการ ฉบับอ้างอิงมี {len(reference.blocks)}"
    tail = [*range(start, len(doc.blocks))]
    for i in tail:
        if _xml(reference.blocks[i]) != _xml(doc.blocks[i]):
            return f"ย่อหน้าหรือแถวที่ {i + 1} ต่างกัน"
    if _xml(reference.body.find(_w("sectPr"))) != _xml(doc.body.find(_w("sectPr"))):
        return "การตั้งค่าหน้ากระดาษต่างกัน"
    for ref_table, table in zip(_table_heads(reference, start), _table_heads(doc, start), strict=False):
        if ref_table != table:
            return "แถวหัวตารางที่พิมพ์ซ้ำในหน้าถัดไปต่างกัน"
    if _counted(reference, start) != _counted(doc, start):
        return "เลขลำดับรายการหรือเชิงอรรถก่อนหน้าที่ใช้ร่วมกันต่างกัน"
    for element_ref, element in [(reference.blocks[i], doc.blocks[i]) for i in tail] + [
        (reference.body.find(_w("sectPr")), doc.body.find(_w("sectPr")))
    ]:
        if element_ref is None or element is None:
            continue
        if _targets(reference, element_ref) != _targets(doc, element):
            return "รูปหรือลิงก์ในหน้าที่ใช้ร่วมกันต่างกัน"
    return None


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


_COUNTED = {_w("numPr"), _w("footnoteReference"), _w("endnoteReference"), _w("fldSimple"), _w("instrText")}


def _counted(doc: Docx, start: int) -> list[bytes]:
    return [_xml(e) for block in doc.blocks[:start] for e in block.iter() if e.tag in _COUNTED]


def _targets(doc: Docx, element: etree._Element) -> list[bytes]:
    """The bytes of the parts ``element``'s relationships point at (pictures, headers)."""
    rels = etree.fromstring(doc.parts.get("word/_rels/document.xml.rels", b"<Relationships/>"))
    by_id = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    found = []
    for node in element.iter():
        for key, value in node.attrib.items():
            if key.startswith(f"{{{R}}}"):
                target = by_id.get(value, "")
                found.append(doc.parts.get(f"word/{target}", target.encode()))
    return found
