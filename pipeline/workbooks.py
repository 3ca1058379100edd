"""Excel workbooks written for the clerks: the answers workbook to send out, and the results.

``answers_workbook``: outputs/answers.xlsx (``init-answers --xlsx``), one row per
center that has not answered, with the columns of the CSV answer form, so that
filled in and saved into inputs/answers/ it is read like any answer file
(load/answers.py). Province and center are locked (sheet protection without a
password: it stops slips, not people); every other cell takes a drop-down
(มี / ไม่มี for เกณฑ์ที่ ๑; ✓ or blank for เกณฑ์ที่ ๒, as ticking the paper form).

``results_workbook``: outputs/summary/results.xlsx, the figures of results.csv
with Thai headings and percent formats, every center's answer to every item,
and one sheet per part of เกณฑ์ที่ ๒.

Both are built in memory and written atomically (files.write_bytes); every cell through
``exports.put``, so typed text is never a formula. The
headings are data-file labels, like results.csv's column names; the item texts
come from inputs/criteria.yaml.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .documents import registerbook, summary
from .documents.reports import center_of
from .exports import put
from .files import write_bytes
from .load.answers import CSV_PREFIX, SHEET_NAMES, csv_columns
from .model import Answer, Campaign, Center, Criteria, Part
from .thai import thai_digits

ANSWERS_XLSX = "answers.xlsx"  # relative to outputs/
RESULTS_XLSX = "summary/results.xlsx"  # relative to outputs/, beside summary.RESULTS_CSV

FONT = Font(name="TH Sarabun New", size=14)
BOLD = Font(name="TH Sarabun New", size=14, bold=True)
CENTER = Alignment(horizontal="center")
OPEN = Protection(locked=False)
# Cell styles as named styles: set by name, a cell costs a fraction of setting font,
# fill and format one by one (results.xlsx of 878 centers has some 80,000 cells).
STYLES = {
    "gecc-body": {"font": FONT},
    "gecc-tick": {"font": FONT, "alignment": CENTER},
    "gecc-percent": {"font": FONT, "number_format": "0.00%"},
    "gecc-date": {"font": FONT, "number_format": "d/m/yyyy"},
    "gecc-header": {
        "font": BOLD,
        "fill": PatternFill("solid", fgColor="DDEBF7"),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
    },
    "gecc-locked": {"font": FONT, "fill": PatternFill("solid", fgColor="EDEDED")},
    "gecc-open": {"font": FONT, "protection": OPEN},
    "gecc-open-tick": {"font": FONT, "alignment": CENTER, "protection": OPEN},
}
# TH Sarabun New advances about 0.36 em per spacing character (measured on the font):
# at 14 pt that is 6.7 px, about one width unit of Excel (a "0" of Calibri 11, 7 px);
# a little more, for a machine that shows another Thai font in its place.
UNITS_PER_CHAR = 1.05
PADDING = 3
MAX_WIDTH = 60
# Rows tall enough for Thai marks above and below the line at 14 pt (Excel's default
# row height follows the default font, Calibri 11, and would clip them).
ROW_HEIGHT = 21
HEADER_HEIGHT = 24

PHYSICAL_CHOICES = ("มี", "ไม่มี")
QUALITY_CHOICES = ("✓",)

# Headings of the CSV answer form's fixed columns, as a cell comment (the header itself
# stays the column name the reader needs).
FIELD_NOTES = {
    "province": "จังหวัด (ล็อกไว้ ห้ามแก้)",
    "center": "ศูนย์ (ล็อกไว้ ห้ามแก้)",
    "assessed_on": "วันที่ประเมิน เช่น 15/2/2564 หรือ ๑๕ ก.พ. ๖๔",
    "assessor_name": "ชื่อผู้ประเมิน",
    "assessor_position": "ตำแหน่งผู้ประเมิน",
}


# --- the answers workbook to send out ---------------------------------------------------


class Exists(Exception):
    """The workbook is already there and replacing it was not asked for."""


def answers_workbook(campaign: Campaign, target: Path, centers: Sequence[Center], *, replace: bool = False) -> int:
    """Write the answers workbook for ``centers`` at ``target``; the number of rows.

    Raises Exists when ``target`` is there and ``replace`` is false: it may hold answers being collected.
    """
    if target.exists() and not replace:
        raise Exists(target)
    criteria = campaign.criteria
    book = _book()
    sheet = book.active
    sheet.title = SHEET_NAMES[0]
    columns = csv_columns(criteria)
    notes = {**FIELD_NOTES, **_item_notes(criteria)}
    _header(sheet, columns, notes)
    choices: dict[str, tuple[str, ...]] = {CSV_PREFIX["physical"] + i.id: PHYSICAL_CHOICES for i in criteria.physical}
    choices.update({CSV_PREFIX["quality"] + i.id: QUALITY_CHOICES for i in criteria.quality})
    for number, center in enumerate(centers, start=2):
        for col, name in enumerate(columns, start=1):
            cell = put(sheet, number, col, {"province": center.province, "center": center.name}.get(name))
            cell.style = (
                "gecc-locked"
                if name in ("province", "center")
                else "gecc-open-tick"
                if name in choices
                else "gecc-open"
            )
    last = len(centers) + 1
    if centers:
        for values, title in ((PHYSICAL_CHOICES, "เกณฑ์ที่ ๑"), (QUALITY_CHOICES, "เกณฑ์ที่ ๒")):
            cols = [get_column_letter(i) for i, name in enumerate(columns, start=1) if choices.get(name) == values]
            shown = " หรือ ".join(values) + (" หรือเว้นว่าง (ว่าง = ไม่มี)" if values == QUALITY_CHOICES else "")
            check = DataValidation(
                type="list",
                formula1='"' + ",".join(values) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle=title,
                error=f"{title}: เลือก {shown}",
                promptTitle=title,
                prompt=f"เลือก {shown}",
            )
            for c in cols:
                check.add(f"{c}2:{c}{last}")
            sheet.add_data_validation(check)
    sheet.freeze_panes = "C2"  # the header, and which center a row is, stay in view
    # room for a typed name ("นางสาวกมลวรรณ ทองดี") and position ("ปลัดอำเภอ") as well as for the header
    _widths(
        sheet,
        columns,
        [[c.province, c.name] for c in centers],
        minimum={"assessed_on": 12, "assessor_name": 26, "assessor_position": 18, **{c: 6 for c in choices}},
    )
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widening a column stays possible
    sheet.protection.formatRows = False
    write_bytes(target, _bytes(book))
    return len(centers)


def _item_notes(criteria: Criteria) -> dict[str, str]:
    notes = {}
    for item in criteria.physical:
        notes[CSV_PREFIX["physical"] + item.id] = (
            f"เกณฑ์ที่ ๑ ข้อ {thai_digits(item.id)} {item.heading}\n{item.text}".strip()
        )
    for part in criteria.parts:
        for question in part.items:
            text = question.text or "\n".join(question.points)
            notes[CSV_PREFIX["quality"] + question.id] = f"เกณฑ์ที่ ๒ ข้อ {thai_digits(question.id)}\n{text}"
    return notes


# --- the results ---------------------------------------------------------------------------


def results_workbook(campaign: Campaign, target: Path, answers: Sequence[Answer] | None = None) -> None:
    """results.xlsx: the same figures as results.csv, then every answer, then a sheet per part."""
    answers = campaign.answers if answers is None else answers
    criteria = campaign.criteria
    ordered = sorted(answers, key=lambda a: center_of(campaign, a).order)
    book = _book()
    _results_sheet(book.active, campaign, answers)
    _answers_sheet(book.create_sheet("คำตอบรายข้อ"), campaign, ordered)
    for part in criteria.parts:
        _part_sheet(book.create_sheet(f"ส่วนที่ {thai_digits(part.id)}"), campaign, part, ordered)
    write_bytes(target, _bytes(book))


def results_headings(criteria: Criteria) -> list[str]:
    """Thai headings of results.csv's columns, in its order."""
    return [
        "จังหวัด",
        "ศูนย์",
        "เกณฑ์ที่ ๑ มี (ข้อ)",
        "เกณฑ์ที่ ๑ ทั้งหมด (ข้อ)",
        "ผ่านเงื่อนไขพื้นฐาน (เกณฑ์ที่ ๑ ครบ)",
        "เกณฑ์ที่ ๒ มี (ข้อ)",
        "เกณฑ์ที่ ๒ ทั้งหมด (ข้อ)",
    ] + [f"ส่วนที่ {thai_digits(p.id)} มี (จาก {thai_digits(len(p.items))} ข้อ)" for p in criteria.parts]


def _results_sheet(sheet: Worksheet, campaign: Campaign, answers: Sequence[Answer]) -> None:
    criteria = campaign.criteria
    sheet.title = "สรุปผล"
    columns = summary.results_columns(criteria)
    headings = results_headings(criteria) + ["ร้อยละ เกณฑ์ที่ ๑", "ร้อยละ เกณฑ์ที่ ๒"]
    _header(sheet, headings, {h: p.title for h, p in zip(headings[7:], criteria.parts, strict=False)})
    rows = summary.results_rows(campaign, answers)
    for number, row in enumerate(rows, start=2):
        values = [row[c] for c in columns]
        values += [_share(row["physical_met"], row["physical_total"]), _share(row["quality_met"], row["quality_total"])]
        for col, value in enumerate(values, start=1):
            cell = put(sheet, number, col, "ผ่าน" if value is True else "ไม่ผ่าน" if value is False else value)
            cell.style = "gecc-percent" if col > len(columns) else "gecc-body"
    _finish(sheet, headings, [[str(r["province"]), str(r["center"])] for r in rows])


def _share(part: object, whole: object) -> float:
    """part / whole of two counts from results_rows; 0 when there is nothing to count."""
    assert isinstance(part, int) and isinstance(whole, int)
    return part / whole if whole else 0


def _answers_sheet(sheet: Worksheet, campaign: Campaign, answers: Sequence[Answer]) -> None:
    criteria = campaign.criteria
    items = [
        (CSV_PREFIX[s] + i.id, s, i.id)
        for s in ("physical", "quality")
        for i in (criteria.physical if s == "physical" else criteria.quality)
    ]
    headings = ["ลำดับ", "จังหวัด", "ศูนย์", "วันที่ประเมิน", "ผู้ประเมิน", "ตำแหน่ง"] + [name for name, _, _ in items]
    _header(sheet, headings, _item_notes(criteria))
    for number, answer in enumerate(answers, start=2):
        values: list[object] = [
            center_of(campaign, answer).order,
            answer.province,
            answer.center,
            answer.assessed_on,
            answer.assessor_name,
            answer.assessor_position,
        ]
        values += ["มี" if getattr(answer, section)[item] else "ไม่มี" for _, section, item in items]
        for col, value in enumerate(values, start=1):
            cell = put(sheet, number, col, value)
            cell.style = "gecc-date" if col == 4 else "gecc-tick" if col > 6 else "gecc-body"
    _finish(
        sheet,
        headings,
        [[a.province, a.center, a.assessor_name, a.assessor_position] for a in answers],
        minimum={"วันที่ประเมิน": 12, **{name: 6 for name, _, _ in items}},
    )


def _part_sheet(sheet: Worksheet, campaign: Campaign, part: Part, answers: Sequence[Answer]) -> None:
    ids = [i.id for i in part.items]
    headings = ["จังหวัด", "ศูนย์"] + [thai_digits(i) for i in ids] + ["มี (ข้อ)", "ร้อยละ"]
    _header(
        sheet, headings, {thai_digits(i.id): i.text or "\n".join(i.points) for i in part.items} | {"จังหวัด": part.title}
    )
    for number, answer in enumerate(answers, start=2):
        met = sum(1 for i in ids if answer.quality[i])
        values: list[object] = [answer.province, answer.center]
        values += ["✓" if answer.quality[i] else "✗" for i in ids]
        values += [met, met / len(ids) if ids else 0]
        for col, value in enumerate(values, start=1):
            cell = put(sheet, number, col, value)
            cell.style = (
                "gecc-tick" if 2 < col <= 2 + len(ids) else "gecc-percent" if col == len(values) else "gecc-body"
            )
    _finish(sheet, headings, [[a.province, a.center] for a in answers], minimum={thai_digits(i): 5 for i in ids})


# --- the register of outgoing letters -----------------------------------------------------


def register_workbook(campaign: Campaign, target: Path) -> None:
    """register.xlsx: the register's rows (documents/registerbook.py), every text cell a string
    (a subject starting with "=" stays text: nothing in the file runs as a formula)."""
    book = _book()
    sheet = book.active
    sheet.title = registerbook.TITLE
    headings = ["วันที่ลงทะเบียน", *registerbook.COLUMNS]
    _header(sheet, headings, {})
    rows = registerbook.rows(campaign)
    for number, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            dated = isinstance(value, date)
            cell = put(sheet, number, col, value if dated else str(value))  # "=…" stays text
            cell.style = "gecc-date" if dated else "gecc-body"
    _finish(sheet, headings, [[str(v) for v in row] for row in rows])
    write_bytes(target, _bytes(book))


# --- shared --------------------------------------------------------------------------------


def _header(sheet: Worksheet, headings: Sequence[str], notes: dict[str, str]) -> None:
    sheet.sheet_format.defaultRowHeight = ROW_HEIGHT
    sheet.sheet_format.customHeight = True
    sheet.row_dimensions[1].height = HEADER_HEIGHT
    for col, text in enumerate(headings, start=1):
        cell = put(sheet, 1, col, text)
        cell.style = "gecc-header"
        if text in notes:
            cell.comment = Comment(notes[text], "GECC", width=320, height=160)


def _finish(
    sheet: Worksheet, headings: Sequence[str], texts: list[list[str]], minimum: dict[str, float] | None = None
) -> None:
    """Frozen header, a filter on every column, widths for Thai text."""
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{max(len(texts), 0) + 1}"
    _widths(sheet, headings, texts, minimum)


def _widths(
    sheet: Worksheet, headings: Sequence[str], texts: list[list[str]], minimum: dict[str, float] | None = None
) -> None:
    """Each column as wide as its longest text (the first columns of ``texts``) or its heading, within MAX_WIDTH."""
    minimum = minimum or {}
    for col, heading in enumerate(headings, start=1):
        cells = [row[col - 1] for row in texts if col - 1 < len(row)]
        chars = max([_spacing(heading), *(_spacing(str(t)) for t in cells)])
        width = max(minimum.get(heading, 0), min(MAX_WIDTH, chars * UNITS_PER_CHAR + PADDING))
        sheet.column_dimensions[get_column_letter(col)].width = round(width, 1)


def _spacing(text: str) -> int:
    """Characters that take room: Thai vowel and tone marks above and below do not."""
    return sum(1 for c in text if unicodedata.category(c) not in ("Mn", "Me", "Cf"))


def _book() -> Workbook:
    book = Workbook()
    for name, parts in STYLES.items():
        book.add_named_style(NamedStyle(name, **parts))
    return book


def _bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def unanswered(campaign: Campaign, named: Iterable[Center]) -> list[Center]:
    """The centers with neither a valid answer nor a file naming them, in center order."""
    done = {(a.province, a.center) for a in campaign.answers} | {(c.province, c.name) for c in named}
    return [c for c in sorted(campaign.centers, key=lambda c: c.order) if (c.province, c.name) not in done]


def init_answers_workbook(campaign: Campaign, inputs: Path, outputs: Path, *, replace: bool = False) -> int:
    """``init-answers --xlsx``: outputs/answers.xlsx, a row for every center with neither an answer nor a
    file naming it; its number of rows. Exists (nothing written) when there is one and ``replace`` is not
    asked for: it may hold answers being gathered. The door says which, in Thai (runner.init_answers_xlsx)."""
    from .answer_files import named_centers  # a broken answer file still names its center, as for the YAML files

    centers = unanswered(campaign, named_centers(inputs / "answers", campaign.centers))
    return answers_workbook(campaign, outputs / ANSWERS_XLSX, centers, replace=replace)
