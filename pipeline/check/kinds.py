"""Rules for one kind of document, on top of the generic ones.

They compare a PDF with ``Expectation.facts``, which the document modules fill
from the inputs: how many boxes a form has, which boxes a report must show
ticked, which form fields a fillable form must carry.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import fitz

from ..boxes import CROSSED, EMPTY, TICKED, box_glyphs
from ..model import Answer, Criteria
from . import SYMBOL_GLYPHS, Expectation, Rule, normalise, page_rawdict


def box_count(doc: fitz.Document, exp: Expectation) -> list[str]:
    """A blank form has exactly the expected number of empty boxes, and no ticked one."""
    glyphs = [g for _, _, g in box_glyphs(doc, page_rawdict)]
    wanted = exp.facts["boxes"]
    problems = []
    if glyphs.count(EMPTY) != wanted:
        problems.append(f"{glyphs.count(EMPTY)} empty boxes (☐); expected {wanted} (13 × 2 + 52)")
    if glyphs.count(TICKED) or glyphs.count(CROSSED):
        problems.append(f"{glyphs.count(TICKED) + glyphs.count(CROSSED)} ticked boxes on a blank form")
    return problems


def ticks(doc: fitz.Document, exp: Expectation) -> list[str]:
    """The ☑ / ☐ read back from the report, in order, are exactly the answers of its file."""
    seen = [g == TICKED for _, _, g in box_glyphs(doc, page_rawdict)]
    wanted = list(exp.facts["ticks"])
    labels = list(exp.facts.get("tick_labels", range(1, len(wanted) + 1)))
    if len(seen) != len(wanted):
        return [f"{len(seen)} boxes in the PDF; the answers call for {len(wanted)}"]
    return [f"box {label}: {'☑' if s else '☐'} in the PDF, the answer file says {'☑' if w else '☐'}"
            for label, s, w in zip(labels, seen, wanted) if s != w]


def form_fields(doc: fitz.Document, exp: Expectation) -> list[str]:
    """A fillable form carries one checkbox field per box, named after its item."""
    names = [w.field_name for page in doc for w in page.widgets() if w.field_type == fitz.PDF_WIDGET_TYPE_CHECKBOX]
    wanted = list(exp.facts["fields"])
    problems = []
    if len(names) != len(wanted):
        problems.append(f"{len(names)} checkbox fields; expected {len(wanted)}")
    missing = [n for n in wanted if n not in names]
    extra = [n for n in names if n not in wanted]
    if missing:
        problems.append(f"missing fields: {', '.join(missing[:10])}")
    if extra:
        problems.append(f"unexpected fields: {', '.join(extra[:10])}")
    return problems


def chart(doc: fitz.Document, exp: Expectation) -> list[str]:
    """The summary carries its chart (an embedded image)."""
    return [] if any(page.get_images() for page in doc) else ["no chart image in the document"]


# --- the collective package against the source circular ------------------------------

# OCR errors of the source, corrected in inputs/ (see the notes there); the source is
# corrected the same way before it is compared.
SOURCE_CORRECTIONS = {"๖.พ.ร.": "ก.พ.ร.", "ทุเวลา": "ทุกเวลา", "โทรศัพท์ดิ่ง": "โทรศัพท์ดัง"}
_MARKUP = re.compile(r"<[^>]+>")


def source_fragments(text: str) -> list[str]:
    """The source, line by line and cell by cell, without markup or heading marks.

    Table cells are compared one by one: a PDF table is read cell after cell, not
    along the source's tab-separated lines.
    """
    for wrong, right in SOURCE_CORRECTIONS.items():
        text = text.replace(wrong, right)
    fragments = []
    for line in text.splitlines():
        line = _MARKUP.sub(" ", line).lstrip("#").strip()
        fragments += [cell.strip() for cell in line.split("\t") if cell.strip()]
    return fragments


def reading_text(page: fitz.Page) -> str:
    """The page's text block by block, each block's lines top to bottom, left to right.

    LibreOffice writes fallback-font glyphs (☐, ☺ from DejaVu) out of visual
    order, so spans made only of symbols are split into characters and every
    piece is placed by its x position; Thai spans stay whole (their marks overlap).
    """
    text = []
    for block in page.get_text("rawdict")["blocks"]:
        rows: dict[int, list[tuple[float, str]]] = {}
        for line in block.get("lines", []):
            for span in line["spans"]:
                chars = span["chars"]
                if not chars:
                    continue
                row = rows.setdefault(round(span["origin"][1]), [])
                if all(c["c"] in SYMBOL_GLYPHS or c["c"].isspace() for c in chars):
                    row += [(c["bbox"][0], c["c"]) for c in chars]
                else:
                    row.append((chars[0]["bbox"][0], "".join(c["c"] for c in chars)))
        text += ["".join(piece for _, piece in sorted(rows[y])) for y in sorted(rows)]
    return "\n".join(text)


def source_coverage(doc: fitz.Document, exp: Expectation) -> list[str]:
    """Every line of the source circular is found in the regenerated package (100% is the target)."""
    source = exp.facts.get("source")
    if source is None:
        return []  # no source beside this project: nothing to compare (said in the table's note)
    fragments = source_fragments(Path(source).read_text(encoding="utf-8"))
    text = normalise("".join(reading_text(page) for page in doc))
    missing = [f for f in fragments if normalise(f) not in text]
    if not missing:
        return []
    share = 100 * (len(fragments) - len(missing)) / len(fragments)
    return [f"{share:.1f}% of {len(fragments)} source lines/cells found; missing:"] + [f"  “{m[:80]}”" for m in missing]


# --- results.csv against the answer files ---------------------------------------------

def results_csv(path: Path, answers: Sequence[Answer], criteria: Criteria) -> list[str]:
    """outputs/summary/results.csv agrees with the answer files, counted afresh from them."""
    if not path.is_file():
        return [f"file not found: {path}"]
    rows = {(r["province"], r["center"]): r for r in csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())}
    problems = []
    if len(rows) != len(answers):
        problems.append(f"{len(rows)} rows; {len(answers)} centers have valid answers")
    for answer in answers:
        row = rows.get((answer.province, answer.center))
        if row is None:
            problems.append(f"no row for {answer.center} ({answer.province})")
            continue
        wanted = {
            "physical_met": str(sum(answer.physical.values())),
            "basic_condition_met": "TRUE" if all(answer.physical.values()) else "FALSE",
            "quality_met": str(sum(answer.quality.values())),
            **{f"part{n}_met": str(sum(answer.quality[i.id] for i in part.items))
               for n, part in enumerate(criteria.parts, 1)},
        }
        problems += [f"{answer.center}: {column} is {row.get(column)}, the answer file gives {value}"
                     for column, value in wanted.items() if row.get(column) != value]
    return problems
