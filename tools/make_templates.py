"""(Re)create the docxtpl templates in ``templates/``.

Developer tool, not part of the pipeline run::

    python tools/make_templates.py            # every template
    python tools/make_templates.py letter     # only templates/letter.docx

The templates are ordinary .docx files a clerk may open and edit in Word or
LibreOffice; this script is the reproducible way to make them. It holds

* reusable helpers (page setup, Thai-correct styles and runs, fields,
  borderless tables, tab stops, docxtpl tag paragraphs) for every template;
* one ``build_*`` function per template, registered in ``TEMPLATES``.

Wording rule: the only words written here are the fixed labels of the
official format (ที่, เรื่อง, อ้างถึง, สิ่งที่ส่งมาด้วย, โทร., โทรสาร). Every other
text comes from the rendering context.

docxtpl rules kept by the helpers: every Jinja tag sits whole in one run;
paragraph-level loops/conditions use ``{%p ... %}`` alone in their paragraph
(docxtpl removes that paragraph), table-row loops use ``{%tr ... %}``.

Thai is a complex script: python-docx ``font.name``/``font.size`` only set the
Latin font. ``thai_rpr`` writes rFonts ascii/hAnsi/eastAsia/cs, sz and szCs,
b and bCs, and the language (bidi/eastAsia th-TH; Latin en-US, see
LANG_LATIN), so Word and LibreOffice both set Thai in TH Sarabun New at the
intended size.

Alignment: use "both" for justified Thai. LibreOffice (which makes the PDFs)
ignores Word's "thaiDistribute" and leaves such paragraphs ragged; with
"both" it spreads Thai lines across the clusters itself.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Iterable, Sequence

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = ROOT / "templates"

# --------------------------------------------------------------------------
# The official format's fixed facts (PRODUCT.md, ระเบียบงานสารบรรณ)
# --------------------------------------------------------------------------
FONT = "TH Sarabun New"
FONT_SIZE_PT = 16
LANG = "th-TH"  # complex script (w:bidi): the Thai text
# Latin-script runs (w:val) are English phrases such as "(Government Easy
# Contact Center : GECC)". Declaring them th-TH makes LibreOffice's line
# breaker refuse breaks inside them (a line then ends early and the Thai
# justification letter-spaces it); en-US keeps them breakable.
LANG_LATIN = "en-US"

PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.0, 29.7  # A4 portrait
MARGIN_LEFT_CM, MARGIN_RIGHT_CM = 3.0, 2.0
MARGIN_TOP_CM, MARGIN_BOTTOM_CM = 2.5, 2.0
HEADER_DISTANCE_CM = 1.5  # the Garuda's top edge / the page number line
FOOTER_DISTANCE_CM = 1.0
TEXT_WIDTH_CM = PAGE_WIDTH_CM - MARGIN_LEFT_CM - MARGIN_RIGHT_CM  # 16 cm
CENTER_CM = TEXT_WIDTH_CM / 2  # "from the page centre": 8 cm from the left margin
PAGE_CENTER_CM = PAGE_WIDTH_CM / 2 - MARGIN_LEFT_CM  # the paper's own centre line, 7.5 cm

EMBLEM_HEIGHT_CM = 3.0  # ตราครุฑ on external letters
URGENCY_SIZE_PT = 32
RED = "FF0000"
BODY_FIRST_LINE_CM = 2.5
BODY_SPACE_BEFORE_PT = 6

# Fixed labels of the official format (the only wording allowed in this file).
LABEL_NUMBER = "ที่"
LABEL_SUBJECT = "เรื่อง"
LABEL_REFERENCE = "อ้างถึง"
LABEL_ENCLOSURE = "สิ่งที่ส่งมาด้วย"
LABEL_PHONE = "โทร."
LABEL_FAX = "โทรสาร"

TWIPS_PER_CM = 1440 / 2.54


def twips(cm: float) -> int:
    return round(cm * TWIPS_PER_CM)


# --------------------------------------------------------------------------
# Low-level OOXML helpers
# --------------------------------------------------------------------------
def _child(parent, tag: str, *, before: Sequence[str] = ()):
    """The first ``tag`` child of ``parent``, created if missing.

    ``before`` lists tags the new element must precede (schema order).
    """
    found = parent.find(qn(tag))
    if found is not None:
        return found
    element = OxmlElement(tag)
    for name in before:
        successor = parent.find(qn(name))
        if successor is not None:
            successor.addprevious(element)
            return element
    parent.append(element)
    return element


def _set(element, **attributes) -> None:
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), str(value))


# rPr children in schema order (CT_RPr); used to insert at the right place.
_RPR_ORDER = [
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
    "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint",
    "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing",
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u",
    "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
    "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
]


def _rpr_child(rpr, tag: str):
    return _child(rpr, tag, before=_RPR_ORDER[_RPR_ORDER.index(tag) + 1:])


def thai_rpr(
    rpr,
    *,
    font: str | None = FONT,
    size_pt: float | None = None,
    bold: bool | None = None,
    color: str | None = None,
    lang: bool = True,
) -> None:
    """Make a ``w:rPr`` Thai-correct: fonts for all four slots, Latin and
    complex-script size, bold on both, th-TH language for Thai (bidi/eastAsia; Latin-script runs en-US). ``None`` leaves a
    property to the style/defaults."""
    if font is not None:
        fonts = _rpr_child(rpr, "w:rFonts")
        for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(qn(f"w:{theme}"), None)
        _set(fonts, ascii=font, hAnsi=font, eastAsia=font, cs=font)
    if bold is not None:
        for tag in ("w:b", "w:bCs"):
            element = _rpr_child(rpr, tag)
            if not bold:
                _set(element, val=0)
    if color is not None:
        _set(_rpr_child(rpr, "w:color"), val=color)
    if size_pt is not None:
        half_points = round(size_pt * 2)
        _set(_rpr_child(rpr, "w:sz"), val=half_points)
        _set(_rpr_child(rpr, "w:szCs"), val=half_points)
    if lang:
        _set(_rpr_child(rpr, "w:lang"), val=LANG_LATIN, eastAsia=LANG, bidi=LANG)


def _mark_rpr(ppr):
    """The paragraph mark's run properties (sets an empty paragraph's height)."""
    return _ppr_child(ppr, "w:rPr")


# pPr children in schema order (CT_PPr).
_PPR_ORDER = [
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
    "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
]


def _ppr_child(ppr, tag: str):
    return _child(ppr, tag, before=_PPR_ORDER[_PPR_ORDER.index(tag) + 1:])


def _ppr_spacing(ppr, *, before_pt: float | None = None, after_pt: float | None = 0,
                 line: int = 240, line_rule: str = "auto") -> None:
    spacing = _ppr_child(ppr, "w:spacing")
    if before_pt is not None:
        _set(spacing, before=round(before_pt * 20))
    if after_pt is not None:
        _set(spacing, after=round(after_pt * 20))
    _set(spacing, line=line, lineRule=line_rule)


# --------------------------------------------------------------------------
# Document setup: page, styles, settings
# --------------------------------------------------------------------------
def setup_section(section, *, first_page_header: bool = False) -> None:
    """A4 portrait with the official margins and header distance."""
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Cm(PAGE_WIDTH_CM)
    section.page_height = Cm(PAGE_HEIGHT_CM)
    section.left_margin = Cm(MARGIN_LEFT_CM)
    section.right_margin = Cm(MARGIN_RIGHT_CM)
    section.top_margin = Cm(MARGIN_TOP_CM)
    section.bottom_margin = Cm(MARGIN_BOTTOM_CM)
    section.header_distance = Cm(HEADER_DISTANCE_CM)
    section.footer_distance = Cm(FOOTER_DISTANCE_CM)
    section.gutter = 0
    section.different_first_page_header_footer = first_page_header


def setup_styles(doc: DocumentObject) -> None:
    """TH Sarabun New 16 pt, th-TH, single spacing, no space after, widow
    control: in
    docDefaults and in Normal, Header, Footer (so both Word and LibreOffice
    agree, whatever they read first)."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    thai_rpr(rpr, size_pt=FONT_SIZE_PT)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    _ppr_spacing(ppr, before_pt=0, after_pt=0)
    _ppr_child(ppr, "w:widowControl")  # no lone first/last line of a paragraph

    for name in ("Normal", "Header", "Footer"):
        style = doc.styles[name]
        thai_rpr(style.element.get_or_add_rPr(), size_pt=FONT_SIZE_PT)
        _ppr_spacing(style.element.get_or_add_pPr(), before_pt=0, after_pt=0)
    _ppr_child(doc.styles["Normal"].element.get_or_add_pPr(), "w:widowControl")
    for name in ("Header", "Footer"):
        # The stock tab stops are for US Letter; put them at the A4 text centre/right.
        style = doc.styles[name]
        tabs = style.paragraph_format.tab_stops
        tabs.clear_all()
        tabs.add_tab_stop(Cm(CENTER_CM), alignment=WD_TAB_ALIGNMENT.CENTER)
        tabs.add_tab_stop(Cm(TEXT_WIDTH_CM), alignment=WD_TAB_ALIGNMENT.RIGHT)
    for name in ("Header Char", "Footer Char"):
        thai_rpr(doc.styles[name].element.get_or_add_rPr(), size_pt=FONT_SIZE_PT)

    # Theme language for complex script (Word's "Thai" proofing / font fallback).
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        _set(theme_lang, val="en-US", bidi=LANG)
        theme_lang.attrib.pop(qn("w:eastAsia"), None)


def new_document(*, first_page_header: bool = False, title: str = "") -> DocumentObject:
    """A fresh document: A4, official margins, Thai-correct styles."""
    doc = Document()
    setup_section(doc.sections[0], first_page_header=first_page_header)
    setup_styles(doc)
    props = doc.core_properties
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.title = title
    props.language = LANG
    props.revision = 1
    return doc


# --------------------------------------------------------------------------
# Paragraphs and runs
# --------------------------------------------------------------------------
_ALIGN = {
    None: None,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "thaiDistribute": WD_ALIGN_PARAGRAPH.THAI_JUSTIFY,
}


def paragraph(
    container,
    *runs: str | tuple,
    align: str | None = None,
    left_cm: float | None = None,
    right_cm: float | None = None,
    first_line_cm: float | None = None,
    hanging_cm: float | None = None,
    before_pt: float | None = None,
    after_pt: float | None = None,
    tabs: Iterable[float | tuple[float, str]] = (),
    keep_with_next: bool | None = None,
    exact_height_pt: float | None = None,
    size_pt: float | None = None,
) -> Paragraph:
    """Append a paragraph to ``container`` (document, cell, header).

    ``runs`` are strings, or ``(text, {"bold": True, ...})`` pairs passed to
    ``add_run``. A string "\\t" makes a tab run. ``size_pt`` sets the
    paragraph mark's size too (matters for empty paragraphs).
    """
    para = container.add_paragraph()
    fmt = para.paragraph_format
    if _ALIGN.get(align) is not None:
        fmt.alignment = _ALIGN[align]
    if left_cm is not None:
        fmt.left_indent = Cm(left_cm)
    if right_cm is not None:
        fmt.right_indent = Cm(right_cm)
    if first_line_cm is not None:
        fmt.first_line_indent = Cm(first_line_cm)
    if hanging_cm is not None:
        fmt.first_line_indent = Cm(-hanging_cm)
    if before_pt is not None:
        fmt.space_before = Pt(before_pt)
    if after_pt is not None:
        fmt.space_after = Pt(after_pt)
    if keep_with_next is not None:
        fmt.keep_with_next = keep_with_next
    if exact_height_pt is not None:
        ppr = para._p.get_or_add_pPr()
        _ppr_spacing(ppr, after_pt=None, line=round(exact_height_pt * 20), line_rule="exact")
    for stop in tabs:
        position, kind = (stop, "left") if isinstance(stop, (int, float)) else stop
        add_tab_stop(para, position, kind)
    for item in runs:
        text, options = (item, {}) if isinstance(item, str) else item
        add_run(para, text, **options)
    if size_pt is not None:
        thai_rpr(_mark_rpr(para._p.get_or_add_pPr()), font=None, size_pt=size_pt, lang=False)
    return para


def add_run(para: Paragraph, text: str, *, bold: bool | None = None, size_pt: float | None = None,
            color: str | None = None):
    """A run with Thai-correct bold/size/colour (b+bCs, sz+szCs). Keep each
    Jinja tag whole inside one ``text``."""
    if text == "\t":
        run = para.add_run()
        run.add_tab()
    else:
        run = para.add_run(text)
    if bold is not None or size_pt is not None or color is not None:
        thai_rpr(run._r.get_or_add_rPr(), font=None, size_pt=size_pt, bold=bold, color=color, lang=False)
    return run


def add_tab_stop(para: Paragraph, position_cm: float, kind: str = "left") -> None:
    """A tab stop ``position_cm`` from the paragraph's indent origin (the margin)."""
    alignment = {"left": WD_TAB_ALIGNMENT.LEFT, "center": WD_TAB_ALIGNMENT.CENTER,
                 "right": WD_TAB_ALIGNMENT.RIGHT, "decimal": WD_TAB_ALIGNMENT.DECIMAL}[kind]
    para.paragraph_format.tab_stops.add_tab_stop(Cm(position_cm), alignment=alignment)


def tag_paragraph(container, tag: str) -> Paragraph:
    """A paragraph holding only a docxtpl ``{%p ... %}`` tag (removed at render)."""
    if not tag.startswith("{%p "):
        raise ValueError(f"paragraph tags start with '{{%p ': {tag!r}")
    return paragraph(container, tag)


def add_field(para: Paragraph, instruction: str, placeholder: str = "", **run_options) -> None:
    """A complex field (fldChar begin / instrText / separate / result / end).

    ``placeholder`` is the cached result shown before fields are updated.
    """
    def fld_char(kind: str):
        run = add_run(para, "", **run_options)
        element = OxmlElement("w:fldChar")
        _set(element, fldCharType=kind)
        run._r.append(element)

    fld_char("begin")
    run = add_run(para, "", **run_options)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    run._r.append(instr)
    fld_char("separate")
    add_run(para, placeholder, **run_options)
    fld_char("end")


def blank_lines(container, count: int, **options) -> None:
    for _ in range(count):
        paragraph(container, **options)


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------
def borderless_table(container, widths_cm: Sequence[float], rows: int = 1, *,
                     cell_margin_cm: float = 0.0, indent_cm: float = 0.0) -> Table:
    """A fixed-layout table without borders, its text flush with the margin.

    Widths are exact (tblGrid, tcW, fixed layout), cell margins zero by
    default so text in the first column starts exactly at the left margin.
    """
    if isinstance(container, DocumentObject):
        table = container.add_table(rows=rows, cols=len(widths_cm))
    else:
        table = container.add_table(rows, len(widths_cm), Cm(sum(widths_cm)))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    for tag in ("w:tblStyle",):
        element = tbl_pr.find(qn(tag))
        if element is not None:
            tbl_pr.remove(element)
    width = _child(tbl_pr, "w:tblW", before=["w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
                                             "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"])
    _set(width, w=twips(sum(widths_cm)), type="dxa")
    ind = _child(tbl_pr, "w:tblInd", before=["w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"])
    _set(ind, w=twips(indent_cm), type="dxa")
    borders = _child(tbl_pr, "w:tblBorders", before=["w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"])
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _set(_child(borders, f"w:{side}"), val="nil")
    layout = _child(tbl_pr, "w:tblLayout", before=["w:tblCellMar", "w:tblLook"])
    _set(layout, type="fixed")
    margins = _child(tbl_pr, "w:tblCellMar", before=["w:tblLook"])
    for side in ("top", "left", "bottom", "right"):
        value = 0 if side in ("top", "bottom") else twips(cell_margin_cm)
        _set(_child(margins, f"w:{side}"), w=value, type="dxa")
    grid = table._tbl.tblGrid
    for col, width_cm in zip(grid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(twips(width_cm)))
    for row in table.rows:
        for cell, width_cm in zip(row.cells, widths_cm):
            cell.width = Cm(width_cm)
    return table


def set_row_height(row, height_cm: float, rule: str = "atLeast") -> None:
    tr_pr = row._tr.get_or_add_trPr()
    height = _child(tr_pr, "w:trHeight")
    _set(height, val=twips(height_cm), hRule=rule)


def set_cell_valign(cell: _Cell, where: str) -> None:
    cell.vertical_alignment = {
        "top": WD_CELL_VERTICAL_ALIGNMENT.TOP,
        "center": WD_CELL_VERTICAL_ALIGNMENT.CENTER,
        "bottom": WD_CELL_VERTICAL_ALIGNMENT.BOTTOM,
    }[where]


def cell_paragraph(cell: _Cell, *runs, **options) -> Paragraph:
    """Fill a fresh cell's first (empty) paragraph, or append another."""
    first = cell.paragraphs[0]
    if len(cell.paragraphs) == 1 and not first.text and not first.runs:
        cell._tc.remove(first._p)
    return paragraph(cell, *runs, **options)


def empty_cell(cell: _Cell, *, size_pt: float = 1) -> None:
    """A cell that takes no height: one tiny exact-height paragraph."""
    para = cell.paragraphs[0]
    ppr = para._p.get_or_add_pPr()
    _ppr_spacing(ppr, after_pt=0, line=round(size_pt * 20), line_rule="exact")
    thai_rpr(_mark_rpr(ppr), font=None, size_pt=size_pt, lang=False)


def shrink_paragraph(para: Paragraph, size_pt: float = 1) -> None:
    """Make an (empty) paragraph nearly heightless, e.g. the mandatory
    paragraph after a table at the end of a header or cell."""
    ppr = para._p.get_or_add_pPr()
    _ppr_spacing(ppr, before_pt=0, after_pt=0, line=round(size_pt * 20), line_rule="exact")
    thai_rpr(_mark_rpr(ppr), font=None, size_pt=size_pt, lang=False)


def table_first(container, table: Table) -> None:
    """Move ``table`` before the container's first paragraph (headers start
    with an empty paragraph in python-docx); that paragraph then follows the
    table and is shrunk so it adds no height."""
    first = container.paragraphs[0]
    first._p.addprevious(table._tbl)
    shrink_paragraph(first)


# --------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------
def page_number_header(section, *, instruction: str = " PAGE \\* ThaiArabic ", placeholder: str = "๒") -> None:
    """Pages 2+: "- ๒ -" centred at the top (section.header)."""
    header = section.header
    header.is_linked_to_previous = False
    para = header.paragraphs[0]
    para.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(para, "- ")
    add_field(para, instruction, placeholder)
    add_run(para, " -")


# --------------------------------------------------------------------------
# Template: official external letter (หนังสือภายนอก)
# --------------------------------------------------------------------------
# Horizontal positions, in cm from the left margin. Label tab stops are the
# label's width in TH Sarabun New 16 pt plus about two spaces (0.25 cm).
OFFICE_COLUMN_CM = 10.5  # issuing office block; 5.5 cm wide up to the right margin
SUBJECT_TAB_CM = 1.0  # after เรื่อง / เรียน / ถึง (0.68 / 0.75 / 0.38 cm wide)
REFERENCE_TAB_CM = 1.25  # after อ้างถึง (0.94 cm)
ENCLOSURE_TAB_CM = 2.3  # after สิ่งที่ส่งมาด้วย (2.03 cm)
# Signer's name and position: centred on the axis of the closing (which
# starts at the centre, 8 cm, and is about 3 cm wide: ขอแสดงความนับถือ),
# so a centred paragraph indented 3 cm on the left, none on the right.
SIGNATURE_AXIS_CM = CENTER_CM + 1.5
SIGNATURE_LEFT_CM = 2 * SIGNATURE_AXIS_CM - TEXT_WIDTH_CM
SIGNATURE_BLANK_LINES = 2  # about 1.5 cm to sign; three lines pushed province letters to a second page
# Vertical rhythm: 6 pt before the date (it leaves the address block), body
# paragraphs and the closing; the เรื่อง / เรียน / อ้างถึง / สิ่งที่ส่งมาด้วย lines
# follow at plain single spacing so a full one-page circular still fits.
DATE_SPACE_BEFORE_PT = 6
HEAD_SPACE_BEFORE_PT = 0
OWNER_BLANK_LINES = 0
# The emblem cell is centred on the paper (like pre-printed Garuda paper),
# not on the typing area (which is offset 0.5 cm right by the 3/2 cm margins).
EMBLEM_CELL_CM = 4.0
URGENCY_CELL_CM = PAGE_CENTER_CM - EMBLEM_CELL_CM / 2  # 5.5 cm
RIGHT_CELL_CM = TEXT_WIDTH_CM - URGENCY_CELL_CM - EMBLEM_CELL_CM  # 6.5 cm


def _numbered(list_name: str) -> str:
    """Jinja: "๑. " before each item when the list has more than one."""
    return "{% if " + list_name + "|length > 1 %}{{ loop.index|thai_digits }}. {% endif %}"


def labelled_list(container, list_name: str, label: str, tab_cm: float,
                  before_pt: float = HEAD_SPACE_BEFORE_PT) -> None:
    """One line per item of ``list_name``: the label on the first line only,
    then a tab to ``tab_cm``; items numbered ๑. ๒. when there are several;
    every line (and wrapped text) aligned at the tab. An empty list renders
    nothing at all. The first line gets ``before_pt`` space above it."""
    item = _numbered(list_name) + "{{ item|thai }}"
    layout = dict(tabs=[tab_cm], left_cm=tab_cm, hanging_cm=tab_cm)
    tag_paragraph(container, f"{{%p for item in {list_name} %}}")
    tag_paragraph(container, "{%p if loop.first %}")
    paragraph(container, label, "\t", item, before_pt=before_pt, **layout)
    tag_paragraph(container, "{%p else %}")
    paragraph(container, "\t", item, **layout)
    tag_paragraph(container, "{%p endif %}")
    tag_paragraph(container, "{%p endfor %}")


def lines_paragraphs(container, expression: str, **layout) -> None:
    """One paragraph per item of the list ``expression`` (|thai applied)."""
    tag_paragraph(container, f"{{%p for line in {expression} %}}")
    paragraph(container, "{{ line|thai }}", **layout)
    tag_paragraph(container, "{%p endfor %}")


LETTER_KEYS = (
    "urgency", "emblem", "number", "office", "date", "subject", "salutation", "addressee",
    "references", "enclosures", "paragraphs", "closing",
    "signer.name", "signer.position", "owner.unit", "owner.phone_line", "owner.email_line",
)


def build_letter() -> DocumentObject:
    """หนังสือภายนอก: the official external letter (see LETTER_KEYS).

    Lists: office, references, enclosures, paragraphs, signer.position,
    owner.unit (one line/paragraph per item; references and enclosures may be
    empty). ``emblem`` is a docxtpl InlineImage 3 cm tall or "" (space kept
    for pre-printed Garuda paper); ``urgency`` and ``closing`` may be "".
    """
    doc = new_document(first_page_header=True, title="หนังสือภายนอก")
    section = doc.sections[0]

    # First page header (1.5 cm from the top): urgency | emblem | nothing.
    first = section.first_page_header
    first.is_linked_to_previous = False
    table = borderless_table(first, [URGENCY_CELL_CM, EMBLEM_CELL_CM, RIGHT_CELL_CM])
    table_first(first, table)
    row = table.rows[0]
    # At least the emblem's height: with no image the row keeps the space for
    # pre-printed Garuda paper; with one it just fits it. Either way the
    # body starts about 4.5 cm from the top.
    set_row_height(row, EMBLEM_HEIGHT_CM, "atLeast")
    urgency, emblem, spare = row.cells
    set_cell_valign(urgency, "bottom")
    cell_paragraph(urgency, ("{{ urgency }}", {"bold": True, "size_pt": URGENCY_SIZE_PT, "color": RED}),
                   size_pt=URGENCY_SIZE_PT)
    set_cell_valign(emblem, "top")
    cell_paragraph(emblem, "{{ emblem }}", align="center")
    empty_cell(spare)

    # Pages 2+: "- ๒ -" centred at the top.
    page_number_header(section)

    # ที่ (left) | issuing office lines (right), sharing the first line.
    head = borderless_table(doc, [OFFICE_COLUMN_CM, TEXT_WIDTH_CM - OFFICE_COLUMN_CM])
    left, right = head.rows[0].cells
    cell_paragraph(left, LABEL_NUMBER + " ", "{{ number|thai }}")
    cell_paragraph(right, "{%p for line in office %}")
    paragraph(right, "{{ line|thai }}")
    tag_paragraph(right, "{%p endfor %}")

    paragraph(doc, "{{ date|thai_date }}", left_cm=CENTER_CM, before_pt=DATE_SPACE_BEFORE_PT)
    labelled = dict(tabs=[SUBJECT_TAB_CM], left_cm=SUBJECT_TAB_CM, hanging_cm=SUBJECT_TAB_CM,
                    before_pt=HEAD_SPACE_BEFORE_PT)
    paragraph(doc, LABEL_SUBJECT, "\t", "{{ subject|thai }}", **labelled)
    paragraph(doc, "{{ salutation }}", "\t", "{{ addressee|thai }}", **labelled)
    labelled_list(doc, "references", LABEL_REFERENCE, REFERENCE_TAB_CM)
    labelled_list(doc, "enclosures", LABEL_ENCLOSURE, ENCLOSURE_TAB_CM)

    # Body: justified ("both": LibreOffice ignores thaiDistribute and would
    # leave the text ragged; for Thai it spreads "both" across the clusters).
    # The last paragraph (at least its last two lines, with widow control) is
    # kept with the closing: the signature never stands alone on a page.
    body = dict(align="both", first_line_cm=BODY_FIRST_LINE_CM, before_pt=BODY_SPACE_BEFORE_PT)
    tag_paragraph(doc, "{%p for text in paragraphs %}")
    tag_paragraph(doc, "{%p if loop.last %}")
    paragraph(doc, "{{ text|thai }}", keep_with_next=True, **body)
    tag_paragraph(doc, "{%p else %}")
    paragraph(doc, "{{ text|thai }}", **body)
    tag_paragraph(doc, "{%p endif %}")
    tag_paragraph(doc, "{%p endfor %}")

    # From the closing to the end: one block, kept together on one page.
    together = dict(keep_with_next=True)
    tag_paragraph(doc, "{%p if closing %}")
    paragraph(doc, "{{ closing|thai }}", left_cm=CENTER_CM, before_pt=BODY_SPACE_BEFORE_PT, **together)
    tag_paragraph(doc, "{%p endif %}")

    blank_lines(doc, SIGNATURE_BLANK_LINES, **together)
    signature = dict(align="center", left_cm=SIGNATURE_LEFT_CM, **together)
    paragraph(doc, "({{ signer.name|thai }})", **signature)
    lines_paragraphs(doc, "signer.position", **signature)

    # Owning unit, phone/fax, e-mail: at the left, after the signature.
    blank_lines(doc, OWNER_BLANK_LINES, **together)
    lines_paragraphs(doc, "owner.unit", **together)
    paragraph(doc, "{{ owner.phone_line|thai }}", **together)
    tag_paragraph(doc, "{%p if owner.email_line %}")
    paragraph(doc, "{{ owner.email_line|thai }}")
    tag_paragraph(doc, "{%p endif %}")
    return doc


# --------------------------------------------------------------------------
# Registry and command line
# --------------------------------------------------------------------------
TEMPLATES: dict[str, Callable[[], DocumentObject]] = {
    "letter": build_letter,
}


def write_template(name: str, directory: Path = TEMPLATES_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.docx"
    TEMPLATES[name]().save(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"templates to write (default: all of {', '.join(TEMPLATES)})")
    parser.add_argument("--out", type=Path, default=TEMPLATES_DIR, help="output directory (default: templates/)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in TEMPLATES]
    if unknown:
        parser.error(f"unknown template(s): {', '.join(unknown)}")
    for name in args.names or TEMPLATES:
        print(write_template(name, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
