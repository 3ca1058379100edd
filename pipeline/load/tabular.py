"""Reading the tables clerks keep in Excel: CSV files and .xlsx workbooks.

Excel on a Thai Windows saves "CSV" as Windows-874 (TIS-620 plus a few
characters); elsewhere it saves UTF-8, with or without a byte-order mark. Both
are accepted; anything else is reported with the place of the first bad byte.

A workbook is read from the sheet named for its purpose (``sheet_names``, e.g.
"คำตอบ" or "answers"), or else its first visible sheet: the header is its first
non-empty row, as in the CSV; empty rows and columns around the table are
ignored; a merged cell gives its value to every cell it covers; cells are read
by value (a formula by its last computed result, a date cell as a date).
Problems name the sheet, the row and the column letter as Excel shows them.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..problems import Problem, row
from ..thai import BE_OFFSET
from .clean import clean_text
from .limits import BROKEN_WORKBOOK, MAX_BYTES, READ_SECONDS, DeadlineBytes, ReadTimeout, read_input, workbook_problem

MAX_FIELD = 10_000  # characters in one cell: a note is a few hundred; Excel's own limit is 32 767
# The csv module's own limit (131 072) would stop a file in the middle with csv.Error: the file is
# capped at MAX_BYTES already, and a long field is reported by MAX_FIELD, naming its row and column.
csv.field_size_limit(MAX_BYTES)
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
OTHER_SPREADSHEETS = frozenset({".xls", ".ods", ".xlsb", ".numbers"})


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as Excel shows it, values by column)
    sheet: str | None = None  # the sheet read, for a workbook
    letters: dict[str, str] = field(default_factory=dict)  # column name → its letter in the sheet

    def where(self, number: int, column: str | None = None) -> str:
        """A place as the clerk finds it: "แถวที่ 5" in a CSV, "ชีต “คำตอบ” แถวที่ 5 คอลัมน์ F" in a workbook."""
        if self.sheet is None:
            return row(number)
        letter = f" คอลัมน์ {self.letters[column]}" if column in self.letters else ""
        return f"ชีต “{self.sheet}” {row(number)}{letter}"


def read_any(
    path: Path,
    display: str,
    expected: list[str],
    problems: list[Problem],
    optional: frozenset[str] = frozenset(),
    sheet_names: tuple[str, ...] = (),
) -> Table | None:
    """``read_workbook`` for an .xlsx file, ``read_table`` for anything else."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return read_workbook(path, display, expected, problems, optional, sheet_names)
    return read_table(path, display, expected, problems, optional)


def decode(path: Path, display: str, problems: list[Problem]) -> str | None:
    raw = read_input(path, display, problems)
    if raw is None:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp874")
        except UnicodeDecodeError:
            line_no = raw[: utf8_error.start].count(b"\n") + 1
            problems.append(
                Problem(
                    display,
                    f"อ่านตัวอักษรไม่ได้ (ไบต์ 0x{raw[utf8_error.start]:02X}): ไฟล์ต้องบันทึกเป็น UTF-8 หรือ Windows-874 (TIS-620)",
                    where=f"บรรทัดที่ {line_no}",
                )
            )
            return None


def read_table(
    path: Path, display: str, expected: list[str], problems: list[Problem], optional: frozenset[str] = frozenset()
) -> Table | None:
    """The rows of a CSV whose header must be exactly ``expected`` (optional ones may be left out)."""
    text = decode(path, display, problems)
    if text is None:
        return None
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    if "," not in header_line and any(d in header_line for d in ";\t|"):
        found = next(d for d in ";\t|" if d in header_line)
        shown = "แท็บ" if found == "\t" else f"“{found}”"
        problems.append(Problem(display, f"ใช้ {shown} คั่นคอลัมน์ แต่ต้องคั่นด้วยจุลภาค (,)", where=row(1)))
        return None
    reader = csv.reader(io.StringIO(text))
    columns: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, raw_values in _records(reader, display, problems):
        if _too_long(raw_values, columns, display, number, problems):
            continue
        values = [clean_text(v) for v in raw_values]
        if not any(values):
            continue  # blank lines are harmless
        if columns is None:
            columns = [v.lower() for v in values]
            missing = [c for c in expected if c not in columns and c not in optional]
            extra = [c for c in columns if c not in expected]
            if missing:
                problems.append(
                    Problem(
                        display, f"ไม่มีคอลัมน์ {', '.join(missing)} (ต้องมีคอลัมน์: {', '.join(expected)})", where=row(number)
                    )
                )
            if extra:
                problems.append(
                    Problem(
                        display,
                        f"มีคอลัมน์ที่ไม่รู้จัก {', '.join(extra)} (คอลัมน์ที่ใช้ได้: {', '.join(expected)})",
                        where=row(number),
                    )
                )
            if missing or extra:
                return None
            continue
        if len(values) != len(columns):
            problems.append(
                Problem(
                    display,
                    f"มี {len(values)} ช่อง แต่หัวตารางมี {len(columns)} คอลัมน์ (มีจุลภาคเกินหรือขาดหรือไม่)",
                    where=row(number),
                )
            )
            continue
        rows.append((number, dict(zip(columns, values, strict=True))))
    if columns is None:
        problems.append(Problem(display, f"ไฟล์ว่าง: ต้องมีหัวตาราง {', '.join(expected)}"))
        return None
    return Table(columns, rows)


def _records(reader: Iterator[list[str]], display: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(record number, fields) of a CSV; what the csv module cannot read (a NUL byte) ends it, named."""
    number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(Problem(display, f"อ่าน CSV ต่อไม่ได้ ({error}): บันทึกไฟล์ใหม่จาก Excel", row(number + 1)))
            return
        number += 1
        yield number, values


def _too_long(values: list[str], columns: list[str] | None, display: str, number: int, problems: list[Problem]) -> bool:
    """A field past MAX_FIELD characters: the problem, naming its row and column."""
    long = [i for i, v in enumerate(values) if len(v) > MAX_FIELD]
    for i in long:
        named = columns is not None and i < len(columns)
        problems.append(
            Problem(
                display,
                f"ข้อความยาวเกินไป ({len(values[i]):,} ตัวอักษร; รับได้ไม่เกิน {MAX_FIELD:,})",
                row(number) if named else f"{row(number)} คอลัมน์ที่ {i + 1}",
                columns[i] if named and columns is not None else None,
            )
        )
    return bool(long)


# --- workbooks ------------------------------------------------------------------------


def workbook_rows(
    path: Path, display: str, problems: list[Problem], sheet_names: tuple[str, ...] = ()
) -> tuple[str, list[tuple[int, dict[int, str]]]] | None:
    """The sheet read (named in ``sheet_names``, else the first visible one) and its non-blank rows:
    (row number, {column number: text}), merged cells filled in."""
    import openpyxl  # here: only a run with a workbook pays for importing it

    data = read_input(path, display, problems)
    if data is None:
        return None
    refused = workbook_problem(data)
    if refused is not None:
        problems.append(Problem(display, refused))
        return None
    try:
        source = DeadlineBytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "extension not supported" and the like: nothing a clerk can act on
            book = openpyxl.load_workbook(source, data_only=True)
        return _sheet_rows(book, sheet_names, source)
    except ReadTimeout:
        problems.append(Problem(display, f"เปิดไฟล์ Excel ไม่ได้: อ่านนานเกิน {READ_SECONDS:g} วินาที (ไฟล์ใหญ่หรือซับซ้อนผิดปกติ)"))
    except Exception as error:  # noqa: BLE001 (a hostile workbook may break openpyxl anywhere: it stays this file's problem)
        problems.append(Problem(display, BROKEN_WORKBOOK + f" [{type(error).__name__}]"))
    return None


def _sheet_rows(
    book: Any, sheet_names: tuple[str, ...], source: DeadlineBytes
) -> tuple[str, list[tuple[int, dict[int, str]]]]:
    """The sheet to read and its non-blank rows, from the cells the file holds (never the empty
    rectangle up to the last cell: one cell at XFD1048576 would make that seventeen billion)."""
    wanted = {n.casefold() for n in sheet_names}
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"] or book.worksheets
    sheet = next((ws for ws in book.worksheets if ws.title.strip().casefold() in wanted), None) or visible[0]
    merged = {}
    for area in sheet.merged_cells.ranges:  # bounded: workbook_problem counted the merged cells
        top_left = sheet.cell(area.min_row, area.min_col).value
        for r in range(area.min_row, area.max_row + 1):
            for c in range(area.min_col, area.max_col + 1):
                merged[(r, c)] = top_left
    by_row: dict[int, dict[int, str]] = {}
    for (r, c), cell in sorted(sheet._cells.items()):
        source.read(0)  # the time bound, also here
        value = cell_text(merged.get((r, c), cell.value))
        if value:
            by_row.setdefault(r, {})[c] = value
    for (r, c), value in merged.items():
        if (r, c) not in sheet._cells and (text := cell_text(value)):
            by_row.setdefault(r, {})[c] = text
    return sheet.title, sorted(by_row.items())


def read_workbook(
    path: Path,
    display: str,
    expected: list[str],
    problems: list[Problem],
    optional: frozenset[str] = frozenset(),
    sheet_names: tuple[str, ...] = (),
) -> Table | None:
    """The rows of an .xlsx sheet whose header must be ``expected``, each value as text (see ``cell_text``)."""
    from openpyxl.utils import get_column_letter

    read = workbook_rows(path, display, problems, sheet_names)
    if read is None:
        return None
    title, sheet_rows = read
    if not sheet_rows:
        problems.append(Problem(display, f"ชีต “{title}” ว่าง: ต้องมีหัวตาราง {', '.join(expected)}"))
        return None
    (header_number, header), body = sheet_rows[0], sheet_rows[1:]
    positions = [c for c, v in header.items() if v]  # the sheet column (1-based) of each column of the table
    columns = [header[c].lower() for c in positions]
    letters = {name: get_column_letter(c) for name, c in zip(columns, positions, strict=True)}
    table = Table(columns, [], title, letters)
    missing = [c for c in expected if c not in columns and c not in optional]
    extra = [c for c in columns if c not in expected]
    if missing:
        problems.append(
            Problem(
                display,
                f"ไม่มีคอลัมน์ {', '.join(missing)} (ต้องมีคอลัมน์: {', '.join(expected)})",
                where=table.where(header_number),
            )
        )
    if extra:
        problems.append(
            Problem(
                display,
                f"มีคอลัมน์ที่ไม่รู้จัก {', '.join(extra)} (คอลัมน์ที่ใช้ได้: {', '.join(expected)})",
                where=table.where(header_number),
            )
        )
    if missing or extra:
        return None
    unnamed: set[int] = set()  # columns with data but no header
    long = False  # a cell past MAX_FIELD
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in body:
        for c, v in values.items():
            if len(v) > MAX_FIELD:
                problems.append(
                    Problem(
                        display,
                        f"ข้อความยาวเกินไป ({len(v):,} ตัวอักษร; รับได้ไม่เกิน {MAX_FIELD:,})",
                        f"ชีต “{title}” {row(number)} คอลัมน์ {get_column_letter(c)}",
                    )
                )
                long = True
            if v and c not in positions and c not in unnamed:
                unnamed.add(c)
                problems.append(
                    Problem(
                        display,
                        f"มีข้อมูล “{v}” ในคอลัมน์ที่ไม่มีหัวตาราง (ใส่หัวตารางหรือลบข้อมูลออก)",
                        where=f"ชีต “{title}” {row(number)} คอลัมน์ {get_column_letter(c)}",
                    )
                )
        rows.append((number, {name: values.get(c, "") for name, c in zip(columns, positions, strict=True)}))
    if unnamed or long:
        return None
    return Table(columns, rows, title, letters)


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV would hold, so one set of checks serves both.

    A date cell becomes its ISO date (parse_date reads it; a time typed with it
    is dropped; a year above 2400 is Buddhist); TRUE/FALSE cells become TRUE/FALSE; whole numbers lose the
    ".0" openpyxl gives them (1.0 → "1", a date serial 44242.0 → "44242").
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date) and value.year > 2400:
        # Typed 24/2/2564 where Excel's calendar is the Christian one: a date in the year 2564,
        # which is the Buddhist year the clerk meant (the rule of parse_date). A 29 February
        # that exists only in the Christian 2564 becomes the text, reported as impossible.
        try:
            return value.replace(year=value.year - BE_OFFSET).isoformat()
        except ValueError:
            return f"{value.day}/{value.month}/{value.year}"
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(str(value))
