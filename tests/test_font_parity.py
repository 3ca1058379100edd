"""Every document the build makes lays out with the substitute exactly as with the real font.

A campaign is built with the real command line (its PDFs are made with TH Sarabun
Substitute, as on a machine without TH Sarabun New); the same DOCX are converted again
with the real TH Sarabun New (../shared/fonts, reference data outside the project).
Every text line of every page must be the same (text, page, baseline), and the text
poppler's pdftotext and PyMuPDF extract must be the same.

By default the campaign is the shipped inputs cut to three centers (letters, forms,
reports, the enclosures, the summary: every kind of document, including the letter
that broke differently with the old substitute). GECC_FONT_PARITY=full
builds the whole shipped campaign (about 160 documents; a few minutes on 2 cores).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from campaigns import copy_shipped, run, shipped
from font_parity import (
    REAL_FONTS,
    compare,
    convert_again,
    converted_pdfs,
    kind,
    real_font_available,
    real_fontconfig,
    summary,
)

from pipeline import fonts

FULL = os.environ.get("GECC_FONT_PARITY") == "full"
# The centers of the cut campaign: with the old substitute, กาฬสินธุ์'s letter (34) was the
# one letter that broke a line differently; 1 and 2 have shipped answers (reports).
CENTERS = (1, 2, 34)


def cut_inputs(root: Path) -> Path:
    """The shipped inputs with only CENTERS, and only their answers."""
    inputs = root / "inputs"
    copy_shipped(inputs)
    rows = (inputs / "centers.csv").read_text(encoding="utf-8").splitlines()
    kept = [rows[0]] + [row for row in rows[1:] if row.split(",", 1)[0].strip() in {str(n) for n in CENTERS}]
    assert len(kept) == len(CENTERS) + 1, kept
    (inputs / "centers.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    prefixes = tuple(f"{n:02d}-" for n in CENTERS)
    for path in (inputs / "answers").iterdir():
        if not path.name.startswith((*prefixes, "README")):
            path.unlink()
    return inputs


@pytest.fixture(scope="module")
def both_ways(tmp_path_factory: pytest.TempPathFactory):
    if not real_font_available():
        pytest.skip(
            f"SKIPPED LOUDLY: the reference TH Sarabun New is not in {REAL_FONTS}: "
            "the substitute cannot be compared with the real font"
        )
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (tools/install-system.sh installs poppler-utils)")
    if fonts.real_font_installed():
        pytest.skip("TH Sarabun New is installed system-wide: the build would use it, not the substitute")
    work = tmp_path_factory.mktemp("parity")
    inputs = shipped() if FULL else cut_inputs(work)
    outputs = work / "outputs"
    done = run("build", "--inputs", str(inputs), "--outputs", str(outputs), timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    pdfs = converted_pdfs(outputs)
    real = convert_again(outputs, pdfs, real_fontconfig(work / "fc-real"), work / "real", work / "profiles")
    results = [compare(str(p.relative_to(outputs).with_suffix("")), real[p], p) for p in pdfs]
    print("\n" + summary(results))
    return results


def test_every_kind_of_document_is_compared(both_ways) -> None:
    kinds = {kind(r.name) for r in both_ways}
    assert {"letters", "forms", "reports", "enclosures", "summary"} <= kinds, kinds
    names = {r.name for r in both_ways}
    assert {"enclosures/criteria", "enclosures/centers", "summary/summary"} <= names, names
    forms = [r for r in both_ways if kind(r.name) == "forms"]
    assert forms and all(r.pages[0] == 8 for r in forms), [(r.name, r.pages) for r in forms]


def test_the_intended_fonts_are_used(both_ways) -> None:
    # A silent fallback (Laksaman, Loma) on either side would make the comparison meaningless.
    for r in both_ways:
        real, sub = r.families
        assert "THSarabunNew" in real and not real & {"Laksaman", "THSarabunSubstitute"}, (r.name, real)
        assert "THSarabunSubstitute" in sub and not sub & {"Laksaman", "THSarabunNew"}, (r.name, sub)


def test_every_line_of_every_page_is_the_same(both_ways) -> None:
    different = [str(r) for r in both_ways if not r.identical]
    assert not different, "\n".join(different)


def test_extracted_text_is_the_same(both_ways) -> None:
    """PyMuPDF: the same text. pdftotext: the same, except lines it misreads with one font
    and not the other (LibreOffice's rounding puts a mark 0.01 pt past the next letter, with
    either font at some words); the substitute may not have more of those than the real font."""
    different = [f"{r.name}: {tool}: {passage}" for r in both_ways for tool, passage in r.text_differs.items()]
    assert not different, "\n".join(different)
    worse = [str(r) for r in both_ways if len(r.misread_substitute) > len(r.misread_real)]
    assert not worse, "\n".join(worse)
