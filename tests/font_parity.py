"""The same documents laid out with the real TH Sarabun New and with the substitute, compared.

Shared by tests/test_font_parity.py and usable on its own to measure a whole build:

    .venv/bin/python tests/font_parity.py OUTPUTS      # after `pipeline build --outputs OUTPUTS`

The DOCX of a build are converted again with a fontconfig that holds the real font
(../shared/fonts, reference data outside the project), through the pipeline's own
converter with the same settings as the product's PDFs (PDF/A where they are PDF/A).
Then every text line of every page is compared (page, text, baseline), and the text
that poppler's pdftotext and PyMuPDF extract.
"""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import fitz

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from pipeline import convert, fonts  # noqa: E402

REAL_FONTS = PROJECT.parent / "shared" / "fonts"
BASELINE_TOLERANCE = 0.5  # pt: the same line, drawn within rounding of the same place
PDFA2_XMP = re.compile(r'pdfaid:part(?:>\s*|="\s*)2\b')  # how LibreOffice marks a PDF/A-2 file

Line = tuple[int, str, float]  # page number (from 0), text, baseline y in pt


def real_font_available() -> bool:
    return (REAL_FONTS / "THSarabunNew-Regular.ttf").is_file() and (REAL_FONTS / "THSarabunNew-Bold.ttf").is_file()


def real_fontconfig(work: Path) -> Path:
    """A fontconfig in which "TH Sarabun New" is the real font (an exact family match wins
    over TLWG's rule that appends Laksaman to it)."""
    return fonts.write_fontconfig(work, [REAL_FONTS], None)


def is_pdfa(pdf: Path) -> bool:
    with fitz.open(pdf) as doc:
        return bool(PDFA2_XMP.search(doc.get_xml_metadata() or ""))


def converted_pdfs(outputs: Path) -> list[Path]:
    """The PDFs LibreOffice made in a build: those with their DOCX beside them (not the
    assembled print files, packages or fillable forms)."""
    return sorted(p for p in outputs.rglob("*.pdf") if p.with_suffix(".docx").is_file())


def convert_again(outputs: Path, pdfs: list[Path], conf: Path, target: Path, profiles: Path) -> dict[Path, Path]:
    """Each product PDF's DOCX converted under ``conf`` into ``target``: {product pdf: new pdf}."""
    made: dict[Path, Path] = {}
    for pdfa in (False, True):
        jobs = []
        for pdf in pdfs:
            if is_pdfa(pdf) != pdfa:
                continue
            out = target / pdf.relative_to(outputs)
            out.parent.mkdir(parents=True, exist_ok=True)
            jobs.append((pdf.with_suffix(".docx"), out))
            made[pdf] = out
        if jobs:
            result = convert.convert(jobs, convert.How(fontconfig=conf, pdfa=pdfa, profile_root=profiles))
            if result.failed:
                raise RuntimeError(f"conversion failed: {result.failed}")
    return made


def read_lines(pdf: Path) -> tuple[list[Line], set[str]]:
    """Text lines (spans grouped by baseline, left to right) and the names of the fonts used."""
    lines: list[Line] = []
    font_names: set[str] = set()
    with fitz.open(pdf) as doc:
        for number, page in enumerate(doc):
            font_names.update(f[3] for f in page.get_fonts())
            spans = [
                span
                for block in page.get_text("dict")["blocks"]
                for line in block.get("lines", [])
                for span in line["spans"]
            ]
            rows: list[tuple[float, list[dict]]] = []
            for span in sorted(spans, key=lambda s: (round(s["origin"][1], 1), s["origin"][0])):
                y = span["origin"][1]
                if rows and abs(rows[-1][0] - y) < 1.0:
                    rows[-1][1].append(span)
                else:
                    rows.append((y, [span]))
            for y, group in rows:
                text = "".join(s["text"] for s in sorted(group, key=lambda s: s["origin"][0])).strip()
                if text:
                    lines.append((number, text, round(y, 2)))
    return lines, font_names


def pdftotext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120
    ).stdout


def pymupdf_text(pdf: Path) -> str:
    with fitz.open(pdf) as doc:
        return "\f".join(page.get_text() for page in doc)


def font_families(names: set[str]) -> set[str]:
    """PDF font names without the subset prefix and the style: {"THSarabunNew", "DejaVuSans"}."""
    return {re.sub(r"-.*", "", n.split("+", 1)[-1]) for n in names}


@dataclass
class Comparison:
    name: str
    pages: tuple[int, int]  # real, substitute
    lines: int  # lines with the real font
    differing: int  # lines not the same (text, page or baseline)
    first: str = ""  # the first difference, said plainly
    text_differs: dict[str, str] = field(default_factory=dict)  # extractor -> first differing passage
    # Lines pdftotext misreads (a word split, a mark moved after the next letter) with the
    # real font and with the substitute: LibreOffice writes a zero-width mark inside a run
    # of glyphs rounded to 1/1000 em, and when the rounding puts it 0.01 pt past the next
    # letter poppler reorders and splits. It happens with either font, at different words.
    misread_real: list[str] = field(default_factory=list)
    misread_substitute: list[str] = field(default_factory=list)
    families: tuple[set[str], set[str]] = (set(), set())

    @property
    def identical(self) -> bool:
        return self.pages[0] == self.pages[1] and self.differing == 0

    def __str__(self) -> str:
        said = f"{self.name}: pages {self.pages[0]}/{self.pages[1]}, {self.differing} of {self.lines} lines differ"
        if self.first:
            said += f"; first: {self.first}"
        for tool, passage in self.text_differs.items():
            said += f"; {tool} text differs: {passage}"
        if self.misread_real or self.misread_substitute:
            said += (
                f"; pdftotext misreads {self.misread_real} with the real font, "
                f"{self.misread_substitute} with the substitute"
            )
        return said


def _first_text_difference(real: str, sub: str) -> str:
    """The first line that differs, and the words around the first difference in it."""
    for a, b in zip(real.splitlines() + [""], sub.splitlines() + [""], strict=False):
        if a != b:
            i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            return f"real {a[max(0, i - 15) : i + 20]!r} / substitute {b[max(0, i - 15) : i + 20]!r}"
    return ""


def compare(name: str, real_pdf: Path, sub_pdf: Path, text: bool = True) -> Comparison:
    real, real_fonts = read_lines(real_pdf)
    sub, sub_fonts = read_lines(sub_pdf)
    pages = (max((p for p, _, _ in real), default=-1) + 1, max((p for p, _, _ in sub), default=-1) + 1)
    matcher = difflib.SequenceMatcher(None, [(p, t) for p, t, _ in real], [(p, t) for p, t, _ in sub], autojunk=False)
    differing, first = 0, ""
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for a, b in zip(real[i1:i2], sub[j1:j2], strict=True):
                if abs(a[2] - b[2]) > BASELINE_TOLERANCE:
                    differing += 1
                    first = first or f"page {a[0] + 1} {a[1]!r}: baseline {a[2]} with the real font, {b[2]}"
        else:
            differing += max(i2 - i1, j2 - j1)
            if not first:
                a = real[i1] if i1 < i2 else None
                b = sub[j1] if j1 < j2 else None
                first = (
                    f"real page {a[0] + 1 if a else '-'} {a[1] if a else ''!r} / "
                    f"substitute page {b[0] + 1 if b else '-'} {b[1] if b else ''!r}"
                )
    result = Comparison(
        name, pages, len(real), differing, first, families=(font_families(real_fonts), font_families(sub_fonts))
    )
    if text:
        mupdf = pymupdf_text(real_pdf), pymupdf_text(sub_pdf)
        if mupdf[0] != mupdf[1]:
            result.text_differs["PyMuPDF"] = _first_text_difference(*mupdf)
        poppler = pdftotext(real_pdf), pdftotext(sub_pdf)
        if poppler[0] != poppler[1]:
            real_lines, sub_lines = poppler[0].splitlines(), poppler[1].splitlines()
            # PyMuPDF reads both alike and right: a line it does not have is misread.
            words = _spaced(mupdf[0]), _spaced(mupdf[1])
            wrong = [(a, b) for a, b in zip(real_lines, sub_lines, strict=False) if a != b]
            result.misread_real = [a for a, _ in wrong if _spaced(a) not in words[0]]
            result.misread_substitute = [b for _, b in wrong if _spaced(b) not in words[1]]
            explained = all(_spaced(a) not in words[0] or _spaced(b) not in words[1] for a, b in wrong)
            if len(real_lines) != len(sub_lines) or not explained:
                result.text_differs["pdftotext"] = _first_text_difference(*poppler)
    return result


def _spaced(text: str) -> str:
    return " " + re.sub(r"\s+", " ", text).strip() + " "


def kind(name: str) -> str:
    return name.split("/", 1)[0] if "/" in name else name


def summary(results: list[Comparison]) -> str:
    """Per document kind: documents identical, lines differing, pages differing, text differing."""
    by_kind: dict[str, list[Comparison]] = defaultdict(list)
    for r in results:
        by_kind[kind(r.name)].append(r)
    rows = [
        "| kind | documents | identical layout | lines differing | documents with another page count "
        "| pdftotext differs otherwise | PyMuPDF differs | pdftotext misreads (real / substitute) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k, rs in sorted(by_kind.items()):
        rows.append(
            f"| {k} | {len(rs)} | {sum(r.identical for r in rs)} | "
            f"{sum(r.differing for r in rs)} of {sum(r.lines for r in rs)} | "
            f"{sum(r.pages[0] != r.pages[1] for r in rs)} | "
            f"{sum('pdftotext' in r.text_differs for r in rs)} | "
            f"{sum('PyMuPDF' in r.text_differs for r in rs)} | "
            f"{sum(len(r.misread_real) for r in rs)} / {sum(len(r.misread_substitute) for r in rs)} |"
        )
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    """Compare a build's PDFs (made with the substitute) with the same DOCX under the real font."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("outputs", type=Path, help="the outputs folder of a build")
    parser.add_argument(
        "--substitute", type=Path, help="a font folder: convert with this substitute instead of using the build's PDFs"
    )
    args = parser.parse_args(argv)
    if not real_font_available():
        print(f"the reference TH Sarabun New is not in {REAL_FONTS}")
        return 2
    outputs = args.outputs.resolve()
    pdfs = converted_pdfs(outputs)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        real = convert_again(outputs, pdfs, real_fontconfig(work / "fc-real"), work / "real", work / "profiles")
        if args.substitute:
            conf = fonts.write_fontconfig(work / "fc-sub", [args.substitute.resolve()], fonts.SUBSTITUTE_FAMILY)
            subs = convert_again(outputs, pdfs, conf, work / "sub", work / "profiles")
        else:
            subs = {p: p for p in pdfs}
        results = [compare(str(p.relative_to(outputs).with_suffix("")), real[p], subs[p]) for p in pdfs]
    for r in results:
        if not r.identical or r.text_differs or r.misread_real or r.misread_substitute:
            print(r)
    print(summary(results))
    return (
        0
        if all(r.identical and not r.text_differs and len(r.misread_substitute) <= len(r.misread_real) for r in results)
        else 1
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
