"""Every file we write for Excel or LibreOffice Calc passes through here: nothing typed becomes a formula.

A center's name, an assessor's name or a note is typed by someone we do not
know. Written as is, ``=HYPERLINK("http://…","คลิก")`` would be a live formula in
the department's spreadsheet (CSV injection). So:

- a CSV cell of text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return gets a leading apostrophe (OWASP's advice), which Excel and
  Calc show as text; ``csv_text`` undoes it when we read our own file back;
- a workbook cell of text is always a text cell (``put``), whatever it starts with.

Numbers, dates and booleans we computed are written as they are. A new export
(CSV or .xlsx) uses ``write_csv`` / ``csv_bytes`` or ``put``, never csv.writer
or ``sheet.cell(…, value)`` directly: tests/hostile/test_hostile_exports.py reads
every export back with LibreOffice Calc.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .files import write_bytes

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """``value`` for a CSV cell: text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(value: str) -> str:
    """A cell of a CSV we wrote, as it was before ``safe_text``."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV for Excel: UTF-8 with a byte-order mark (so Excel reads the Thai), CRLF, every cell safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in header])
    for row in rows:
        writer.writerow([_plain(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _plain(value: object) -> object:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel writes them
    return safe_text(value)


def write_csv(rows: Sequence[dict[str, object]], path: Path, columns: Sequence[str] | None = None) -> None:
    """The rows (dicts) as a CSV for Excel, written atomically; booleans as TRUE / FALSE.

    ``columns`` is needed only when there are no rows (the header is taken from the first row otherwise).
    """
    fields = list(columns) if columns is not None else list(rows[0]) if rows else []
    if not fields:
        raise ValueError("no rows and no columns: nothing to write")
    write_bytes(path, csv_bytes(fields, ([row.get(f, "") for f in fields] for row in rows)))


def put(sheet: Any, row: int, column: int, value: object) -> Any:
    """``sheet.cell(row, column, value)`` (openpyxl), text always stored as a text cell, never a formula."""
    cell = sheet.cell(row, column, value)
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell
