"""The verification stage: each rule passes a good PDF and catches one that breaks it.

The PDFs are made for real: python-docx documents converted by LibreOffice
(once per session, one soffice call for all variants plus one for PDF/A), and
a few PyMuPDF edits of the good PDF. The good PDF needs TH Sarabun New: the
reference copy in /work/shared/fonts is made visible through a fontconfig file
used only for the conversion.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fitz
import pytest
from campaigns import shipped
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from pipeline.check import (
    RULES,
    Expectation,
    Finding,
    check_all,
    check_pdf,
    normalise,
    summary_table,
    write_json,
)

SHARED_FONTS = Path(__file__).resolve().parents[2] / "shared" / "fonts"
PROJECT_FONTCONFIG = Path(__file__).resolve().parents[1] / "build" / "fonts" / "fonts.conf"
PDFA_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'

NUMBER = "ที่ มท ๐๓๐๗.๒/ว ๒๘๘๖๕"
BODY = (
    "ตามที่กรมการปกครองได้ดำเนินโครงการ (10 Flagships to DOPA New Normal 2021) "
    "เพื่อยกระดับการให้บริการประชาชนให้มีมาตรฐานเดียวกันทั่วประเทศ โดยมีศูนย์ดำรงธรรมอำเภอต้นแบบ ๗๖ แห่ง"
)
CHECKBOXES = "☐ มี ☐ ไม่มี"
WRAPPED = "เพื่อยกระดับการให้บริการประชาชน"  # wraps across the first and second body line
TEXTS = {"เลขที่หนังสือ": "มท ๐๓๐๗.๒/ว ๒๘๘๖๕", "ข้อความ": WRAPPED}

# name -> (page size in cm, Thai (cs) font, extra paragraphs as (text, left indent in cm))
VARIANTS: dict[str, tuple[tuple[float, float], str, list[tuple[str, float]]]] = {
    "good": ((21.0, 29.7), "TH Sarabun New", []),
    "letter": ((21.59, 27.94), "TH Sarabun New", []),
    "loma": ((21.0, 29.7), "Loma", []),
    "digits": ((21.0, 29.7), "TH Sarabun New", [("ให้รายงานผลภายใน 24 ชั่วโมง", 0.0)]),
    "margin": ((21.0, 29.7), "TH Sarabun New", [("ข้อความนี้ชิดขอบกระดาษ", -2.0)]),  # starts at 1 cm
    "pua": ((21.0, 29.7), "TH Sarabun New", [("ข้อความ\uf70aผิดรหัส", 0.0)]),
    "fffd": ((21.0, 29.7), "TH Sarabun New", [("ข้อความ\ufffdเสียหาย", 0.0)]),
}


def _make_docx(path: Path, page_cm: tuple[float, float], cs_font: str, extra: list[tuple[str, float]]) -> None:
    """A Thai letter body: TH Sarabun New 16 pt for Latin and complex script (see PRODUCT.md)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(page_cm[0]), Cm(page_cm[1])
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "TH Sarabun New", Pt(16)
    rpr = normal.element.get_or_add_rPr()
    rpr.find(qn("w:rFonts")).set(qn("w:cs"), cs_font)
    size_cs = OxmlElement("w:szCs")
    size_cs.set(qn("w:val"), "32")
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:bidi"), "th-TH")
    rpr.append(size_cs)
    rpr.append(lang)
    for text in (NUMBER, BODY, CHECKBOXES):
        document.add_paragraph(text)
    for text, indent in extra:
        document.add_paragraph(text).paragraph_format.left_indent = Cm(indent)
    document.save(path)


def _fontconfig(directory: Path) -> Path:
    if any(SHARED_FONTS.glob("THSarabunNew*.ttf")):
        conf = directory / "fonts.conf"
        conf.write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
            f"  <dir>{SHARED_FONTS}</dir>\n</fontconfig>\n",
            encoding="utf-8",
        )
        return conf
    if PROJECT_FONTCONFIG.is_file():
        return PROJECT_FONTCONFIG
    pytest.skip(f"TH Sarabun New unavailable: neither {SHARED_FONTS} nor {PROJECT_FONTCONFIG} exists")


def _soffice(docs: list[Path], outdir: Path, target: str, profile: Path, fontconfig: Path) -> None:
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, docs),
        ],
        env={**os.environ, "FONTCONFIG_FILE": str(fontconfig)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    missing = [d.name for d in docs if not (outdir / f"{d.stem}.pdf").is_file()]
    assert not missing, f"soffice (exit {result.returncode}) wrote no PDF for {missing}: {result.stderr}"


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """All PDFs by variant name, plus "pdfa" (the good document as PDF/A-2b)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    root = tmp_path_factory.mktemp("check")
    fontconfig = _fontconfig(root)
    # A profile of our own (parallel soffice instances must not share one); reusable via the env.
    profile = Path(os.environ.get("CHECK_TEST_SOFFICE_PROFILE") or root / "profile")
    docs = []
    for name, (page, cs_font, extra) in VARIANTS.items():
        docs.append(root / f"{name}.docx")
        _make_docx(docs[-1], page, cs_font, extra)
    _soffice(docs, root, "pdf", profile, fontconfig)
    (root / "pdfa").mkdir()
    _soffice([root / "good.docx"], root / "pdfa", PDFA_FILTER, profile, fontconfig)
    return {name: root / f"{name}.pdf" for name in VARIANTS} | {"pdfa": root / "pdfa" / "good.pdf"}


def _edited(source: Path, target: Path, edit) -> Path:
    with fitz.open(source) as doc:
        edit(doc[0])
        doc.save(target)
    return target


def _failures(exp: Expectation) -> dict[str, str]:
    return {f.rule: f.detail for f in check_pdf(exp) if not f.ok}


def _exp(pdf: Path, **kw) -> Expectation:
    return Expectation(pdf=pdf, kind="letter", **({"texts": TEXTS} | kw))


# --- the good PDFs ------------------------------------------------------------------


def test_good_pdf_passes_every_rule(pdfs):
    findings = check_pdf(_exp(pdfs["good"]))
    assert [f.rule for f in findings] == list(RULES)
    assert {f.rule: f.detail for f in findings if not f.ok} == {}
    assert all(f.detail == "" and f.kind == "letter" for f in findings)


def test_good_pdf_is_set_in_th_sarabun_new_with_dejavu_checkboxes(pdfs):
    with fitz.open(pdfs["good"]) as doc:
        fonts = {f[3].split("+")[-1] for f in doc[0].get_fonts(full=True)}
    # the real font where ../shared/fonts is beside the project, the substitute elsewhere
    assert fonts in ({"THSarabunNew", "DejaVuSans"}, {"THSarabunSubstitute-Regular", "DejaVuSans"})


def test_pdfa_pdf_passes_every_rule_with_pdfa_required(pdfs):
    assert _failures(_exp(pdfs["pdfa"], pdfa=True)) == {}


# --- one breaker per rule -----------------------------------------------------------


def test_a4_portrait_catches_letter_paper(pdfs):
    failures = _failures(_exp(pdfs["letter"]))
    assert set(failures) == {"a4_portrait"}
    assert failures["a4_portrait"] == "page 1: 612.0 × 792.0 pt (US Letter); expected A4 portrait 595 × 842 pt"


def test_fonts_embedded_catches_base14_helvetica(pdfs, tmp_path):
    pdf = _edited(pdfs["good"], tmp_path / "helv.pdf", lambda p: p.insert_text((100, 400), "DOPA", fontname="helv"))
    failures = _failures(_exp(pdf))
    # A Latin span in Helvetica is also a font failure, by design.
    assert set(failures) == {"fonts_embedded", "thai_font"}
    assert failures["fonts_embedded"] == "page 1: font Helvetica (Type1, a standard-14 font) is not embedded"


def test_thai_font_catches_thai_in_loma(pdfs):
    failures = _failures(_exp(pdfs["loma"]))
    assert set(failures) == {"thai_font"}
    detail = failures["thai_font"]
    assert detail.startswith("page 1: Thai text in font Loma, not TH Sarabun New (")
    assert "“ที่ มท" in detail and "at x=85, baseline y=" in detail


def test_clean_text_catches_private_use_characters(pdfs):
    failures = _failures(_exp(pdfs["pua"]))
    assert set(failures) == {"clean_text"}
    assert re.fullmatch(
        r"page 1, line at baseline y=\d+ pt: U\+F70A private-use character in “ข้อความ⟨U\+F70A⟩ผิดรหัส”",
        failures["clean_text"],
    )


def test_clean_text_catches_replacement_character(pdfs):
    failures = _failures(_exp(pdfs["fffd"]))
    # LibreOffice takes U+FFFD from DejaVu Sans (TH Sarabun New has no such glyph), hence thai_font too.
    assert set(failures) == {"clean_text", "thai_font"}
    assert failures["clean_text"].endswith(
        "U+FFFD replacement character (glyph without Unicode) in “ข้อความ⟨U+FFFD⟩เสียหาย”"
    )
    assert failures["thai_font"].startswith(
        "page 1: text in font DejaVuSans, not TH Sarabun New (1 span), e.g. “⟨U+FFFD⟩”"
    )


def test_thai_digits_catches_arabic_digits_in_thai_text(pdfs):
    failures = _failures(_exp(pdfs["digits"]))
    assert set(failures) == {"thai_digits"}
    assert failures["thai_digits"].startswith("page 1, line at baseline y=")
    assert failures["thai_digits"].endswith("Arabic digits 24 in Thai text “ให้รายงานผลภายใน 24 ชั่วโมง”")


def test_margins_catches_text_at_one_cm(pdfs):
    failures = _failures(_exp(pdfs["margin"]))
    assert set(failures) == {"margins"}
    assert failures["margins"].startswith("page 1: “ข้อความนี้ชิดขอบกระดาษ” at x=28, baseline y=")
    assert re.search(r": left 1\.9\d cm into the 3 cm margin \(1\.0\d cm from the edge\)$", failures["margins"])


def test_expected_text_matches_across_line_breaks(pdfs):
    with fitz.open(pdfs["good"]) as doc:
        text = doc[0].get_text()
    assert WRAPPED not in text and normalise(WRAPPED) in normalise(text), "precondition: the phrase wraps"
    assert "expected_text" not in _failures(_exp(pdfs["good"]))


def test_expected_text_catches_missing_text(pdfs):
    failures = _failures(_exp(pdfs["good"], texts=TEXTS | {"เลขที่หนังสือ": "มท ๐๓๐๗.๒/ว ๒๘๘๖๖"}))
    assert set(failures) == {"expected_text"}
    assert failures["expected_text"] == (
        "เลขที่หนังสือ: “มท ๐๓๐๗.๒/ว ๒๘๘๖๖” not found (page 1 has “มท๐๓๐๗.๒/ว๒๘๘๖” "
        "followed by “๕ตามที่กรม” instead of “๖”; spaces ignored)"
    )


def test_pdfa_catches_missing_claim(pdfs):
    failures = _failures(_exp(pdfs["good"], pdfa=True))
    assert set(failures) == {"pdfa"}
    assert failures["pdfa"].startswith("no XMP metadata, so no PDF/A claim; expected PDF/A-2b")


def test_pages_catches_too_few_pages(pdfs):
    assert _failures(_exp(pdfs["good"], min_pages=1)) == {}
    assert _failures(_exp(pdfs["good"], min_pages=2)) == {"pages": "1 page; expected at least 2"}


# --- the rest of the API --------------------------------------------------------------


def test_normalise_ignores_whitespace_and_zero_width_characters():
    assert normalise("มท ๐๓๐๗.๒/ว\n๒๘๘\u200b๖๕") == normalise("มท๐๓๐๗.๒/ว ๒๘๘๖๕") == "มท๐๓๐๗.๒/ว๒๘๘๖๕"
    assert normalise("ดํา") == "ดำ"  # nikhahit + sara aa, as some PDFs extract sara am


def test_missing_and_unopenable_files_are_one_failing_finding(tmp_path):
    missing = check_pdf(Expectation(tmp_path / "none.pdf", "form"))
    assert missing == [
        Finding(tmp_path / "none.pdf", "open", False, f"file not found: {tmp_path / 'none.pdf'}", "form")
    ]
    (tmp_path / "broken.pdf").write_text("not a pdf")
    [broken] = check_pdf(Expectation(tmp_path / "broken.pdf", "form"))
    assert (broken.rule, broken.ok) == ("open", False) and broken.detail.startswith("cannot open as PDF")


def test_details_list_ten_problems_and_count_the_rest(pdfs):
    many = {"many": lambda doc, exp: [f"problem {n}" for n in range(13)]}
    [finding] = [f for f in check_pdf(_exp(pdfs["good"]), many) if f.rule == "many"]
    assert finding.detail.splitlines() == [f"problem {n}" for n in range(10)] + ["… and 3 more"]


def test_check_all_applies_extra_rules_by_kind_and_reports_progress(pdfs, tmp_path):
    exps = [_exp(pdfs["good"]), Expectation(pdfs["good"], "form"), Expectation(tmp_path / "none.pdf", "form")]
    crash = {"form": {"crash": lambda doc, exp: 1 / 0}}
    seen = []
    findings = check_all(exps, crash, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert [f.rule for f in findings] == list(RULES) + list(RULES) + ["crash", "open"]
    assert findings[-2] == Finding(
        pdfs["good"], "crash", False, "rule crashed: ZeroDivisionError: division by zero", "form"
    )


def test_check_pdf_in_several_threads_at_once_gives_each_its_own_findings(pdfs):
    """A threaded server checks several PDFs at once: each thread's text cache is its own."""
    names = ["good", "loma", "digits", "margin", "pua", "letter"] * 3
    alone = {name: check_pdf(_exp(pdfs[name])) for name in set(names)}
    start = threading.Barrier(len(names))

    def check(name: str) -> list[Finding]:
        start.wait()
        return check_pdf(_exp(pdfs[name]))

    with ThreadPoolExecutor(len(names)) as pool:
        together = list(pool.map(check, names))
    assert {name: findings for name, findings in zip(names, together, strict=True) if findings != alone[name]} == {}


def test_summary_table_and_json_have_the_expected_shape(pdfs, tmp_path):
    exps = [_exp(pdfs["good"]), _exp(pdfs["digits"]), Expectation(tmp_path / "none.pdf", "form")]
    findings = check_all(exps)
    table = summary_table(findings).splitlines()
    [digits] = [f.detail for f in findings if f.rule == "thai_digits" and not f.ok]
    assert table[0].split() == ["a4_portrait", *list(RULES)[1:], "open", "kind", "pdf"]
    assert table[1].split() == ["PASS", *["ok"] * len(RULES), "-", "letter", str(pdfs["good"])]
    assert table[2].split()[0] == "FAIL" and table[2].split()[1 + list(RULES).index("thai_digits")] == "FAIL"
    assert table[3].split() == ["FAIL", *["-"] * len(RULES), "FAIL", "form", str(tmp_path / "none.pdf")]
    assert table[5:8] == ["Problems:", str(pdfs["digits"]), f"  thai_digits: {digits.splitlines()[0]}"]
    assert table[-1] == f"Total: 3 PDFs, 1 passed, 2 failed; 2 of {2 * len(RULES) + 1} checks failed"

    out = tmp_path / "outputs" / "check.json"
    write_json(findings, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["totals"] == {
        "pdfs": 3,
        "pdfs_passed": 1,
        "pdfs_failed": 2,
        "checks": 2 * len(RULES) + 1,
        "checks_failed": 2,
    }
    assert data["findings"][0] == {
        "pdf": str(pdfs["good"]),
        "kind": "letter",
        "rule": "a4_portrait",
        "ok": True,
        "detail": "",
    }
    assert data["findings"][-1]["rule"] == "open" and data["findings"][-1]["ok"] is False
    assert [p.name for p in out.parent.iterdir()] == ["check.json"]  # no temporary file left behind


def test_page_numbers_must_be_thai_digits_from_page_two(tmp_path):
    """LibreOffice prints Word's ThaiArabic page numbers as letters ("- ข -"): that must fail."""
    import fitz

    from pipeline import fonts

    conf = fonts.prepare(Path(__file__).resolve().parents[1] / "build")
    thai_font = str(next(conf.parent.glob("*Regular*.ttf"), None) or pytest.skip("no Thai font built"))

    def pdf(numbers: list[str | None]) -> Path:
        doc = fitz.open()
        for number in numbers:
            page = doc.new_page(width=595.28, height=841.89)
            if number:
                page.insert_text((280, 45), number, fontsize=16, fontname="th", fontfile=thai_font)
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}.pdf"
        doc.save(path)
        return path

    from pipeline.check import page_numbers

    def problems(path: Path) -> list[str]:
        with fitz.open(path) as doc:
            return page_numbers(doc, Expectation(path, "letter"))

    assert problems(pdf([None, "- ๒ -", "- ๓ -"])) == []
    assert problems(pdf([None, "- ข -"])) == ["page 2: no page number “-๒-” at the top (found -ข-)"]
    assert problems(pdf([None, None])) == ["page 2: no page number “-๒-” at the top"]
    assert problems(pdf(["- ๑ -"])) == ["page 1: page number -๑- printed; the first page has none"]


def test_source_coverage_lists_what_the_package_lacks(tmp_path):
    """The collective package is compared with the source, markup removed, cell by cell."""
    import fitz

    from pipeline import fonts
    from pipeline.check.kinds import source_coverage

    conf = fonts.prepare(Path(__file__).resolve().parents[1] / "build")
    thai_font = str(next(conf.parent.glob("*Regular*.ttf"), None) or pytest.skip("no Thai font built"))
    source = tmp_path / "source.txt"
    source.write_text("# ด่วนที่สุด\nข้อที่\tการดำเนินการ\n<b>๖.พ.ร. กำหนด</b>\nบรรทัดที่หายไป\n", encoding="utf-8")
    doc = fitz.open()
    page = doc.new_page()
    for y, line in ((72, "ด่วนที่สุด"), (100, "ข้อที่ การดำเนินการ"), (128, "ก.พ.ร. กำหนด")):
        page.insert_text((72, y), line, fontsize=14, fontname="th", fontfile=thai_font)
    problems = source_coverage(doc, Expectation(tmp_path / "p.pdf", "package", facts={"source": source}))
    assert problems == ["80.0% of 5 source lines/cells found; missing:", "  “บรรทัดที่หายไป”"]
    page.insert_text((72, 156), "บรรทัดที่หายไป", fontsize=14, fontname="th", fontfile=thai_font)
    assert source_coverage(doc, Expectation(tmp_path / "p.pdf", "package", facts={"source": source})) == []


def test_results_csv_must_agree_with_the_answer_files(tmp_path):
    from pipeline import exports
    from pipeline.check.kinds import results_csv
    from pipeline.documents import summary
    from pipeline.load import load_campaign

    campaign = load_campaign(shipped())
    table = tmp_path / "results.csv"
    rows = summary.results_rows(campaign)
    exports.write_csv(rows, table)
    assert results_csv(table, campaign.answers, campaign.criteria) == []
    rows[1]["quality_met"] = int(rows[1]["quality_met"]) + 1
    exports.write_csv(rows, table)
    [problem] = results_csv(table, campaign.answers, campaign.criteria)
    assert problem.startswith(f"{rows[1]['center']}: quality_met is {rows[1]['quality_met']}, the answer file gives")


def test_pages_share_what_was_read_only_when_their_content_is_the_same(tmp_path):
    """check/text.py keeps what was read from a page for a later page with the same content (composed forms
    repeat their reference's pages): the same streams, the same objects they name, the same number."""
    from pipeline.check import text

    same = tmp_path / "same.pdf"
    with fitz.open() as doc:
        doc.new_page().insert_text((72, 72), "Same words", fontname="helv")
        doc.save(same)
    variants = {"copy": lambda doc: None}

    def moved(doc):
        doc.new_page(0)  # the page is now the second

    def other_text(doc):
        xref = doc[0].get_contents()[0]
        doc.update_stream(xref, doc.xref_stream(xref).replace(b"<53616d65", b"<47616d65"))  # hex: Same -> Game

    def other_font(doc):
        font = doc[0].get_fonts()[0][0]
        doc.xref_set_key(font, "BaseFont", "/Courier")

    variants.update(moved=moved, other_text=other_text, other_font=other_font)
    text._SAME.clear(), text._FRAMES.clear()
    with fitz.open(same) as doc, text.reading(doc):
        first = text.spans(doc[0])
    read = {}
    for name, change in variants.items():
        with fitz.open(same) as doc:
            change(doc)
            doc.save(tmp_path / f"{name}.pdf")
        with fitz.open(tmp_path / f"{name}.pdf") as doc, text.reading(doc):
            read[name] = text.spans(doc[-1])
    assert read["copy"] is first  # read once
    assert all(read[name] is not first for name in ("moved", "other_text", "other_font"))
    assert read["other_text"][0].text == "Game words" and read["other_font"][0].font == "Courier"
    assert read["moved"][0].page == 2

    odd = tmp_path / "odd.pdf"  # "99999 0 R" inside a string names no object
    with fitz.open(same) as doc:
        doc[0].add_text_annot((200, 200), "99999 0 R")
        doc.save(odd)
    with fitz.open(odd) as doc, text.reading(doc):
        assert text.spans(doc[0])[0].text == "Same words"
