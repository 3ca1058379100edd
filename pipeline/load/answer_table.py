"""Answers in a CSV or a workbook: one row per center."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..exports import safe_text
from ..model import Answer, Criteria
from ..problems import Problem
from ..thai import parse_date
from .answer_rules import (
    CSV_FIELDS,
    CSV_PREFIX,
    SECTIONS,
    SHEET_NAMES,
    CenterIndex,
    Draft,
    Entry,
    Reading,
    check_date,
    section_answers,
    section_items,
)
from .tabular import read_any


def csv_columns(criteria: Criteria) -> list[str]:
    return CSV_FIELDS + [CSV_PREFIX[s] + i.id for s in SECTIONS for i in section_items(criteria, s)]


def table_answers(
    path: Path, display: str, index: CenterIndex, criteria: Criteria, problems: list[Problem]
) -> list[Draft]:
    table = read_any(path, display, csv_columns(criteria), problems, sheet_names=SHEET_NAMES)
    if table is None:
        return []
    drafts = []
    for number, values in table.rows:
        if table.sheet is not None:
            if _not_answered_yet(values):
                continue
            values = _ticked_quality(values, criteria)
        found = len(problems)
        where = table.where(number)

        def report(message: str, at: str | None = where, field: str | None = None, *, row: str = where) -> None:
            problems.append(Problem(display, message, at or row, field))

        def report_field(message: str, name: str, number: int = number) -> None:
            report(message, table.where(number, name), name)

        for name in CSV_FIELDS:
            if not values[name]:
                report("ยังไม่ได้กรอก", table.where(number, name), name)
        when = None
        if values["assessed_on"]:
            try:
                when = parse_date(values["assessed_on"])
            except ValueError as error:
                report(str(error), table.where(number, "assessed_on"), "assessed_on")
            else:
                check_date(
                    when,
                    values["assessed_on"],
                    lambda message: report_field(message, "assessed_on"),
                )
        key = None
        if values["province"] and values["center"]:
            key = index.check(
                values["province"],
                values["center"],
                report_field,
            )
        sections = {}
        for section in SECTIONS:
            prefix = CSV_PREFIX[section]
            entries = [
                Entry(i.id, prefix + i.id, values[prefix + i.id], table.where(number, prefix + i.id), prefix + i.id)
                for i in section_items(criteria, section)
            ]
            sections[section] = section_answers(section, entries, criteria, report, where, Reading(complete=False))
        ok = len(problems) == found
        answer = (
            Answer(
                values["province"],
                values["center"],
                when,
                values["assessor_name"],
                values["assessor_position"],
                sections["physical"],
                sections["quality"],
                {},
                path,
                where,
                _row_text(table.columns, values),
            )
            if ok and when is not None
            else None
        )
        drafts.append(Draft(display, where, key, answer, ok))
    return drafts


def _not_answered_yet(values: dict[str, str]) -> bool:
    """A workbook row naming only its center, as ``init-answers --xlsx`` writes it: that center has not answered."""
    return not any(v for k, v in values.items() if k not in ("province", "center"))


def _ticked_quality(values: dict[str, str], criteria: Criteria) -> dict[str, str]:
    """In a workbook a quality item is ticked (✓) or left blank, as on the paper form: blank is not met.

    Only once the row answers some quality item: a row with none answered is
    more likely unfinished than failing all of them, and is reported as such.
    """
    columns = [CSV_PREFIX["quality"] + i.id for i in criteria.quality]
    if not any(values[c] for c in columns):
        return values
    return {k: "FALSE" if k in columns and not v else v for k, v in values.items()}


def _row_text(columns: list[str], values: dict[str, str]) -> str:
    """This center's row with the header, as CSV: what the archive keeps of a many-center file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow([safe_text(values[c]) for c in columns])  # it may be opened in Excel: no formula
    return buffer.getvalue()
