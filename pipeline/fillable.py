"""The fillable form: a center's blank form with a PDF checkbox over every printed box.

A clerk can tick the boxes in any PDF reader and send the file back;
``pipeline.ingest`` reads the ticks into an answer file. The printed
page is not changed: each checkbox widget sits over a ☐ glyph of the form (found
with ``box_glyphs``), in the order the checklist prints them: for each physical
item its มี box then its ไม่มี box, then one box per quality item.

Field names say which box a field is (ids as in inputs/criteria.yaml):
"p:<id>" the มี box of physical item <id>, "pn:<id>" its ไม่มี box, "q:<id>"
quality item <id>. The center the form is for is stored in the document
metadata (``keywords``: JSON with "gecc", "order", "province", "center"), so a
returned form names its center whatever its file name has become.

PDF form fields can only use the 14 base fonts, which hold no Thai: the
assessor's name, position and the date are written on paper, not in fields.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from pathlib import Path

import fitz

from .boxes import box_glyphs
from .files import atomic_path
from .model import Center, Criteria

MARK = "gecc"  # the key that marks a PDF as one of this project's fillable forms
VERSION = 1
PHYSICAL_YES, PHYSICAL_NO, QUALITY = "p:", "pn:", "q:"
GROW = 1.0  # pt added around each glyph box
BORDER_WIDTH = 0.8
BORDER_COLOR = (0, 0, 0)


def field_names(criteria: Criteria) -> list[str]:
    """Every checkbox field name, in the order the form prints the boxes."""
    names = []
    for item in criteria.physical:
        names += [f"{PHYSICAL_YES}{item.id}", f"{PHYSICAL_NO}{item.id}"]
    return names + [f"{QUALITY}{item.id}" for item in criteria.quality]


def identity(center: Center) -> dict[str, object]:
    """What the metadata ``keywords`` of a center's fillable form hold."""
    return {MARK: VERSION, "order": center.order, "province": center.province, "center": center.name}


def read_identity(doc: fitz.Document) -> dict[str, object] | None:
    """The identity stored by ``make_fillable``; None when the PDF does not carry one."""
    try:
        data = json.loads((doc.metadata or {}).get("keywords") or "")
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get(MARK) != VERSION:
        return None
    return data


def ink_box(page: fitz.Page, box: fitz.Rect, zoom: float = 8) -> fitz.Rect:
    """The printed square of a box glyph: its inked pixels, not the character box.

    A character box runs from the font's ascender to its descender, so it is
    taller than the square drawn; a widget over it would sit off the box.
    The glyph alone is rendered (clipped to its character box) and the
    extent of its dark pixels is taken. An empty render (nothing drawn) keeps
    the character box.
    """
    pix = page.get_pixmap(matrix=fitz.Matrix(zoom, zoom), clip=box, colorspace=fitz.csGRAY, alpha=False)
    data, stride = pix.samples, pix.stride
    dark = 128
    rows = [y for y in range(pix.height) if min(data[y * stride : y * stride + pix.width]) < dark]
    if not rows:
        return fitz.Rect(box)
    band = data[rows[0] * stride : (rows[-1] + 1) * stride]
    cols = [x for x in range(pix.width) if min(band[x::stride]) < dark]
    origin = fitz.Point(pix.x, pix.y)  # the pixmap's top left, in pixels of the zoomed page
    return fitz.Rect(origin.x + cols[0], origin.y + rows[0], origin.x + cols[-1] + 1, origin.y + rows[-1] + 1) / zoom


def _form_resources(doc: fitz.Document) -> None:
    """The form's default resources (/DR, /DA), which PyMuPDF leaves out.

    Each checkbox carries its own appearance (an empty square, and the same
    with a ZapfDingbats check mark); a reader that redraws a field instead
    takes the fonts its /DA names from here. Both are base-14 fonts, which a
    reader always has: they are used by the fields' appearance only, never by
    the printed page, whose fonts all stay embedded.
    """
    fonts = {}
    for name, base in (("Helv", "Helvetica"), ("ZaDb", "ZapfDingbats")):
        xref = doc.get_new_xref()
        encoding = "/Encoding/WinAnsiEncoding" if name == "Helv" else ""
        doc.update_object(xref, f"<</Type/Font/Subtype/Type1/BaseFont/{base}{encoding}>>")
        fonts[name] = xref
    catalog = doc.pdf_catalog()
    doc.xref_set_key(catalog, "AcroForm/DR", "<</Font<<" + "".join(f"/{n} {x} 0 R" for n, x in fonts.items()) + ">>>>")
    doc.xref_set_key(catalog, "AcroForm/DA", "(0 g /Helv 0 Tf)")


def _checkbox(doc: fitz.Document, page_number: int, name: str, rect: fitz.Rect) -> int:
    """PyMuPDF's checkbox field ``name`` over ``rect``; its xref."""
    widget = fitz.Widget()
    widget.field_type = fitz.PDF_WIDGET_TYPE_CHECKBOX
    widget.field_name = name
    widget.rect = rect
    widget.border_color = BORDER_COLOR
    widget.border_width = BORDER_WIDTH
    widget.fill_color = None
    widget.field_value = False
    made: int = doc[page_number].add_widget(widget).xref
    return made


def _add_checkboxes(doc: fitz.Document, fields: list[tuple[int, str, fitz.Rect]]) -> None:
    """A checkbox field for each (page, name, rect), in that order on each page and in the form's /Fields.

    PyMuPDF's ``add_widget`` makes the first field of each size: its dictionary and its appearances
    (an empty square; the same with a check mark). Every other field of that size is a copy of that
    dictionary with its own name and place, sharing those appearances: the same field to a reader,
    made in a fraction of the time (the widget machinery was most of a fillable form's cost, measured)."""
    before = {page.number: [x for x, *_ in page.annot_xrefs()] for page in doc}
    to_pdf = {page.number: ~page.transformation_matrix for page in doc}  # page space -> the PDF's own
    like: dict[tuple[float, float], str | None] = {}  # the first field's dictionary, its name and place to fill
    made: list[tuple[int, int]] = []
    for page_number, name, rect in fields:
        size = (round(rect.width, 2), round(rect.height, 2))
        template = like.get(size)
        if template is None:  # the first of its size (or one whose dictionary could not be read as expected)
            xref = _checkbox(doc, page_number, name, rect)
            template = _TEMPLATE_KEYS.sub(_placeholder, doc.xref_object(xref, compressed=True))
            like[size] = template if "{T}" in template and "{Rect}" in template else None
        else:
            xref = doc.get_new_xref()
            place = " ".join(f"{v:.4f}" for v in rect * to_pdf[page_number])
            names = f"/T{fitz.get_pdf_str(name)}/NM{fitz.get_pdf_str('gecc-' + name)}"
            doc.update_object(xref, template.format(T=names, Rect=place))
        made.append((page_number, xref))
    for page in doc:
        annots = before[page.number] + [x for n, x in made if n == page.number]
        doc.xref_set_key(page.xref, "Annots", "[" + " ".join(f"{x} 0 R" for x in annots) + "]")
    doc.xref_set_key(doc.pdf_catalog(), "AcroForm/Fields", "[" + " ".join(f"{x} 0 R" for _, x in made) + "]")


# In the dictionary PyMuPDF writes for a field: its name (/T, /NM) and its place (/Rect), each a string or
# array without nested brackets (names and numbers of our own)
_TEMPLATE_KEYS = re.compile(r"/T\([^()]*\)|/NM\([^()]*\)|/Rect\[[^\]]*\]|[{}]")


def _placeholder(found: re.Match[str]) -> str:
    key = found.group()
    if key in "{}":
        return key * 2  # a brace of the dictionary's own, kept through str.format
    return {"/T": "{T}", "/N": "", "/R": "/Rect[{Rect}]"}[key[:2]]


def title(center: Center) -> str:
    return f"แบบประเมินตนเอง (กรอกได้) {center.name} จังหวัด{center.province}"


_KNOWN_PAGES: OrderedDict[bytes, list[tuple[fitz.Rect, str]]] = OrderedDict()  # boxes.box_glyphs


def make_fillable(form_pdf: Path, target: Path, criteria: Criteria, center: Center) -> None:
    """Write ``target``: ``form_pdf`` with one checkbox field over each of its boxes.

    Raises ValueError when the form does not have exactly one box per field
    (2 × physical items + quality items): a misplaced field would record the
    wrong answer.
    """
    names = field_names(criteria)
    doc = fitz.open(form_pdf)
    try:
        glyphs = box_glyphs(doc, known=_KNOWN_PAGES)
        if len(glyphs) != len(names):
            raise ValueError(
                f"{form_pdf}: {len(glyphs)} box glyphs (☐) found; the criteria call for {len(names)} "
                f"(2 × {len(criteria.physical)} physical + {len(criteria.quality)} quality): "
                "the fillable form cannot be made"
            )
        # Every box is the same glyph at the same size: where its ink sits inside the
        # character box is measured once per box size, not rendered again for each box.
        inset: dict[tuple[float, float], tuple[float, float, float, float]] = {}
        fields = []
        for name, (page_number, box, _glyph) in zip(names, glyphs, strict=True):
            size = (round(box.width, 1), round(box.height, 1))
            if size not in inset:
                measured = ink_box(doc[page_number], box)
                inset[size] = (measured.x0 - box.x0, measured.y0 - box.y0, measured.x1 - box.x0, measured.y1 - box.y0)
            dx0, dy0, dx1, dy1 = inset[size]
            ink = fitz.Rect(box.x0 + dx0, box.y0 + dy0, box.x0 + dx1, box.y0 + dy1)
            fields.append((page_number, name, fitz.Rect(ink.x0 - GROW, ink.y0 - GROW, ink.x1 + GROW, ink.y1 + GROW)))
        _add_checkboxes(doc, fields)
        _form_resources(doc)
        metadata = dict(doc.metadata or {})
        metadata.update(
            title=title(center), keywords=json.dumps(identity(center), ensure_ascii=False), modDate=fitz.get_pdf_now()
        )
        doc.set_metadata(
            {
                k: v
                for k, v in metadata.items()
                if k in {"title", "author", "subject", "keywords", "creator", "producer", "creationDate", "modDate"}
                and v
            }
        )
        with atomic_path(target) as tmp:
            doc.save(tmp, garbage=3, deflate=True)
    finally:
        doc.close()
