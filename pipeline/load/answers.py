"""inputs/answers/: each center's self-assessment against the GECC criteria.

One YAML file per center (what ``python -m pipeline`` writes blank for the
clerk to fill in), or one CSV or .xlsx workbook for many centers (what a
spreadsheet saves; ``init-answers --xlsx`` writes the workbook to send out).
Every file is checked completely and every problem of every file comes back
at once; a file (or CSV row) with any problem gives no answer, the others do.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..model import Answer, Center, Criteria
from ..problems import Problem
from .answer_rules import CSV_FIELDS, CSV_PREFIX, SECTIONS, SHEET_NAMES, SUFFIXES, YAML_SUFFIXES, CenterIndex, Draft
from .answer_table import csv_columns, table_answers
from .answer_yaml import YamlAnswer, item_id, validate_mapping
from .centers import centers_path
from .display import display_path
from .limits import LINK
from .tabular import OTHER_SPREADSHEETS, WORKBOOK_SUFFIXES

__all__ = [
    "CSV_FIELDS",
    "CSV_PREFIX",
    "SECTIONS",
    "SHEET_NAMES",
    "SUFFIXES",
    "YAML_SUFFIXES",
    "answer_files",
    "csv_columns",
    "item_id",
    "load_answers",
    "validate_mapping",
]


def answer_files(folder: Path) -> list[Path]:
    """Every entry of the answers folder a clerk put there, in name order (hidden and README files left out)."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if not _ignored(p)), key=lambda p: p.name)


def _ignored(path: Path) -> bool:
    name = path.name
    lower = name.lower()
    # dot files include the loader's own temporary files (".x.yaml.part-…"); "~$x.xlsx" is Excel's lock file
    return name.startswith((".", "~$")) or lower.startswith("readme") or lower in {"thumbs.db", "desktop.ini"}


def load_answers(
    folder: Path, inputs: Path, centers: Sequence[Center], criteria: Criteria
) -> tuple[list[Answer], list[Problem]]:
    """The valid answers, and every problem of every answer file.

    A missing folder means no answers yet: no answers and no problem.
    """
    problems: list[Problem] = []
    index = CenterIndex(centers, display_path(centers_path(inputs), inputs))
    drafts: list[Draft] = []
    for path in answer_files(folder):
        display = display_path(path, inputs)
        try:
            drafts.extend(_read_file(path, display, index, criteria, problems))
        except Exception as error:  # noqa: BLE001 (one file's failure, whatever it is, is that file's problem alone)
            problems.append(Problem(display, f"อ่านไฟล์นี้ไม่ได้ [{type(error).__name__}]: ตรวจว่าเป็นไฟล์คำตอบที่บันทึกถูกต้อง"))
    _report_duplicates(drafts, problems)
    answers = [d.answer for d in drafts if d.ok and d.answer is not None]
    return answers, problems


def _read_file(
    path: Path, display: str, index: CenterIndex, criteria: Criteria, problems: list[Problem]
) -> list[Draft]:
    """What one entry of the answers folder says; every problem it has goes to ``problems``."""
    suffix = path.suffix.lower()
    if path.is_symlink():
        problems.append(Problem(display, LINK))  # never followed: it could point at any file of the machine
    elif path.is_dir():
        problems.append(Problem(display, "โฟลเดอร์ย่อยจะไม่ถูกอ่าน: วางไฟล์คำตอบไว้ในโฟลเดอร์ answers โดยตรง"))
    elif suffix in YAML_SUFFIXES:
        return [YamlAnswer(path, display, index, criteria, problems).load()]
    elif suffix == ".csv" or suffix in WORKBOOK_SUFFIXES:
        return table_answers(path, display, index, criteria, problems)
    elif suffix in OTHER_SPREADSHEETS:
        problems.append(
            Problem(
                display,
                "อ่านไฟล์ชนิดนี้โดยตรงไม่ได้: ให้บันทึกเป็น Excel Workbook (.xlsx) หรือ CSV (Save As) ไว้ในโฟลเดอร์เดียวกัน",
            )
        )
    else:
        problems.append(Problem(display, "ไม่รู้จักไฟล์ชนิดนี้ (ไฟล์คำตอบต้องลงท้ายด้วย .yaml, .yml, .csv หรือ .xlsx)"))
    return []


# --- across files --------------------------------------------------------------


def _report_duplicates(drafts: list[Draft], problems: list[Problem]) -> None:
    """A center answered twice: both places are named, and neither answer is used."""
    by_center: dict[tuple[str, str], list[Draft]] = {}
    for draft in drafts:
        if draft.key is not None:
            by_center.setdefault(draft.key, []).append(draft)
    for (province, name), group in by_center.items():
        if len(group) < 2:
            continue
        for draft in group:
            others = [f"{o.display}" + (f" {o.where}" if o.where else "") for o in group if o is not draft]
            problems.append(
                Problem(
                    draft.display,
                    f"ศูนย์ “{name}” จังหวัด{province} มีคำตอบมากกว่าหนึ่งแห่ง: ซ้ำกับ {' และ '.join(others)} (ให้เหลือไว้แห่งเดียว)",
                    draft.where or None,
                    "center",
                )
            )
            draft.ok = False
