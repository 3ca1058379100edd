"""inputs/centers.csv: the model centers, one row each (order, province, center, note)."""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

from ..model import Center
from ..problems import Problem, row
from ..thai import arabic_digits
from .tabular import read_table

COLUMNS = ["order", "province", "center", "note"]
MAX_NAME = 500  # a 300-character name must still render (wrapped)


def provinces() -> list[str]:
    """Thailand's 76 provinces and Bangkok (reference data shipped with the package)."""
    text = resources.files("pipeline.reference").joinpath("provinces.txt").read_text(encoding="utf-8")
    return [l.strip() for l in text.splitlines() if l.strip() and not l.startswith("#")]


def suggest(value: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
    return f" หรือหมายถึง “{close[0]}”?" if close else ""


def load_centers(path: Path, display: str, problems: list[Problem]) -> tuple[Center, ...]:
    table = read_table(path, display, COLUMNS, problems, optional=frozenset({"note"}))
    if table is None:
        return ()
    known = provinces()
    centers: list[Center] = []
    seen_orders: dict[int, int] = {}
    seen_names: dict[tuple[str, str], int] = {}
    for number, values in table.rows:
        found = len(problems)
        where = row(number)
        order_text = arabic_digits(values["order"])
        order = int(order_text) if order_text.isdigit() and int(order_text) > 0 else None
        if order is None:
            problems.append(Problem(display, f"ลำดับ “{values['order']}” ต้องเป็นจำนวนเต็มบวก", where, "order"))
        elif order in seen_orders:
            problems.append(Problem(display, f"ลำดับ {order} ซ้ำกับแถวที่ {seen_orders[order]}", where, "order"))
        province, name = values["province"], values["center"]
        if not province:
            problems.append(Problem(display, "ไม่ได้ระบุชื่อจังหวัด", where, "province"))
        elif province not in known:
            problems.append(Problem(display, f"ไม่รู้จักจังหวัด “{province}”{suggest(province, known)}", where, "province"))
        if not name:
            problems.append(Problem(display, "ไม่ได้ระบุชื่อศูนย์", where, "center"))
        elif len(name) > MAX_NAME:
            problems.append(Problem(display, f"ชื่อศูนย์ยาว {len(name)} ตัวอักษร (ไม่เกิน {MAX_NAME})", where, "center"))
        elif (province, name) in seen_names:
            problems.append(Problem(display, f"ศูนย์ “{name}” จังหวัด{province} ซ้ำกับแถวที่ {seen_names[(province, name)]}", where, "center"))
        if len(problems) == found and order is not None:
            seen_orders[order] = number
            seen_names[(province, name)] = number
            centers.append(Center(order, province, name, values.get("note", "")))
    if not centers and not problems:
        problems.append(Problem(display, "ไม่มีรายชื่อศูนย์เลย"))
    return tuple(sorted(centers, key=lambda c: c.order))
