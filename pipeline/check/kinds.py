"""Rules for one kind of document, on top of the generic ones.

They compare a PDF with ``Expectation.facts``, which the document modules fill
from the inputs: how many boxes a form has, which boxes a report must show
ticked, which form fields a fillable form must carry.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import fitz

from ..boxes import CROSSED, EMPTY, TICKED, box_chars, box_glyphs
from ..exports import csv_text
from ..model import Answer, Criteria
from . import SYMBOL_GLYPHS, Expectation, normalise, page_rawdict
from .text import derived


def _page_boxes(page: fitz.Page) -> list[tuple[fitz.Rect, str]]:
    """The page's boxes, read once per page content; a page that differs from one read before only in
    its boxes' glyphs has that page's boxes with its own glyphs (check/text.py ``derived``)."""
    found: list[tuple[tuple[float, float, float, float], str]] = derived(
        page, "boxes", lambda page: box_chars(page_rawdict(page)), _own_glyphs
    )
    return [(fitz.Rect(bbox), glyph) for bbox, glyph in found]


def _own_glyphs(found: list[tuple[Any, str]], glyph_at: Mapping[int, str]) -> list[tuple[Any, str]]:
    return [(bbox, glyph_at.get(id(bbox), glyph)) for bbox, glyph in found]


def box_count(doc: fitz.Document, exp: Expectation) -> list[str]:
    """A blank form has exactly the expected number of empty boxes, and no ticked one."""
    glyphs = [g for _, _, g in box_glyphs(doc, _page_boxes)]
    wanted = exp.facts["boxes"]
    problems = []
    if glyphs.count(EMPTY) != wanted:
        problems.append(f"{glyphs.count(EMPTY)} empty boxes (☐); expected {wanted} (13 × 2 + 52)")
    if glyphs.count(TICKED) or glyphs.count(CROSSED):
        problems.append(f"{glyphs.count(TICKED) + glyphs.count(CROSSED)} ticked boxes on a blank form")
    return problems


def ticks(doc: fitz.Document, exp: Expectation) -> list[str]:
    """The ☑ / ☐ read back from the report, in order, are exactly the answers of its file."""
    seen = [g == TICKED for _, _, g in box_glyphs(doc, _page_boxes)]
    wanted = list(exp.facts["ticks"])
    labels = list(exp.facts.get("tick_labels", range(1, len(wanted) + 1)))
    if len(seen) != len(wanted):
        return [f"{len(seen)} boxes in the PDF; the answers call for {len(wanted)}"]
    return [
        f"box {label}: {'☑' if s else '☐'} in the PDF, the answer file says {'☑' if w else '☐'}"
        for label, s, w in zip(labels, seen, wanted, strict=True)
        if s != w
    ]


def form_fields(doc: fitz.Document, exp: Expectation) -> list[str]:
    """A fillable form carries one checkbox field per box, named after its item: each widget on a page
    read from its dictionary as a reader reads it (a button neither radio nor push button)."""
    names = [name for page in doc for name in _checkbox_names(doc, page)]
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


_NOT_CHECKBOX = fitz.PDF_BTN_FIELD_IS_RADIO | fitz.PDF_BTN_FIELD_IS_PUSHBUTTON  # flags of the other buttons


def _checkbox_names(doc: fitz.Document, page: fitz.Page) -> list[str]:
    names = []
    for xref, kind, _ in page.annot_xrefs():
        flags = doc.xref_get_key(xref, "Ff")[1]
        if (
            kind == fitz.PDF_ANNOT_WIDGET
            and doc.xref_get_key(xref, "FT")[1] == "/Btn"
            and not int(flags if flags.isdigit() else 0) & _NOT_CHECKBOX
        ):
            names.append(doc.xref_get_key(xref, "T")[1])
    return names


def chart(doc: fitz.Document, exp: Expectation) -> list[str]:
    """The summary carries its chart (an embedded image)."""
    return [] if any(page.get_images() for page in doc) else ["no chart image in the document"]


def register_entries(doc: fitz.Document, exp: Expectation) -> list[str]:
    """The register shows every entry's ที่ once, in the order they were entered."""
    text = normalise("".join(reading_text(page) for page in doc))
    problems, at = [], 0
    for reference in exp.facts["references"]:
        wanted = normalise(reference)
        found = text.find(wanted, at)
        if found < 0:
            problems.append(f"“{reference}” " + ("out of order" if wanted in text else "not in the register"))
            continue
        at = found + len(wanted)
    return problems


# --- letters: the parts of the format, in order, and no others ---------------------------

CM = 72 / 2.54
STAMPED, EXTERNAL = "ประทับตรา", "ภายนอก"  # model.LetterFormat values, as in Document.facts["format"]
# Printed labels of the parts (ระเบียบงานสารบรรณ), before the first line of a part; the text after
# each comes from the facts.
LABELS = {"ที่": "ที่", "ถึง": "ถึง", "เรื่อง": "เรื่อง", "อ้างถึง": "อ้างถึง", "สิ่งที่ส่งมาด้วย": "สิ่งที่ส่งมาด้วย"}
# What only the other format prints: seen in a letter, it mixes the two formats.
FOREIGN = {
    STAMPED: {
        "เรื่อง": "เรื่อง",
        "เรียน": "เรียน",
        "อ้างถึง": "อ้างถึง",
        "สิ่งที่ส่งมาด้วย": "สิ่งที่ส่งมาด้วย",
        "ขอแสดงความนับถือ": "คำลงท้าย",
    },
    EXTERNAL: {"ถึง": "ถึง (คำขึ้นต้นของหนังสือประทับตรา)"},
}
STAMP_CM = 4.5  # the office stamp's outer circle: the space between the sending office and the date
_PAGE_NUMBER = re.compile(r"-[\u0e00-\u0e7f0-9]{1,4}-")
_PAGE_NUMBER_BAND = 3.0 * CM


VisualLine = tuple[int, float, float, float, str]  # page, baseline, x0, x1, text


def visual_lines(doc: fitz.Document) -> list[VisualLine]:
    """Every visual line, top to bottom, as (page, baseline, x0, x1, text); spans on one
    baseline (±2 pt) joined left to right, whatever block they are in (ที่ | office), and
    the page number ("- ๒ -") left out."""
    lines = []
    for page in doc:
        rows: list[tuple[float, list[tuple[float, float, str]]]] = []
        for block in page_rawdict(page)["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    chars = span["chars"]
                    text = "".join(c["c"] for c in chars)
                    if not text.strip():
                        continue
                    inked = [c for c in chars if not c["c"].isspace()]
                    y = span["origin"][1]
                    row = next((r for r in rows if abs(r[0] - y) <= 2), None)
                    if row is None:
                        row = (y, [])
                        rows.append(row)
                    row[1].append((inked[0]["bbox"][0], inked[-1]["bbox"][2], text))
        for y, pieces in sorted(rows, key=lambda r: r[0]):
            pieces.sort()
            text = "".join(t for _, _, t in pieces)
            if y < _PAGE_NUMBER_BAND and _PAGE_NUMBER.fullmatch(normalise(text)):
                continue
            lines.append((page.number + 1, y, pieces[0][0], max(x1 for _, x1, _ in pieces), text))
    return lines


def _printed(parts: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, text as printed): a part's label before the first line of its run."""
    printed = []
    for i, (name, text) in enumerate(parts):
        first = i == 0 or parts[i - 1][0] != name
        printed.append((name, f"{LABELS[name]} {text}" if first and name in LABELS else text))
    return printed


def letter_parts(doc: fitz.Document, exp: Expectation) -> list[str]:
    """The letter shows the parts of its format, in order, and nothing else (no part of the other format)."""
    if "format" not in exp.facts:
        return ["no letter format in the expectation: nothing to compare with"]
    letter_format = str(exp.facts["format"])
    other = EXTERNAL if letter_format == STAMPED else STAMPED
    lines = [normalise(line[4]) for line in visual_lines(doc)]
    text = "".join(lines)
    starts = [sum(map(len, lines[:i])) for i in range(len(lines))]
    problems, covered, at, previous = [], [], 0, "the start"
    for name, printed in _printed(exp.facts["parts"]):
        wanted = normalise(printed)
        found = text.find(wanted, at)
        if found < 0:
            earlier = text.find(wanted)
            problems.append(
                f"{name} “{printed[:50]}” "
                + (f"stands before {previous}: out of order" if earlier >= 0 else f"not found after {previous}")
            )
            continue
        covered.append((found, found + len(wanted), name))
        at, previous = found + len(wanted), name
    # What no part accounts for: a part of the other format (a line starting with its label),
    # or text the format does not have.
    start, after = 0, "the start"
    for begin, end, name in sorted(covered) + [(len(text), len(text), "")]:
        if begin > start:
            labels = [
                FOREIGN[letter_format][label]
                for i, line in enumerate(lines)
                if start <= starts[i] < begin
                for label in FOREIGN[letter_format]
                if line.startswith(normalise(label))
            ]
            named = list(dict.fromkeys(labels))
            what = (
                f"{', '.join(named)} ({'parts' if len(named) > 1 else 'a part'} of หนังสือ{other})"
                if named
                else "no part of this format"
            )
            problems.append(f"after {after}: “{text[start:begin][:50]}”: {what}, in a หนังสือ{letter_format}")
        start, after = max(start, end), name or after
    return problems


def _line_of(lines: list[VisualLine], text: str, after: tuple[int, float] = (0, 0.0)) -> VisualLine | None:
    wanted = normalise(text)
    return next((line for line in lines if (line[0], line[1]) > after and normalise(line[4]) == wanted), None)


def letter_layout(doc: fitz.Document, exp: Expectation) -> list[str]:
    """Where the parts stand. Stamped: ที่ at the left margin; the sending office right of the
    page's centre; below it 4.5 cm of empty space for the office stamp, then the date; the
    owning unit at the left, after the date. External: the date and the closing from the
    typing area's centre; the owning unit at the left, after the signature."""
    if "format" not in exp.facts:
        return ["no letter format in the expectation: nothing to compare with"]
    lines = visual_lines(doc)
    parts = dict(_printed(exp.facts["parts"]))
    left = 3.0 * CM
    problems = []

    def find(name: str, after: tuple[int, float] = (0, 0.0)) -> VisualLine | None:
        line = _line_of(lines, parts[name], after) if name in parts else None
        if name in parts and line is None:
            problems.append(f"{name}: no line reads “{parts[name][:40]}”")
        return line

    def at_left(name: str, line: VisualLine | None) -> None:
        if line is not None and abs(line[2] - left) > 0.2 * CM:
            problems.append(f"{name} starts {line[2] / CM:.2f} cm from the edge; expected at the left margin (3 cm)")

    number = next((line for line in lines if normalise(line[4]).startswith(normalise(parts["ที่"]))), None)
    at_left("ที่", number)
    owner = next((line for line in lines if normalise(line[4]) == normalise(parts["ส่วนราชการเจ้าของเรื่อง"])), None)
    at_left("ส่วนราชการเจ้าของเรื่อง", owner)
    if exp.facts["format"] == STAMPED:
        office = find("ส่วนราชการส่ง")
        date = find("วันที่", (office[0], office[1]) if office else (0, 0.0))
        if office is not None:
            middle = (office[2] + office[3]) / 2
            if middle <= doc[office[0] - 1].rect.width / 2:
                problems.append(
                    f"ส่วนราชการส่ง centred {middle / CM:.2f} cm from the edge: not right of the page's centre"
                )
        if office is not None and date is not None:
            if date[0] != office[0]:
                problems.append(f"the date is on page {date[0]}, the sending office on page {office[0]}")
            else:
                gap = [line for line in lines if line[0] == office[0] and office[1] < line[1] < date[1]]
                space = (date[1] - office[1]) / CM
                if gap:
                    problems.append(f"“{gap[0][4][:40]}” stands in the stamp's space")
                if space < STAMP_CM:
                    problems.append(
                        f"{space:.2f} cm between the sending office and the date; the stamp needs {STAMP_CM} cm"
                    )
        if date is not None and owner is not None and (owner[0], owner[1]) < (date[0], date[1]):
            problems.append("the owning unit stands above the date")
    else:
        middle = left + 8.0 * CM
        for name in ("วันที่", "คำลงท้าย"):
            line = find(name)
            if line is not None and abs(line[2] - middle) > 0.2 * CM:
                problems.append(f"{name} starts {line[2] / CM:.2f} cm from the edge; expected from the centre (11 cm)")
    return problems


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
    text = path.read_text(encoding="utf-8-sig")
    rows = {(csv_text(r["province"]), csv_text(r["center"])): r for r in csv.DictReader(io.StringIO(text))}
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
            **{
                f"part{n}_met": str(sum(answer.quality[i.id] for i in part.items))
                for n, part in enumerate(criteria.parts, 1)
            },
        }
        problems += [
            f"{answer.center}: {column} is {row.get(column)}, the answer file gives {value}"
            for column, value in wanted.items()
            if row.get(column) != value
        ]
    return problems
