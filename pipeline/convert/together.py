"""Many documents' own parts laid out by LibreOffice as one document, then taken apart (compose).

Why: LibreOffice costs ≈ 30 ms a document before its first page (loading, the PDF export's
set-up, its fonts), as much as laying out a head's two pages. Measured on the 2-core machine,
38 report heads and tails: 1.55 s on two warm instances one by one (≈ 80 ms of a core each),
1.3 s as one bundle on one instance (34 ms each).

A bundle is the members' bodies one after another, the first member's DOCX around them (its
styles, headers, numbering: the other parts of a group's members are the same bytes, as
blocks.shared_until checks). Each member ends with a section break to a new page, so it starts
a page as it starts its own document, with the same page style (a first page of its own). A
member joins a bundle only when nothing in it carries over from the member before: one section,
no numbered paragraph (directly or through its style), no note, no field in its body, and its
metadata the first member's but for its title and subject, which are made its PDF's own when it
is taken apart (``member``). Its own pictures and links (a center's QR code) are added under ids
of its own. Any other member is converted on its own, as before. A bookmark at each member's
first paragraph tells, from the layout, on which page of the bundle it starts. (Its page numbers
go on from the member before: LibreOffice 7.4 ignores a section's w:pgNumType w:start here.
Composing writes each own page's number for its place, as for a part converted on its own.)

That a member comes out of a bundle with the lines it has on its own is tested
(tests/test_compose.py), and composing still checks each member's shared page against the
reference line for line.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import fitz  # PyMuPDF
from lxml import etree

from ..workers import cores, parallel_map
from . import blocks
from .blocks import W

MARK = "geccpart"  # a member's start: geccpart0, geccpart1 …
_MARK_ID = 800000
LARGEST = 20  # members a bundle: smaller bundles keep every core busy to the end, and a failure small
_CORE = "docProps/core.xml"
_RELS = "word/_rels/document.xml.rels"
_DC = "http://purl.org/dc/elements/1.1/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
# What of a member's metadata its PDF takes from it (DOCX core property → PDF Info key, XMP element).
_OWN = {"title": ("title", "title"), "subject": ("subject", "description")}

Job = tuple[Path, Path]
_DROPPED = ("Type", "Pages", "StructTreeRoot", "MarkInfo", "Names", "Dests", "Outlines", "OpenAction")


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Bundle:
    """Members' own DOCX laid out as the one ``job``; each member's title and subject."""

    job: Job
    members: tuple[Path, ...]
    metadata: tuple[dict[str, str], ...]


def bundles(owns: Sequence[Path], stem: Path) -> tuple[list[Bundle], list[Path]]:
    """The members of ``owns`` (one group's members' own parts, as DOCX) put in bundles (written as
    ``stem``-0.docx …), and those to be converted on their own. A bundle is written by a process per
    core: ≈ 3 ms a member."""
    if len(owns) < 2:
        return [], list(owns)
    count = max(cores(), math.ceil(len(owns) / LARGEST))
    size = math.ceil(len(owns) / count)
    chunks = [owns[start : start + size] for start in range(0, len(owns), size)]
    made: list[Bundle] = []
    alone: list[Path] = []

    def one(item: tuple[int, Sequence[Path]]) -> tuple[Bundle | None, list[Path]]:
        return _bundle(item[1], stem.with_name(f"{stem.name}-{item[0]}"))

    for bundle, rest in parallel_map(one, list(enumerate(chunks))):
        made += [bundle] if bundle else []
        alone += rest
    return made, alone


def _bundle(owns: Sequence[Path], stem: Path) -> tuple[Bundle | None, list[Path]]:
    base = blocks.read(owns[0])
    numbered = _numbered_styles(base)
    ending = base.body.find(_w("sectPr"))
    starts = ending.find(_w("type")) if ending is not None else None
    if not _fits(base, base, numbered) or (starts is not None and starts.get(_w("val")) != "nextPage"):
        return None, list(owns)
    relationships = etree.fromstring(base.parts[_RELS]) if _RELS in base.parts else None
    members: list[Path] = []
    metadata: list[dict[str, str]] = []
    alone: list[Path] = []
    last: etree._Element | None = None
    for own in owns:
        doc = base if own == owns[0] else blocks.read(own)
        if doc is not base and not _fits(base, doc, numbered):
            alone.append(own)
            continue
        kids = [kid for kid in doc.body if kid.tag != _w("sectPr")]
        if not kids:
            alone.append(own)
            continue
        if kids[-1].tag != _w("p"):
            # A body that ends in a table ends in an empty paragraph (Word and LibreOffice add one): here
            # it carries the section break.
            kids.append(etree.Element(_w("p")))
        if doc is not base and not _adopt(base, relationships, doc, kids, len(members)):
            alone.append(own)
            continue
        if last is not None:
            _break_section(last, copy.deepcopy(ending))
        blocks.bookmark(kids[0], f"{MARK}{len(members)}", _MARK_ID + len(members))
        for kid in kids:  # into the bundle's body (the first member's: in place), before its last section's properties
            ending.addprevious(kid)
        last = kids[-1]
        members.append(own)
        metadata.append(_core(doc))
    if len(members) < 2:
        return None, list(owns)
    job = (stem.with_suffix(".docx"), stem.with_suffix(".pdf"))
    if relationships is not None:
        base.parts[_RELS] = etree.tostring(relationships, xml_declaration=True, encoding="UTF-8", standalone=True)
    base.save(job[0])
    return Bundle(job, tuple(members), tuple(metadata)), alone


def _fits(base: blocks.Docx, doc: blocks.Docx, numbered: set[str]) -> bool:
    """Whether ``doc`` lays out in a bundle of ``base`` as on its own (see the module's conditions);
    ``numbered``: the paragraph styles that number (``_numbered_styles``)."""
    body = doc.body
    if "" in numbered or len(body.findall(f".//{_w('sectPr')}")) != 1 or body.find(_w("sectPr")) is None:
        return False
    for element in body.iter():
        if element.tag in blocks.COUNTED:
            return False
        if element.tag == _w("pStyle") and element.get(_w("val")) in numbered:
            return False
    for name in set(doc.parts) | set(base.parts):
        if name.startswith("docProps/") and name != _CORE and doc.parts.get(name) != base.parts.get(name):
            return False
    return _without_own(doc) == _without_own(base) and doc.parts.get("[Content_Types].xml") == base.parts.get(
        "[Content_Types].xml"
    )


def _adopt(
    bundle: blocks.Docx, relationships: etree._Element | None, doc: blocks.Docx, kids: list[etree._Element], number: int
) -> bool:
    """The relationships ``kids`` use made the bundle's: one the bundle has the same is kept; a link or
    picture of the member's own (a center's QR code and link) is added under an id of its own, the
    picture's part copied beside. False when one cannot be (a part of another kind)."""
    used = {str(value) for kid in kids for value in blocks.RELATED(kid, r=blocks.R)}
    if not used:
        return True
    if relationships is None or _RELS not in doc.parts:
        return False
    theirs = {rel.get("Id"): rel for rel in relationships}
    mine = {rel.get("Id"): rel for rel in etree.fromstring(doc.parts[_RELS])}
    renamed: dict[str, etree._Element] = {}
    for value in sorted(used):
        rel, other = mine.get(value), theirs.get(value)
        if rel is None:
            return False
        target, external = rel.get("Target", ""), rel.get("TargetMode") == "External"
        same = other is not None and all(rel.get(key) == other.get(key) for key in ("Type", "Target", "TargetMode"))
        if same and (external or doc.parts.get(f"word/{target}") == bundle.parts.get(f"word/{target}")):
            continue
        if not external and not (target.startswith("media/") and f"word/{target}" in doc.parts):
            return False
        renamed[value] = rel
    for value, rel in renamed.items():
        added = copy.deepcopy(rel)
        added.set("Id", f"{MARK}{number}{value}")
        if rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            added.set("Target", f"media/{MARK}{number}-{target.removeprefix('media/')}")
            bundle.parts[f"word/{added.get('Target')}"] = doc.parts[f"word/{target}"]
        relationships.append(added)
    for kid in kids:
        for element in kid.iter():
            for name, value in element.attrib.items():
                if name.startswith(f"{{{blocks.R}}}") and value in renamed:
                    element.set(name, f"{MARK}{number}{value}")
    return True


def _numbered_styles(doc: blocks.Docx) -> set[str]:
    """The paragraph styles that number their paragraphs (through numPr or the style they are based
    on); "" among them when the default paragraph style does (a paragraph without a style)."""
    styles = etree.fromstring(doc.parts.get("word/styles.xml", b"<w:styles xmlns:w='" + W.encode() + b"'/>"))
    based: dict[str, str] = {}
    numbered: set[str] = set()
    default = ""
    for style in styles.iter(_w("style")):
        sid = style.get(_w("styleId"), "")
        if style.get(_w("type")) == "paragraph" and style.get(_w("default")) in ("1", "true"):
            default = sid
        if style.find(f"{_w('pPr')}/{_w('numPr')}") is not None:
            numbered.add(sid)
        parent = style.find(_w("basedOn"))
        if parent is not None:
            based[sid] = parent.get(_w("val"), "")
    while more := {sid for sid, parent in based.items() if parent in numbered} - numbered:
        numbered |= more
    return numbered | ({""} if default in numbered else set())


def _core(doc: blocks.Docx) -> dict[str, str]:
    """Its title and subject (the DOCX's core properties)."""
    root = etree.fromstring(doc.parts.get(_CORE, b"<none/>"))
    return {key: root.findtext(f"{{{_DC}}}{key}") or "" for key in _OWN}


def _without_own(doc: blocks.Docx) -> bytes:
    """Its core properties without its title and subject."""
    if _CORE not in doc.parts:
        return b""
    root = etree.fromstring(doc.parts[_CORE])
    for key in _OWN:
        for element in root.findall(f"{{{_DC}}}{key}"):
            element.text = None
    return bytes(etree.tostring(root))


def _break_section(last: etree._Element, section: etree._Element) -> None:
    """End a member's section at its last paragraph (a new page follows: the section's type)."""
    properties = last.find(_w("pPr"))
    if properties is None:
        properties = etree.Element(_w("pPr"))
        last.insert(0, properties)
    properties.append(section)


def pages(bundle: Bundle) -> list[range] | None:
    """Each member's pages in the bundle's PDF, from its bookmarks; None when the layout does not tell."""
    with fitz.open(bundle.job[1]) as doc:
        starts: dict[int, int] = {}
        for name, target in doc.resolve_names().items():
            number = name.removeprefix(MARK)
            if number != name and number.isdigit() and isinstance(target.get("page"), int):
                starts[int(number)] = target["page"]
        count = doc.page_count
    firsts = [starts.get(i, -1) for i in range(len(bundle.members))]
    ends = [*firsts[1:], count]
    if firsts[0] != 0 or any(end <= first for first, end in zip(firsts, ends, strict=True)):
        return None
    return [range(first, end) for first, end in zip(firsts, ends, strict=True)]


def member(bundle: Bundle, index: int, where: range) -> fitz.Document:
    """Member ``index``'s pages of the bundle's PDF as a document of its own, with its own title and
    subject, and the bundle's catalog (PDF/A output intent, language, viewer preferences) but for
    what holds every member's pages: the structure tree, names, outlines. (Copied, not selected:
    a selection keeps the bundle's thousands of objects until a garbage collection costs 80 ms.)"""
    own = bundle.metadata[index]
    doc = fitz.open()
    with fitz.open(bundle.job[1]) as source:
        doc.insert_pdf(source, from_page=where.start, to_page=where.stop - 1)
        catalog, copied = source.pdf_catalog(), dict[int, int]()
        for key in source.xref_get_keys(catalog):
            kind, value = source.xref_get_key(catalog, key)
            if key not in _DROPPED and key != "Metadata":
                value = fitz.get_pdf_str(value) if kind == "string" else _graft(source, doc, value, copied)
                doc.xref_set_key(doc.pdf_catalog(), key, value)
        info = {key: value for key, value in source.metadata.items() if key not in ("format", "encryption")}
        xmp = source.get_xml_metadata()
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"[{doc[0].xref} 0 R /XYZ null null 0]")
    doc.set_metadata({**info, **{name: own[key] for key, (name, _) in _OWN.items()}})
    if xmp:
        doc.set_xml_metadata(_xmp(xmp, own))
    return doc


_REFERENCE = re.compile(r"\b(\d+) (\d+) R\b")


def _graft(source: fitz.Document, doc: fitz.Document, value: str, copied: dict[int, int]) -> str:
    """``value`` (a PDF object's text) with the objects it refers to copied from ``source`` into ``doc``,
    once each. (The catalog entries copied hold dictionaries and an ICC profile, no text strings.)"""

    def copy_one(match: re.Match[str]) -> str:
        old = int(match.group(1))
        if old not in copied:
            copied[old] = doc.get_new_xref()
            doc.update_object(copied[old], _graft(source, doc, source.xref_object(old, compressed=True), copied))
            if source.xref_is_stream(old):
                doc.update_stream(copied[old], source.xref_stream(old) or b"", compress=True)
        return f"{copied[old]} 0 R"

    return str(_REFERENCE.sub(copy_one, value))


def _xmp(xmp: str, own: dict[str, str]) -> str:
    """The bundle's XMP with the member's title and subject (as LibreOffice writes them: dc:title,
    dc:description)."""
    start = xmp.index("<x:xmpmeta")
    end = xmp.index("</x:xmpmeta>") + len("</x:xmpmeta>")
    root = etree.fromstring(xmp[start:end].encode())
    for key, (_, element) in _OWN.items():
        for item in root.iterfind(f".//{{{_DC}}}{element}/{{{_RDF}}}Alt/{{{_RDF}}}li"):
            item.text = own[key]
    return xmp[:start] + str(etree.tostring(root, encoding="unicode")) + xmp[end:]
