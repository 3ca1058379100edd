"""The table_word_breaks rule on PDFs LibreOffice really laid out: a line in a ruled table cell
never ends inside a Thai word, a district's name or a date, and every other break passes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import fitz
import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from pipeline.check import Expectation, check_pdf, table_word_breaks
from pipeline.check.cells import table_cells
from pipeline.load import load_campaign
from pipeline.load.centers import provinces

FONTCONFIG = Path(__file__).resolve().parents[1] / "build" / "fonts" / "fonts.conf"
DISTRICT = "พระสมุทรเจดีย์"
CENTER = "ศูนย์ดำรงธรรมอำเภอ" + DISTRICT
WORD = "ประชาสัมพันธ์"
DATE = "๑๕ กุมภาพันธ์ ๒๕๖๔"
# Two paragraphs in one cell: the first ends with room to spare, so its end is no wrap.
PARAGRAPHS = ("มีครบทุกข้อ", "ยังไม่ได้ส่ง")

# name -> column widths (cm), one row: a word, a center's name, a date, two paragraphs
LAYOUTS = {
    "narrow": (1.2, 4.0, 2.3, 3.0),  # the word, the name after "พระ", the date: each broken
    "wide": (2.5, 5.5, 3.4, 3.0),  # everything on one line (the name with the break we put there)
}


def _table_docx(path: Path, widths: tuple[float, ...], name_break: bool) -> None:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "TH Sarabun New", Pt(14)
    rpr = normal.element.get_or_add_rPr()
    rpr.find(qn("w:rFonts")).set(qn("w:cs"), "TH Sarabun New")
    size_cs = OxmlElement("w:szCs")
    size_cs.set(qn("w:val"), "28")
    rpr.append(size_cs)
    table = document.add_table(rows=1, cols=len(widths))
    table.style = "Table Grid"
    table.autofit = False
    word, name, date, paragraphs = table.rows[0].cells
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = Cm(width)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    word.paragraphs[0].add_run(WORD)
    if name_break:
        run = name.paragraphs[0].add_run("ศูนย์ดำรงธรรมอำเภอ")
        run.add_break()
        name.paragraphs[0].add_run(DISTRICT)
    else:
        name.paragraphs[0].add_run(CENTER)
    date.paragraphs[0].add_run(DATE)
    paragraphs.paragraphs[0].add_run(PARAGRAPHS[0])
    paragraphs.add_paragraph(PARAGRAPHS[1])
    document.save(path)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("soffice") is None or not FONTCONFIG.is_file():
        pytest.skip("LibreOffice or the project's fonts (make setup) are missing")
    root = tmp_path_factory.mktemp("breaks")
    docs = []
    for name, widths in LAYOUTS.items():
        docs.append(root / f"{name}.docx")
        _table_docx(docs[-1], widths, name_break=name == "wide")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(root),
            *map(str, docs),
        ],
        env={**os.environ, "FONTCONFIG_FILE": str(FONTCONFIG)},
        capture_output=True,
        timeout=180,
        check=True,
    )
    return {name: root / f"{name}.pdf" for name in LAYOUTS}


def _lines(pdf: Path) -> list[list[str]]:
    with fitz.open(pdf) as doc:
        return [[line.text.strip() for line in cell.lines] for cell in table_cells(doc[0])]


def _problems(pdf: Path, names: tuple[str, ...] = ()) -> list[str]:
    with fitz.open(pdf) as doc:
        return table_word_breaks(doc, Expectation(pdf, "test", names=names))


def test_cells_are_read_line_by_line_from_the_rules(pdfs):
    cells = _lines(pdfs["wide"])
    assert [WORD] in cells and [DATE] in cells and list(PARAGRAPHS) in cells
    assert ["ศูนย์ดำรงธรรมอำเภอ", DISTRICT] in cells


def test_a_word_a_name_and_a_date_broken_in_a_narrow_cell_fail(pdfs):
    lines = _lines(pdfs["narrow"])
    assert any(len(cell) > 1 and "".join(cell) == WORD for cell in lines), lines  # LibreOffice broke it
    problems = _problems(pdfs["narrow"], names=(DISTRICT,))
    assert all(p.startswith("page 1, cell at x=") for p in problems), problems
    assert sum(f"breaks the word “{WORD}”" in p for p in problems) == len(lines[0]) - 1  # every break of it
    assert sum(f"breaks “{DISTRICT}”" in p and "“…ธรรมอำเภอพระ” / “สมุทรเจดีย์…”" in p for p in problems) == 1
    assert sum("breaks “๑๕ กุมภาพันธ์" in p for p in problems) == 1
    assert len(problems) == len(lines[0]) + 1  # and the two paragraphs are no wrap


def test_a_name_breaks_only_if_the_campaign_names_it(pdfs):
    """ "อำเภอพระ / สมุทรเจดีย์" ends dictionary words: only the campaign's district list says it is one name."""
    assert not any(DISTRICT in p for p in _problems(pdfs["narrow"]))


def test_words_whole_and_breaks_we_put_there_pass(pdfs):
    assert _problems(pdfs["wide"], names=(DISTRICT,)) == []
    findings = {f.rule: f for f in check_pdf(Expectation(pdfs["narrow"], "test", names=(DISTRICT,)))}
    assert not findings["table_word_breaks"].ok and "breaks the word" in findings["table_word_breaks"].detail


def _names_one_by_one(text: str, names: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """The names' spans as first written: the text searched once per name."""
    spans = []
    for name in (*names, *provinces()):
        start = text.find(name)
        while start >= 0:
            spans.append((start, start + len(name), name))
            start = text.find(name, start + 1)
    return spans


def test_names_found_by_index_as_by_searching_once_per_name(inputs):
    """Every occurrence of every name, in the same order, as searching the text once per name found:
    names inside names, names overlapping, at either end, a one-character name."""
    from pipeline.check.wordbreak import _names

    centers = [c.district for c in load_campaign(inputs).centers]
    names = (*sorted(set(centers)), "พระ", "เจดีย์", "ก")
    texts = [
        CENTER,
        f"{DISTRICT}{DISTRICT} จังหวัดสมุทรปราการ",
        "อำเภอพระนครศรีอยุธยา จังหวัดพระนครศรีอยุธยา ก",
        "ก" + "".join(centers[:30]) + "ข",
        "ไม่มีชื่อใดเลย",
        "",
    ]
    for text in texts:
        assert _names(text, names) == _names_one_by_one(text, names)
    assert [name for _, _, name in _names(texts[1], names)][:3] == [DISTRICT, DISTRICT, "พระ"]
