"""TH Sarabun Substitute: its tables, and LibreOffice laying out a Thai letter with it.

The decisive check converts one Thai letter twice, once with the real TH Sarabun New and
once with the substitute, and requires the same pages, the same lines and the same
baselines. The real font is reference data outside the repository (../shared/fonts);
tests that need it, LibreOffice or Laksaman skip with the reason when they are missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from font_parity import Line, read_lines
from fontTools.ttLib import TTFont

from pipeline import fonts, sarabun

REAL_FONTS = Path(__file__).resolve().parents[2] / "shared" / "fonts"
MEASURING_TOOL = Path(__file__).resolve().parents[1] / "tools" / "measure_sarabun.py"
STYLE_FILES = {"Regular": "Regular", "Bold": "Bold", "Italic": "Italic", "Bold Italic": "BoldItalic"}

needs_real = pytest.mark.skipif(
    not (REAL_FONTS / "THSarabunNew-Regular.ttf").is_file(),
    reason=f"reference TH Sarabun New not found in {REAL_FONTS}",
)
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")


def _laksaman_available() -> bool:
    try:
        fonts.find_laksaman()
    except FileNotFoundError:
        return False
    return True


needs_laksaman = pytest.mark.skipif(
    not _laksaman_available(), reason="Laksaman not installed (Debian package fonts-thai-tlwg)"
)


@pytest.fixture(scope="session")
def substitute_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not _laksaman_available():
        pytest.skip("Laksaman not installed (Debian package fonts-thai-tlwg)")
    out = tmp_path_factory.mktemp("substitute")
    fonts.build_substitute(out)
    return out


def _measuring_tool():
    """tools/measure_sarabun.py as a module (tools/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("measure_sarabun", MEASURING_TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def _face(directory: Path, style: str) -> TTFont:
    return TTFont(next(directory.glob(f"THSarabunSubstitute-{STYLE_FILES[style]}.[ot]tf")))


# --- the font files ------------------------------------------------------------------


@pytest.mark.parametrize("style", list(STYLE_FILES))
def test_substitute_names_metrics_and_style_bits(substitute_dir: Path, style: str) -> None:
    font = _face(substitute_dir, style)
    name = font["name"]
    assert name.getDebugName(1) == "TH Sarabun Substitute"
    assert name.getDebugName(2) == style
    assert name.getDebugName(16) == "TH Sarabun Substitute"
    assert name.getDebugName(6) == f"THSarabunSubstitute-{STYLE_FILES[style]}"
    assert font["head"].unitsPerEm == 1000
    hhea, os2 = font["hhea"], font["OS/2"]
    assert (hhea.ascent, hhea.descent, hhea.lineGap) == (844, -457, 30)
    assert (os2.usWinAscent, os2.usWinDescent) == (844, 457)
    assert (os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap) == (850, -250, 60)
    assert not os2.fsSelection & (1 << 7), "USE_TYPO_METRICS must be off, as in TH Sarabun New"
    bold, italic = "Bold" in style, "Italic" in style
    assert bool(os2.fsSelection & (1 << 5)) == bold and bool(os2.fsSelection & 1) == italic
    assert font["head"].macStyle == (1 if bold else 0) | (2 if italic else 0)


@needs_real
@pytest.mark.parametrize("style", list(STYLE_FILES))
def test_substitute_metrics_match_real_font(substitute_dir: Path, style: str) -> None:
    sub = _face(substitute_dir, style)
    real = TTFont(REAL_FONTS / f"THSarabunNew-{STYLE_FILES[style]}.ttf")
    # The constants in pipeline/sarabun.py are TH Sarabun New's own vertical metrics.
    for table, fields in {
        "hhea": ("ascent", "descent", "lineGap"),
        "OS/2": ("usWinAscent", "usWinDescent", "sTypoAscender", "sTypoDescender", "sTypoLineGap"),
    }.items():
        for field in fields:
            assert getattr(sub[table], field) == getattr(real[table], field), f"{table}.{field}"
    # Equal advances, not close ones: 0.5 % off is enough to move a line break.
    sub_cmap, real_cmap = sub.getBestCmap(), real.getBestCmap()
    differing = {
        chr(code): (sub["hmtx"][sub_cmap[code]][0], real["hmtx"][glyph][0])
        for code, glyph in real_cmap.items()
        if sub["hmtx"][sub_cmap[code]][0] != real["hmtx"][glyph][0]
    }
    assert not differing, f"advances (substitute, real) differ: {differing}"


@pytest.mark.parametrize("style", list(STYLE_FILES))
def test_substitute_has_the_measured_metrics(substitute_dir: Path, style: str) -> None:
    measured = sarabun.load_metrics()["styles"][style]
    sub = _face(substitute_dir, style)
    cmap, hmtx = sub.getBestCmap(), sub["hmtx"]
    assert len(measured["advances"]) > 500
    wrong = {
        key: (hmtx[cmap[int(key[2:], 16)]][0], value)
        for key, value in measured["advances"].items()
        if hmtx[cmap[int(key[2:], 16)]][0] != value
    }
    assert not wrong, f"advances (substitute, measured) differ: {wrong}"
    gpos = sub["GPOS"].table
    # Only kerning is left in GPOS: marks moved by anchors are what made poppler split words.
    assert {lookup.LookupType for lookup in gpos.LookupList.Lookup} == {2}
    pairs = {
        (first, record.SecondGlyph): record.Value1.XAdvance
        for lookup in gpos.LookupList.Lookup
        for sub_table in lookup.SubTable
        if sub_table.Format == 1
        for first, pair_set in zip(sub_table.Coverage.glyphs, sub_table.PairSet, strict=True)
        for record in pair_set.PairValueRecord
    }
    for left, right, value in measured["kerning"]:
        assert pairs.get((cmap[int(left[2:], 16)], cmap[int(right[2:], 16)])) == value, (left, right, value)
    # The marks Laksaman's anchors moved are drawn moved, at the pen position.
    assert "uni0E47.at1" in sub.getGlyphOrder() and sub["hmtx"]["uni0E47.at1"][0] == 0


@needs_real
def test_metrics_table_is_the_reference_fonts() -> None:
    """pipeline/reference/sarabun-metrics.json holds what tools/measure_sarabun.py reads from the real font."""
    tool = _measuring_tool()
    table = sarabun.load_metrics()["styles"]
    for style, file_style in STYLE_FILES.items():
        measured = tool.measure_cmap_and_kerning(TTFont(REAL_FONTS / f"THSarabunNew-{file_style}.ttf"))
        assert table[style]["advances"] == measured["advances"], style
        assert measured["kerning"] == table[style]["kerning"][: len(measured["kerning"])], style


@pytest.mark.skipif(shutil.which("hb-shape") is None, reason="hb-shape not installed (Debian libharfbuzz-bin)")
@needs_real
@pytest.mark.parametrize("style", ["Regular", "Bold"])
def test_substitute_shapes_like_real_font(substitute_dir: Path, style: str) -> None:
    """HarfBuzz (what LibreOffice shapes with) gives every sample text the same width with
    both fonts, and moves no glyph of the substitute off its pen position."""
    tool = _measuring_tool()
    real = REAL_FONTS / f"THSarabunNew-{STYLE_FILES[style]}.ttf"
    sub = next(substitute_dir.glob(f"THSarabunSubstitute-{STYLE_FILES[style]}.[ot]tf"))
    texts = tool.samples() + PARAGRAPHS + [BOLD_WORDS]
    assert len(texts) > 9000
    assert tool.verify(real, sub, texts, style) == 0


def _one_rule_each(rules: list[tuple[tuple[str, ...], str, str]]) -> list[str]:
    """The baked mark rules as they were first written: one rule (one subtable) per context."""
    return [f"    sub {' '.join(reversed(backtrack))} {mark}' by {target};" for backtrack, mark, target in rules]


def _subtables(path: Path) -> int:
    return sum(lookup.SubTableCount for lookup in TTFont(path)["GSUB"].table.LookupList.Lookup)


@pytest.mark.skipif(shutil.which("hb-shape") is None, reason="hb-shape not installed (Debian libharfbuzz-bin)")
@needs_laksaman
@pytest.mark.parametrize("style", ["Regular", "Bold Italic"])
def test_grouped_mark_rules_shape_as_one_rule_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, style: str) -> None:
    """The baked mark rules grouped into a few subtables (LibreOffice shapes Thai faster: HarfBuzz
    tries a mark against every subtable) pick the glyphs and positions one rule per context did,
    for every sample text: every glyph, cluster, advance and offset."""
    tool = _measuring_tool()
    face = next(s for s in sarabun.STYLES if s.name == style)
    source = fonts.find_laksaman()[face]
    grouped = tmp_path / "grouped.ttf"
    metrics = sarabun.load_metrics()
    sarabun.make_substitute(source, face, metrics).save(grouped)
    monkeypatch.setattr(sarabun, "_grouped_rules", _one_rule_each)
    single = tmp_path / "single.ttf"
    sarabun.make_substitute(source, face, metrics).save(single)
    assert _subtables(grouped) * 3 < _subtables(single)
    texts = tool.samples() + PARAGRAPHS + [BOLD_WORDS]
    assert tool.shape(grouped, texts) == tool.shape(single, texts)


@needs_laksaman
def test_build_is_idempotent(tmp_path: Path) -> None:
    first = fonts.build_substitute(tmp_path)
    stamps = [p.stat().st_mtime_ns for p in first]
    second = fonts.build_substitute(tmp_path)
    assert second == first and [p.stat().st_mtime_ns for p in second] == stamps


@needs_laksaman
def test_fontconfig_alias_wins_over_tlwg_rule(substitute_dir: Path, tmp_path: Path) -> None:
    conf = fonts.write_fontconfig(tmp_path, [substitute_dir], fonts.SUBSTITUTE_FAMILY)
    assert '"TH Sarabun Substitute" "Regular"' in fonts.fc_match(conf, "TH Sarabun New")
    assert '"TH Sarabun Substitute" "Bold"' in fonts.fc_match(conf, "TH Sarabun New:bold")
    assert '"TH Sarabun Substitute"' in fonts.fc_match(conf, "TH SarabunPSK")
    verbose = subprocess.run(
        ["fc-match", "-v", "TH Sarabun New"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "FONTCONFIG_FILE": str(conf)},
    ).stdout
    assert "matrix" not in verbose, "TLWG's 0.66 matrix must not apply to the substitute"


@needs_real
def test_real_font_query_finds_real_font_not_laksaman(tmp_path: Path) -> None:
    # real_font_installed() asks the system configuration; here the same query is put to
    # one that holds the reference font, and to one that holds only Laksaman's rule.
    with_real = fonts.write_fontconfig(tmp_path / "real", [REAL_FONTS], None)
    without = fonts.write_fontconfig(tmp_path / "none", [], None)
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_PATH"}
    assert fonts._fc_list(fonts.REAL_FONT_QUERY, {**env, "FONTCONFIG_FILE": str(with_real)})
    if not fonts.real_font_installed():
        assert not fonts._fc_list(fonts.REAL_FONT_QUERY, {**env, "FONTCONFIG_FILE": str(without)})


# --- the real comparison: LibreOffice lays out a Thai letter --------------------------

PARAGRAPHS = [
    "ด้วยกรมการปกครองได้ดำเนินการพัฒนาศูนย์ดำรงธรรมอำเภอให้เป็นศูนย์ราชการสะดวก (Government Easy Contact Center: GECC) "
    "ตามแนวทางที่สำนักงานคณะกรรมการพัฒนาระบบราชการ (ก.พ.ร.) กำหนด เพื่อให้ประชาชนได้รับความสะดวก รวดเร็ว "
    "และได้รับบริการที่มีคุณภาพมาตรฐานเดียวกันทุกแห่ง โดยได้คัดเลือกศูนย์ต้นแบบจำนวน ๗๖ แห่งทั่วประเทศ "
    "ซึ่งจะต้องผ่านการประเมินตามเกณฑ์มาตรฐานทั้งสามด้าน ได้แก่ ด้านกายภาพ ด้านคุณภาพ และด้านผลลัพธ์ "
    "ก่อนที่คณะอนุกรรมการจะพิจารณารับรองมาตรฐานศูนย์ราชการสะดวกในลำดับต่อไป",
    "กรมการปกครองพิจารณาแล้ว เพื่อให้การดำเนินการเป็นไปด้วยความเรียบร้อยและบรรลุวัตถุประสงค์ "
    "จึงขอให้จังหวัดแจ้งอำเภอที่เป็นศูนย์ต้นแบบดำเนินการประเมินตนเองตามแบบประเมินที่ส่งมาพร้อมนี้ "
    "และรายงานผลการประเมินให้กรมการปกครองทราบภายในวันที่ ๒๘ กุมภาพันธ์ ๒๕๖๓ ทั้งนี้ "
    "หากมีข้อสงสัยประการใดสามารถสอบถามได้ที่ส่วนการบริการประชาชน สำนักบริหารการปกครองท้องที่ "
    "ในวันและเวลาราชการ หรือทางไปรษณีย์อิเล็กทรอนิกส์ของส่วนการบริการประชาชน",
    "เกณฑ์ด้านกายภาพเป็นเงื่อนไขพื้นฐานที่หน่วยงานจะต้องดำเนินการให้ครบถ้วนทุกข้อ ประกอบด้วย "
    "การจัดสถานที่ให้บริการที่สะอาด เป็นระเบียบ มีป้ายบอกทางที่ชัดเจน มีที่นั่งพักคอยสำหรับผู้รับบริการ "
    "มีห้องน้ำสำหรับผู้พิการและผู้สูงอายุ มีทางลาดสำหรับรถเข็น มีที่จอดรถ และมีจุดบริการน้ำดื่ม "
    "รวมทั้งมีระบบบัตรคิวที่เป็นธรรมและโปร่งใส ให้ประชาชนตรวจสอบลำดับการให้บริการได้ตลอดเวลา "
    "ตลอดจนมีเจ้าหน้าที่ประชาสัมพันธ์คอยให้คำแนะนำแก่ผู้มาติดต่อราชการทุกเวลา",
    "เกณฑ์ด้านคุณภาพมุ่งเน้นการให้บริการที่ตอบสนองความต้องการของประชาชน เช่น การให้บริการแบบเบ็ดเสร็จ ณ จุดเดียว "
    "การเปิดให้บริการในช่วงพักเที่ยงและนอกเวลาราชการ การมีช่องทางรับเรื่องราวร้องทุกข์ที่หลากหลาย "
    "ทั้งทางโทรศัพท์ ไปรษณีย์อิเล็กทรอนิกส์ และสื่อสังคมออนไลน์ การรับโทรศัพท์ภายในสามครั้งที่โทรศัพท์ดัง "
    "และการติดตามผลการดำเนินการให้ผู้ร้องทราบทุกระยะ เพื่อสร้างความเชื่อมั่นแก่ประชาชน (10 Flagships to DOPA New Normal 2021)",
    "เกณฑ์ด้านผลลัพธ์จะพิจารณาจากความพึงพอใจของผู้รับบริการ ระยะเวลาการให้บริการที่ลดลง "
    "และจำนวนเรื่องร้องเรียนที่ได้รับการแก้ไขจนได้ข้อยุติ โดยคณะอนุกรรมการเป็นผู้พิจารณา "
    "มิใช่ศูนย์เป็นผู้ประเมินตนเอง ทั้งนี้ ศูนย์ที่ผ่านการรับรองมาตรฐานจะได้รับการเผยแพร่เป็นแบบอย่าง "
    "ให้หน่วยงานอื่นได้ศึกษาดูงานและนำไปปรับใช้ให้เหมาะสมกับบริบทของพื้นที่ต่อไป "
    "และจะได้รับการพิจารณาเสนอชื่อเพื่อรับรางวัลเลิศรัฐในสาขาการบริการภาครัฐ",
    "จึงเรียนมาเพื่อโปรดพิจารณาดำเนินการ และแจ้งให้อำเภอในพื้นที่ทราบและถือปฏิบัติโดยเคร่งครัด "
    "หากจังหวัดใดมีปัญหาหรืออุปสรรคในการดำเนินการ ขอได้โปรดแจ้งให้กรมการปกครองทราบโดยเร็ว "
    "เพื่อจะได้พิจารณาให้การสนับสนุนตามความเหมาะสมต่อไป อนึ่ง สามารถดาวน์โหลดแบบประเมินและคู่มือประกอบ "
    "ได้ทางเว็บไซต์ของกรมการปกครอง โทร. ๐ ๒๒๒๑ ๐๑๕๑ ต่อ ๕๐๕๑๔ โทรสาร ๐ ๒๒๒๒ ๖๐๑๖",
]
BOLD_WORDS = "เรื่อง  การประเมินศูนย์ราชการสะดวก"


def _set_thai_run_properties(rpr) -> None:  # rpr: a w:rPr element
    """The complex-script properties python-docx's font.name/size do not set."""
    for tag in ("w:rFonts", "w:sz", "w:szCs", "w:lang"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    fonts_el = OxmlElement("w:rFonts")
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts_el.set(qn(f"w:{attr}"), fonts.REAL_FAMILY)
    size, size_cs, lang = OxmlElement("w:sz"), OxmlElement("w:szCs"), OxmlElement("w:lang")
    size.set(qn("w:val"), "32")
    size_cs.set(qn("w:val"), "32")
    lang.set(qn("w:val"), "th-TH")
    lang.set(qn("w:bidi"), "th-TH")
    # Schema order inside rPr: rFonts … sz, szCs … lang.
    rpr.insert(0, fonts_el)
    rpr.append(size)
    rpr.append(size_cs)
    rpr.append(lang)


def make_letter(path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2)

    defaults_rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_thai_run_properties(defaults_rpr)
    normal = doc.styles["Normal"]
    _set_thai_run_properties(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(6), Pt(0), 1.0

    heading = doc.add_paragraph()
    run = heading.add_run(BOLD_WORDS)
    run.bold = True
    run._r.get_or_add_rPr().append(OxmlElement("w:bCs"))  # bold for the complex-script (Thai) part too
    for text in PARAGRAPHS:
        para = doc.add_paragraph(text)
        para.paragraph_format.first_line_indent = Cm(2.5)
    doc.save(str(path))


def convert(docx: Path, conf: Path, work: Path) -> Path:
    """docx -> PDF with LibreOffice under the given fontconfig, in a profile of its own."""
    out = work / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "FONTCONFIG_FILE": str(conf.resolve())}
    env.pop("FONTCONFIG_PATH", None)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(work / 'profile').resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = out / (docx.stem + ".pdf")
    assert pdf.is_file() and pdf.stat().st_size > 0, "soffice exited without writing the PDF"
    return pdf


@pytest.fixture(scope="module")
def layouts(substitute_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[Line], set[str]]]:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    if not (REAL_FONTS / "THSarabunNew-Regular.ttf").is_file():
        pytest.skip(f"reference TH Sarabun New not found in {REAL_FONTS}")
    work = tmp_path_factory.mktemp("layout")
    docx = work / "letter.docx"
    make_letter(docx)
    confs = {
        "real": fonts.write_fontconfig(work / "fc-real", [REAL_FONTS], None),
        "substitute": fonts.write_fontconfig(work / "fc-substitute", [substitute_dir], fonts.SUBSTITUTE_FAMILY),
    }
    return {kind: read_lines(convert(docx, conf, work / kind)) for kind, conf in confs.items()}


@needs_soffice
@needs_real
def test_pdfs_use_the_intended_fonts(layouts: dict[str, tuple[list[Line], set[str]]]) -> None:
    # A silent fallback (Laksaman, Loma, DejaVu) would make the comparison meaningless.
    for kind, family in (("real", "THSarabunNew"), ("substitute", "THSarabunSubstitute")):
        names = layouts[kind][1]
        stripped = {n.split("+", 1)[-1] for n in names}
        assert stripped, f"{kind}: no fonts in the PDF"
        assert all(n.startswith(family) for n in stripped), f"{kind}: unexpected fonts {sorted(names)}"
        assert any("Bold" in n for n in stripped), f"{kind}: no bold face used for the bold run {sorted(names)}"


@needs_soffice
@needs_real
def test_substitute_lays_out_like_real_font(layouts: dict[str, tuple[list[Line], set[str]]]) -> None:
    real, sub = layouts["real"][0], layouts["substitute"][0]
    assert max(p for p, _, _ in real) == 1, "the test letter should spill onto exactly 2 pages"
    assert max(p for p, _, _ in sub) == max(p for p, _, _ in real), "page count differs"
    assert [(p, t) for p, t, _ in sub] == [(p, t) for p, t, _ in real], "line breaks differ"
    worst = max(abs(a[2] - b[2]) for a, b in zip(real, sub, strict=True))
    assert worst <= 0.5, f"baselines differ by up to {worst:.2f} pt"
