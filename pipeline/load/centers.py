"""inputs/centers.csv or inputs/centers.xlsx: the model centers, one row each (order, province, center, note).

Either file may hold the list, not both: with both present nobody can tell
which one the clerk updated last, so that is an error naming both.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from ..model import Center
from ..problems import Problem
from ..thai import arabic_digits
from .tabular import read_any

COLUMNS = ["order", "province", "center", "note"]
FILES = ("centers.csv", "centers.xlsx")
SHEET_NAMES = ("รายชื่อศูนย์", "centers")  # a workbook's sheet of that name, else its first visible sheet


def centers_path(inputs: Path) -> Path:
    """The centers file of ``inputs``: centers.xlsx when only it is there, centers.csv otherwise."""
    csv, xlsx = (inputs / name for name in FILES)
    return xlsx if xlsx.is_file() and not csv.is_file() else csv


def centers_file_problems(inputs: Path, display: Callable[[Path], str]) -> list[Problem]:
    """Neither or both of centers.csv and centers.xlsx: the problem; one of them: none."""
    csv, xlsx = (inputs / name for name in FILES)
    if csv.is_file() and xlsx.is_file():
        return [
            Problem(
                display(csv), f"มีทั้ง {display(csv)} และ {display(xlsx)}: ให้เหลือรายชื่อศูนย์ไว้ไฟล์เดียว (ลบหรือย้ายไฟล์ที่ไม่ใช้ออก)"
            )
        ]
    if not csv.is_file() and not xlsx.is_file():
        return [Problem(display(csv), "ไม่พบไฟล์ (ต้องมี centers.csv หรือ centers.xlsx ในโฟลเดอร์ข้อมูลนำเข้า)")]
    return []


MAX_NAME = 500  # a 300-character name must still render (wrapped)


def provinces() -> list[str]:
    """Thailand's 76 provinces and Bangkok (reference data shipped with the package)."""
    text = resources.files("pipeline.reference").joinpath("provinces.txt").read_text(encoding="utf-8")
    return [l.strip() for l in text.splitlines() if l.strip() and not l.startswith("#")]


def suggest(value: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
    return f" หรือหมายถึง “{close[0]}”?" if close else ""


def load_centers(path: Path, display: str, problems: list[Problem]) -> tuple[Center, ...]:
    table = read_any(path, display, COLUMNS, problems, optional=frozenset({"note"}), sheet_names=SHEET_NAMES)
    if table is None:
        return ()
    known = provinces()
    centers: list[Center] = []
    seen_orders: dict[int, int] = {}
    seen_names: dict[tuple[str, str], int] = {}
    for number, values in table.rows:
        found = len(problems)
        order_text = arabic_digits(values["order"])
        order = int(order_text) if order_text.isdigit() and int(order_text) > 0 else None
        if order is None:
            problems.append(
                Problem(display, f"ลำดับ “{values['order']}” ต้องเป็นจำนวนเต็มบวก", table.where(number, "order"), "order")
            )
        elif order in seen_orders:
            problems.append(
                Problem(display, f"ลำดับ {order} ซ้ำกับแถวที่ {seen_orders[order]}", table.where(number, "order"), "order")
            )
        province, name = values["province"], values["center"]
        if not province:
            problems.append(Problem(display, "ไม่ได้ระบุชื่อจังหวัด", table.where(number, "province"), "province"))
        elif province not in known:
            problems.append(
                Problem(
                    display,
                    f"ไม่รู้จักจังหวัด “{province}”{suggest(province, known)}",
                    table.where(number, "province"),
                    "province",
                )
            )
        if not name:
            problems.append(Problem(display, "ไม่ได้ระบุชื่อศูนย์", table.where(number, "center"), "center"))
        elif len(name) > MAX_NAME:
            problems.append(
                Problem(
                    display, f"ชื่อศูนย์ยาว {len(name)} ตัวอักษร (ไม่เกิน {MAX_NAME})", table.where(number, "center"), "center"
                )
            )
        elif (province, name) in seen_names:
            problems.append(
                Problem(
                    display,
                    f"ศูนย์ “{name}” จังหวัด{province} ซ้ำกับแถวที่ {seen_names[(province, name)]}",
                    table.where(number, "center"),
                    "center",
                )
            )
        if len(problems) == found and order is not None:
            seen_orders[order] = number
            seen_names[(province, name)] = number
            centers.append(Center(order, province, name, values.get("note", "")))
    if not centers and not problems:
        problems.append(Problem(display, "ไม่มีรายชื่อศูนย์เลย"))
    return tuple(sorted(centers, key=lambda c: c.order))
