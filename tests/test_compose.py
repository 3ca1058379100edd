"""Lay each shared page out once (pipeline/convert/compose.py): every composed PDF must be what
LibreOffice makes of the document's DOCX, line for line; what cannot be composed is found from
the DOCX and the layout and converted whole.

One sample is converted both ways: blank forms with QR links (one with the longest center name of
the shipped list, one with a name long enough to push a row of page 1 onto page 2) and reports
with their own boxes and long notes (on pages of their own at the end), one of them for that
overlong name, which must fall back.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import fitz
import pytest
from lxml import etree

from pipeline import check, convert, fillable, fonts
from pipeline.convert import blocks, together
from pipeline.convert.compose import Shared, convert_composing
from pipeline.convert.pdfs import renumber
from pipeline.documents import forms, reports
from pipeline.load import load_campaign
from pipeline.registry import COMPOSED, RULES_BY_KIND, SHARED_FROM
from pipeline.render import render_all

TOLERANCE = 0.1  # pt
# Long enough to take two lines under the title: page 1 then holds one row fewer than the reference's.
OVERLONG = "ศูนย์ดำรงธรรมอำเภอ" + "เฉลิมพระเกียรติสมเด็จพระศรีนครินทราบรมราชชนนี" * 3
LONG_POSITION = "ปลัดอำเภอ" + " หัวหน้าฝ่ายบริหารงานปกครองและผู้ช่วยนายอำเภอผู้รับผิดชอบศูนย์ดำรงธรรม" * 4


def lines_of(pdf: Path) -> list[list[tuple[str, float, float]]]:
    """Every page's text lines: text, x where it starts, baseline."""
    pages = []
    with fitz.open(pdf) as doc:
        for page in doc:
            found = []
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    text = "".join(s["text"] for s in line["spans"]).strip()
                    if text:
                        x, y = line["spans"][0]["origin"]
                        found.append((text, x, y))
            pages.append(sorted(found, key=lambda t: (round(t[2]), t[1])))
    return pages


def differences(whole: Path, composed: Path) -> list[str]:
    a, b = lines_of(whole), lines_of(composed)
    if len(a) != len(b):
        return [f"{len(b)} pages, the whole conversion has {len(a)}"]
    found = []
    for number, (page_a, page_b) in enumerate(zip(a, b, strict=True), 1):
        if len(page_a) != len(page_b):
            found.append(f"page {number}: {len(page_b)} lines, the whole conversion has {len(page_a)}")
            continue
        for (ta, xa, ya), (tb, xb, yb) in zip(page_a, page_b, strict=True):
            if ta != tb or abs(xa - xb) > TOLERANCE or abs(ya - yb) > TOLERANCE:
                found.append(f"page {number}: “{tb}” at ({xb:.2f}, {yb:.2f}), whole: “{ta}” at ({xa:.2f}, {ya:.2f})")
    return found


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("compose")
    inputs = root / "inputs"
    shutil.copytree(Path(__file__).resolve().parents[1] / "inputs", inputs)
    full = load_campaign(inputs)
    longest = max(full.centers, key=lambda c: len(c.name))
    centers = [full.centers[0], full.centers[1], longest, replace(full.centers[2], name=OVERLONG)]
    links = {(c.province, c.name): f"https://gecc.example.go.th/c/{i:02d}-{'x' * 40}" for i, c in enumerate(centers)}
    campaign = replace(full, centers=tuple(centers), links=links)
    # Reports with long notes, on items spread over the pages; the last one for the overlong name.
    note = "หมายเหตุยาว: ศูนย์ได้ดำเนินการปรับปรุงตามข้อเสนอแนะของคณะอนุกรรมการแล้วบางส่วน " * 4
    answers = tuple(
        replace(a, notes={item: note for item in ("2", "1.1", "9.2", "20.1")} if i else {"5": note})
        for i, a in enumerate(full.answers[:4])
    )
    answers = (
        *answers[:2],
        replace(answers[2], province=longest.province, center=longest.name),
        # A position typed long enough to take lines of page 1: its rows move down, it must fall back.
        replace(answers[3], province=centers[3].province, center=OVERLONG, assessor_position=LONG_POSITION),
    )
    docs = forms.documents(campaign) + reports.documents(replace(campaign, answers=answers))
    built = root / "docx"
    assert not render_all(docs, _templates(), built)
    fontconfig = fonts.prepare(root / "build")
    profiles = root / "profiles"

    def converter(jobs, *, destinations=False, pdfa=False, numbers=True):
        how = convert.How(
            fontconfig=fontconfig, pdfa=pdfa, destinations=destinations, profile_root=profiles, numbers=numbers
        )
        return convert.convert(jobs, how)

    whole, composed = root / "whole", root / "composed"
    results = {}
    for kind, pdfa in ((forms.KIND, False), (reports.KIND, True)):
        mine = [d for d in docs if d.kind == kind]
        jobs = [(built / f"{d.name}.docx", whole / f"{d.name}.pdf") for d in mine]
        assert not converter(jobs, pdfa=pdfa).failed
        jobs = tuple((built / f"{d.name}.docx", composed / f"{d.name}.pdf") for d in mine)
        shared = Shared(jobs, SHARED_FROM[kind], COMPOSED[kind].swapped)
        results[kind] = convert_composing(
            [],
            [shared],
            lambda j, destinations=False, numbers=True, p=pdfa: converter(
                j, destinations=destinations, pdfa=p, numbers=numbers
            ),
            fonts.font_file(fontconfig),
        )
    return campaign, docs, built, whole, composed, results, converter


def _templates() -> Path:
    return Path(__file__).resolve().parents[1] / "templates"


def test_every_composed_and_fallen_back_pdf_is_the_whole_conversion_line_for_line(sample):
    _, docs, _, whole, composed, _, _ = sample
    for doc in docs:
        assert differences(whole / f"{doc.name}.pdf", composed / f"{doc.name}.pdf") == [], doc.name


def test_forms_share_pages_two_to_seven_and_the_overlong_name_falls_back_from_the_layout(sample):
    campaign, docs, _, _, composed, results, _ = sample
    result = results[forms.KIND]
    names = {c.name: composed / f"{forms.documents(campaign)[i].name}.pdf" for i, c in enumerate(campaign.centers)}
    assert SHARED_FROM[forms.KIND] == 2
    assert not result.failed
    # The reference (first) is converted whole; the others are composed, the longest real name too.
    overlong = names[OVERLONG]
    assert sorted(result.composed) == sorted(
        p for n, p in names.items() if n not in (OVERLONG, campaign.centers[0].name)
    )
    assert list(result.fell_back) == [overlong]
    assert "หน้า 2 ไม่ได้เริ่มเหมือนฉบับอ้างอิง" in result.fell_back[overlong]
    with fitz.open(overlong) as doc:  # its rows moved down a page: seven shared pages would have been wrong
        assert doc.page_count == 8


def test_reports_share_pages_with_their_own_boxes_summary_and_notes(sample):
    """The reports' shared pages come from the first one with each report's own boxes put in; their
    summary and notes (pages of their own) are laid out on their own and numbered for their place."""
    campaign, docs, _, whole, composed, results, _ = sample
    result = results[reports.KIND]
    mine = {d.context["center"]["name"]: composed / f"{d.name}.pdf" for d in docs if d.kind == reports.KIND}
    first, overlong = mine[campaign.centers[0].name], mine[OVERLONG]
    assert not result.failed
    assert sorted(result.composed) == sorted(set(mine.values()) - {first, overlong})
    assert list(result.fell_back) == [overlong]
    assert "หน้า 2 ไม่ได้เริ่มเหมือนฉบับอ้างอิง" in result.fell_back[overlong]

    def boxes(pdf: Path) -> str:
        with fitz.open(pdf) as doc:
            return "".join(c for page in doc for c in page.get_text() if c in reports.SWAPPED)

    reference = boxes(first)
    for pdf in result.composed:  # other boxes than the reference's, on its pages
        assert boxes(pdf) != reference and len(boxes(pdf)) == len(reference)
        with fitz.open(pdf) as doc, fitz.open(first) as reference_pdf:
            assert doc.page_count > reference_pdf.page_count  # long notes: a page more than the reference
            last = doc[-1].get_text()
            assert f"- {doc.page_count} -".translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")) in last
            assert "หมายเหตุยาว" in last
    exps = [
        check.Expectation(composed / f"{d.name}.pdf", d.kind, dict(d.expect), pdfa=d.pdfa, facts=d.facts)
        for d in docs
        if d.kind == reports.KIND
    ]
    assert [f for f in check.check_all(exps, RULES_BY_KIND) if not f.ok] == []


def test_composed_forms_keep_title_fonts_and_pass_every_check_and_take_their_fields(sample):
    campaign, docs, _, _, composed, results, _ = sample
    exps = [
        check.Expectation(composed / f"{d.name}.pdf", d.kind, dict(d.expect), pdfa=d.pdfa, facts=d.facts)
        for d in docs
        if d.kind == forms.KIND
    ]
    assert len(exps) == 4
    findings = check.check_all(exps, RULES_BY_KIND)
    assert [f for f in findings if not f.ok] == []
    for center, pdf in zip(campaign.centers, [e.pdf for e in exps], strict=True):
        with fitz.open(pdf) as doc:
            assert doc.metadata["title"] == f"แบบประเมินตนเอง {center.name} จังหวัด{center.province}"
            for number in (0, 3):  # its own page and a shared one
                assert all(font[1] != "n/a" for font in doc.get_page_fonts(number)), "a font is not embedded"
        target = pdf.with_name(pdf.stem + "-fillable.pdf")
        fillable.make_fillable(pdf, target, campaign.criteria, center)
        fillable_exp = check.Expectation(
            target,
            "fillable",
            page_numbers=False,
            rules=("a4_portrait", "pages"),
            facts={"fields": fillable.field_names(campaign.criteria)},
        )
        assert all(f.ok for f in check.check_all([fillable_exp], RULES_BY_KIND)), target


def test_the_shared_pages_of_composed_forms_are_read_once_and_checked_alike(sample, monkeypatch):
    """A page whose streams and fonts are those of a page read before is not read again (check/text.py):
    the checks find exactly what they find reading every page afresh."""
    from pipeline.check import text

    campaign, docs, _, _, composed, _, _ = sample
    exps = [
        check.Expectation(composed / f"{d.name}.pdf", d.kind, dict(d.expect), pdfa=d.pdfa, facts=d.facts)
        for d in docs
        if d.kind == forms.KIND
    ]
    read: list[int] = []  # pages MuPDF interpreted for their text
    real = fitz.Page.get_textpage
    monkeypatch.setattr(
        fitz.Page, "get_textpage", lambda page, *a, **k: read.append(page.number) or real(page, *a, **k)
    )

    def findings():
        return [(f.pdf, f.rule, f.ok, f.detail) for f in check.check_all(exps, RULES_BY_KIND, workers=1)]

    text._SAME.clear(), text._FRAMES.clear()
    shared = findings()
    read_shared = len(read)
    read.clear()
    monkeypatch.setattr(text, "SAME_PAGES", 0)  # nothing kept: every page read
    text._SAME.clear(), text._FRAMES.clear()
    assert findings() == shared
    pages = sum(fitz.open(e.pdf).page_count for e in exps)
    assert len(read) == pages
    assert pages - read_shared >= 7  # at least one composed form's shared pages were not read again


def test_the_shared_pages_of_composed_reports_are_read_once_each_with_its_own_boxes(sample, monkeypatch):
    """A page whose content is that of a page read before but for the codes of its boxes is read from
    that page with its own boxes set (check/text.py): every character, line and table cell is what
    reading the page afresh gives, and the checks find the same, ticks included."""
    from pipeline.check import text
    from pipeline.check.cells import table_cells

    _, docs, _, _, composed, results, _ = sample
    exps = [
        check.Expectation(composed / f"{d.name}.pdf", d.kind, dict(d.expect), pdfa=d.pdfa, facts=d.facts)
        for d in docs
        if d.kind == reports.KIND
    ]
    read: list[int] = []
    real = fitz.Page.get_textpage
    monkeypatch.setattr(
        fitz.Page, "get_textpage", lambda page, *a, **k: read.append(page.number) or real(page, *a, **k)
    )

    def reading(pdf: Path) -> list[tuple]:
        with fitz.open(pdf) as doc, text.reading(doc):
            return [
                (
                    [
                        (c["c"], c["origin"], c["bbox"])
                        for b in text.page_rawdict(p)["blocks"]
                        for line in b.get("lines", ())
                        for s in line["spans"]
                        for c in s["chars"]
                    ],
                    text.page_text(p),
                    text.spans(p),
                    [(c.box, [(line.chars, line.boxes) for line in c.lines]) for c in table_cells(p)],
                )
                for p in doc
            ]

    def findings():
        return [(f.pdf, f.rule, f.ok, f.detail) for f in check.check_all(exps, RULES_BY_KIND, workers=1)]

    text._SAME.clear(), text._FRAMES.clear()
    shared = [reading(e.pdf) for e in exps]
    read_shared = len(read)
    shared_findings = findings()
    monkeypatch.setattr(text, "SAME_PAGES", 0)  # nothing kept: every page read
    text._SAME.clear(), text._FRAMES.clear()
    read.clear()
    assert [reading(e.pdf) for e in exps] == shared
    assert findings() == shared_findings
    pages = sum(fitz.open(e.pdf).page_count for e in exps)
    assert len(read) == 2 * pages
    # The composed reports' shared pages (2 to 7) were read once, for the first: the others' are that
    # reading with their own boxes. (The reference, converted whole, names its resources its own way.)
    assert pages - read_shared >= 6 * (len(results[reports.KIND].composed) - 1)


def test_a_page_that_differs_only_in_its_boxes_takes_a_verdict_that_found_nothing(sample):
    """text.page_verdict: a rule judges each page content once; a composed report's shared page (the
    first's content with its own boxes) takes the first's verdict when it found nothing, and is judged
    again when it found something, so a problem always quotes its own page."""
    from pipeline.check import text

    _, docs, _, _, composed, results, _ = sample
    pdfs = [composed / f"{d.name}.pdf" for d in docs if d.kind == reports.KIND]
    judged: dict[str, list[tuple[str, int]]] = {"clean": [], "found": []}

    def judge(verdict: str):
        def judging(page: fitz.Page) -> list[str]:
            judged[verdict].append((page.parent.name, page.number))
            return [] if verdict == "clean" else [f"page {page.number + 1}: {text.page_text(page)[:20]}"]

        return judging

    text._SAME.clear(), text._FRAMES.clear()
    found = {}
    for pdf in pdfs:
        with fitz.open(pdf) as doc, text.reading(doc):
            for page in doc:
                assert text.page_verdict(page, "clean", judge("clean")) == []
                found[(pdf, page.number)] = text.page_verdict(page, "found", judge("found"))
    # Each shared page after the first report's: the clean verdict taken, the other judged again. (A page
    # of exactly the same content, boxes too, is the same page: it takes either.)
    assert len(judged["found"]) - len(judged["clean"]) >= 6 * (len(results[reports.KIND].composed) - 1)
    for (pdf, number), problems in found.items():
        with fitz.open(pdf) as doc:
            assert problems == [f"page {number + 1}: {doc[number].get_text()[:20]}"]


def test_the_fillable_forms_read_the_shared_pages_boxes_once(sample, monkeypatch):
    """The fillable form's boxes of a page made of what a page read before was made of are that page's
    (boxes.box_glyphs ``known``): the same boxes as reading every page, the shared pages read once."""
    from collections import OrderedDict

    from pipeline.boxes import box_glyphs

    campaign, docs, _, _, composed, results, _ = sample
    pdfs = [composed / f"{d.name}.pdf" for d in docs if d.kind == forms.KIND]
    read: list[int] = []
    real = fitz.Page.get_text
    monkeypatch.setattr(fitz.Page, "get_text", lambda page, *a, **k: read.append(page.number) or real(page, *a, **k))

    def boxes(known):
        found = []
        for pdf in pdfs:
            with fitz.open(pdf) as doc:
                found.append(box_glyphs(doc, known=known))
        return found

    every = boxes(None)
    pages = len(read)
    assert pages == sum(fitz.open(pdf).page_count for pdf in pdfs)
    read.clear()
    assert boxes(OrderedDict()) == every
    # The composed forms' pages from 2 on were read once, for the first (the reference, converted whole,
    # names its resources its own way).
    with fitz.open(results[forms.KIND].composed[0]) as doc:
        shared = doc.page_count - (SHARED_FROM[forms.KIND] - 1)
    assert len(read) == pages - shared * (len(results[forms.KIND].composed) - 1)


def test_a_bookmark_at_every_block_takes_no_room(sample, tmp_path):
    _, docs, built, whole, _, _, converter = sample
    doc = docs[0]
    annotated = tmp_path / "blocks.docx"
    blocks.annotate(built / f"{doc.name}.docx", annotated)
    assert not converter([(annotated, tmp_path / "blocks.pdf")], destinations=True).failed
    assert differences(whole / f"{doc.name}.pdf", tmp_path / "blocks.pdf") == []
    with fitz.open(tmp_path / "blocks.pdf") as pdf:
        names = pdf.resolve_names()
    assert len([n for n in names if n.startswith(blocks.MARK)]) == len(blocks.read(built / f"{doc.name}.docx").blocks)


def test_reports_stay_pdfa_when_composed(sample, tmp_path):
    """Two reports with the same answers share their pages; the composed one keeps its PDF/A-2b claim."""
    _, docs, built, _, _, _, converter = sample
    report = next(d for d in docs if d.kind == reports.KIND)
    twin = tmp_path / "twin.docx"
    shutil.copyfile(built / f"{report.name}.docx", twin)
    jobs = ((built / f"{report.name}.docx", tmp_path / "a.pdf"), (twin, tmp_path / "b.pdf"))
    result = convert_composing([], [Shared(jobs, 2)], lambda j, **how: converter(j, **how, pdfa=True))
    assert result.composed == [tmp_path / "b.pdf"], result.log
    assert differences(tmp_path / "a.pdf", tmp_path / "b.pdf") == []
    with fitz.open(tmp_path / "b.pdf") as pdf:
        assert "pdfaid:part" in pdf.get_xml_metadata()


def test_a_shared_block_whose_picture_differs_is_not_shared(tmp_path):
    """blocks.shared_until compares what a shared block's relationships point at, not only its XML: two
    documents whose same paragraph shows a different picture share nothing from it on."""
    import docx
    from PIL import Image

    def document(name: str, colour: str) -> blocks.Docx:
        (tmp_path / name).mkdir()
        picture = tmp_path / name / "picture.png"  # one name: a picture's XML names its file
        Image.new("RGB", (8, 8), colour).save(picture)
        made = docx.Document()
        for text in ("หัวเรื่อง", "ย่อหน้าที่ใช้ร่วมกัน"):
            made.add_paragraph(text)
        made.add_picture(str(picture))  # a paragraph of its own, its drawing naming word/media/image1.png
        made.add_paragraph("ท้าย")
        made.save(tmp_path / f"{name}.docx")
        return blocks.read(tmp_path / f"{name}.docx")

    reference = document("reference", "white")
    assert blocks.shared_until(reference, document("same", "white"), 1) == (len(reference.blocks), None)
    assert blocks.shared_until(reference, document("other", "black"), 1) == (
        -1,
        "รูปหรือลิงก์ในหน้าที่ใช้ร่วมกันต่างกัน",
    )


def test_a_bundle_lays_each_member_out_as_on_its_own_and_gives_it_its_own_title(sample, tmp_path, monkeypatch):
    """Whole forms and reports (the overlong name among them) laid out as one bundle, then taken apart:
    each member is its own whole conversion line for line and pixel for pixel (its page numbers written
    for their place, as composing does), with its own QR code, title and subject; the reports keep
    their PDF/A claim and output intent."""
    _, docs, built, whole, _, _, converter = sample
    page_font = fonts.font_file(fonts.prepare(tmp_path / "build"))
    monkeypatch.setattr(together, "cores", lambda: 1)  # one bundle of all four
    for kind, pdfa in ((forms.KIND, False), (reports.KIND, True)):
        mine = [d for d in docs if d.kind == kind]
        bundles, alone = together.bundles([built / f"{d.name}.docx" for d in mine], tmp_path / kind)
        assert alone == [] and len(bundles) == 1 and len(bundles[0].members) == 4
        bundle = bundles[0]
        assert not converter([bundle.job], destinations=True, pdfa=pdfa, numbers=False).failed
        where = together.pages(bundle)
        assert where is not None
        for index, doc in enumerate(mine):
            pdf = tmp_path / f"{doc.name}.pdf"
            pdf.parent.mkdir(parents=True, exist_ok=True)
            with together.member(bundle, index, where[index]) as member:
                assert renumber(member, range(member.page_count), page_font) is None  # as composing does
                member.save(pdf, garbage=3, deflate=True)
            assert differences(whole / f"{doc.name}.pdf", pdf) == [], doc.name
            with fitz.open(pdf) as taken, fitz.open(whole / f"{doc.name}.pdf") as own:
                for key in ("title", "subject", "author", "keywords", "creator", "producer"):
                    assert taken.metadata[key] == own.metadata[key], key
                assert pdfa == ("pdfaid:part" in taken.get_xml_metadata())
                assert _xmp_text(taken) == _xmp_text(own)
                assert (taken.xref_get_key(taken.pdf_catalog(), "OutputIntents")[0] != "null") == pdfa
                # Pictures too (each center's QR code: its own, under an id of its own in the bundle).
                for page, its in zip(taken, own, strict=True):
                    assert page.get_pixmap(dpi=30).samples == its.get_pixmap(dpi=30).samples, (doc.name, page.number)
        findings = check.check_all(
            [
                check.Expectation(tmp_path / f"{d.name}.pdf", d.kind, dict(d.expect), pdfa=d.pdfa, facts=d.facts)
                for d in mine
            ],
            RULES_BY_KIND,
        )
        assert [f for f in findings if not f.ok] == []


def _xmp_text(doc: fitz.Document) -> list[str]:
    """The XMP's title and description, as a reader finds them."""
    xmp = doc.get_xml_metadata()
    return [line.strip() for line in xmp.splitlines() if "<rdf:li" in line]


def test_what_numbers_or_counts_across_a_bundle_is_laid_out_on_its_own(sample, tmp_path, monkeypatch):
    """A member with a numbered paragraph (its list would go on counting from the member before) is
    left out of the bundle; the others are bundled."""
    _, docs, built, _, _, _, _ = sample
    monkeypatch.setattr(together, "cores", lambda: 1)  # one bundle
    mine = [built / f"{d.name}.docx" for d in docs if d.kind == forms.KIND]
    numbered = tmp_path / "numbered.docx"
    doc = blocks.read(mine[1])
    paragraph = next(b for b in doc.blocks if b.tag == f"{{{blocks.W}}}p")
    properties = paragraph.find(f"{{{blocks.W}}}pPr")
    if properties is None:
        properties = etree.SubElement(paragraph, f"{{{blocks.W}}}pPr")
        paragraph.insert(0, properties)
    style = etree.SubElement(properties, f"{{{blocks.W}}}pStyle")
    properties.insert(0, style)
    style.set(f"{{{blocks.W}}}val", "ListNumber")
    doc.save(numbered)
    bundles, alone = together.bundles([mine[0], numbered, mine[2], mine[3]], tmp_path / "bundle")
    assert alone == [numbered]
    assert sorted(m for b in bundles for m in b.members) == sorted([mine[0], mine[2], mine[3]])


def test_a_bundle_whose_layout_does_not_tell_where_members_start_is_converted_member_by_member(
    sample, tmp_path, monkeypatch
):
    """When a bundle's bookmarks do not say where each member starts, its members' parts are converted
    one by one and composed as before: nothing falls back to a whole conversion for it."""
    _, docs, built, whole, _, _, converter = sample
    monkeypatch.setattr(together, "cores", lambda: 1)  # one bundle of the three members
    monkeypatch.setattr(together, "pages", lambda bundle: None)
    mine = [d for d in docs if d.kind == forms.KIND][:3]
    jobs = tuple((built / f"{d.name}.docx", tmp_path / f"{Path(d.name).name}.pdf") for d in mine)
    result = convert_composing([], [Shared(jobs, SHARED_FROM[forms.KIND])], converter)
    assert sorted(result.composed) == sorted(pdf for _, pdf in jobs[1:]), result.log
    assert any("ไม่บอกว่าแต่ละฉบับเริ่มที่หน้าใด จึงแปลงทีละฉบับ" in line for line in result.log)
    for doc, (_, pdf) in zip(mine, jobs, strict=True):
        assert differences(whole / f"{doc.name}.pdf", pdf) == [], doc.name
