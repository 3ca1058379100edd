"""templates/letter-stamped.docx and letter-external.docx: the official letters
(หนังสือประทับตรา, the circular's own format, and หนังสือภายนอก).

Renders the templates with docxtpl (autoescape, StrictUndefined, sandbox, the
Thai filters), converts them with LibreOffice (own profile under tmp_path) and
checks the PDFs' geometry with PyMuPDF against the official formats
(PRODUCT.md): A4, margins 3/2/2 cm, TH Sarabun New, red 32 pt urgency,
emblem space, 2.5 cm first-line indent; stamped: ที่, ถึง, the text, the
sending office right of the centre, 4.5 cm for the stamp, the date, the owning
unit at the left, and nothing else; external: date and closing from the centre,
signature block. The letter rules of pipeline/check/kinds.py run on these PDFs
and must catch a stamped letter showing a part of the external one.

If ``build/fonts/fonts.conf`` exists (pipeline/fonts.py), the conversion uses
it, so the metric-compatible substitute stands in for TH Sarabun New and the
sample letter must fit on one page; otherwise LibreOffice substitutes what
fontconfig offers (bigger: the one-page check is skipped).
"""

from __future__ import annotations

import copy
import datetime
import os
import re
import shutil
import subprocess
import sys
import types
import unicodedata
import zipfile
from pathlib import Path

import fitz
import pytest
from docx import Document
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.check import Expectation, normalise  # noqa: E402
from pipeline.check.kinds import letter_layout, letter_parts, visual_lines  # noqa: E402
from pipeline.documents.letters import facts  # noqa: E402
from pipeline.model import LetterFormat  # noqa: E402
from pipeline.thai import FILTERS, thai_date, thai_text  # noqa: E402

TEMPLATES = {
    "stamped": ROOT / "templates" / "letter-stamped.docx",
    "external": ROOT / "templates" / "letter-external.docx",
}
TEMPLATE = TEMPLATES["external"]
FONTS_CONF = ROOT / "build" / "fonts" / "fonts.conf"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

PT_PER_CM = 72 / 2.54
MM = PT_PER_CM / 10
A4 = (21.0 * PT_PER_CM, 29.7 * PT_PER_CM)
LEFT, RIGHT, BOTTOM = 3.0 * PT_PER_CM, A4[0] - 2.0 * PT_PER_CM, A4[1] - 2.0 * PT_PER_CM
CENTER_X = LEFT + 8.0 * PT_PER_CM  # start of date / closing: 3 cm + 8 cm
FIRST_LINE = 2.5 * PT_PER_CM  # 70.87 pt
EMBLEM_BAND = 4.5 * PT_PER_CM  # 1.5 cm + 3 cm emblem
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
THAI = re.compile(r"[\u0E00-\u0E7F]")

PARAGRAPHS = [
    "ด้วยกรมการปกครอง ได้จัดทำโครงการขับเคลื่อนศูนย์ราชการสะดวก (Government Easy Contact Center : GECC) "
    "“อำเภอ..วิถีใหม่” โดยเป็นส่วนหนึ่งในโครงการสำคัญกรมการปกครอง ประจำปีงบประมาณ พ.ศ. ๒๕๖๔ "
    "(10 Flagships to DOPA New Normal 2021) มีวัตถุประสงค์เพื่อเป็นแนวทางการดำเนินงานให้ส่วนราชการในส่วนกลาง"
    "และส่วนภูมิภาคมีเป้าหมายและวิธีการดำเนินงานร่วมกันภายใต้แนวคิด “หน้าที่ของฝ่ายปกครอง คือ "
    "ทำให้ประชาชนทุกข์น้อยลง สุขมากขึ้น”",
    "กรมการปกครอง พิจารณาเห็นว่าศูนย์ดำรงธรรมอำเภอที่ได้รับการคัดเลือกเป็นศูนย์ดำรงธรรมอำเภออัจฉริยะต้นแบบ "
    "ประจำปีงบประมาณ พ.ศ. ๒๕๖๓ มีความพร้อมที่สามารถพัฒนาไปสู่การเป็นศูนย์ราชการสะดวก (Government Easy "
    "Contact Center : GECC) จึงขอให้จังหวัดแจ้งให้ศูนย์ดำรงธรรมอำเภออัจฉริยะต้นแบบ ประจำปีงบประมาณ พ.ศ. ๒๕๖๓ "
    "ดำเนินการประเมินตนเอง (Self Checklist) ตามหลักเกณฑ์มาตรฐานการให้บริการของศูนย์ราชการสะดวก "
    "(Government Easy Contact Center : GECC) ซึ่ง ก.พ.ร. กำหนดเป็นเงื่อนไขพื้นฐานที่หน่วยงานจะต้องดำเนินการ"
    "ให้ครบถ้วนไว้ก่อน ทั้งนี้กรมการปกครองจะจัดสรรงบประมาณเพื่อสนับสนุนการดำเนินการดังกล่าวในโอกาสต่อไป",
    "จึงเรียนมาเพื่อโปรดพิจารณาดำเนินการ",
]

SAMPLE = {
    "urgency": "ด่วนที่สุด",
    "number": "มท ๐๓๐๗.๒/ว ๒๘๘๖๕",
    "office": ["กรมการปกครอง", "ถนนอัษฎางค์ กทม. ๑๐๒๐๐"],
    "date": datetime.date(2020, 12, 28),
    "subject": "การประเมินตนเองตามหลักเกณฑ์มาตรฐานการให้บริการของศูนย์ราชการสะดวก (GECC)",
    "salutation": "เรียน",
    "addressee": "ผู้ว่าราชการจังหวัดสมุทรปราการ",
    "references": [],
    "enclosures": ["หลักเกณฑ์มาตรฐานการให้บริการของศูนย์ราชการสะดวก จำนวน ๑ ชุด", "แบบประเมินตนเอง จำนวน ๑ ชุด"],
    "paragraphs": PARAGRAPHS,
    "closing": "ขอแสดงความนับถือ",
    "signer": {"name": "นายตัวอย่าง ลงนาม", "position": ["อธิบดีกรมการปกครอง"]},
    "owner": {
        "unit": ["สำนักการสอบสวนและนิติการ", "ส่วนอำนวยการความเป็นธรรม"],
        "phone_line": "โทร./โทรสาร ๐ ๒๓๕๖ ๙๕๕๖",
        "email_line": "",
    },
    "emblem": "",
}
# The shipped circular's parts (หนังสือประทับตรา), as the source has them.
STAMPED = {
    "urgency": "ด่วนที่สุด",
    "number": "มท ๐๓๐๗.๒/ว ๒๘๘๖๕",
    "addressee": "ที่ทำการปกครองจังหวัด ทุกจังหวัด",
    "paragraphs": PARAGRAPHS,
    "office": ["กรมการปกครอง"],
    "stamp": "",
    "date": datetime.date(2020, 12, 28),
    "owner": copy.deepcopy(SAMPLE["owner"]),
    "emblem": "",
}
STAMP_CM = 4.5
ESCAPE_SUBJECT = "ทดสอบ A & B <C> > D"
REFERENCE = "หนังสือกรมการปกครอง ที่ มท ๐๓๐๗.๒/ว 123 ลงวันที่ ๑ ธันวาคม ๒๕๖๓"


def sample(**changes) -> dict:
    context = copy.deepcopy(SAMPLE)
    context.update(changes)
    return context


def jinja_env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    env.filters.update(FILTERS)
    return env


def stamped(**changes) -> dict:
    context = copy.deepcopy(STAMPED)
    context.update(changes)
    return context


def render(
    context: dict,
    out: Path,
    emblem_png: Path | None = None,
    *,
    stamp_png: Path | None = None,
    template: Path = TEMPLATE,
) -> Path:
    template = DocxTemplate(str(template))
    context = dict(context)
    if emblem_png is not None:
        context["emblem"] = InlineImage(template, str(emblem_png), height=Mm(30))
    if stamp_png is not None:
        context["stamp"] = InlineImage(template, str(stamp_png), height=Mm(45))
    template.render(context, jinja_env(), autoescape=True)
    template.save(str(out))
    return out


def make_stamp_png(path: Path) -> Path:
    """Two red concentric rings, like the office's stamp (drawn at 4.5 cm)."""
    doc = fitz.open()
    page = doc.new_page(width=128, height=128)
    page.draw_circle((64, 64), 62, color=(0.8, 0, 0), width=2)
    page.draw_circle((64, 64), 48, color=(0.8, 0, 0), width=2)
    page.get_pixmap(dpi=144).save(str(path))
    return path


def make_emblem_png(path: Path) -> Path:
    pixmap = fitz.Pixmap(fitz.csRGB, fitz.IRect(0, 0, 90, 100), 0)
    pixmap.clear_with(255)
    pixmap.set_rect(fitz.IRect(10, 10, 80, 90), (200, 150, 0))
    path.write_bytes(pixmap.tobytes("png"))
    return path


def conversion_env() -> dict:
    env = dict(os.environ)
    if FONTS_CONF.exists():
        env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    return env


def convert(docx_files: list[Path], out_dir: Path, profile: Path) -> list[Path]:
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *map(str, docx_files),
        ],
        env=conversion_env(),
        check=True,
        timeout=240,
        capture_output=True,
    )
    pdfs = [out_dir / (path.stem + ".pdf") for path in docx_files]
    for pdf in pdfs:
        assert pdf.exists() and pdf.stat().st_size > 0, f"LibreOffice wrote no {pdf.name}"
    return pdfs


def expected_font_markers() -> set[str]:
    """“THSarabun”, plus what fontconfig gives LibreOffice for TH Sarabun New."""
    markers = {"THSarabun"}
    fc_match = shutil.which("fc-match")
    if fc_match:
        result = subprocess.run(
            [fc_match, "-f", "%{family[0]}", "TH Sarabun New"],
            env=conversion_env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
        if result.stdout.strip():
            markers.add(result.stdout.strip().replace(" ", ""))
    return markers


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def rows(page: fitz.Page) -> list[dict]:
    """Visual lines: spans grouped by baseline, left to right."""
    grouped: dict[float, list] = {}
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                if not span["text"].strip():
                    continue
                baseline = round(span["origin"][1])
                key = next((y for y in grouped if abs(y - baseline) <= 1.5), baseline)
                grouped.setdefault(key, []).append(span)
    result = []
    for y in sorted(grouped):
        spans = sorted(grouped[y], key=lambda s: s["bbox"][0])
        result.append(
            {
                "y": y,
                "x0": spans[0]["bbox"][0],
                "x1": max(s["bbox"][2] for s in spans),
                "top": min(s["bbox"][1] for s in spans),
                "text": "".join(s["text"] for s in spans),
                "spans": spans,
            }
        )
    return result


def all_spans(doc: fitz.Document):
    for page in doc:
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    if span["text"].strip():
                        yield page.number, span


# --------------------------------------------------------------------------
# The DOCX itself (no LibreOffice needed)
# --------------------------------------------------------------------------
def _all_texts(docx: Path) -> list[str]:
    """Every paragraph's text, headers, tables and body, tags included."""
    document = Document(str(docx))
    section = document.sections[0]
    parts = [section.first_page_header, section.header, document]
    return [p.text for part in parts for table in part.tables for cell in table._cells for p in cell.paragraphs] + [
        p.text for part in parts for p in part.paragraphs
    ]


def test_tool_writes_the_letter_templates(tmp_path):
    """The committed templates hold what tools/make_templates.py writes (their text and tags)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import make_templates

    assert make_templates.main(["letter-stamped", "letter-external", "--out", str(tmp_path)]) == 0
    for path in TEMPLATES.values():
        written = tmp_path / path.name
        assert Document(str(written)).sections[0].different_first_page_header_footer
        assert _all_texts(written) == _all_texts(path), (
            f"{path.name} is not what tools/make_templates.py writes: run it"
        )


@pytest.mark.parametrize("name, keys", [("stamped", "STAMPED_LETTER_KEYS"), ("external", "EXTERNAL_LETTER_KEYS")])
def test_each_letter_template_uses_exactly_its_formats_parts(name, keys):
    from pipeline.render import DOCX_ENV

    sys.path.insert(0, str(ROOT / "tools"))
    import make_templates

    used = DocxTemplate(str(TEMPLATES[name])).get_undeclared_template_variables(DOCX_ENV)
    assert used == {key.split(".")[0] for key in getattr(make_templates, keys)}
    if name == "stamped":
        assert not used & {"subject", "salutation", "references", "enclosures", "closing", "signer"}
        text = "".join(_all_texts(TEMPLATES[name]))
        for label in ("เรื่อง", "เรียน", "อ้างถึง", "สิ่งที่ส่งมาด้วย"):
            assert label not in text


def _rpr_ok(rpr, where: str) -> None:
    fonts = rpr.find(f"{W}rFonts")
    assert fonts is not None, where
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert fonts.get(f"{W}{slot}") == "TH Sarabun New", (where, slot)
    assert not any(name.endswith("Theme") or name.endswith("theme") for name in fonts.attrib), where
    assert rpr.find(f"{W}sz").get(f"{W}val") == "32", where
    assert rpr.find(f"{W}szCs").get(f"{W}val") == "32", where
    assert rpr.find(f"{W}lang").get(f"{W}bidi") == "th-TH", where


@pytest.mark.parametrize("name", TEMPLATES)
def test_docx_declares_th_sarabun_new_for_thai(name):
    with zipfile.ZipFile(TEMPLATES[name]) as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
        document = etree.fromstring(archive.read("word/document.xml"))
    _rpr_ok(styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr"), "docDefaults")
    spacing = styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr/{W}spacing")
    assert spacing.get(f"{W}after") == "0" and spacing.get(f"{W}line") == "240"
    for style_id in ("Normal", "Header", "Footer"):
        style = styles.find(f"{W}style[@{W}styleId='{style_id}']")
        _rpr_ok(style.find(f"{W}rPr"), style_id)
    section = document.find(f"{W}body/{W}sectPr")
    size, margins = section.find(f"{W}pgSz"), section.find(f"{W}pgMar")
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")
    assert {k.replace(W, ""): int(v) for k, v in margins.attrib.items()} == {
        "top": 1417,
        "right": 1134,
        "bottom": 1134,
        "left": 1701,
        "header": 850,
        "footer": 567,
        "gutter": 0,
    }
    assert section.find(f"{W}titlePg") is not None


def _header_xml(docx: Path, kind: str) -> str:
    document = Document(str(docx))
    section = document.sections[0]
    header = section.first_page_header if kind == "first" else section.header
    return header._element.xml


@pytest.mark.parametrize("name", TEMPLATES)
def test_header_parts(tmp_path, name):
    TEMPLATE = TEMPLATES[name]
    first = _header_xml(TEMPLATE, "first")
    assert "{{ urgency }}" in first and "{{ emblem }}" in first
    urgency_run = re.search(r"<w:r>(?:(?!</w:r>).)*\{\{ urgency \}\}", first, re.S).group(0)
    for needle in ("<w:b/>", "<w:bCs/>", 'w:val="FF0000"', '<w:sz w:val="64"/>', '<w:szCs w:val="64"/>'):
        assert needle in urgency_run, needle
    default = _header_xml(TEMPLATE, "default")
    assert "PAGE \\* ThaiArabic" in default and "- " in default and " -" in default

    # InlineImage inside the first-page header works with docxtpl 0.20.
    context = sample() if name == "external" else stamped()
    out = render(context, tmp_path / "emblem.docx", make_emblem_png(tmp_path / "emblem.png"), template=TEMPLATE)
    first = _header_xml(out, "first")
    assert "<w:drawing>" in first and "<a:blip" in first
    with zipfile.ZipFile(out) as archive:
        rels = [n for n in archive.namelist() if n.startswith("word/_rels/header")]
        assert any(b"/image" in archive.read(n) for n in rels)


def _texts(docx: Path) -> list[str]:
    """Table cell paragraphs (ที่ / office) first, then the body's, in order."""
    document = Document(str(docx))
    texts = [p.text for table in document.tables for cell in table._cells for p in cell.paragraphs]
    return texts + [p.text for p in document.paragraphs]


def test_optional_parts_and_numbering(tmp_path):
    plain = _texts(render(sample(), tmp_path / "plain.docx"))
    assert not any(t.startswith("อ้างถึง") for t in plain)
    assert "สิ่งที่ส่งมาด้วย\t๑. หลักเกณฑ์มาตรฐานการให้บริการของศูนย์ราชการสะดวก จำนวน ๑ ชุด" in plain
    assert "\t๒. แบบประเมินตนเอง จำนวน ๑ ชุด" in plain
    assert "ที่ มท ๐๓๐๗.๒/ว ๒๘๘๖๕" in plain and "๒๘ ธันวาคม ๒๕๖๓" in plain
    assert "(นายตัวอย่าง ลงนาม)" in plain and plain[-1] == "โทร./โทรสาร ๐ ๒๓๕๖ ๙๕๕๖"
    assert not any("{" in t or "}" in t for t in plain)

    other = _texts(
        render(
            sample(
                references=[REFERENCE, "หนังสือที่สอง"],
                enclosures=["แบบประเมิน"],
                owner=dict(SAMPLE["owner"], email_line="saraban@dopa.go.th"),
            ),
            tmp_path / "other.docx",
        )
    )
    assert "อ้างถึง\t๑. หนังสือกรมการปกครอง ที่ มท ๐๓๐๗.๒/ว ๑๒๓ ลงวันที่ ๑ ธันวาคม ๒๕๖๓" in other
    assert "\t๒. หนังสือที่สอง" in other
    assert "สิ่งที่ส่งมาด้วย\tแบบประเมิน" in other  # a single enclosure is not numbered
    assert other[-1] == "saraban@dopa.go.th"


def test_stamped_letter_has_its_parts_in_order_and_no_others(tmp_path):
    texts = _texts(render(stamped(), tmp_path / "stamped.docx", template=TEMPLATES["stamped"]))
    assert texts == [
        "ที่ มท ๐๓๐๗.๒/ว ๒๘๘๖๕",
        "ถึง\tที่ทำการปกครองจังหวัด ทุกจังหวัด",
        *[thai_text(p) for p in PARAGRAPHS],
        "กรมการปกครอง",
        "",
        "๒๘ ธันวาคม ๒๕๖๓",
        "",  # sending office, the stamp's space, date, a blank line
        "สำนักการสอบสวนและนิติการ",
        "ส่วนอำนวยการความเป็นธรรม",
        "โทร./โทรสาร ๐ ๒๓๕๖ ๙๕๕๖",
    ]
    with_mail = _texts(
        render(
            stamped(owner=dict(STAMPED["owner"], email_line="saraban@dopa.go.th")),
            tmp_path / "mail.docx",
            template=TEMPLATES["stamped"],
        )
    )
    assert with_mail[-1] == "saraban@dopa.go.th"


def test_values_are_escaped_and_undefined_is_an_error(tmp_path):
    out = render(sample(subject=ESCAPE_SUBJECT, addressee="<w:p>&amp;"), tmp_path / "escape.docx")
    texts = _texts(out)
    assert f"เรื่อง\t{ESCAPE_SUBJECT}" in texts
    assert "เรียน\t<w:p>&amp;" in texts
    context = sample()
    del context["owner"]["email_line"]
    with pytest.raises(UndefinedError):
        render(context, tmp_path / "strict.docx")


# --------------------------------------------------------------------------
# The PDF LibreOffice makes of it
# --------------------------------------------------------------------------
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    work = tmp_path_factory.mktemp("letter")
    plain = render(sample(), work / "plain.docx")
    # Emblem variant: also a reference, an escaped subject and a body long
    # enough for a second page (page-number header).
    emblem = render(
        sample(subject=ESCAPE_SUBJECT, references=[REFERENCE], paragraphs=PARAGRAPHS[:2] + PARAGRAPHS),
        work / "emblem.docx",
        make_emblem_png(work / "garuda.png"),
    )
    stamped_plain = render(stamped(), work / "stamped.docx", template=TEMPLATES["stamped"])
    stamped_image = render(
        stamped(addressee="ที่ทำการปกครองจังหวัดสมุทรปราการ"),
        work / "stamped-image.docx",
        make_emblem_png(work / "garuda.png"),
        stamp_png=make_stamp_png(work / "stamp.png"),
        template=TEMPLATES["stamped"],
    )
    # A stamped letter mixing in the external letter's เรื่อง line, as the circular once did.
    mixed = work / "stamped-mixed.docx"
    document = Document(str(stamped_plain))
    to = next(p for p in document.paragraphs if p.text.startswith("ถึง"))
    to._p.addprevious(copy.deepcopy(to._p))
    to.runs[0].text, to.runs[-1].text = "เรื่อง", "การประเมินตนเอง"
    document.save(str(mixed))
    # One without the stamp's space, its sending office at the left margin.
    squeezed = work / "stamped-squeezed.docx"
    document = Document(str(stamped_plain))
    office = next(p for p in document.paragraphs if p.text == "กรมการปกครอง")
    office.paragraph_format.alignment, office.paragraph_format.left_indent = 0, 0
    space = office._p.getnext()
    space.getparent().remove(space)
    document.save(str(squeezed))
    # Long enough for a second page: page numbers, and the closing block kept together.
    stamped_long = render(
        stamped(paragraphs=PARAGRAPHS[:2] * 2 + PARAGRAPHS), work / "stamped-long.docx", template=TEMPLATES["stamped"]
    )
    names = ["plain", "emblem", "stamped", "stamped-image", "stamped-mixed", "stamped-squeezed", "stamped-long"]
    converted = convert(
        [plain, emblem, stamped_plain, stamped_image, mixed, squeezed, stamped_long], work, work / "profile"
    )
    docs = {name: fitz.open(pdf) for name, pdf in zip(names, converted, strict=True)}
    yield docs
    for doc in docs.values():
        doc.close()


@needs_soffice
@pytest.mark.parametrize("variant", ["plain", "emblem", "stamped", "stamped-image", "stamped-long"])
def test_a4_portrait_and_within_margins(pdfs, variant):
    doc = pdfs[variant]
    for page in doc:
        assert page.rect.width == pytest.approx(A4[0], abs=1) and page.rect.height == pytest.approx(A4[1], abs=1)
    for number, span in all_spans(doc):
        x0, _, x1, y1 = span["bbox"]
        assert x0 >= LEFT - MM, (number, span["text"], x0)
        assert x1 <= RIGHT + MM, (number, span["text"], x1)
        assert y1 <= BOTTOM + MM, (number, span["text"], y1)


@needs_soffice
@pytest.mark.parametrize("variant", ["plain", "emblem", "stamped", "stamped-long"])
def test_thai_text_is_set_in_th_sarabun(pdfs, variant):
    markers = expected_font_markers()
    wrong = {
        (span["font"], span["text"][:20])
        for _, span in all_spans(pdfs[variant])
        if THAI.search(span["text"]) and not any(m in span["font"] for m in markers)
    }
    assert not wrong, (markers, sorted(wrong)[:5])


@needs_soffice
@pytest.mark.parametrize("variant", ["plain", "stamped"])
def test_urgency_red_bold_32pt(pdfs, variant):
    spans = [s for _, s in all_spans(pdfs[variant]) if s["text"].strip() == "ด่วนที่สุด"]
    assert len(spans) == 1
    urgency = spans[0]
    assert urgency["color"] == 0xFF0000
    assert urgency["size"] >= 31.9
    assert urgency["flags"] & 16 or "bold" in urgency["font"].lower()
    assert urgency["bbox"][0] == pytest.approx(LEFT, abs=2)
    first_body_row = next(r for r in rows(pdfs[variant][0]) if r["text"].startswith("ที่"))
    assert urgency["bbox"][3] <= first_body_row["top"] + 1  # above ที่


@needs_soffice
def test_number_office_and_date_positions(pdfs):
    page_rows = rows(pdfs["plain"][0])
    number = next(r for r in page_rows if r["text"].startswith("ที่ มท"))
    assert number["x0"] == pytest.approx(LEFT, abs=2)
    office = [s for s in number["spans"] if "กรมการปกครอง" in s["text"]]
    assert office and office[0]["bbox"][0] == pytest.approx(LEFT + 10.5 * PT_PER_CM, abs=3)
    address = next(r for r in page_rows if r["text"].startswith("ถนนอัษฎางค์"))
    assert address["x0"] == pytest.approx(office[0]["bbox"][0], abs=1)
    assert address["x1"] <= RIGHT + MM
    date = next(r for r in page_rows if squeeze(r["text"]) == squeeze(thai_date(SAMPLE["date"])))
    assert date["x0"] == pytest.approx(CENTER_X, abs=3)
    # Closing, signature and owning unit may move to page 2 with a bigger fallback font.
    every_row = [dict(r, page=page.number) for page in pdfs["plain"] for r in rows(page)]
    closing = next(r for r in every_row if r["text"] == "ขอแสดงความนับถือ")
    assert closing["x0"] == pytest.approx(CENTER_X, abs=3)
    name = next(r for r in every_row if r["text"] == "(นายตัวอย่าง ลงนาม)")
    assert closing["x0"] < (name["x0"] + name["x1"]) / 2 < RIGHT  # centred under the closing
    if name["page"] == closing["page"]:
        assert name["y"] - closing["y"] > 3 * 16  # room for the signature
    owner = next(r for r in every_row if r["text"] == "สำนักการสอบสวนและนิติการ")
    assert owner["x0"] == pytest.approx(LEFT, abs=2)
    assert (owner["page"], owner["y"]) > (name["page"], name["y"])


@needs_soffice
def test_body_first_line_indent(pdfs):
    page_rows = [r for page in pdfs["plain"] for r in rows(page)]
    for paragraph in PARAGRAPHS:
        text = squeeze(thai_text(paragraph))
        index = next(
            i
            for i, r in enumerate(page_rows)
            if text.startswith(squeeze(r["text"])[:12]) and len(squeeze(r["text"])) >= 12
        )
        first = page_rows[index]
        wraps = len(squeeze(first["text"])) < len(text) - 2  # then compare with its 2nd line
        second_x = page_rows[index + 1]["x0"] if wraps else LEFT
        assert first["x0"] - second_x == pytest.approx(FIRST_LINE, abs=2), paragraph[:20]
        if second_x != LEFT:
            assert second_x == pytest.approx(LEFT, abs=2)


@needs_soffice
@pytest.mark.parametrize("variant", ["plain", "stamped"])
def test_no_emblem_leaves_the_band_empty_but_the_urgency(pdfs, variant):
    page = pdfs[variant][0]
    assert not page.get_image_info()
    assert not [d for d in page.get_drawings() if d["rect"].y0 < EMBLEM_BAND]
    in_band = [
        s["text"].strip()
        for b in page.get_text("dict")["blocks"]
        for line in b.get("lines", [])
        for s in line["spans"]
        if s["text"].strip() and s["bbox"][1] < EMBLEM_BAND
    ]
    assert in_band == ["ด่วนที่สุด"]


@needs_soffice
def test_emblem_3cm_centred_1_5cm_from_top(pdfs):
    page = pdfs["emblem"][0]
    images = page.get_image_info()
    assert len(images) == 1
    x0, y0, x1, y1 = images[0]["bbox"]
    assert y1 - y0 == pytest.approx(3 * PT_PER_CM, abs=3 * MM)
    assert y0 == pytest.approx(1.5 * PT_PER_CM, abs=3 * MM)
    assert (x0 + x1) / 2 == pytest.approx(A4[0] / 2, abs=3 * MM)
    body_top = min(r["top"] for r in rows(page) if r["text"] != "ด่วนที่สุด")
    assert body_top >= y1 - 1  # the body starts below the emblem
    assert not pdfs["emblem"][1].get_image_info()  # first page only


@needs_soffice
def test_escaped_text_and_page_numbers(pdfs):
    doc = pdfs["emblem"]
    page_rows = rows(doc[0])
    assert any(ESCAPE_SUBJECT in r["text"] for r in page_rows)
    assert any(r["text"].startswith("อ้างถึง") for r in page_rows)
    assert doc.page_count >= 2
    assert not re.fullmatch(r"- \S+ -", page_rows[0]["text"])  # no number on page 1
    for page in list(doc)[1:]:
        top = rows(page)[0]
        assert re.fullmatch(r"- \S+ -", top["text"]), top["text"]  # "- ๒ -" (LibreOffice: "- ข -")
        assert (top["x0"] + top["x1"]) / 2 == pytest.approx(CENTER_X, abs=3)
        assert top["top"] < 2.5 * PT_PER_CM
        assert not [s for s in top["spans"] if s["color"] == 0xFF0000]


@needs_soffice
def test_signature_block_stays_with_the_last_paragraph(pdfs):
    doc = pdfs["emblem"]
    pages = {}
    for page in doc:
        for row in rows(page):
            pages.setdefault(squeeze(row["text"]), page.number)
    tail = [
        PARAGRAPHS[-1],
        SAMPLE["closing"],
        "(นายตัวอย่าง ลงนาม)",
        *SAMPLE["signer"]["position"],
        *SAMPLE["owner"]["unit"],
        SAMPLE["owner"]["phone_line"],
    ]
    assert {pages[squeeze(text)] for text in tail} == {doc.page_count - 1}


@needs_soffice
def test_sample_letter_fits_one_page(pdfs):
    if not FONTS_CONF.exists():
        pytest.skip("no build/fonts/fonts.conf: LibreOffice's own Thai fallback is bigger than TH Sarabun New")
    assert pdfs["plain"].page_count == 1


# --------------------------------------------------------------------------
# หนังสือประทับตรา: its parts, where they stand, and the letter rules
# --------------------------------------------------------------------------
def _stamped_facts(context: dict) -> dict:
    circular = types.SimpleNamespace(format=LetterFormat.STAMPED, number=context["number"], date=context["date"])
    return facts(circular, context)


def _external_facts(context: dict) -> dict:
    circular = types.SimpleNamespace(format=LetterFormat.EXTERNAL, number=context["number"], date=context["date"])
    return facts(circular, context)


def _line(doc: fitz.Document, text: str) -> tuple:
    return next(line for line in visual_lines(doc) if normalise(line[4]) == normalise(text))


@needs_soffice
@pytest.mark.parametrize("variant", ["stamped", "stamped-image"])
def test_stamped_letter_is_one_page_with_the_sources_lines_in_order(pdfs, variant):
    doc = pdfs[variant]
    if FONTS_CONF.exists():
        assert doc.page_count == 1
    addressee = "ที่ทำการปกครองจังหวัด ทุกจังหวัด" if variant == "stamped" else "ที่ทำการปกครองจังหวัดสมุทรปราการ"
    wanted = [
        "ด่วนที่สุด",
        "ที่ มท ๐๓๐๗.๒/ว ๒๘๘๖๕",
        f"ถึง {addressee}",
        *[thai_text(p) for p in PARAGRAPHS],
        "กรมการปกครอง",
        "๒๘ ธันวาคม ๒๕๖๓",
        *STAMPED["owner"]["unit"],
        STAMPED["owner"]["phone_line"],
    ]
    assert normalise("".join(line[4] for line in visual_lines(doc))) == normalise("".join(wanted))


@needs_soffice
@pytest.mark.parametrize("variant", ["stamped", "stamped-image"])
def test_stamped_letter_parts_stand_where_the_format_puts_them(pdfs, variant):
    doc = pdfs[variant]
    page = doc[0]
    lines = visual_lines(doc)
    number = next(line for line in lines if line[4].startswith("ที่ มท"))
    assert number[2] == pytest.approx(LEFT, abs=2)
    assert number[1] > EMBLEM_BAND  # under the Garuda's space
    to = next(line for line in lines if line[4].startswith("ถึง"))
    assert to[2] == pytest.approx(LEFT, abs=2) and to[1] > number[1]
    office, date = _line(doc, "กรมการปกครอง"), _line(doc, "๒๘ ธันวาคม ๒๕๖๓")
    last_text = max(line[1] for line in lines if normalise(line[4]) == normalise(PARAGRAPHS[-1]))
    axis = (office[2] + office[3]) / 2
    assert office[1] > last_text and axis > A4[0] / 2 + 2 * PT_PER_CM  # below the text, right of the centre
    assert (date[2] + date[3]) / 2 == pytest.approx(axis, abs=3)  # the date on the same axis, below the stamp
    assert date[1] - office[1] >= STAMP_CM * PT_PER_CM
    assert not [line for line in lines if office[1] < line[1] < date[1]]  # the stamp's space holds no text
    owner = [_line(doc, text) for text in [*STAMPED["owner"]["unit"], STAMPED["owner"]["phone_line"]]]
    assert all(line[2] == pytest.approx(LEFT, abs=2) for line in owner)
    assert date[1] < owner[0][1] < owner[1][1] < owner[2][1]
    images = [i for i in page.get_image_info() if i["bbox"][1] > EMBLEM_BAND]
    if variant == "stamped":
        assert not images and not page.get_drawings()  # stamped by hand: an empty space
    else:
        (stamp,) = images
        x0, y0, x1, y1 = stamp["bbox"]
        assert y1 - y0 == pytest.approx(STAMP_CM * PT_PER_CM, abs=1 * MM)
        assert (x0 + x1) / 2 == pytest.approx(axis, abs=3)
        assert office[1] < y0 and y1 < date[1] - 10  # between the office and the date


@needs_soffice
def test_letter_rules_pass_on_each_format(pdfs):
    for variant, expectation in (("stamped", _stamped_facts(stamped())), ("plain", _external_facts(sample()))):
        exp = Expectation(Path(f"{variant}.pdf"), "letter", facts=expectation)
        assert letter_parts(pdfs[variant], exp) == [], variant
        assert letter_layout(pdfs[variant], exp) == [], variant


@needs_soffice
def test_letter_rules_catch_a_stamped_letter_with_a_part_of_the_external_one(pdfs):
    exp = Expectation(Path("mixed.pdf"), "letter", facts=_stamped_facts(stamped()))
    assert letter_parts(pdfs["stamped-mixed"], exp) == [
        "after ถึง: “เรื่องการประเมินตนเอง”: เรื่อง (a part of หนังสือภายนอก), in a หนังสือประทับตรา"
    ]
    # The external letter read as a stamped one: no ถึง; its เรื่อง, เรียน, closing and signature are foreign.
    found = letter_parts(
        pdfs["plain"],
        Expectation(Path("plain.pdf"), "letter", facts=_stamped_facts(stamped(addressee=SAMPLE["addressee"]))),
    )
    assert any(p.startswith("ถึง “ถึง ผู้ว่าราชการจังหวัดสมุทรปราการ” not found") for p in found), found
    assert any("เรื่อง, เรียน, สิ่งที่ส่งมาด้วย (parts of หนังสือภายนอก)" in p for p in found), found
    assert any("คำลงท้าย (a part of หนังสือภายนอก)" in p for p in found), found
    # And a stamped letter read as an external one lacks the external letter's parts.
    found = letter_parts(
        pdfs["stamped"],
        Expectation(
            Path("s.pdf"),
            "letter",
            facts=_external_facts(sample(addressee=STAMPED["addressee"], office=STAMPED["office"])),
        ),
    )
    assert any(p.startswith("เรื่อง “") and "not found" in p for p in found), found
    assert any(p.startswith("คำลงท้าย “ขอแสดงความนับถือ” not found") for p in found), found


@needs_soffice
def test_layout_rule_catches_an_office_left_and_no_space_for_the_stamp(pdfs):
    exp = Expectation(Path("s.pdf"), "letter", facts=_stamped_facts(stamped()))
    assert letter_layout(pdfs["stamped"], exp) == []
    found = letter_layout(pdfs["stamped-squeezed"], exp)
    assert len(found) == 2, found
    assert found[0].startswith("ส่วนราชการส่ง centred ") and found[0].endswith(
        " cm from the edge: not right of the page's centre"
    )
    assert found[1].endswith(" cm between the sending office and the date; the stamp needs 4.5 cm")


@needs_soffice
def test_a_long_stamped_letter_numbers_its_pages_and_keeps_its_closing_parts_together(pdfs):
    doc = pdfs["stamped-long"]
    assert doc.page_count == 2
    assert not re.fullmatch(r"- \S+ -", rows(doc[0])[0]["text"])  # no number on page 1
    top = rows(doc[1])[0]
    assert re.fullmatch(r"- \S+ -", top["text"]), top["text"]  # "- ๒ -" (LibreOffice: "- ข -")
    assert (top["x0"] + top["x1"]) / 2 == pytest.approx(CENTER_X, abs=3)
    lines = visual_lines(doc)
    tail = ["กรมการปกครอง", "๒๘ ธันวาคม ๒๕๖๓", *STAMPED["owner"]["unit"], STAMPED["owner"]["phone_line"]]
    assert {_line(doc, text)[0] for text in tail} == {2}
    last = [line for line in lines if normalise(line[4]) == normalise(PARAGRAPHS[-1])]
    assert last and last[0][0] == 2  # the last paragraph goes with them
    exp = Expectation(
        Path("long.pdf"), "letter", facts=_stamped_facts(stamped(paragraphs=PARAGRAPHS[:2] * 2 + PARAGRAPHS))
    )
    assert letter_parts(doc, exp) == [] and letter_layout(doc, exp) == []
