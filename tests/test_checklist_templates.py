"""templates/checklist.docx, center-list.docx and summary.docx.

The DOCX checks need no LibreOffice: every ruled table spans the typing width
with its header row repeated and no row splitting across pages (what every
template must keep, tags whole, Thai fonts, page setup, is in test_templates.py).

The PDF checks render each template with a real context (the campaign in
inputs/; hand-made contexts for the report and the summary, following
pipeline/documents/reports.py and summary.py), convert everything with one
LibreOffice call (own profile under tmp_path, the project's fontconfig so
the metric-compatible TH Sarabun New stands in) and read the PDFs with
PyMuPDF: boxes counted and read in document order, item numbers, header rows
repeated on every page that has rows, a 300-character center name wrapped in
its cell, and the generic PDF rules of pipeline.check (all but the page
numbers, which the converter fixes after LibreOffice).
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import fitz
import pytest
from campaigns import shipped
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import fonts  # noqa: E402
from pipeline.check import Expectation, check_pdf, names_of, normalise  # noqa: E402
from pipeline.check.cells import table_cells  # noqa: E402
from pipeline.documents import Chart, Document, enclosures, forms  # noqa: E402
from pipeline.documents.checklist import criteria_context  # noqa: E402
from pipeline.load import load_campaign  # noqa: E402
from pipeline.render import render  # noqa: E402
from pipeline.thai import thai_date, thai_digits, thai_number  # noqa: E402

TEMPLATES = ROOT / "templates"
NAMES = ("checklist", "center-list", "summary")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

CM = 72 / 2.54
A4_WIDTH = 21.0 * CM
LEFT, RIGHT = 3.0 * CM, A4_WIDTH - 2.0 * CM
EMPTY, TICKED, CROSSED = "☐", "☑", "☒"
BOXES = 13 * 2 + 52
TOLERANCE = 1.5  # pt

# Column bands (pt from the page's left edge) of the tables, from tools/make_templates.py.
PHYSICAL_BOX_X = LEFT + (1.3 + 12.1) * CM  # มี / ไม่มี start here
QUALITY_BOX_X = (LEFT + 4.5 * CM, LEFT + 6.3 * CM)
CENTER_COLUMN_X = (LEFT + 5.0 * CM, LEFT + 13.0 * CM)  # สถานที่ in the center list

# 300 characters, Thai without spaces: it must wrap inside its cell.
LONG_NAME = ("ศูนย์ดำรงธรรมอำเภอ" + "ทดสอบชื่อยาวมาก" * 20)[:300]


# --------------------------------------------------------------------------
# The DOCX templates (no LibreOffice)
# --------------------------------------------------------------------------
def _parts(docx: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(docx) as archive:
        return {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        }


def _xml(name: str, part: str = "word/document.xml"):
    return etree.fromstring(_parts(TEMPLATES / f"{name}.docx")[part])


@pytest.mark.parametrize("name", NAMES)
def test_ruled_tables_span_the_typing_width_repeat_headers_and_never_split_rows(name):
    body = _xml(name).find(f"{W}body")
    ruled = [t for t in body.iter(f"{W}tbl") if t.find(f"{W}tblPr/{W}tblBorders/{W}top").get(f"{W}val") == "single"]
    assert ruled
    for table in ruled:
        grid = [int(c.get(f"{W}w")) for c in table.find(f"{W}tblGrid")]
        assert abs(sum(grid) - 9071) <= 2, grid  # 16 cm in twips
        top = table.find(f"{W}tblPr/{W}tblBorders/{W}top")
        assert top.get(f"{W}sz") == "4"  # 0.5 pt
        rows = table.findall(f"{W}tr")
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert all(row.find(f"{W}trPr/{W}cantSplit") is not None for row in rows)


@pytest.mark.parametrize("name", NAMES)
def test_templates_hold_no_box_glyphs_and_thai_fonts_everywhere(name):
    xml = _parts(TEMPLATES / f"{name}.docx")
    text = xml["word/document.xml"].decode("utf-8")
    assert not set(text) & {EMPTY, TICKED, CROSSED}, "boxes come from the context only"
    styles = etree.fromstring(xml["word/styles.xml"])
    style = styles.find(f"{W}style[@{W}styleId='TableText']")
    fonts_ = style.find(f"{W}rPr/{W}rFonts")
    assert {fonts_.get(f"{W}{slot}") for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {"TH Sarabun New"}
    assert style.find(f"{W}rPr/{W}sz").get(f"{W}val") == style.find(f"{W}rPr/{W}szCs").get(f"{W}val") == "28"
    section = etree.fromstring(xml["word/document.xml"]).find(f"{W}body/{W}sectPr")
    margins = {k.replace(W, ""): int(v) for k, v in section.find(f"{W}pgMar").attrib.items()}
    assert (margins["left"], margins["right"], margins["top"], margins["bottom"]) == (1701, 1134, 1417, 1134)
    assert section.find(f"{W}titlePg") is not None  # page numbers from page 2


# --------------------------------------------------------------------------
# Contexts
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def campaign():
    return load_campaign(shipped())


def report_answers(criteria):
    """A fixed pattern of answers: some physical items missing, about three quarters of quality met."""
    physical = {item.id: index % 5 != 2 for index, item in enumerate(criteria.physical)}
    quality = {item.id: index % 4 != 1 for index, item in enumerate(criteria.quality)}
    notes = {criteria.physical[2].id: "ป้ายอยู่ระหว่างจัดทำ A & B <C>", criteria.quality[0].id: "สำรวจเมื่อ ๑ มีนาคม ๒๕๖๔"}
    return physical, quality, notes


def _count(met: int, total: int) -> dict:
    return {"met": met, "total": total, "percent": 100.0 * met / total if total else 0.0}


def report_context(criteria) -> dict:
    physical, quality, notes = report_answers(criteria)
    met = [item.id for item in criteria.physical if physical[item.id]]
    markers: dict[str, list[int]] = {}
    for item in criteria.quality:
        tally = markers.setdefault(item.marker, [0, 0])
        tally[0] += quality[item.id]
        tally[1] += 1
    summary = {
        "physical": {
            **_count(len(met), len(criteria.physical)),
            "basic_met": len(met) == len(criteria.physical),
            "missing": [thai_digits(i.id) for i in criteria.physical if not physical[i.id]],
        },
        "quality": _count(sum(quality.values()), len(criteria.quality)),
        "parts": [
            {"number": thai_digits(p.id), "title": p.title, **_count(sum(quality[i.id] for i in p.items), len(p.items))}
            for p in criteria.parts
        ],
        "markers": [{"marker": m, **_count(a, b)} for m, (a, b) in markers.items()],
        "score": {"points": 71.5, "max": 120.0, "percent": 100 * 71.5 / 120},
    }
    return {
        "mode": "report",
        "center": {"name": "ศูนย์ดำรงธรรมอำเภอพระสมุทรเจดีย์", "province": "สมุทรปราการ", "district": "พระสมุทรเจดีย์"},
        "assessor": {"name": "นางสาวสมใจ ใจดี", "position": "ปลัดอำเภอ", "date": datetime.date(2021, 2, 15)},
        "summary": summary,
        **criteria_context(criteria, boxes=True, physical=physical, quality=quality, notes=notes),
    }


def expected_ticks(criteria) -> list[bool]:
    """Every box of the report in document order: มี, ไม่มี per physical item, then the quality items."""
    physical, quality, _ = report_answers(criteria)
    ticks = [answer for item in criteria.physical for answer in (physical[item.id], not physical[item.id])]
    return ticks + [quality[item.id] for item in criteria.quality]


def summary_context(campaign, *, all_in: bool) -> dict:
    criteria = campaign.criteria
    answered = campaign.centers[:3] if not all_in else campaign.centers
    centers = []
    for n, center in enumerate(answered):
        q_met = 40 + n % 13
        centers.append(
            {
                "order": center.order,
                "province": center.province,
                "center": center.name,
                "center_lead": center.name.removesuffix(center.district),
                "district": center.district,
                "assessed_on": datetime.date(2021, 2, 15 + n % 10),
                "physical_met": 13 - n % 2,
                "physical_total": 13,
                "basic_met": n % 2 == 0,
                "quality_met": q_met,
                "quality_total": 52,
                "quality_percent": 100 * q_met / 52,
                "parts": [10, 10, 15, 2],
            }
        )
    items = []
    for criterion, source in ((1, criteria.physical), (2, criteria.quality)):
        for k, item in enumerate(source):
            met = (k * 7) % (len(answered) + 1)
            items.append(
                {
                    "id": item.id,
                    "number": thai_digits(item.id),
                    "criterion": criterion,
                    "text": (item.text or item.points[0])[:60],
                    "met": met,
                    "answered": len(answered),
                    "percent": 100 * met / len(answered),
                }
            )
    missing = (
        [] if all_in else [{"order": c.order, "province": c.province, "center": c.name} for c in campaign.centers[3:]]
    )
    return {
        "titles": {"physical": criteria.physical_title, "quality": criteria.quality_title},
        "circular": {"number": campaign.circular.number, "date": campaign.circular.date},
        "generated": datetime.date(2021, 3, 31),
        "centers": centers,
        "parts": [{"number": thai_digits(p.id), "title": p.title, "total": len(p.items)} for p in criteria.parts],
        "items": items,
        # drawn by render with the template's caption: 16 cm wide (the typing width), 6 cm tall
        "chart": Chart(
            tuple(i["number"] for i in items),
            tuple(float(i["percent"]) for i in items),
            160.0,
            60.0,
            groups=(("", len(criteria.physical)), ("", len(criteria.quality))),  # headed by the template
        ),
        "missing": missing,
        "totals": {
            "centers": len(campaign.centers),
            "answered": len(centers),
            "basic_met": sum(1 for c in centers if c["basic_met"]),
        },
    }


# --------------------------------------------------------------------------
# Rendering and conversion: one LibreOffice call for every PDF
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pdfs(campaign, tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    work = tmp_path_factory.mktemp("checklist")
    form = forms.documents(campaign)[0]
    criteria_doc, center_list = enclosures.documents(campaign)
    rows = list(center_list.context["rows"])
    long_rows = (
        rows[:2] + [{"order": "๓", "province": "ทดสอบ", "center": LONG_NAME, "note": "ชื่อยาว ๓๐๐ ตัวอักษร"}] + rows[2:]
    )
    documents = {
        "form": form,
        "criteria": criteria_doc,
        "centers": center_list,
        "centers-long": dataclasses.replace(center_list, context={**center_list.context, "rows": long_rows}),
        "report": Document("report", "report", "checklist.docx", report_context(campaign.criteria)),
        "summary": Document("summary", "summary", "summary.docx", summary_context(campaign, all_in=False)),
        "summary-all": Document("summary", "summary-all", "summary.docx", summary_context(campaign, all_in=True)),
    }
    docx = {}
    for name, document in documents.items():
        docx[name] = work / f"{name}.docx"
        render(document, TEMPLATES, docx[name])
    env = dict(os.environ, FONTCONFIG_FILE=str(fonts.prepare(ROOT / "build")))
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            *map(str, docx.values()),
        ],
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
    )
    result = {}
    for name in documents:
        result[name] = work / f"{name}.pdf"
        assert result[name].is_file() and result[name].stat().st_size > 0, f"LibreOffice wrote no {name}.pdf"
    result["_documents"] = documents
    return result


def boxes(pdf: Path) -> list[tuple[int, fitz.Rect, str]]:
    """Every box glyph in reading order: page, row (baseline), left to right."""
    found = []
    with fitz.open(pdf) as doc:
        for page in doc:
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", []):
                    for span in line["spans"]:
                        for char in span["chars"]:
                            if char["c"] in EMPTY + TICKED + CROSSED:
                                found.append((page.number, fitz.Rect(char["bbox"]), char["c"]))
    return sorted(found, key=lambda f: (f[0], round(f[1].y1 / 3), f[1].x0))


def text_of(pdf: Path) -> str:
    with fitz.open(pdf) as doc:
        return normalise("".join(page.get_text() for page in doc))


def page_count(pdf: Path) -> int:
    with fitz.open(pdf) as doc:
        return doc.page_count


def header_above(page: fitz.Page, label: str, y: float) -> bool:
    """``label`` (a column heading) printed on the page above height ``y``."""
    return any(r.y1 <= y + TOLERANCE for r in page.search_for(label))


# --------------------------------------------------------------------------
# The PDFs
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["form", "criteria", "centers", "centers-long", "report", "summary", "summary-all"])
def test_generic_pdf_rules_pass(pdfs, name, campaign):
    # The marker ☺ (in no Thai font) comes from DejaVu Sans like the boxes: check.SYMBOL_GLYPHS allows it.
    expect = dict(pdfs["_documents"][name].expect)
    names = names_of(campaign.centers)  # table_word_breaks: no district's name broken in a cell
    findings = check_pdf(Expectation(pdfs[name], name, texts=expect, page_numbers=False, names=names))
    failed = [f"{f.rule}: {f.detail}" for f in findings if not f.ok and f.rule != "page_numbers"]
    assert not failed, "\n".join(failed)


def pages_starting_mid_topic(pdf: Path) -> list[int]:
    """Pages whose quality table starts with an item row whose topic cell is empty (its topic
    began on the page before): the row under the column headings has no cell at the topic column."""
    found = []
    with fitz.open(pdf) as doc:
        for page in doc:
            cells = table_cells(page)
            heading = next((c.box for c in cells if c.text.strip() == "หัวข้อ"), None)
            below = [c.box for c in cells if heading is not None and c.box.y0 >= heading.y1 - 1]
            if not below:
                continue
            top = min(b.y0 for b in below)
            first_row = [b for b in below if abs(b.y0 - top) < 1]
            if not any(abs(b.x0 - heading.x0) < 2 for b in first_row):
                found.append(page.number + 1)
    return found


@pytest.mark.parametrize("name", ["form", "criteria", "report"])
def test_a_topic_never_continues_on_the_next_page_without_its_name(pdfs, name):
    """Every topic's rows stay on one page, so no page starts with an empty topic cell."""
    with fitz.open(pdfs[name]) as doc:
        assert sum("หัวข้อ" in page.get_text() for page in doc) >= 3  # the quality table spans pages
    assert pages_starting_mid_topic(pdfs[name]) == []


def test_form_has_the_center_and_78_empty_boxes(pdfs, campaign):
    text = text_of(pdfs["form"])
    center = campaign.centers[0]
    assert normalise(center.name) in text and normalise(f"จังหวัด{center.province}") in text
    assert normalise("แบบประเมินตนเอง (Self Checklist)") in text
    found = [glyph for _, _, glyph in boxes(pdfs["form"])]
    assert found.count(EMPTY) == BOXES and TICKED not in found and CROSSED not in found
    for item in campaign.criteria.quality:
        if "." in item.id:
            assert normalise(thai_digits(item.id)) in text, item.id
    with fitz.open(pdfs["form"]) as doc:  # the lines to fill: dotted, not blank
        assert "......" in doc[0].get_text()


def test_form_header_rows_repeat_on_every_page_with_rows(pdfs):
    physical_pages, quality_pages = {}, {}
    for page_no, rect, _ in boxes(pdfs["form"]):
        if rect.x0 >= PHYSICAL_BOX_X:
            physical_pages.setdefault(page_no, rect.y0)
        elif QUALITY_BOX_X[0] <= rect.x0 <= QUALITY_BOX_X[1]:
            quality_pages.setdefault(page_no, rect.y0)
        else:
            pytest.fail(f"a box outside the box columns on page {page_no + 1} at x={rect.x0:.0f}")
    assert len(physical_pages) >= 2 and len(quality_pages) >= 3  # the tables do cross pages
    with fitz.open(pdfs["form"]) as doc:
        for page_no, y in physical_pages.items():
            assert header_above(doc[page_no], "ข้อที่", y), f"page {page_no + 1}: no ข้อที่ header"
        for page_no, y in quality_pages.items():
            assert header_above(doc[page_no], "หัวข้อ", y), f"page {page_no + 1}: no หัวข้อ header"


def test_criteria_enclosure_is_the_source_layout(pdfs, campaign):
    text = text_of(pdfs["criteria"])
    criteria = campaign.criteria
    for heading in (
        criteria.title,
        criteria.physical_title,
        criteria.quality_title,
        criteria.results_title,
        criteria.results_heading,
        criteria.physical_condition,
    ):
        assert normalise(heading) in text
    found = [glyph for _, _, glyph in boxes(pdfs["criteria"])]
    assert found == [EMPTY] * len(criteria.quality)  # มี / ไม่มี left empty, as in the source
    assert normalise("บันทึกของคณะอนุกรรมการ") not in text  # the notes column is the form's
    assert normalise("ผู้ประเมิน") not in text


def test_report_boxes_read_back_in_document_order(pdfs, campaign):
    found = boxes(pdfs["report"])
    ticks = expected_ticks(campaign.criteria)
    assert len(found) == BOXES
    assert [glyph == TICKED for _, _, glyph in found] == ticks
    assert sum(glyph == TICKED for _, _, glyph in found) == sum(ticks)


def test_report_shows_assessor_notes_and_summary(pdfs, campaign):
    text = text_of(pdfs["report"])
    context = report_context(campaign.criteria)
    summary = context["summary"]
    physical, quality = summary["physical"], summary["quality"]
    for wanted in (
        "นางสาวสมใจ ใจดี",
        "ปลัดอำเภอ",
        thai_date(datetime.date(2021, 2, 15)),
        "หมายเหตุ: ป้ายอยู่ระหว่างจัดทำ A & B <C>",
        "หมายเหตุ: สำรวจเมื่อ ๑ มีนาคม ๒๕๖๔",
        "สรุปผลการประเมินตนเอง",
        f"มี {thai_digits(physical['met'])} จาก ๑๓ ข้อ (ร้อยละ {thai_number(physical['percent'], 2)})",
        "ยังไม่ครบ: ขาดข้อ " + ", ".join(physical["missing"]),
        f"ดำเนินการแล้ว {thai_digits(quality['met'])} จาก ๕๒ ข้อ (ร้อยละ {thai_number(quality['percent'], 2)})",
        "๗๑.๕๐ จาก ๑๒๐ คะแนน (ร้อยละ ๕๙.๕๘)",
        "ประเมินโดยคณะอนุกรรมการ",
        "ไม่ใช่ผลการรับรองมาตรฐาน",
    ):
        assert normalise(wanted) in text, wanted
    for part in summary["parts"]:
        assert normalise(f"{part['number']}. {part['title']}") in text
    for marker in summary["markers"]:  # (PyMuPDF reads ☺, set in another font, after the brackets)
        assert marker["marker"] in text
        assert (
            normalise(
                f"{thai_digits(marker['met'])} จาก {thai_digits(marker['total'])} ข้อ "
                f"(ร้อยละ {thai_number(marker['percent'], 2)})"
            )
            in text
        )
    assert text.count(normalise("เครื่องหมาย (")) == len(summary["markers"])
    with fitz.open(pdfs["report"]) as doc:  # the notes are italic
        spans = [
            s
            for page in doc
            for b in page.get_text("dict")["blocks"]
            for line in b.get("lines", [])
            for s in line["spans"]
            if "หมายเหตุ:" in s["text"] and "ป้าย" in s["text"]
        ]
        assert spans and all(s["flags"] & 2 or "Italic" in s["font"] for s in spans)


def test_center_list_has_every_center_and_repeats_its_header(pdfs, campaign):
    pdf = pdfs["centers"]
    text = text_of(pdf)
    assert len(campaign.centers) == 76
    for center in campaign.centers:
        assert normalise(center.name) in text, center.name
    assert normalise("ข้อมูล ณ ๒๐ มกราคม ๒๕๖๓") in text
    with fitz.open(pdf) as doc:
        assert doc.page_count >= 2
        for page in doc:
            rows = [r.y0 for center in campaign.centers for r in page.search_for(center.name)]
            assert rows, f"page {page.number + 1}: no center"
            assert header_above(page, "ลำดับ", min(rows)), f"page {page.number + 1}: no ลำดับ header"


def test_a_300_character_name_wraps_inside_its_cell(pdfs):
    assert len(LONG_NAME) == 300
    pdf = pdfs["centers-long"]
    assert normalise(LONG_NAME) in text_of(pdf)
    with fitz.open(pdf) as doc:
        page = doc[0]
        lines = [
            line
            for block in page.get_text("dict")["blocks"]
            for line in block.get("lines", [])
            if "ทดสอบชื่อยาว" in "".join(s["text"] for s in line["spans"])
        ]
    assert len(lines) >= 3, "the long name did not wrap"
    for line in lines:
        x0, _, x1, _ = line["bbox"]
        assert CENTER_COLUMN_X[0] - TOLERANCE <= x0 and x1 <= CENTER_COLUMN_X[1] + TOLERANCE, line["bbox"]
        assert x0 >= LEFT - TOLERANCE and x1 <= RIGHT + TOLERANCE


def test_summary_lists_centers_items_chart_and_missing(pdfs, campaign):
    text = text_of(pdfs["summary"])
    for wanted in (
        "สรุปผลการประเมินตนเองตามหลักเกณฑ์มาตรฐานการให้บริการของศูนย์ราชการสะดวก (GECC)",
        f"ตามหนังสือ ที่ {campaign.circular.number} ลงวันที่ {thai_date(campaign.circular.date)}",
        "ข้อมูล ณ ๓๑ มีนาคม ๒๕๖๔",
        "ศูนย์ที่ยังไม่ได้ส่งผลการประเมิน",
        campaign.criteria.physical_title,  # the per-item table's groups: the criteria's own titles
        campaign.criteria.quality_title,
        "๑๓/๑๓",
        "๔๐/๕๒(๗๖.๙๒)",
    ):
        assert normalise(wanted) in text, wanted
    for center in campaign.centers:  # three answered, the rest missing: every name once at least
        assert normalise(center.name) in text
    assert normalise("ส่งครบทุกศูนย์") not in text
    with fitz.open(pdfs["summary"]) as doc:
        images = [fitz.Rect(info["bbox"]) for page in doc for info in page.get_image_info()]
    assert len(images) == 1
    chart = images[0]  # the chart spans the typing width, from margin to margin
    assert abs(chart.x0 - LEFT) < TOLERANCE and abs(chart.x1 - RIGHT) < TOLERANCE, chart
    all_in = text_of(pdfs["summary-all"])
    assert normalise("ส่งครบทุกศูนย์") in all_in


def test_page_counts(pdfs):
    """The sizes reported to the lead: form 7, criteria enclosure 7, center list 3 pages (A4, 14 pt tables)."""
    counts = {name: page_count(pdfs[name]) for name in ("form", "criteria", "centers", "report")}
    assert 5 <= counts["form"] <= 9 and 5 <= counts["criteria"] <= 9, counts
    assert 2 <= counts["centers"] <= 4, counts
    assert counts["report"] >= counts["form"], counts


def test_each_criterion_has_one_heading_throughout_the_report(pdfs, campaign):
    """The section headings and the summary table's rows say the same words: criteria.yaml's titles."""
    text = text_of(pdfs["report"])
    criteria = campaign.criteria
    for title in (criteria.physical_title, criteria.quality_title, criteria.results_title):
        assert text.count(normalise(title)) >= 2, title  # its section, and its row of the summary table
    assert normalise("เกณฑ์ที่ ๒ ด้านคุณภาพ") not in text  # a second heading for the same part
