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
        for name, (page_number, box, _glyph) in zip(names, glyphs, strict=True):
            widget = fitz.Widget()
            widget.field_type = fitz.PDF_WIDGET_TYPE_CHECKBOX
            widget.field_name = name
            size = (round(box.width, 1), round(box.height, 1))
            if size not in inset:
                measured = ink_box(doc[page_number], box)
                inset[size] = (measured.x0 - box.x0, measured.y0 - box.y0, measured.x1 - box.x0, measured.y1 - box.y0)
            dx0, dy0, dx1, dy1 = inset[size]
            ink = fitz.Rect(box.x0 + dx0, box.y0 + dy0, box.x0 + dx1, box.y0 + dy1)
            widget.rect = fitz.Rect(ink.x0 - GROW, ink.y0 - GROW, ink.x1 + GROW, ink.y1 + GROW)
            widget.border_color = BORDER_COLOR
            widget.border_width = BORDER_WIDTH
            widget.fill_color = None
            widget.field_value = False
            doc[page_number].add_widget(widget)
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
