"""Reading the CSV files clerks save from Excel.

Excel on a Thai Windows saves "CSV" as Windows-874 (TIS-620 plus a few
characters); elsewhere it saves UTF-8, with or without a byte-order mark. Both
are accepted; anything else is reported with the place of the first bad byte.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..problems import Problem, row
from .clean import clean_text

MAX_BYTES = 20 * 1024 * 1024  # a national list is a few hundred kB; more is a wrong file


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as Excel shows it, values by column)


def decode(path: Path, display: str, problems: list[Problem]) -> str | None:
    size = path.stat().st_size
    if size > MAX_BYTES:
        problems.append(Problem(display, f"ไฟล์ใหญ่เกินไป ({size:,} ไบต์; รับได้ไม่เกิน {MAX_BYTES:,} ไบต์)"))
        return None
    raw = path.read_bytes()
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
                    f"อ่านตัวอักษรไม่ได้ (ไบต์ 0x{raw[utf8_error.start]:02X}): "
                    "ไฟล์ต้องบันทึกเป็น UTF-8 หรือ Windows-874 (TIS-620)",
                    where=f"บรรทัดที่ {line_no}",
                )
            )
            return None


def read_table(path: Path, display: str, expected: list[str], problems: list[Problem],
               optional: frozenset[str] = frozenset()) -> Table | None:
    """The rows of a CSV whose header must be exactly ``expected`` (optional ones may be left out)."""
    text = decode(path, display, problems)
    if text is None:
        return None
    lines = text.splitlines()
    header_line = next((l for l in lines if l.strip()), "")
    if "," not in header_line and any(d in header_line for d in ";\t|"):
        found = next(d for d in ";\t|" if d in header_line)
        shown = "แท็บ" if found == "\t" else f"“{found}”"
        problems.append(Problem(display, f"ใช้ {shown} คั่นคอลัมน์ แต่ต้องคั่นด้วยจุลภาค (,)", where=row(1)))
        return None
    reader = csv.reader(io.StringIO(text))
    columns: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(reader, start=1):
        values = [clean_text(v) for v in values]
        if not any(values):
            continue  # blank lines are harmless
        if columns is None:
            columns = [v.lower() for v in values]
            missing = [c for c in expected if c not in columns and c not in optional]
            extra = [c for c in columns if c not in expected]
            if missing:
                problems.append(Problem(display, f"ไม่มีคอลัมน์ {', '.join(missing)} (ต้องมีคอลัมน์: {', '.join(expected)})", where=row(number)))
            if extra:
                problems.append(Problem(display, f"มีคอลัมน์ที่ไม่รู้จัก {', '.join(extra)} (คอลัมน์ที่ใช้ได้: {', '.join(expected)})", where=row(number)))
            if missing or extra:
                return None
            continue
        if len(values) != len(columns):
            problems.append(Problem(display, f"มี {len(values)} ช่อง แต่หัวตารางมี {len(columns)} คอลัมน์ (มีจุลภาคเกินหรือขาดหรือไม่)", where=row(number)))
            continue
        rows.append((number, dict(zip(columns, values))))
    if columns is None:
        problems.append(Problem(display, f"ไฟล์ว่าง: ต้องมีหัวตาราง {', '.join(expected)}"))
        return None
    return Table(columns, rows)
